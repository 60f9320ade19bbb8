"""Which form fields of a page have no label a screen reader would announce."""

from __future__ import annotations

from html.parser import HTMLParser

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.label_depth = 0
        self.label_for: set[str] = set()
        self.template_depth = 0
        self.fields: list[tuple[dict[str, str], bool]] = []  # (attributes, inside a <label>)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and a.get("type", "text").lower() in UNLABELLED_TYPES:
                return
            self.fields.append((a, self.label_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.label_depth:
            self.label_depth -= 1


def unlabelled_fields(html: str) -> list[str]:
    """The name of every visible input, select or textarea with neither a <label> (around it or
    pointing at its id) nor a non-empty aria-label / aria-labelledby."""
    parser = _Fields()
    parser.feed(html)
    missing = []
    for attrs, wrapped in parser.fields:
        if wrapped or attrs.get("aria-label", "").strip() or attrs.get("aria-labelledby", "").strip():
            continue
        if attrs.get("id") and attrs["id"] in parser.label_for:
            continue
        missing.append(attrs.get("name") or attrs.get("id") or "(unnamed)")
    return missing
