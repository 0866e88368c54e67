"""load -> validate -> render channels -> verify -> swap in.

Everything is read and checked before anything is written (as MkDocs does), and outputs go
to a staging folder that replaces the old build only when the whole build succeeded.
"""

from __future__ import annotations

from pathlib import Path

from . import dates
from .cache import Verdicts
from .carryover import carry_over, kept_fields, kept_outputs
from .channels import BuildContext, default_channels
from .checks.compliance import verify_feeds, verify_html_pages, verify_leaflets
from .content import shown_path
from .errors import raise_if_errors
from .fanout import render_all
from .model import BuildReport, Entry, Project
from .output import MANIFEST, discard, manifest_json, new_staging, swap_in
from .plan import Options, make_plan
from .reuse import Ledger
from .schedule import unchanged_span
from .templates import make_environment


def run(paths: Project, out: Path, channels, now: dates.Moment, *, drafts=False, future=False, registry=None,
        progress=None, use_cache=True) -> BuildReport:
    """The build itself, under the output folder's lock (see ``api.build``)."""
    registry = registry or default_channels()
    options = Options(now=now, channels=tuple(channels) if channels else None, drafts=drafts, future=future,
                      out=out, use_cache=use_cache)
    plan = make_plan(paths, options, registry)
    plan.raise_if_errors()
    site, entries, chosen, previous, markdown = plan.site, plan.entries, plan.channels, plan.previous, plan.markdown
    rebuilt = {key for channel in chosen for key in channel.manifest_keys}
    staging = new_staging(out)
    try:
        if previous is not None:
            carry_over(out, staging, previous, rebuilt,
                       unlisted=not any(getattr(c, "unlisted_outputs", False) for c in chosen))
        ctx = BuildContext(
            project=paths.root, config=site.config, now=now, templates=make_environment(paths.layouts),
            layouts_shown=shown_path(paths.layouts, paths.root), layouts=paths.layouts, content=paths.content,
            markdown=markdown, staging=staging, diagnostics=list(plan.warnings), progress=progress,
            cache_dir=plan.cache_dir, requested=frozenset(channels or ()), glossary=site.glossary,
        )
        kept = kept_outputs(previous, rebuilt, staging) if previous is not None else {}
        if previous is not None:
            ctx.article_fields.update(kept_fields(previous, rebuilt))
        ctx.site_outputs.update(kept.pop("", {}))
        for channel in chosen:
            ctx.site_outputs.update(channel.site_outputs(ctx))
        for article in plan.articles:
            ctx.outputs[article.slug] = {**kept.get(article.slug, {}),
                                         **{k: v for c in chosen for k, v in c.outputs(article, ctx).items()}}
        report = BuildReport(out=out)
        ledger = Ledger(ctx.cache_dir, out)
        ledger.start(ctx, [c.name for c in chosen], markdown.version())
        for channel in chosen:
            render_all(channel, entries, ctx, ledger)
            channel.finish(entries, ctx)
            report.outputs[channel.name] = len(staging.written) - sum(report.outputs.values())
        raise_if_errors(ctx.diagnostics)  # any error a channel reported fails the build
        report.manifest = _manifest(entries, ctx)
        staging.write_text(MANIFEST, manifest_json(report.manifest))
        # Read back what this build wrote; not what it linked unchanged from the last, whose gate
        # passed those very bytes with the same disclaimers (their digests say so).
        fresh = {slug: {k: v for k, v in outs.items() if k in rebuilt and v not in ledger.linked}
                 for slug, outs in ctx.outputs.items()}
        feeds = ctx.site_outputs.get("feeds", {}) if "feeds" in rebuilt else {}
        verdicts = Verdicts(plan.cache_dir)
        raise_if_errors(
            verify_html_pages(entries, fresh, staging, verdicts)
            + verify_leaflets(entries, fresh, staging, verdicts)
            + verify_feeds(entries, feeds, site.config.site.base_url, staging)
        )
        swap_in(staging, out)
        verdicts.save()
        ledger.save([c.name for c in chosen])
        markdown.save()  # conversions asked for while rendering
    except BaseException:
        discard(staging)
        raise
    report.articles = [a.slug for a in plan.articles]
    report.reused = dict(ctx.reused)
    report.warnings = [d for d in ctx.diagnostics if not d.is_error]
    review = site.config.review
    report.span = unchanged_span(site.content.articles, now, review.max_age_days if review.required else None)
    return report


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
