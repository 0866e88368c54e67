"""The ``summary`` channel: a plain-language page and text per article, readability-gated.

The summary is the article's ``plain_summary`` (or, with ``[summary] auto = true``, a draft made
from the article's own sentences). The plan refuses a summary that is missing or over
``max_grade`` or ``max_words``, so every entry this channel gets has one, measured.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .. import schema
from ..addresses import STYLESHEET, edition_view, summary_paths, summary_url
from ..editions import alternate_links, edition_site
from ..model import Article, Entry
from ..schema import Field
from ..templates import render
from .base import BuildContext, Rendered


class SummaryChannel:
    section = "summary"
    renders_alone = True  # render(entry) reads only that entry and its inputs: see previous.py
    unlisted_outputs = False
    manifest_keys = ("summary_html", "summary_text", "summary_source")
    templates = ("summary/summary.html", "summary/summary.txt")
    options = {
        "max_grade": Field(schema.within(schema.number, 1, 20), default=8.0),  # Flesch-Kincaid grade
        "max_words": Field(schema.within(schema.whole_number, 10, 2_000), default=200),
        "auto": Field(schema.boolean, default=False),  # use a generated draft when there is no plain_summary
    }

    def outputs(self, article: Article, ctx: BuildContext) -> dict[str, str]:
        return summary_paths(article.slug)

    def site_outputs(self, ctx: BuildContext) -> dict[str, Any]:
        return {}

    def check(self, config, requested: bool) -> list:
        return []  # the summaries themselves are checked with the entries (plan.py)

    def render(self, entry: Entry, ctx: BuildContext) -> Rendered:
        article = entry.article
        paths = summary_paths(article.slug)
        address = summary_url(ctx.config.site.base_url, article.slug)
        rendered = Rendered(fields={article.slug: {"summary_source": entry.summary_source}})
        site_outputs = edition_view(ctx.site_outputs, article.edition)
        rendered.add(paths["summary_html"], render(
            ctx.templates, "summary/summary.html", ctx.layouts,
            site=edition_site(ctx.config, article.edition), lang=article.lang, page=paths["summary_html"],
            root=site_outputs.get("index"),
            stylesheet=STYLESHEET if "index" in site_outputs else None,
            canonical=address, site_outputs=site_outputs, disclaimers=entry.disclaimers,
            alternates=alternate_links(entry, ctx.config, ctx.outputs, "summary_html", paths["summary_html"]),
            article=article, article_page=ctx.outputs.get(article.slug, {}).get("html"), review_due=entry.review_due,
            summary=Markup(entry.summary_html), figures=entry.summary_figures,
            top=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("top")],
            bottom=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("bottom")],
        ))
        rendered.add(paths["summary_text"], render(
            ctx.templates, "summary/summary.txt", ctx.layouts,
            lang=article.lang, article=article, web_address=address, summary_text=entry.summary_wrapped.strip(),
            disclaimers=entry.disclaimers, site=edition_site(ctx.config, article.edition), review_due=entry.review_due,
        ))
        return rendered

    def finish(self, entries: list[Entry], ctx: BuildContext) -> Rendered:
        return Rendered()
