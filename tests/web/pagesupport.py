"""Helpers for the page tests: read a classification table out of a page's HTML."""

from __future__ import annotations

from html.parser import HTMLParser


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "classification") in attrs:
            self._in_table = True
        if tag == "tbody" and getattr(self, "_in_table", False):
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
            self._in_table = False
        elif self._in_body and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def classification_rows(html: str) -> list[list[str]]:
    """The cells of each body row of the page's classification table(s), whitespace collapsed."""
    parser = _Rows()
    parser.feed(html)
    return parser.rows
