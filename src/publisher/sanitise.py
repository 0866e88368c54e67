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

import nh3

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
            return "#" + _not_layout(value[1:])
        return value

    return keep


def sanitise(fragment: str, base_url: str | None = None) -> str:
    """Allow-listed HTML; with ``base_url`` every relative URL is made absolute (for feeds)."""
    attributes = {tag: names | GENERIC_ATTRIBUTES for tag, names in ATTRIBUTES.items()}
    attributes["*"] = GENERIC_ATTRIBUTES
    options = {"url_relative": ("rewrite_with_base", base_url)} if base_url else {}
    fragment = _SURROGATE.sub("\ufffd", normalise_text(fragment))
    return nh3.clean(fragment, tags=TAGS, attributes=attributes, url_schemes=URL_SCHEMES, link_rel=None,
                     generic_attribute_prefixes={"aria-"}, attribute_filter=_attribute_filter(), **options)


def clean_text(value: str) -> str:
    """A text field as plain text: no markup, entities read (controls are gone already, but for an
    entity that names one: ``&#11;``)."""
    value = normalise_text(value)
    if "<" in value or "&" in value:
        value = normalise_text(html.unescape(nh3.clean(value, tags=set())))
    return value
