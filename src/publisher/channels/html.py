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
from ..addresses import (INDEX, SEARCH, SITE, STYLESHEET, TAGS, bundle_file_path, edition_key, edition_path,
                         edition_view, page_path, page_url, public_address, tag_path)
from ..editions import alternate_links, edition_language, edition_site, editions
from ..search import PAGEFIND_SCRIPT
from ..model import Article, Entry
from ..schema import Field
from ..templates import render
from . import site_pages
from .base import BuildContext, Rendered

OTHER_FORMATS = {  # output name -> its link text on the article page (a key of layouts/i18n/), in this order
    "summary_html": "format_summary",
    "pdf": "format_pdf",
    "pdf_large": "format_pdf_large",
    "pdf_print": "format_pdf_print",
}
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


class HtmlChannel:
    section = "html"
    renders_alone = True  # render(entry) reads only that entry and its inputs: see previous.py
    unlisted_outputs = True  # tag pages, layout assets, bundle files: written, not in the manifest
    manifest_keys = ("html", "index", "tags", "search", "not_found", "sitemap", "robots")  # and each edition's (es/index)
    templates = ("html/article.html", "html/index.html", "html/tag.html", "html/tags.html", "html/404.html",
                 "html/search.html")
    options = {
        "toc": Field(schema.boolean, default=True),  # "On this page" list of the article's sections
    }

    def outputs(self, article: Article, ctx: BuildContext) -> dict[str, str]:
        return {"html": page_path(article.slug)}

    def site_outputs(self, ctx: BuildContext) -> dict[str, Any]:
        found = {"index": INDEX, **site_pages.planned(ctx.config.site.base_url)}
        for edition in editions(ctx.config):
            found[edition_key(edition, "index")] = edition_path(edition, INDEX)
            found[edition_key(edition, "tags")] = edition_path(edition, TAGS)
            found[edition_key(edition, "search")] = edition_path(edition, SEARCH)
        return found

    def check(self, config, requested: bool) -> list:
        return []

    def render(self, entry: Entry, ctx: BuildContext) -> Rendered:
        article = entry.article
        path = page_path(article.slug)
        outputs = ctx.outputs.get(article.slug, {})
        site_outputs = edition_view(ctx.site_outputs, article.edition)
        alternates = alternate_links(entry, ctx.config, ctx.outputs, "html", path)
        rendered = Rendered()
        rendered.add(path, render(
            ctx.templates, "html/article.html", ctx.layouts,
            site=edition_site(ctx.config, article.edition),
            lang=article.lang,
            page=path,
            root=site_outputs["index"],
            stylesheet=STYLESHEET,
            article=article,
            reviews=entry.reviews,
            review_due=entry.review_due,
            canonical=page_url(ctx.config.site.base_url, article.slug),
            body=Markup(entry.body_html),
            toc=_sections(entry.body_html) if ctx.options(self.section)["toc"] else [],
            top=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("top")],
            bottom=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("bottom")],
            disclaimers=entry.disclaimers,
            formats=[(label, outputs[name]) for name, label in OTHER_FORMATS.items() if name in outputs],
            tag_links=[(tag, tag_path(tag, article.edition)) for tag in article.tags],
            site_outputs=site_outputs,
            alternates=alternates,
            structured_data=structured_data(article, ctx.config.site.base_url, entry.reviews, alternates),
        ))
        for relpath, source in entry.bundle_files:  # what the page references of its bundle (bundles.py)
            rendered.add(bundle_file_path(article.slug, relpath), Path(source).read_bytes())
        return rendered

    def finish(self, entries: list[Entry], ctx: BuildContext) -> Rendered:
        rendered = Rendered()
        for edition in editions(ctx.config):
            own = [e for e in entries if e.article.edition == edition]
            site_outputs = edition_view(ctx.site_outputs, edition)
            common = dict(site=edition_site(ctx.config, edition), lang=edition_language(ctx.config, edition),
                          root=site_outputs["index"], stylesheet=STYLESHEET, disclaimers=_shared_disclaimers(own),
                          site_outputs=site_outputs)
            index = site_outputs["index"]
            rendered.add(index, render(
                ctx.templates, "html/index.html", ctx.layouts, **common, page=index,
                canonical=public_address(ctx.config.site.base_url, index) if ctx.config.site.base_url else None,
                entries=own, pages={e.article.slug: page_path(e.article.slug) for e in own},
            ))
            rendered.add(site_outputs["search"], render(
                ctx.templates, "html/search.html", ctx.layouts, **common, page=site_outputs["search"],
                canonical=None, search_index=PAGEFIND_SCRIPT,
            ))
            rendered.files.update(site_pages.edition_pages(own, ctx, common, edition))
            if not edition:
                rendered.files.update(site_pages.site_pages(entries, ctx, common))
        for name, asset in ctx.layouts.files("html").items():  # the stylesheet, icons: the project's or the theme's
            if asset.suffix != ".html":
                rendered.add(f"{SITE}/{name.removeprefix('html/')}", asset.read_bytes())
        return rendered


def structured_data(article: Article, base_url: str | None, reviews=(), alternates=()) -> dict[str, Any]:
    """schema.org MedicalWebPage, the JSON-LD search engines read for health pages; the review is
    the first the page shows (an approval of today's text, medical first); a translation names its
    original (translationOfWork), an original its translations (workTranslation)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": article.title,
        "name": article.title,
        "description": article.description,
        "inLanguage": article.lang,
        "datePublished": article.date.isoformat(),
        "dateModified": article.last_modified.isoformat(),
        "author": {"@type": "Person", "name": article.author,
                   **({"honorificSuffix": article.credentials} if article.credentials else {})},
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
    others = [link for link in alternates if not link["current"]] if base_url else []
    if others and article.edition:
        data["translationOfWork"] = {"@type": "MedicalWebPage", "url": others[0]["href"], "inLanguage": others[0]["lang"]}
    elif others:
        data["workTranslation"] = [{"@type": "MedicalWebPage", "url": link["href"], "inLanguage": link["lang"]}
                                   for link in others]
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
