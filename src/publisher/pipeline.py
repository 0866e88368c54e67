"""load -> validate -> render channels -> verify -> swap in.

Everything is read and checked before anything is written (as MkDocs does), and outputs go
to a staging folder that replaces the old build only when the whole build succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from . import dates
from .api import BuildReport, Project
from .cache import CACHE_DIR, PackCache, Verdicts
from .carryover import (
    carry_over,
    kept_fields,
    kept_outputs,
    manifest_articles,
    published_set,
)
from .channels import BuildContext, ChannelRegistry, default_channels
from .channels.summary import TEXT_WIDTH
from .checks.claims import CLAIMS_NAME, lint_claims, load_claims
from .checks.compliance import verify_feeds, verify_html_pages, verify_leaflets
from .checks.references import check_embedded_files
from .checks.review import check_review
from .config import Config, load_config
from .content import LoadedContent, load_content, shown_path
from .disclaimers import check_default_disclaimers, resolve_disclaimers
from .errors import Diagnostic, PublishError, error, raise_if_errors, warning
from .fanout import render_all
from .glossary import GLOSSARY_NAME, Glossary, load_glossary
from .markdown import HTML, PLAIN, Conversion, MarkdownConverter
from .model import Article, Disclaimer, Entry, Selection
from .output import (
    MANIFEST,
    check_output_folder,
    discard,
    manifest_json,
    new_staging,
    read_manifest,
    swap_in,
)
from .readability import warm_up
from .reuse import Ledger
from .sanitise import sanitise
from .schedule import unchanged_span
from .summarize import draft_summary, sections, write_plain_summary
from .templates import make_environment

@dataclass(frozen=True)
class Site:
    config: Config
    content: LoadedContent
    resolved: dict[str, tuple[Disclaimer, ...]]  # slug -> disclaimers in order
    warnings: tuple[Diagnostic, ...]
    glossary: Glossary
    claims: tuple  # ClaimRule, from content/claims.yaml


def load_site(project: Project, registry: ChannelRegistry) -> Site:
    """Read config, disclaimers and articles; raise PublishError with every problem found."""
    config = load_config(project.root, registry.options())
    content = load_content(project.root, project.content, config.site.language)
    glossary, problems = load_glossary(project.content, shown_path(project.content / GLOSSARY_NAME, project.root))
    claims, claim_problems = load_claims(project.content, shown_path(project.content / CLAIMS_NAME, project.root))
    diagnostics = (list(content.diagnostics) + problems + claim_problems
                   + check_default_disclaimers(config, content.disclaimers))
    resolved = {}
    for article in content.articles:
        resolved[article.slug], problems = resolve_disclaimers(article, config, content.disclaimers)
        diagnostics += problems
    raise_if_errors(diagnostics)
    return Site(config, content, resolved, tuple(d for d in diagnostics if not d.is_error), glossary, tuple(claims))


def gate_articles(articles: Iterable[Article], site: Site, now: dates.Moment, root: Path) -> list[Diagnostic]:
    """What stops an article publishing beyond its front matter: risky claims, a missing or stale review."""
    problems = []
    for article in articles:
        raw = (root / article.source).read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n")
        problems += lint_claims(article, raw, list(site.claims))
        problems += check_review(article, site.config.review, now)
    return problems


def select_articles(articles: Iterable[Article], selection: Selection) -> list[Article]:
    """Published articles, newest first; ties by slug, so the order never changes."""
    chosen = sorted((a for a in articles if selection.includes(a)), key=lambda a: a.slug)
    return sorted(chosen, key=lambda a: a.date, reverse=True)


def run(paths: Project, out: Path, channels, now: dates.Moment, *, drafts=False, future=False, registry=None,
        progress=None, use_cache=True) -> BuildReport:
    """The build itself, under the output folder's lock (see ``api.build``)."""
    registry = registry or default_channels()
    try:
        chosen = registry.select(channels)
    except KeyError as exc:
        raise PublishError([error(None, None, "usage.channel",
                                  f"unknown channel {exc.args[0]}; choose from {', '.join(registry.names())}")])
    site = load_site(paths, registry)
    if not paths.layouts.is_dir():
        raise PublishError([error(str(paths.layouts), None, "layout.missing",
                                  "layouts folder not found; create it or pass --layouts DIR")])
    check_output_folder(out, paths.root, paths.content, paths.layouts)
    articles = select_articles(site.content.articles, Selection(now, drafts, future))
    gate = gate_articles(articles, site, now, paths.root)
    raise_if_errors(gate)
    partial = {c.name for c in chosen} != set(registry.names())
    previous = read_manifest(out) if partial and out.is_dir() else None
    notes = list(site.warnings) + gate
    if previous is not None and published_set(previous) != published_set(manifest_articles(articles, site.resolved)):
        # Kept pages would outlive an expired article, or miss a new one: rebuild everything.
        notes.append(warning(None, None, "build.widened",
                             "the published articles or their disclaimers changed since the last build: "
                             "building every channel, so no output outlives or misses an article"))
        chosen, previous = registry.select(None), None
    rebuilt = {key for channel in chosen for key in channel.manifest_keys}
    markdown = MarkdownConverter(PackCache(paths.root / CACHE_DIR if use_cache else None, "markdown"))
    wants_summary = bool({"summary", "pdf"} & {c.name for c in chosen})
    summaries = "summary" in {c.name for c in chosen}
    markdown.prefetch(_documents(articles, site, wants_summary, summaries), meanwhile=warm_up if summaries else None)
    entries = [prepare_entry(a, site, markdown, wants_summary) for a in articles]
    markdown.save()  # now, so a build that fails later need not convert again
    raise_if_errors([p for e in entries for p in check_embedded_files(e, paths.content)])
    staging = new_staging(out)
    try:
        if previous is not None:
            carry_over(out, staging, previous, rebuilt,
                       unlisted=not any(getattr(c, "unlisted_outputs", False) for c in chosen))
        ctx = BuildContext(
            project=paths.root, config=site.config, now=now, templates=make_environment(paths.layouts),
            layouts_shown=shown_path(paths.layouts, paths.root), layouts=paths.layouts, content=paths.content,
            markdown=markdown, staging=staging, diagnostics=notes, progress=progress,
            cache_dir=paths.root / CACHE_DIR if use_cache else None,
            requested=frozenset(channels or ()), glossary=site.glossary,
        )
        kept = kept_outputs(previous, rebuilt, staging) if previous is not None else {}
        if previous is not None:
            ctx.article_fields.update(kept_fields(previous, rebuilt))
        ctx.site_outputs.update(kept.pop("", {}))
        for channel in chosen:
            ctx.site_outputs.update(channel.site_outputs(ctx))
        for article in articles:
            ctx.outputs[article.slug] = {**kept.get(article.slug, {}),
                                         **{k: v for c in chosen for k, v in c.outputs(article, ctx).items()}}
        report = BuildReport(out=out)
        ledger = Ledger(ctx.cache_dir, out)
        ledger.start(ctx, [c.name for c in chosen], markdown.version())
        for channel in chosen:
            render_all(channel, entries, ctx, ledger)
            channel.finish(entries, ctx)
            report.outputs[channel.name] = len(staging.written) - sum(report.outputs.values())
        report.manifest = _manifest(entries, ctx)
        staging.write_text(MANIFEST, manifest_json(report.manifest))
        # Read back what this build wrote; not what it linked unchanged from the last, whose gate
        # passed those very bytes with the same disclaimers (their digests say so).
        fresh = {slug: {k: v for k, v in outs.items() if k in rebuilt and v not in ledger.linked}
                 for slug, outs in ctx.outputs.items()}
        feeds = ctx.site_outputs.get("feeds", {}) if "feeds" in rebuilt else {}
        verdicts = Verdicts(paths.root / CACHE_DIR if use_cache else None)
        raise_if_errors(
            verify_html_pages(entries, fresh, staging, verdicts)
            + verify_leaflets(entries, fresh, staging, verdicts)
            + verify_feeds(entries, feeds, site.config.site.base_url, staging)
        )
        swap_in(staging, out)
        verdicts.save()
        ledger.save([c.name for c in chosen])
        markdown.save()  # conversions asked for while rendering (e.g. plain text of summaries)
    except BaseException:
        discard(staging)
        raise
    report.articles = [a.slug for a in articles]
    report.reused = dict(ctx.reused)
    report.warnings = [d for d in ctx.diagnostics if not d.is_error]
    review = site.config.review
    report.span = unchanged_span(site.content.articles, now, review.max_age_days if review.required else None)
    return report


