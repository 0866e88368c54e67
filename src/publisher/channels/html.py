"""The HTML channel: an accessible page per article and an index of articles.

Templates and CSS live in ``layouts/html/``; every file there that is not a template
(``*.html``) is copied to the site as it is (the stylesheet, icons).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import schema
from ..addresses import INDEX, SITE, STYLESHEET, bundle_file_path, page_path, page_url, tag_path
from ..model import Article, Entry
from ..schema import Field
from ..templates import render
from . import site_pages
from .base import BuildContext, Rendered

OTHER_FORMATS = {  # output name -> link text on the article page, in this order
    "summary_html": "Plain-language summary",
    "pdf": "Printable leaflet (PDF)",
}
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


class HtmlChannel:
    name = "html"
    section = "html"
    renders_alone = True  # render(entry) reads only that entry and its inputs: see previous.py
    unlisted_outputs = True  # tag pages, layout assets, bundle files: written, not in the manifest
    manifest_keys = ("html", "index", "tags", "not_found", "sitemap", "robots")
    templates = ("html/article.html", "html/index.html", "html/tag.html", "html/tags.html", "html/404.html")
    options = {
        "toc": Field(schema.boolean, default=True),  # "On this page" list of the article's sections
    }

    def outputs(self, article: Article, ctx: BuildContext) -> dict[str, str]:
        return {"html": page_path(article.slug)}

    def site_outputs(self, ctx: BuildContext) -> dict[str, Any]:
        return {"index": INDEX, **site_pages.planned(ctx.config.site.base_url)}

    def check(self, config, requested: bool) -> list:
        return []

    def render(self, entry: Entry, ctx: BuildContext) -> Rendered:
        article = entry.article
        path = page_path(article.slug)
        outputs = ctx.outputs.get(article.slug, {})
        rendered = Rendered()
        rendered.add(path, render(
            ctx.templates, "html/article.html", ctx.layouts,
            site=ctx.config.site,
            lang=article.lang,
            page=path,
            root=INDEX,
            stylesheet=STYLESHEET,
            article=article,
            reviews=entry.reviews,
            canonical=page_url(ctx.config.site.base_url, article.slug),
            body=Markup(entry.body_html),
            toc=_sections(entry.body_html) if ctx.options(self.section)["toc"] else [],
            top=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("top")],
            bottom=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("bottom")],
            disclaimers=entry.disclaimers,
            formats=[(label, outputs[name]) for name, label in OTHER_FORMATS.items() if name in outputs],
            tag_links=[(tag, tag_path(tag)) for tag in article.tags],
            site_outputs=ctx.site_outputs,
            structured_data=structured_data(article, ctx.config.site.base_url, entry.reviews),
        ))
        for relpath, source in entry.bundle_files:  # what the page references of its bundle (bundles.py)
            rendered.add(bundle_file_path(article.slug, relpath), Path(source).read_bytes())
        return rendered

    def finish(self, entries: list[Entry], ctx: BuildContext) -> Rendered:
        site_disclaimers = _shared_disclaimers(entries)
        rendered = Rendered()
        rendered.add(INDEX, render(
            ctx.templates, "html/index.html", ctx.layouts,
            site=ctx.config.site,
            lang=ctx.config.site.language,
            page=INDEX,
            root=INDEX,
            stylesheet=STYLESHEET,
            canonical=page_url(ctx.config.site.base_url),
            entries=entries,
            pages={e.article.slug: page_path(e.article.slug) for e in entries},
            disclaimers=site_disclaimers,
            site_outputs=ctx.site_outputs,
        ))
        rendered.files.update(site_pages.site_pages(entries, ctx, dict(
            site=ctx.config.site, lang=ctx.config.site.language, root=INDEX, stylesheet=STYLESHEET,
            disclaimers=site_disclaimers, site_outputs=ctx.site_outputs, tags_page=site_pages.TAGS)))
        for name, asset in ctx.layouts.files("html").items():  # the stylesheet, icons: the project's or the theme's
            if asset.suffix != ".html":
                rendered.add(f"{SITE}/{name.removeprefix('html/')}", asset.read_bytes())
        return rendered


def structured_data(article: Article, base_url: str | None, reviews=()) -> dict[str, Any]:
    """schema.org MedicalWebPage, the JSON-LD search engines read for health pages; the review is
    the first the page shows (an approval of today's text, medical first)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": article.title,
        "name": article.title,
        "description": article.description,
        "inLanguage": article.lang,
        "datePublished": article.date.isoformat(),
        "dateModified": article.last_modified.isoformat(),
        "author": {"@type": "Person", "name": article.author},
    }
    url = page_url(base_url, article.slug)
    if url:
        data["url"] = url
    if article.id:
        data["identifier"] = f"urn:uuid:{article.id}"
    if article.tags:
        data["keywords"] = ", ".join(article.tags)
    if reviews and reviews[0].on:
        data["lastReviewed"] = reviews[0].on.isoformat()
    if reviews:
        data["reviewedBy"] = {"@type": "Person", "name": reviews[0].by}
    if article.sources:
        data["citation"] = [
            {"@type": "CreativeWork", "name": s.title, "url": s.url,
             **({"publisher": s.publisher} if s.publisher else {}), **({"datePublished": str(s.year)} if s.year else {})}
            for s in article.sources
        ]
    return data


def _sections(body_html: str) -> list[tuple[str, str]]:
    return [(anchor, Markup(inner).striptags()) for anchor, inner in _H2.findall(body_html)]


def _shared_disclaimers(entries: list[Entry]):
    """Disclaimers every listed article carries: the index footer shows their short text."""
    if not entries:
        return ()
    common = set.intersection(*({d.id for d in e.disclaimers} for e in entries))
    return tuple(d for d in entries[0].disclaimers if d.id in common)
