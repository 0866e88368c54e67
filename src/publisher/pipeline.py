"""plan -> render -> verify -> commit.

``make_plan`` (plan.py) loads and validates everything first, reporting every problem at once.
Channels then render without writing: the one writer here puts what they return into a staging
folder (or links an unchanged render from the last build, see previous.py). The gate reads every
fresh output back the way its readers will, and only then is the staging folder swapped in whole
and the record of this build kept. A failure anywhere leaves the previous build as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import dates
from .cache import Verdicts, cache_key
from .channels import BuildContext, default_channels
from .channels.base import Rendered
from .checks.compliance import verify_feeds, verify_html_pages, verify_leaflets
from .errors import Diagnostic, PublishError, error, raise_if_errors, warning
from .fanout import render_all
from .inputs import article_digest
from .model import BuildReport, Entry, Project
from .output import (MANIFEST, REPORT_DIR, OverlayFolder, StagingFolder, carry_report, carry_review_copies, discard, manifest_json,
                     new_staging, remove_build, swap_in)
from .plan import Options, Plan, make_plan
from .schedule import unchanged_span
from .search import SiteIndex, refresh_index
from .addresses import PAGEFIND, edition_key
from .editions import editions
from .signals import finishing, held


@dataclass
class Outcome:
    """What one article's render on one channel left, once its files are in the staging folder."""

    slug: str | None
    paths: list[str]
    diagnostics: list[Diagnostic]
    fields: dict
    reused: int
    record: dict | None = None  # what the ledger keeps of it (previous.py)
    linked: bool = False  # the files were linked unchanged from the last build


@dataclass
class Renders:
    """The build's one writer: files go into the staging folder, the rest is gathered here."""

    plan: Plan
    ctx: BuildContext
    staging: StagingFolder
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fields: dict[str, dict] = field(default_factory=dict)  # slug -> manifest keys channels add
    reused: dict[str, int] = field(default_factory=dict)  # channel -> outputs linked or taken from a cache
    written: dict[str, int] = field(default_factory=dict)  # channel -> files written
    manifest: dict = field(default_factory=dict)

    def article(self, channel, entry: Entry) -> Outcome:
        """Render one article on one channel, or link what the last build made of the same inputs;
        write its files. Runs in this process or in a render process (fanout.py)."""
        previous, slug = self.plan.previous, entry.article.slug
        if not getattr(channel, "renders_alone", False) or previous.path is None:
            return self._write(slug, channel.render(entry, self.ctx))
        digest = cache_key(self.ctx.digests.channel(channel),
                           article_digest(entry, self.ctx.outputs.get(slug, {}), self.ctx.site_outputs))
        last = previous.reuse(channel.name, slug, digest, self.staging)
        if last is not None:
            warnings = [warning(*w) for w in last["warnings"]]
            fields = {slug: dict(last["fields"])} if last["fields"] else {}
            outcome = Outcome(slug, list(last["files"]), warnings, fields, len(last["files"]), linked=True)
        else:
            outcome = self._write(slug, channel.render(entry, self.ctx))
        outcome.record = previous.note(channel.name, slug, digest, outcome.paths, outcome.fields.get(slug, {}),
                                       outcome.diagnostics)
        return outcome

    def _write(self, slug: str | None, rendered: Rendered) -> Outcome:
        for path, data in rendered.files.items():
            self.staging.write_bytes(path, data)
        return Outcome(slug, list(rendered.files), rendered.diagnostics, rendered.fields, rendered.reused)

    def merge(self, channel, outcome: Outcome, from_child: bool = False) -> None:
        if from_child:  # a render process wrote these files into the same staging folder
            for path in outcome.paths:
                self.staging.adopt(path, outcome.linked)
            if outcome.record is not None:
                self.plan.previous.keep(channel.name, outcome.slug, outcome.record)
        if outcome.linked:
            self.plan.previous.linked.update(outcome.paths)
        self.diagnostics += outcome.diagnostics
        for slug, values in outcome.fields.items():
            self.fields.setdefault(slug, {}).update(values)
        if outcome.reused:
            self.reused[channel.name] = self.reused.get(channel.name, 0) + outcome.reused
        self.written[channel.name] = self.written.get(channel.name, 0) + len(outcome.paths)

    def finish(self, channel, entries: list[Entry]) -> None:
        self.merge(channel, self._write(None, channel.finish(entries, self.ctx)))


class Superseded(Exception):
    """A newer change came in (``publish serve``): the build stopped before swapping anything in."""


