"""The one sanitising policy: every HTML fragment and every text field, before any channel sees it.

HTML (an article's body, its plain summary, a disclaimer's full text) goes through nh3 (ammonia)
with an allow-list: no script, style, iframe, object or embed, no event handlers or style
attributes, no javascript: or data: URLs. Pandoc's own markup (ids, classes, roles, footnotes,
figures) is kept.

Text fields (titles, descriptions, a disclaimer's short and plain texts, sources, glossary words,
site settings) are text, never markup: any tag pasted into one is removed with its script or style
content, and entities are read as the characters they stand for. Each channel then escapes the
text for where it goes (HTML, XML, CSS, PDF).

Control characters never reach a channel: ``normalise_text`` runs on every source file as it is
read (and on every string a YAML or TOML escape makes). Word's line break (a vertical tab), page
break (a form feed) and the other C0 controls become spaces; C1 controls, which are Windows-1252
punctuation read with the wrong encoding (U+0092 for an apostrophe), become that punctuation; the
line and paragraph separators U+2028 and U+2029 become spaces. Each is one character for one, so
line numbers stay right.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

from .cache import Memo

TAGS = set(nh3.ALLOWED_TAGS) | {"section", "figure", "figcaption", "video", "audio", "source"}
GENERIC_ATTRIBUTES = {"id", "class", "role", "title", "lang", "dir"}
ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "video": {"src", "controls", "width", "height", "poster"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# The layout's own ids and classes (layouts/*: the skip link's target, the disclaimer boxes, ...).
# A fenced div or attribute in an article (``::: {#main .disclaimer}``) must not forge them: such
# a class is removed, such an id (and links to it) get the prefix "content-". tests/test_hostile_input.py
# keeps this list in step with the classes and ids the layouts use.
LAYOUT_IDS = frozenset({"main", "toc-title", "references-title", "summary-title", "search-query", "search-status",
                        "search-results"})
LAYOUT_CLASSES = frozenset({
    "article-body", "article-header", "article-list", "byline", "colophon", "description", "disclaimer",
    "disclaimer-notes", "disclaimers", "draft", "formats", "key-points", "kicker", "lead", "leaflets", "meta",
    "online", "plain", "qr", "readability", "references", "review", "site", "site-footer", "site-header",
    "site-nav", "site-title", "skip-link", "summary", "summary-body", "tag-list", "tags", "title-block", "toc",
    "version", "languages", "search", "search-status", "search-results", "review-due", "contact",
})
LAYOUT_PREFIX = "disclaimer-"  # disclaimer-<id>: each disclaimer box's id and class
_ID_LISTS = {"aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "for"}
# C0 controls but tab, newline and carriage return; DEL; C1 controls; the Unicode line separators
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # only an escape can make one: not a character at all


def _replacement(match: re.Match) -> str:
    code = ord(match.group(0))
    if 0x80 <= code <= 0x9f:  # Windows-1252 read as Latin-1: U+0092 is the apostrophe it stood for
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:  # five C1 codes that Windows-1252 leaves undefined
            return " "
    return " "


def normalise_text(text: str) -> str:
    """Text as pasted from Word or the web, without its control characters (one for one)."""
    return _CONTROL.sub(_replacement, text) if _CONTROL.search(text) else text


def surrogate_in(text: str) -> str | None:
    """A lone surrogate in ``text`` (as ``\\udXXX``), or None: UTF-8 cannot hold one."""
    found = _SURROGATE.search(text)
    return f"\\u{ord(found.group(0)):04x}" if found else None


def is_layout_id(value: str) -> bool:
    return value in LAYOUT_IDS or value.startswith(LAYOUT_PREFIX)


def _not_layout(value: str) -> str:
    return f"content-{value}" if is_layout_id(value) else value


_URL_ATTRIBUTES = {"href", "src", "poster"}
# What stays as written in a URL: letters and digits (any script's: a URL may hold them, as an
# IRI), the reserved and unreserved marks, and a % that starts an escape; anything else (a
# backslash, a space, a quote, a bracket, a lone %, a second #) is percent-encoded from its UTF-8 bytes.
_URL_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&'()*+,;=\u00a0-\U0010ffff]+|%[0-9A-Fa-f]{2}")
_FRAGMENT_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?@!$&'()*+,;=\u00a0-\U0010ffff]+|%[0-9A-Fa-f]{2}")
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\\]*")


def normalise_url(value: str) -> str:
    """A link's or image's address as a valid URL: what pandoc passes through as written (a
    backslash, an escaped star in a query, a space, a bracket) is percent-encoded, once; the host
    (``//...``) stays as written (checks/references.py refuses one that is not a host name)."""
    authority = _AUTHORITY.match(value)
    start = authority.end() if authority else 0
    address, hash_, fragment = value[start:].partition("#")
    return value[:start] + _encoded(address, _URL_SAFE) + hash_ + _encoded(fragment, _FRAGMENT_SAFE)


def _encoded(text: str, safe: re.Pattern) -> str:
    out, position = [], 0
    for match in safe.finditer(text):
        out += [_percent(text[position:match.start()]), match.group(0)]
        position = match.end()
    return "".join(out) + _percent(text[position:])


def _percent(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode("utf-8"))


def _attribute_filter():
    """Content keeps its ids and classes, but never the layout's (see LAYOUT_IDS), and no id twice."""
    seen: set[str] = set()

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            kept = [c for c in value.split() if c not in LAYOUT_CLASSES and not c.startswith(LAYOUT_PREFIX)]
            return " ".join(kept) or None
        if attribute == "id":
            value = unique = _not_layout(value)
            number = 1
            while unique in seen:  # an id given twice (or made twice by pandoc): the later one is renamed
                number += 1
                unique = f"{value}-{number}"
            seen.add(unique)
            return unique
        if attribute in _ID_LISTS:
            return " ".join(_not_layout(v) for v in value.split())
        if attribute == "href" and value.startswith("#"):
            return "#" + _not_layout(normalise_url(value[1:]))
        if attribute in _URL_ATTRIBUTES:
            return normalise_url(value)
        return value

    return keep


_SANITISED = Memo(16384)  # fragments sanitised in this process: publish serve does each once


def sanitise(fragment: str, base_url: str | None = None) -> str:
    """Allow-listed HTML; with ``base_url`` every relative URL is made absolute (for feeds)."""
    return _SANITISED.get((fragment, base_url or ""), lambda: _sanitised(fragment, base_url))


def _sanitised(fragment: str, base_url: str | None) -> str:
    attributes = {tag: names | GENERIC_ATTRIBUTES for tag, names in ATTRIBUTES.items()}
    attributes["*"] = GENERIC_ATTRIBUTES
    options = {"url_relative": ("rewrite_with_base", base_url)} if base_url else {}
    fragment = _SURROGATE.sub("\ufffd", normalise_text(fragment))
    return _without_misnesting(nh3.clean(fragment, tags=TAGS, attributes=attributes, url_schemes=URL_SCHEMES,
                                         link_rel=None, generic_attribute_prefixes={"aria-"},
                                         attribute_filter=_attribute_filter(), **options))


# Elements that may hold only phrasing content. An unclosed raw <b> in one paragraph is reopened
# by the HTML parser around the blocks after it (its "active formatting elements"): such a
# wrapper around a block is dropped, its content kept, so the page stays valid HTML.
_PHRASING_ONLY = frozenset({"b", "i", "em", "strong", "u", "s", "small", "mark", "code", "span", "q", "sub",
                            "sup", "abbr", "cite", "dfn", "kbd", "samp", "var", "bdi", "bdo", "time", "data"})
_PHRASING_TOO = frozenset({"a", "del", "ins", "br", "img", "wbr", "audio", "video", "source", "track", "picture"})
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})