def summarize_article(project, slug: str, *, content=None, write: bool = False, force: bool = False):
    """A draft plain summary for one article, optionally written into its front matter.

    Returns (article, draft, the file's path as shown). ``write`` refuses to replace an existing
    ``plain_summary`` unless ``force``.
    """
    paths = Project.at(project, content)
    site = load_site(paths, default_channels())
    article = next((a for a in site.content.articles if a.slug == slug), None)
    if article is None:
        known = ", ".join(sorted(a.slug for a in site.content.articles)) or "none"
        raise PublishError([error(None, None, "summarize.slug", f"no article has the slug {slug!r} (articles: {known})")])
    draft = draft_summary(article, site.glossary, MarkdownConverter())
    if write:
        if article.plain_summary and not force:
            raise PublishError([error(article.source, article.lines.get("plain_summary"), "summarize.exists",
                                      "the article already has a plain_summary; pass --force to replace it")])
        write_plain_summary(paths.root / article.source, article.source, draft.text)
    return article, draft


def _documents(articles: list[Article], site: Site, wants_summary: bool, summary_channel: bool):
    """Every Markdown conversion this build will ask for, so pandoc can do them in one batch."""
    auto = site.config.channel("summary").get("auto")
    for article in articles:
        yield article.body, HTML, article.source
        for disclaimer in site.resolved[article.slug]:
            yield disclaimer.body, HTML, disclaimer.source
        if wants_summary and article.plain_summary:
            yield article.plain_summary, HTML, article.source
            if summary_channel:
                yield article.plain_summary, PLAIN, article.source
                yield article.plain_summary, Conversion("plain", TEXT_WIDTH), article.source
        elif wants_summary and auto:
            for _, text in sections(article.body):
                yield text, PLAIN, article.source