def run(paths: Project, out: Path, channels, now: dates.Moment, *, drafts=False, future=False, registry=None,
        progress=None, use_cache=True, on_published=None, superseded=None) -> BuildReport:
    """The build itself, under the output folder's lock (see ``api.build``).

    With ``on_published`` (``publish serve``) a build over a last one updates ``out`` in place
    (output.OverlayFolder) instead of swapping a whole new tree in, and what no reader of a page
    waits for comes after ``on_published`` hears the report: the search index, carried from the
    last build meanwhile, is brought up to date (search.refresh_index), and a swapped-out build is
    deleted. The folder ends as a build without it leaves it. ``superseded`` (a callable) is
    asked between stages whether a newer change makes this build pointless: then it stops,
    raising Superseded, and the last build stays as it was."""
    options = Options(now=now, channels=tuple(channels) if channels else None, drafts=drafts, future=future,
                      out=out, use_cache=use_cache)
    plan = make_plan(paths, options, registry or default_channels())
    plan.raise_if_errors()
    _stop_if(superseded)
    staging = None
    in_place = on_published is not None and plan.previous.manifest is not None  # the preview updates its folder
    try:
        with held():  # a staging folder made is always one discarded below
            staging = new_staging(out, overlay=in_place)
        carry_review_copies(out, staging)
        try:
            renders = render(plan, staging, progress)
            _stop_if(superseded)
            index_later = on_published is not None and _carry_index(plan, out, staging, in_place)
            verdicts = verify_and_index(plan, renders, staging, out, index=not index_later)
        except OSError as exc:  # a full disk, a file made read-only: nothing has been swapped in
            raise PublishError([error(exc.filename or out, None, "output.write",
                                      f"the build could not be written ({exc.strerror or exc}); {out} is unchanged: "
                                      "free some space or fix the permissions, then build again")]) from None
        _stop_if(superseded)
        finishing()  # a signal from here waits for the new build to be in place (signals.py)
        old = commit(plan, staging, verdicts, remove_old=on_published is None)
    except BaseException:
        if staging is not None:
            discard(staging)
        raise
    report = BuildReport(out=out, articles=[a.slug for a in plan.articles], outputs=dict(renders.written),
                         reused=dict(renders.reused), manifest=renders.manifest,
                         warnings=[d for d in renders.diagnostics if not d.is_error])
    report.layouts = plan.layouts.provenance()
    review = plan.site.config.review
    report.span = unchanged_span(plan.site.content.articles, now,
                                 review.max_age_days if review.required or review.roles else None,
                                 [a.on for roles in plan.site.approvals.values() for a in roles.values()])
    if on_published is not None:
        try:
            on_published(report)
            if index_later:
                refresh_index(out)
        finally:
            if old is not None:
                remove_build(old, out)
    return report


def _stop_if(superseded) -> None:
    if superseded is not None and superseded():
        raise Superseded()


def _carry_index(plan: Plan, out: Path, staging: StagingFolder, in_place: bool) -> bool:
    """Put the last build's search index into the staging folder, for the new one to replace
    once the new pages are served; False (index now) when no pages are built, or when there is no
    index to carry and the staging folder holds the whole site (not ``in_place``)."""
    if not any(channel.name == "html" for channel in plan.channels):
        return False
    last = out / PAGEFIND
    if last.is_symlink() or not last.is_dir():
        return in_place
    for folder, _, names in os.walk(last):
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink() and path.is_file():
                staging.carry(path, path.relative_to(out).as_posix())
    return True


def render(plan: Plan, staging: StagingFolder, progress) -> Renders:
    """Every chosen channel's outputs, and the manifest, in the staging folder; raise on any error."""
    site, previous = plan.site, plan.previous
    rebuilt, kept, kept_fields = plan.rebuilt_keys(), {}, {}
    if plan.keeps_others:
        previous.carry_over(staging, rebuilt, unlisted=not any(getattr(c, "unlisted_outputs", False)
                                                                for c in plan.channels))
        kept, kept_fields = previous.kept_outputs(rebuilt, staging), previous.kept_fields(rebuilt)
    ctx = BuildContext(
        project=plan.project.root, config=site.config, now=plan.options.now,
        templates=plan.templates,
        layouts=plan.layouts,
        content=plan.project.content, progress=progress, cache_dir=plan.cache_dir, digests=plan.digests,
    )
    renders = Renders(plan, ctx, staging, diagnostics=list(plan.warnings), fields=kept_fields)
    ctx.site_outputs.update(kept.pop("", {}))
    for channel in plan.channels:
        ctx.site_outputs.update(channel.site_outputs(ctx))  # 'es/index' and such: flat keys, one per edition
    for article in plan.articles:
        ctx.outputs[article.slug] = {**kept.get(article.slug, {}),
                                     **{k: v for c in plan.channels for k, v in c.outputs(article, ctx).items()}}
    for channel in plan.channels:
        render_all(channel, plan.entries, renders)
        renders.finish(channel, plan.entries)
    raise_if_errors(renders.diagnostics)  # any error a channel reported fails the build
    renders.manifest = _manifest(plan.entries, ctx, renders.fields)
    staging.write_text(MANIFEST, manifest_json(renders.manifest))
    return renders


