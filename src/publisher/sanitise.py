"""The one sanitising policy: every HTML fragment and every text field, before any channel sees it.

HTML (an article's body, its plain summary, a disclaimer's full text) goes through nh3 (ammonia)
with an allow-list: no script, style, iframe, object or embed, no event handlers or style
attributes, no javascript: or data: URLs. Pandoc's own markup (ids, classes, roles, footnotes,
figures) is kept.

Text fields (titles, descriptions, a disclaimer's short and plain texts, sources, glossary words,
site settings) are text, never markup: any tag pasted into one is removed with its script or style
content, entities are read as the characters they stand for, and control characters that Word and
the web paste (a vertical tab for a line break, a form feed) become spaces. Each channel then
escapes the text for where it goes (HTML, XML, CSS, PDF).
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
# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates (not text at all)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def sanitise(fragment: str, base_url: str | None = None) -> str:
    """Allow-listed HTML; with ``base_url`` every relative URL is made absolute (for feeds)."""
    attributes = {tag: names | GENERIC_ATTRIBUTES for tag, names in ATTRIBUTES.items()}
    attributes["*"] = GENERIC_ATTRIBUTES
    options = {"url_relative": ("rewrite_with_base", base_url)} if base_url else {}
    return nh3.clean(_CONTROL.sub(" ", fragment), tags=TAGS, attributes=attributes, url_schemes=URL_SCHEMES,
                     link_rel=None, generic_attribute_prefixes={"aria-"}, **options)


def clean_text(value: str) -> str:
    """A text field as plain text: no markup, entities read, control characters made spaces."""
    value = _CONTROL.sub(" ", value)
    if "<" in value or "&" in value:
        value = html.unescape(nh3.clean(value, tags=set()))
    return value
