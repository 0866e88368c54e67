"""The pages a site needs besides its articles: tag pages, a 404 page, sitemap.xml, robots.txt.

Written by the html channel once every article page is rendered.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from ..model import Entry
from ..scaffold import slugify
from ..templates import render
from .base import BuildContext

SITE = "site"
TAGS = f"{SITE}/tags/index.html"
NOT_FOUND = f"{SITE}/404.html"
SITEMAP = f"{SITE}/sitemap.xml"
ROBOTS = f"{SITE}/robots.txt"


def tag_path(tag: str) -> str:
    return f"{SITE}/tags/{slugify(tag) or 'tag'}/index.html"


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


def write_site_pages(entries: list[Entry], ctx: BuildContext, common: dict) -> None:
    site = ctx.config.site
    groups = group_by_tag(entries)
    pages = {e.article.slug: f"{SITE}/{e.article.slug}/index.html" for e in entries}
    for path, (tag, tagged) in groups.items():
        ctx.staging.write_text(path, render(
            ctx.templates, "html/tag.html", ctx.layouts_shown, **common, page=path, canonical=None,
            tag=tag, entries=tagged, pages=pages))
    ctx.staging.write_text(TAGS, render(
        ctx.templates, "html/tags.html", ctx.layouts_shown, **common, page=TAGS, canonical=None,
        groups=[(path, tag, len(tagged)) for path, (tag, tagged) in groups.items()]))
    base_path = urlsplit(site.base_url).path or "/" if site.base_url else None
    ctx.staging.write_text(NOT_FOUND, render(
        ctx.templates, "html/404.html", ctx.layouts_shown, **common, page=NOT_FOUND, canonical=None,
        base_path=base_path))
    if site.base_url:
        ctx.staging.write_text(SITEMAP, sitemap(entries, ctx, list(groups)))
        ctx.staging.write_text(ROBOTS, f"User-agent: *\nAllow: /\n\nSitemap: {_address(site.base_url, SITEMAP)}\n")


def sitemap(entries: list[Entry], ctx: BuildContext, tag_pages: list[str]) -> str:
    """Every page, with the date its content last changed where an article gives one."""
    base = ctx.config.site.base_url
    newest = max((e.article.last_modified for e in entries), default=None)
    rows = [(f"{SITE}/index.html", newest)]
    for entry in entries:
        modified = entry.article.last_modified
        rows += [(path, modified) for name, path in ctx.outputs.get(entry.article.slug, {}).items()
                 if name in ("html", "summary_html")]
    rows += [(TAGS, newest)] + [(path, None) for path in tag_pages]
    if "leaflets" in ctx.site_outputs:
        rows.append((ctx.site_outputs["leaflets"], newest))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, modified in rows:
        lastmod = f"<lastmod>{modified.isoformat()}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{escape(_address(base, path))}</loc>{lastmod}</url>")
    return "\n".join(lines + ["</urlset>", ""])


def _address(base_url: str, path: str) -> str:
    """The public address of an output: 'site/a/index.html' -> '<base>a/'."""
    root = base_url if base_url.endswith("/") else base_url + "/"
    relative = path.removeprefix(f"{SITE}/")
    return root + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)
