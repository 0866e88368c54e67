"""The library's entry points, light to import: the CLI, ``publish serve`` and tests call them.

``build`` takes the output folder's lock, returns at once when the last build so asked is still
up to date (see uptodate.py), and otherwise runs the pipeline; heavy modules load only then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Optional

from . import dates
from .errors import PublishError, error, raise_if_errors, warning
from .model import BuildReport, Project
from .output import check_output_folder, output_lock, read_manifest
from .uptodate import Request

Progress = Callable[[str, int, int], None]  # channel, done, total


def build(
    project,
    out=None,
    channels: Optional[Iterable[str]] = None,
    as_of=None,
    *,
    content=None,
    layouts=None,
    drafts: bool = False,
    future: bool = False,
    registry=None,
    progress: Optional[Progress] = None,
    use_cache: bool = True,
    on_wait: Optional[Callable[[str], None]] = None,
) -> BuildReport:
    """Build ``project`` into ``out`` (default ``<project>/build``) and return a report.

    Conversions and leaflets are kept in ``<project>/.cache/publisher/`` and reused while nothing
    that shapes them changes; ``use_cache=False`` renders everything afresh and keeps nothing.
    Two builds of one output folder never interleave: the second waits (``on_wait`` hears why).
    The output folder is checked before its lock file is made beside it (see output.py).
    """
    paths = Project.at(project, content, layouts)
    out = Path(out) if out else paths.root / "build"
    channels = tuple(channels) if channels else None
    raise_if_errors(check_output_folder(out, paths.root, paths.content, paths.layouts))  # before its lock is made
    with output_lock(out, on_wait):
        now = resolve_now(as_of)
        request = Request(paths.root, paths.content, paths.layouts, out, channels, drafts, future) \
            if use_cache and registry is None else None
        inputs = request.inputs() if request else None
        recorded = request.recorded(inputs, dates.microseconds(now.instant)) if request else None
        if recorded is not None:
            return _replayed(out, recorded)
        from .pipeline import run

        report = run(paths, out, channels, now, drafts=drafts, future=future, registry=registry,
                     progress=progress, use_cache=use_cache)
        if request:
            request.record(inputs, report.span, _recordable(report))
        return report


def resolve_now(as_of) -> dates.Moment:
    try:
        return dates.now(as_of)
    except ValueError as exc:
        raise PublishError([error(None, None, "usage.as-of", f"--as-of {exc}, got {as_of!r}")])


def _recordable(report: BuildReport) -> dict:
    return {"articles": report.articles, "files": report.outputs, "layouts": report.layouts,
            "warnings": [[d.path, d.line, d.code, d.message] for d in report.warnings]}


def _replayed(out: Path, recorded: dict) -> BuildReport:
    files = recorded["files"]  # every output is kept as it is: all of them reused
    return BuildReport(out=out, articles=recorded["articles"], outputs=files, reused=dict(files),
                       warnings=[warning(*fields) for fields in recorded["warnings"]],
                       manifest=read_manifest(out) or {}, up_to_date=True, layouts=recorded.get("layouts", {}))


def summarize_article(project, slug: str, *, content=None, write: bool = False, force: bool = False):
    """A draft plain summary for one article, optionally written into its front matter.

    Returns (article, draft). ``write`` refuses to replace an existing ``plain_summary`` unless ``force``.
    """
    from .channels import default_channels
    from .errors import raise_if_errors
    from .markdown import MarkdownConverter
    from .plan import load_site
    from .summarize import draft_summary, write_plain_summary

    paths = Project.at(project, content)
    problems: list = []
    site = load_site(paths, default_channels(), problems)
    raise_if_errors(problems)
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


def _site_for(paths: Project, slug: str, code: str):
    """The project loaded for a command on one article: (site, article). Problems of that article,
    its disclaimers, publish.toml or approvals.yaml stop it; those of other articles do not."""
    from .approvals import APPROVALS_NAME
    from .channels import default_channels
    from .content import shown_path
    from .plan import load_site

    problems: list = []
    site = load_site(paths, default_channels(), problems)
    article = next((a for a in site.content.articles if a.slug == slug), None)
    if article is None:
        raise_if_errors(problems)
        known = ", ".join(sorted(a.slug for a in site.content.articles)) or "none"
        raise PublishError([error(None, None, code, f"no article has the slug {slug!r} (articles: {known})")])
    own = {article.source, "publish.toml", shown_path(paths.content / APPROVALS_NAME, paths.root)}
    own |= {d.source for d in site.resolved[slug]}
    raise_if_errors(d for d in problems if d.path in own or d.path is None)
    return site, article


def approve_article(project, slug: str, role: str, by: str, on=None, *, content=None, as_of=None):
    """Record that ``by`` approved, in ``role``, the article's text as it is now (approvals.py).

    Returns (the approval, the approval it replaced or None)."""
    from . import schema
    from .approvals import APPROVALS_NAME, Approval, record_approval
    from .content import shown_path
    from .plan import review_state

    paths = Project.at(project, content)
    now = resolve_now(as_of)
    checks = (("--role", role, schema.slug), ("--by", by, schema.plain_text),
              ("--on", on, lambda v: dates.parse_moment(v) if v is not None else dates.today(now)))
    values, wrong = {}, []
    for option, value, convert in checks:
        try:
            values[option] = convert(value)
        except ValueError as exc:
            wrong.append(error(None, None, "usage.approve", f"{option} {exc}, got {value!r}"))
    raise_if_errors(wrong)
    role, by, day = values["--role"], values["--by"], values["--on"]
    if day.instant > now.instant:
        raise PublishError([error(None, None, "usage.approve", f"--on {day} is after today ({now}): an approval is "
                                  "dated the day the review was done")])
    site, article = _site_for(paths, slug, "approve.slug")
    print_, _ = review_state(article, site)
    approval = Approval(slug, role, by, day, print_.value, dict(print_.parts))
    shown = shown_path(paths.content / APPROVALS_NAME, paths.root)
    return approval, record_approval(paths.content, shown, approval, paths.root)


def review_article(project, slug: str, *, out=None, content=None, as_of=None) -> tuple[Path, int, str]:
    """Write the review copy of one article, ``<out>/review/<slug>.docx`` (reviewcopy.py).

    Returns (its path, the number of claims findings marked as comments, the fingerprint)."""
    from .checks.claims import claim_matches
    from .markdown import MarkdownConverter
    from .output import REVIEW_DIR
    from .plan import review_state
    from .reviewcopy import claim_marks, review_sections, write_docx
    from .summarize import draft_summary

    paths = Project.at(project, content)
    out = Path(out) if out else paths.root / "build"
    now = resolve_now(as_of)
    site, article = _site_for(paths, slug, "review.slug")
    raw = (paths.root / article.source).read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n")
    marks = claim_marks(article, raw, list(site.claims))
    print_, _ = review_state(article, site)
    if article.plain_summary:
        summary = (article.plain_summary, "authored")
    elif site.config.channel("summary").get("auto"):
        summary = (draft_summary(article, site.glossary, MarkdownConverter()).text, "generated")
    else:
        summary = (None, None)
    sections = review_sections(article, site.resolved[slug], marks, print_, site.config.review.roles, summary, now)
    raise_if_errors(check_output_folder(out, paths.root, paths.content, paths.layouts))
    with output_lock(out):
        folder = out / REVIEW_DIR
        for made in (out, folder):
            if made.is_symlink():
                raise PublishError([error(str(made), None, "output.symlink", "is a symbolic link; publish never "
                                          "writes through one: remove it")])
            made.mkdir(exist_ok=True)
        target = folder / f"{slug}.docx"
        write_docx(sections, f"Review copy: {article.title}", target, int(now.instant.timestamp()))
    return target, sum(1 for _ in claim_matches(article, raw, list(site.claims))), print_.value
