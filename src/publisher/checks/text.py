"""Visible text of HTML, as a reader sees it: no markup, scripts or head; spacing folded."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HIDDEN = {"head", "script", "style", "template", "noscript"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "aside", "article",
          "header", "footer", "nav", "main", "ul", "ol", "dl", "dt", "dd", "blockquote", "table", "tr", "td", "th"}
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        attributes = dict(attrs)
        if self.hidden or tag in _HIDDEN or "hidden" in attributes or attributes.get("aria-hidden") == "true":
            self.hidden += 1  # everything inside a hidden element is hidden too
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if self.hidden:
            self.hidden -= 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def normalise(text: str) -> str:
    """Fold whitespace and typographic quotes, so equal wording compares equal."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


def visible_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return normalise("".join(collector.parts))
