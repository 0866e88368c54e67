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
    on_published: Optional[Callable[[BuildReport], None]] = None,
    superseded: Optional[Callable[[], bool]] = None,
) -> BuildReport:
    """Build ``project`` into ``out`` (default ``<project>/build``) and return a report.

    Conversions and leaflets are kept in ``<project>/.cache/publisher/`` and reused while nothing
    that shapes them changes; ``use_cache=False`` renders everything afresh and keeps nothing.
    Two builds of one output folder never interleave: the second waits (``on_wait`` hears why).
    ``on_published`` hears as soon as the new pages are in place, before the search index is
    brought up to date and the last build deleted; ``superseded`` is asked between stages whether
    a newer change makes the build pointless (``publish serve``: see pipeline.run).
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
                     progress=progress, use_cache=use_cache, on_published=on_published,
                     superseded=superseded)
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


def translate_article(project, slug: str, lang: str, *, new_slug=None, content=None, as_of=None):
    """A draft translation of an article into an enabled language (translate.py).

    Returns (the file written as messages show it, the disclaimer files still to translate)."""
    from .content import DISCLAIMER_DIR, shown_path
    from .schema import MAX_SLUG, SLUG_RE
    from .translate import write_translation

    paths = Project.at(project, content)
    now = resolve_now(as_of)
    if new_slug is not None and (not SLUG_RE.fullmatch(new_slug) or len(new_slug) > MAX_SLUG):
        raise PublishError([error(None, None, "usage.translate", f"--slug {new_slug!r} is not a slug: lowercase "
                                  f"letters, digits and single hyphens, at most {MAX_SLUG} characters")])
    site, original = _site_for(paths, slug, "translate.slug")
    code = lang.lower()
    if original.edition:
        raise PublishError([error(original.source, None, "translate.slug", f"{slug!r} is in {original.lang!r}, not "
                                  "in the site's language: translate the original article")])
    if code not in site.config.languages:
        known = ", ".join(site.config.languages) or "none yet"
        raise PublishError([error(site.config.path or "publish.toml", None, "translate.lang",
                                  f"the site has no edition in {lang!r} (enabled: {known}): add a [languages.{code}] "
                                  "table with its title to publish.toml")])
    folder = shown_path(paths.content, paths.root)
    _, shown = write_translation(paths.content, folder, original, code, new_slug, now)
    missing = [f"{folder}/{DISCLAIMER_DIR}/{d.id}.{code}.md" for d in site.resolved[slug]
               if (d.id, code) not in site.content.translated]
    return shown, missing


def review_article(project, slug: str, *, out=None, content=None, as_of=None) -> tuple[Path, int, str]:
    """Write the review copy of one article, ``<out>/review/<slug>.docx`` (reviewcopy.py).

    Returns (its path, the number of claims findings marked as comments, the fingerprint)."""
    from .checks.claims import claim_matches
    from .markdown import MarkdownConverter
    from .output import REVIEW_DIR, review_copy_name
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
        target = folder / review_copy_name(slug)
        write_docx(sections, f"Review copy: {article.title}", target, int(now.instant.timestamp()))
    return target, sum(1 for _ in claim_matches(article, raw, list(site.claims))), print_.value


def write_report(project, *, out=None, content=None, layouts=None, as_of=None) -> tuple[Path, int]:
    """Write the content-health report, ``<out>/report/`` (report.py): index.html, report.json and
    report.csv, swapped in whole. Returns (the folder, the number of articles)."""
    from .cache import CACHE_DIR
    from .channels import default_channels
    from .layouts import Layouts
    from .output import REPORT_DIR, replace_folder
    from .plan import load_site
    from .report import make_report
    from .templates import make_environment

    paths = Project.at(project, content, layouts)
    out = Path(out) if out else paths.root / "build"
    now = resolve_now(as_of)
    problems: list = []
    site = load_site(paths, default_channels(), problems)
    raise_if_errors(problems)
    raise_if_errors(check_output_folder(out, paths.root, paths.content, paths.layouts))
    theme = Layouts(paths.layouts, paths.root)
    files = make_report(site, now, paths.root, make_environment(theme), theme, paths.root / CACHE_DIR,
                        _built_pages(out))
    with output_lock(out):
        replace_folder(out, REPORT_DIR, files)
    return out / REPORT_DIR, len(site.content.articles)


def _built_pages(out: Path) -> dict:
    """slug -> its page in the last build of ``out`` (relative to it), for the report's links."""
    from .previous import plain_relative

    manifest = read_manifest(out) if (out / "manifest.json").is_file() else None
    pages = {}
    for record in (manifest or {}).get("articles", []):
        if isinstance(record, dict) and isinstance(record.get("outputs"), dict):
            page = record["outputs"].get("html")
            if (isinstance(record.get("slug"), str) and isinstance(page, str) and plain_relative(page)
                    and (out / page).is_file()):
                pages[record["slug"]] = page
    return pages


