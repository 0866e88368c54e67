"""The ``summary`` channel: a plain-language page and text per article, readability-gated.

The summary is the article's ``plain_summary`` (or, with ``[summary] auto = true``, a draft made
from the article's own sentences). A summary over ``max_grade`` or ``max_words`` fails the build.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .. import schema
from ..model import Article, Entry
from ..schema import Field
from ..templates import render
from .base import BuildContext
from .html import SITE, STYLESHEET, page_url


def summary_paths(slug: str) -> dict[str, str]:
    return {"summary_html": f"{SITE}/{slug}/summary/index.html", "summary_text": f"{SITE}/{slug}/summary.txt"}


class SummaryChannel:
    name = "summary"
    section = "summary"
    renders_alone = True  # render(entry) reads only that entry and shared inputs: see reuse.py
    manifest_keys = ("summary_html", "summary_text", "summary_source")
    templates = ("summary/summary.html", "summary/summary.txt")
    options = {
        "max_grade": Field(schema.number, default=8.0),  # Flesch-Kincaid grade
        "max_words": Field(schema.whole_number, default=200),
        "auto": Field(schema.boolean, default=False),  # use a generated draft when there is no plain_summary
    }

    def outputs(self, article: Article, ctx: BuildContext) -> dict[str, str]:
        return summary_paths(article.slug)

    def site_outputs(self, ctx: BuildContext) -> dict[str, Any]:
        return {}

    def render(self, entry: Entry, ctx: BuildContext) -> None:
        """The plan has checked that every entry has a summary within the limits, and measured it."""
        article = entry.article
        ctx.article_fields.setdefault(article.slug, {})["summary_source"] = entry.summary_source
        paths = summary_paths(article.slug)
        outputs = ctx.outputs.get(article.slug, {})
        page = render(
            ctx.templates, "summary/summary.html", ctx.layouts_shown,
            site=ctx.config.site, lang=article.lang, page=paths["summary_html"],
            root=ctx.site_outputs.get("index"),
            stylesheet=STYLESHEET if "index" in ctx.site_outputs else None,
            canonical=_summary_url(ctx, article), site_outputs=ctx.site_outputs, disclaimers=entry.disclaimers,
            article=article, article_page=outputs.get("html"),
            summary=Markup(entry.summary_html), figures=entry.summary_figures,
            top=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("top")],
            bottom=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("bottom")],
        )
        ctx.staging.write_text(paths["summary_html"], page)
        ctx.staging.write_text(paths["summary_text"], render(
            ctx.templates, "summary/summary.txt", ctx.layouts_shown,
            article=article, web_address=_summary_url(ctx, article),
            summary_text=entry.summary_wrapped.strip(),
            disclaimers=entry.disclaimers,
        ))

    def finish(self, entries: list[Entry], ctx: BuildContext) -> None:
        pass


def _summary_url(ctx: BuildContext, article: Article) -> str | None:
    address = page_url(ctx.config.site.base_url, article.slug)
    return f"{address}summary/" if address else None