def write_report(plan: Plan, renders: Renders, staging: StagingFolder, out: Path) -> None:
    """A full build writes the content-health report beside the site (report.py); a build of
    some channels keeps the last one, as it keeps the other channels' outputs."""
    if not plan.full:
        carry_report(out, staging)
        return
    from .report import make_report

    pages = {slug: outputs["html"] for slug, outputs in renders.ctx.outputs.items() if "html" in outputs}
    files = make_report(plan.site, plan.options.now, plan.project.root, plan.templates, plan.layouts,
                        plan.cache_dir, pages)
    for name, data in files.items():
        staging.write_bytes(f"{REPORT_DIR}/{name}", data)


def verify_and_index(plan: Plan, renders: Renders, staging: StagingFolder, out: Path, index: bool = True) -> Verdicts:
    """The report and the gate, while Pagefind indexes the staged pages for search (when the pages
    are built, and ``index``) on another core."""
    if not index or not any(channel.name == "html" for channel in plan.channels):
        write_report(plan, renders, staging, out)
        return verify(plan, renders, staging)
    index = SiteIndex(staging.root)
    try:
        write_report(plan, renders, staging, out)
        verdicts = verify(plan, renders, staging)
        for path in index.files():
            staging.register(path)
    finally:
        index.stop()
    return verdicts


def verify(plan: Plan, renders: Renders, staging: StagingFolder) -> Verdicts:
    """The gate: read back what this build wrote; not what it linked unchanged from the last,
    whose gate passed those very bytes with the same disclaimers (their digests say so)."""
    rebuilt, linked, ctx = plan.rebuilt_keys(), plan.previous.linked, renders.ctx
    fresh = {slug: {k: v for k, v in outs.items() if k in rebuilt and v not in linked}
             for slug, outs in ctx.outputs.items()}
    verdicts = Verdicts(plan.cache_dir)
    problems = (verify_html_pages(plan.entries, fresh, staging, verdicts)
                + verify_leaflets(plan.entries, fresh, staging, verdicts))
    for edition in editions(plan.site.config):  # each edition's feeds carry its own articles
        key = edition_key(edition, "feeds")
        if key in rebuilt and ctx.site_outputs.get(key):
            own = [e for e in plan.entries if e.article.edition == edition]
            problems += verify_feeds(own, ctx.site_outputs[key], plan.site.config.site.base_url, staging)
    if problems:
        raise PublishError(problems)
    return verdicts


def commit(plan: Plan, staging: StagingFolder, verdicts: Verdicts, remove_old: bool = True) -> Path | None:
    """Swap the staging folder in whole (or apply it in place: OverlayFolder), then keep the record
    of this build for the next; the last build, unless ``remove_old`` (then it is returned, to
    delete later)."""
    old = None
    if isinstance(staging, OverlayFolder):
        try:
            staging.apply()
        except OSError as exc:
            raise PublishError([error(exc.filename or plan.options.out, None, "output.replace",
                                      f"the preview's folder could not be updated ({exc.strerror or exc}); free some "
                                      "space or fix the permissions, then save again")]) from None
    else:
        old = swap_in(staging, plan.options.out, remove_old)
    verdicts.save()
    plan.previous.save({c.name: plan.digests.channel(c) for c in plan.channels})
    return old


def _manifest(entries: list[Entry], ctx: BuildContext, fields: dict[str, dict]) -> dict:
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
        record.update(sorted(fields.get(a.slug, {}).items()))
        record["disclaimers"] = [{"id": d.id, "sha256": d.sha256} for d in entry.disclaimers]
        record["fingerprint"] = entry.fingerprint
        record["approvals"] = [{"role": r.role, "by": r.by, "on": r.on.isoformat(), "fingerprint": r.fingerprint}
                               for r in entry.reviews if r.fingerprint]
        record["outputs"] = dict(sorted(ctx.outputs[a.slug].items()))
        articles.append(record)
    manifest = {"articles": articles}
    for key, value in sorted(ctx.site_outputs.items()):
        manifest[key] = value
    manifest.setdefault("feeds", {})
    return manifest