def import_article(project, file, *, slug=None, update=None, changes=None, content=None, as_of=None):
    """A Word or OpenDocument file as a draft page bundle ``content/<slug>/``, or with ``update``
    as the new body of that article, its front matter kept (wordimport.py). ``changes``: None
    refuses tracked changes; "accept" or "reject" applies them.

    Returns (the article file written, its slug, the warnings, what it needs before it can publish)."""
    from .addresses import slugify
    from .channels import default_channels
    from .config import load_config
    from .content import shown_path
    from .schema import MAX_SLUG, SLUG_RE
    from .wordimport import checked_fields, convert_document, front_matter, replace_body, write_bundle

    paths = Project.at(project, content)
    now = resolve_now(as_of)
    if slug is not None and update is not None:
        raise PublishError([error(None, None, "usage.import", "--slug and --update name the article two ways: "
                                  "give one")])
    if slug is not None and (not SLUG_RE.fullmatch(slug) or len(slug) > MAX_SLUG):
        raise PublishError([error(None, None, "usage.import", f"--slug {slug!r} is not a slug: lowercase letters, "
                                  f"digits and single hyphens, at most {MAX_SLUG} characters")])
    file = Path(file)
    converted = convert_document(file, str(file), changes)
    if update is not None:
        _, article = _site_for(paths, update, "import.update")
        source = paths.root / article.source
        written = replace_body(source, article.source, article.body_line, converted, article.bundle_dir is not None)
        return written, update, converted.warnings, article_needs(paths, update, converted.without_alt, now)
    config = load_config(paths.root, default_channels().options())
    title = converted.title
    author = converted.properties["author"] or config.site.author
    problems = []
    if not title:
        problems.append(error(str(file), None, "import.title", "the document has no title: give it one (File > "
                              "Info > Title, or a first heading), or import it with --update into an article"))
    if not author:
        problems.append(error(str(file), None, "import.author", "the document names no author: set its Author "
                              "property (File > Info), or [site] author in publish.toml"))
    raise_if_errors(problems)
    slug = slug or slugify(title)[:MAX_SLUG].strip("-")
    if not SLUG_RE.fullmatch(slug or ""):
        raise PublishError([error(str(file), None, "import.slug", f"no slug can be made of the title {title!r}: "
                                  "pass --slug")])
    front = front_matter(converted, title, author, now.isoformat())
    raise_if_errors(checked_fields(front, str(file)))
    folder = paths.content / slug
    shown = shown_path(folder / "index.md", paths.root)
    if (paths.content / f"{slug}.md").exists():
        raise PublishError([error(shown_path(paths.content / f"{slug}.md", paths.root), None, "import.exists",
                                  "an article with this slug exists: pass --slug for a new one, or --update "
                                  f"{slug} to replace its body")])
    written = write_bundle(folder, shown, front, converted)
    return written, slug, converted.warnings, article_needs(paths, slug, converted.without_alt, now)


def article_needs(paths: Project, slug: str, without_alt, now) -> list[str]:
    """What stops the article publishing, as things for its author to do."""
    from .plan import review_state
    from .scaffold import DESCRIPTION_PLACEHOLDER

    try:
        site, article = _site_for(paths, slug, "import.update")
    except PublishError as exc:  # written, but the loader refuses something in it: say what
        return [f"a fix: {d}" for d in exc.diagnostics]
    needs = []
    if DESCRIPTION_PLACEHOLDER in article.description:
        needs.append("description: replace the TODO with one or two sentences that say what the article covers")
    if not article.disclaimer_refs:
        carried = ", ".join(d.id for d in site.resolved[slug]) or "none"
        others = ", ".join(sorted(set(site.content.disclaimers) - {d.id for d in site.resolved[slug]})) or "none"
        needs.append(f"disclaimers: it carries the site's defaults ({carried}); list any others it needs "
                     f"(available: {others})")
    if not article.plain_summary and not site.config.channel("summary").get("auto"):
        needs.append(f"plain_summary: write one ('publish summarize {slug} --write' drafts it for you to edit)")
    print_, reviews = review_state(article, site)
    roles = site.config.review.roles
    for role in roles:
        if not any(r.role == role for r in reviews):
            needs.append(f"the {role} approval: 'publish review {slug}', have the copy signed, then "
                         f"'publish approve {slug} --role {role} --by NAME --on DATE'")
    if site.config.review.required and not roles and not reviews:
        needs.append(f"a medical review: 'publish approve {slug} --role medical --by NAME --on DATE' (or "
                     "reviewed_by and reviewed_on)")
    needs += [f"alt text for {name}: say in the ![...] what the picture shows" for name in without_alt]
    if article.status == "draft":
        needs.append("status: published, once the rest is done")
    return needs
