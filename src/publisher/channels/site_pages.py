"""The pages a site needs besides its articles: tag pages, a 404 page, sitemap.xml, robots.txt.

Rendered by the html channel once every article page is known.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from ..addresses import INDEX, NOT_FOUND, ROBOTS, SITEMAP, TAGS, page_path, public_address, tag_path
from ..model import Entry
from ..templates import render
from .base import BuildContext


def planned(base_url: str | None) -> dict[str, str]:
    """The manifest keys of these pages (the sitemap and robots.txt need absolute addresses)."""
    keys = {"tags": TAGS, "not_found": NOT_FOUND}
    if base_url:
        keys.update(sitemap=SITEMAP, robots=ROBOTS)
    return keys


def group_by_tag(entries: list[Entry]) -> dict[str, tuple[str, list[Entry]]]:
    """Tag page path -> (the tag as first written, its articles newest first)."""
    groups: dict[str, tuple[str, list[Entry]]] = {}
    for entry in entries:
        for tag in entry.article.tags:
            groups.setdefault(tag_path(tag), (tag, []))[1].append(entry)
    return dict(sorted(groups.items(), key=lambda item: item[1][0].casefold()))


def site_pages(entries: list[Entry], ctx: BuildContext, common: dict) -> dict[str, bytes]:
    """Path -> bytes of the tag pages, the tags page, the 404 page, and with a base_url the sitemap
    and robots.txt."""
    site = ctx.config.site
    groups = group_by_tag(entries)
    pages = {e.article.slug: page_path(e.article.slug) for e in entries}
    written = {}
    for path, (tag, tagged) in groups.items():
        written[path] = render(ctx.templates, "html/tag.html", ctx.layouts, **common, page=path, canonical=None,
                               tag=tag, entries=tagged, pages=pages)
    written[TAGS] = render(ctx.templates, "html/tags.html", ctx.layouts, **common, page=TAGS, canonical=None,
                           groups=[(path, tag, len(tagged)) for path, (tag, tagged) in groups.items()])
    base_path = urlsplit(site.base_url).path or "/" if site.base_url else None
    written[NOT_FOUND] = render(ctx.templates, "html/404.html", ctx.layouts, **common, page=NOT_FOUND,
                                canonical=None, base_path=base_path)
    if site.base_url:
        written[SITEMAP] = sitemap(entries, ctx, list(groups))
        written[ROBOTS] = f"User-agent: *\nAllow: /\n\nSitemap: {public_address(site.base_url, SITEMAP)}\n"
    return {path: text.encode("utf-8") for path, text in written.items()}


def sitemap(entries: list[Entry], ctx: BuildContext, tag_pages: list[str]) -> str:
    """Every page, with the date its content last changed where an article gives one."""
    base = ctx.config.site.base_url
    newest = max((e.article.last_modified for e in entries), default=None)
    rows = [(INDEX, newest)]
    for entry in entries:
        modified = entry.article.last_modified
        outputs = ctx.outputs.get(entry.article.slug, {})
        rows += [(outputs[name], modified) for name in ("html", "summary_html") if name in outputs]
    rows += [(TAGS, newest)] + [(path, None) for path in tag_pages]
    if "leaflets" in ctx.site_outputs:
        rows.append((ctx.site_outputs["leaflets"], newest))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, modified in rows:
        lastmod = f"<lastmod>{modified.isoformat()}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{escape(public_address(base, path))}</loc>{lastmod}</url>")
    return "\n".join(lines + ["</urlset>", ""])
