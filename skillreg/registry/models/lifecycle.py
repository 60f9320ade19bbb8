"""Models of the filed institution's life: placeholder, filled by the lifecycle work (issue 4)."""
