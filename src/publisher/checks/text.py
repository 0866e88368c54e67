"""Visible text of HTML, as a reader sees it: no markup, scripts or head; spacing folded."""

from __future__ import annotations

import re

_HIDDEN = {"head", "script", "style", "template", "noscript"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "aside", "article",
          "header", "footer", "nav", "main", "ul", "ol", "dl", "dt", "dd", "blockquote", "table", "tr", "td", "th"}
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def normalise(text: str) -> str:
    """Fold whitespace and typographic quotes, so equal wording compares equal."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


def visible_text(html: str) -> str:
    """The text of a page or fragment a reader sees. Parsed by libxml2 (lxml), which reads a page
    in a tenth of the time html.parser takes: a cold build's gate reads every page it wrote."""
    from lxml import etree

    if not html.strip():
        return ""
    root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8", remove_comments=True,
                                                                  remove_pis=True))
    parts: list[str] = []
    if root is not None:
        _collect(root, parts)
    return normalise("".join(parts))


def _collect(element, parts: list[str]) -> None:
    """An element's visible text into ``parts``, its tail left to the caller. Hidden: the head,
    scripts, styles, templates, noscript, and an element marked hidden or aria-hidden; a block
    (or its end) stands for a space; a void element holds nothing."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _VOID:
        return
    if tag in _HIDDEN or "hidden" in element.attrib or element.get("aria-hidden") == "true":
        return
    space = " " if tag in _BLOCK else ""
    parts += [space, element.text or ""]
    for child in element:
        _collect(child, parts)
        parts.append(child.tail or "")
    parts.append(space)