class _Misnesting(HTMLParser):
    """Spans of the start and end tags of phrasing-only elements that hold a non-phrasing element
    (in nh3's output, which closes every element it opens)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.starts = [0]  # offset of each line's first character
        for line in text.split("\n")[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.open: list[list] = []  # [tag, start, end of the start tag, holds a block]
        self.cut: list[tuple[int, int]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        if tag not in _PHRASING_ONLY and tag not in _PHRASING_TOO:
            for element in self.open:
                element[3] = True
        if tag not in _VOID:
            self.open.append([tag, start, start + len(self.get_starttag_text()), False])

    def handle_endtag(self, tag):
        if not self.open or self.open[-1][0] != tag:
            return
        name, start, end, holds_block = self.open.pop()
        if holds_block and name in _PHRASING_ONLY:
            here = self._offset()
            self.cut += [(start, end), (here, here + len(f"</{tag}>"))]


def _without_misnesting(fragment: str) -> str:
    if not any(f"<{tag}" in fragment for tag in _PHRASING_ONLY):
        return fragment
    finder = _Misnesting(fragment)
    finder.feed(fragment)
    finder.close()
    for start, end in sorted(finder.cut, reverse=True):
        fragment = fragment[:start] + fragment[end:]
    return fragment


def clean_text(value: str) -> str:
    """A text field as plain text: no markup, entities read (controls are gone already, but for an
    entity that names one: ``&#11;``)."""
    value = normalise_text(value)
    if "<" in value or "&" in value:
        value = normalise_text(html.unescape(nh3.clean(value, tags=set())))
    return value
