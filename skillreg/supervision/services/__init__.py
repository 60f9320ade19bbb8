"""State changes of supervision: each a keyword-only function with an actor and a time,
in one transaction with its audit event. Split by part of the issue."""
