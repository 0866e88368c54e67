"""One policy for raw HTML in content: sanitise it, on every channel.

Authors may write raw HTML in Markdown (tables, a <br>), and pandoc passes it through. Before any
channel sees an article, its HTML goes through nh3 (ammonia) with an allow-list: no script, style,
iframe, object or embed, no event handlers or style attributes, no javascript: or data: URLs.
Pandoc's own markup (ids, classes, roles, footnotes, figures) is kept.
"""

from __future__ import annotations

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


def sanitise(html: str, base_url: str | None = None) -> str:
    """Allow-listed HTML; with ``base_url`` every relative URL is made absolute (for feeds)."""
    attributes = {tag: names | GENERIC_ATTRIBUTES for tag, names in ATTRIBUTES.items()}
    attributes["*"] = GENERIC_ATTRIBUTES
    options = {"url_relative": ("rewrite_with_base", base_url)} if base_url else {}
    return nh3.clean(html, tags=TAGS, attributes=attributes, url_schemes=URL_SCHEMES, link_rel=None,
                     generic_attribute_prefixes={"aria-"}, **options)
