"""The pages a site needs besides its articles: tag pages per edition, a 404 page, sitemap.xml, robots.txt.

Rendered by the html channel once every article page is known.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from ..addresses import (INDEX, NOT_FOUND, ROBOTS, SITEMAP, TAGS, edition_key, edition_path, page_path,
                         public_address, tag_path)
from ..editions import alternate_links, editions
from ..model import Entry
from ..templates import render
from .base import BuildContext


def planned(base_url: str | None) -> dict[str, str]:
    """The manifest keys of these pages (the sitemap and robots.txt need absolute addresses)."""
    keys = {"tags": TAGS, "not_found": NOT_FOUND}
    if base_url:
        keys.update(sitemap=SITEMAP, robots=ROBOTS)
    return keys


def group_by_tag(entries: list[Entry], edition: str = "") -> dict[str, tuple[str, list[Entry]]]:
    """Tag page path -> (the tag as first written, its articles newest first)."""
    groups: dict[str, tuple[str, list[Entry]]] = {}
    for entry in entries:
        for tag in entry.article.tags:
            groups.setdefault(tag_path(tag, edition), (tag, []))[1].append(entry)
    return dict(sorted(groups.items(), key=lambda item: item[1][0].casefold()))


def edition_pages(entries: list[Entry], ctx: BuildContext, common: dict, edition: str) -> dict[str, bytes]:
    """Path -> bytes of one edition's tag pages and its page of topics."""
    groups = group_by_tag(entries, edition)
    pages = {e.article.slug: page_path(e.article.slug) for e in entries}
    tags = edition_path(edition, TAGS)
    written = {}
    for path, (tag, tagged) in groups.items():
        written[path] = render(ctx.templates, "html/tag.html", ctx.layouts, **common, page=path, canonical=None,
                               tag=tag, entries=tagged, pages=pages, tags_page=tags)
    written[tags] = render(ctx.templates, "html/tags.html", ctx.layouts, **common, page=tags, canonical=None,
                           groups=[(path, tag, len(tagged)) for path, (tag, tagged) in groups.items()])
    return {path: text.encode("utf-8") for path, text in written.items()}


def site_pages(entries: list[Entry], ctx: BuildContext, common: dict) -> dict[str, bytes]:
    """Path -> bytes of the 404 page, and with a base_url the sitemap (every edition's pages) and
    robots.txt."""
    site = ctx.config.site
    written = {}
    base_path = urlsplit(site.base_url).path or "/" if site.base_url else None
    written[NOT_FOUND] = render(ctx.templates, "html/404.html", ctx.layouts, **common, page=NOT_FOUND,
                                canonical=None, base_path=base_path)
    if site.base_url:
        written[SITEMAP] = sitemap(entries, ctx)
        written[ROBOTS] = f"User-agent: *\nAllow: /\n\nSitemap: {public_address(site.base_url, SITEMAP)}\n"
    return {path: text.encode("utf-8") for path, text in written.items()}


def sitemap(entries: list[Entry], ctx: BuildContext) -> str:
    """Every page, with the date its content last changed where an article gives one, and each
    article's editions in other languages as alternates."""
    base = ctx.config.site.base_url
    rows = []
    for edition in editions(ctx.config):
        own = [e for e in entries if e.article.edition == edition]
        newest = max((e.article.last_modified for e in own), default=None)
        rows.append((edition_path(edition, INDEX), newest, ()))
        for entry in own:
            modified = entry.article.last_modified
            outputs = ctx.outputs.get(entry.article.slug, {})
            for name in ("html", "summary_html"):
                if name in outputs:
                    links = alternate_links(entry, ctx.config, ctx.outputs, name, outputs[name])
                    rows.append((outputs[name], modified, [(link["lang"], link["href"]) for link in links]))
        rows += [(edition_path(edition, TAGS), newest, ())] + [(path, None, ()) for path in group_by_tag(own, edition)]
        leaflets = ctx.site_outputs.get(edition_key(edition, "leaflets"))
        if leaflets:
            rows.append((leaflets, newest, ()))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for path, modified, links in rows:
        lastmod = f"<lastmod>{modified.isoformat()}</lastmod>" if modified else ""
        alternates = "".join(f'<xhtml:link rel="alternate" hreflang="{escape(lang)}" href="{escape(href)}"/>'
                             for lang, href in links)
        lines.append(f"  <url><loc>{escape(public_address(base, path))}</loc>{lastmod}{alternates}</url>")
    return "\n".join(lines + ["</urlset>", ""])