def prepare_entry(article: Article, site: Site, markdown: MarkdownConverter, wants_summary: bool) -> Entry:
    disclaimers = site.resolved[article.slug]
    summary, source = article.plain_summary, "authored" if article.plain_summary else None
    if summary is None and wants_summary and site.config.channel("summary").get("auto"):
        summary, source = draft_summary(article, site.glossary, markdown).text, "generated"
    raw_html = markdown.to_html(article.body, article.source, article.body_line)
    return Entry(
        article=article,
        disclaimers=disclaimers,
        body_html=sanitise(raw_html),
        raw_html=raw_html,
        disclaimer_html={d.id: sanitise(markdown.to_html(d.body, d.source)) for d in disclaimers},
        summary=summary,
        summary_source=source,
    )


def _manifest(entries: list[Entry], ctx: BuildContext) -> dict:
    articles = []
    for entry in entries:
        a = entry.article
        record = {
            "slug": a.slug,
            "title": a.title,
            "source": a.source,
            "date": a.date.isoformat(),
        }
        if a.updated:
            record["updated"] = a.updated.isoformat()
        if a.id:
            record["id"] = a.id
        record.update(sorted(ctx.article_fields.get(a.slug, {}).items()))
        record["disclaimers"] = [{"id": d.id, "sha256": d.sha256} for d in entry.disclaimers]
        record["outputs"] = dict(sorted(ctx.outputs[a.slug].items()))
        articles.append(record)
    manifest = {"articles": articles}
    for key, value in sorted(ctx.site_outputs.items()):
        manifest[key] = value
    manifest.setdefault("feeds", {})
    return manifest
