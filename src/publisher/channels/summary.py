"""The ``summary`` channel: a plain-language page and text per article, readability-gated.

The summary is the article's ``plain_summary`` (or, with ``[summary] auto = true``, a draft made
from the article's own sentences). A summary over ``max_grade`` or ``max_words`` fails the build.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .. import schema
from ..cache import OutputCache
from ..errors import error, raise_if_errors, warning
from ..model import Article, Entry
from ..readability import hardest_sentences, measure_cached
from ..schema import Field
from ..summarize import plain_text
from ..templates import render
from .base import BuildContext
from .html import SITE, STYLESHEET, page_url

TEXT_WIDTH = 72


def summary_paths(slug: str) -> dict[str, str]:
    return {"summary_html": f"{SITE}/{slug}/summary/index.html", "summary_text": f"{SITE}/{slug}/summary.txt"}


class SummaryChannel:
    name = "summary"
    section = "summary"
    renders_alone = True  # render(entry) reads only that entry and shared inputs: see reuse.py
    manifest_keys = ("summary_html", "summary_text", "summary_source")
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
        article = entry.article
        if entry.summary is None:
            ctx.diagnostics.append(error(article.source, 1, "summary.missing",
                                        f"no plain_summary: run 'publish summarize {article.slug}', edit the draft, "
                                        "then 'publish summarize --write'; or set [summary] auto = true"))
            return
        options = ctx.options(self.section)
        text = plain_text(entry.summary, ctx.markdown)
        figures = measure_cached(text, OutputCache(ctx.cache_dir, "readability"))
        ctx.article_fields.setdefault(article.slug, {})["summary_source"] = entry.summary_source
        if figures.grade > options["max_grade"] or figures.words > options["max_words"]:
            hardest = "; ".join(f"[grade {g}] {s!r}" for g, s in hardest_sentences(text))
            ctx.diagnostics.append(error(
                article.source, article.lines.get("plain_summary"), "summary.readability",
                f"the {entry.summary_source} plain summary is too hard to read: {figures.describe()} (limits: grade "
                f"{options['max_grade']}, {options['max_words']} words). Hardest sentences: {hardest}"))
            return
        for term, plain in ctx.glossary.find(entry.summary):
            ctx.diagnostics.append(warning(article.source, article.lines.get("plain_summary"), "summary.glossary",
                                           f"the plain summary uses {term!r}; plain words: {plain!r}"))
        paths = summary_paths(article.slug)
        outputs = ctx.outputs.get(article.slug, {})
        page = render(
            ctx.templates, "summary/summary.html", ctx.layouts_shown,
            site=ctx.config.site, lang=article.lang, page=paths["summary_html"],
            root=ctx.site_outputs.get("index"),
            stylesheet=STYLESHEET if "index" in ctx.site_outputs else None,
            canonical=_summary_url(ctx, article), site_outputs=ctx.site_outputs, disclaimers=entry.disclaimers,
            article=article, article_page=outputs.get("html"),
            summary=Markup(ctx.markdown.to_html(entry.summary, article.source)), figures=figures,
            top=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("top")],
            bottom=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("bottom")],
        )
        ctx.staging.write_text(paths["summary_html"], page)
        ctx.staging.write_text(paths["summary_text"], render(
            ctx.templates, "summary/summary.txt", ctx.layouts_shown,
            article=article, web_address=_summary_url(ctx, article),
            summary_text=plain_text(entry.summary, ctx.markdown, columns=TEXT_WIDTH).strip(),
            disclaimers=entry.disclaimers,
        ))

    def finish(self, entries: list[Entry], ctx: BuildContext) -> None:
        """Stop the build on any summary that is missing or too hard to read, naming them all."""
        raise_if_errors(d for d in ctx.diagnostics if d.code in ("summary.missing", "summary.readability"))


def _summary_url(ctx: BuildContext, article: Article) -> str | None:
    address = page_url(ctx.config.site.base_url, article.slug)
    return f"{address}summary/" if address else None
