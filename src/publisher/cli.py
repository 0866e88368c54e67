"""The ``publish`` command: a thin click layer over the library.

Each command parses options, calls one library function and turns PublishError into
readable diagnostics and exit code 1. Usage mistakes exit 2 (click's convention).
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import click

from . import dates, signals
from .version import __version__
from .api import build as build_project
from .channels import CHANNEL_NAMES
from .errors import Diagnostic, PublishError

# Commands import the rest of the library when they run: a build that is up to date stays quick.


class MomentType(click.ParamType):
    """ISO 8601 date or date-time, the one rule for ``--as-of`` and front matter."""

    name = "DATETIME"

    def convert(self, value, param, ctx):
        if isinstance(value, dates.Moment):
            return value
        try:
            return dates.parse_moment(value)
        except ValueError as exc:
            self.fail(f"{value!r} {exc}", param, ctx)


AS_OF = click.option("--as-of", type=MomentType(), default=None,
                     help="Treat this moment as now (ISO 8601: 2025-03-05, 2025-03-05T14:30:00Z). "
                          "Default: SOURCE_DATE_EPOCH if set, else the clock.")
LAYOUTS = click.option("--layouts", type=click.Path(path_type=Path, file_okay=False), default=None,
                       help="The project's own layout files, over the built-in theme (file by file). "
                            "Default: PROJECT/layouts.")
OUT = click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
                   help="Output folder, replaced whole by each build. Default: PROJECT/build.")
CHANNELS = click.option("--channel", "channels", multiple=True, type=click.Choice(CHANNEL_NAMES),
                        help="Build only this channel; repeat for several. Default: all.")
DRAFTS = click.option("--drafts", is_flag=True, help="Also publish articles with status: draft.")
FUTURE = click.option("--future", is_flag=True, help="Also publish articles dated after --as-of (or now).")
CONTENT = click.option("--content", type=click.Path(path_type=Path, file_okay=False), default=None,
                       help="Content folder. Default: PROJECT/content.")


def _under(project: Path, path: Path | None) -> Path | None:
    """Relative folders given on the command line are relative to the project (like git -C)."""
    return project / path if path is not None else None


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


def _fail(exc: PublishError, what: str) -> None:
    _print_diagnostics(exc.diagnostics)
    count = len(exc.diagnostics)
    click.echo(f"{what} failed: {count} error{'s' if count != 1 else ''}.", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publish")
@click.option("-C", "--project", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("."),
              show_default=True, help="Project folder: holds publish.toml, content/ and layouts/.")
@click.pass_context
def main(ctx: click.Context, project: Path) -> None:
    """Publish health articles to every channel, never without their disclaimers."""
    ctx.obj = project


@main.command()
@CONTENT
@LAYOUTS
@OUT
@CHANNELS
@AS_OF
@DRAFTS
@FUTURE
@click.option("--no-cache", is_flag=True, help="Render every output afresh; neither read nor fill .cache/.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but warnings and errors.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also say which layout files are the project's own, over the theme.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: print the build report (articles, files per channel, warnings, manifest) for scripts.")
@click.pass_obj
def build(project, content, layouts, out, channels, as_of, drafts, future, no_cache, quiet, verbose, output_format):
    """Build every published article into the output folder."""
    started = time.monotonic()
    show_progress = not quiet and output_format == "text" and sys.stderr.isatty()

    def progress(channel: str, done: int, total: int) -> None:
        click.echo(f"\r{channel:>9}: {done}/{total}", nl=done == total, err=True)

    with signals.interruptible():  # SIGTERM, Ctrl-C: stop cleanly, see signals.py
        try:
            report = build_project(project, _under(project, out), channels or None, as_of,
                                   content=_under(project, content), layouts=_under(project, layouts),
                                   drafts=drafts, future=future, progress=progress if show_progress else None,
                                   use_cache=not no_cache,
                                   on_wait=None if quiet else lambda m: click.echo(m, err=True))
            signals.finishing()  # the build is done: a signal from now on only changes the exit code
        except BaseException as exc:
            signum = exc.signum if isinstance(exc, signals.Interrupted) else signals.unfinished()
            if signum is not None:  # also what a signal broke on its way (a pool whose workers it ended)
                shown = _display(_under(project, out) or project / "build")
                click.echo(("\n" if show_progress else "") + f"Build interrupted by {signal.Signals(signum).name}: "
                           f"every render process is stopped and {shown}/ is unchanged.", err=True)
                sys.exit(128 + signum)
            if not isinstance(exc, PublishError):
                raise
            signals.finishing()  # a signal now would only hide these errors
            _fail(exc, "Build")
        if output_format == "json":
            click.echo(json.dumps({**report.as_json(), "seconds": round(time.monotonic() - started, 2)}, indent=2))
        else:
            _print_report(report, quiet, started)
            if verbose:
                _print_layouts(report.layouts)
        stopped = signals.pending()
    if stopped:
        click.echo(f"Stopped by {signal.Signals(stopped).name} after the build was put in place.", err=True)
        sys.exit(128 + stopped)


def _print_layouts(layouts: dict[str, str]) -> None:
    """Which layout files the project replaces, as Hugo's and MkDocs' users ask of a theme."""
    from .layouts import THEME

    own = {name: origin for name, origin in layouts.items() if origin != "theme"}
    click.echo(f"Layouts: {len(layouts) - len(own)} files from the theme ({THEME}), {len(own)} of the project's own:")
    for name, origin in own.items():
        click.echo(f"  {name}: {origin}")


def _print_report(report, quiet: bool, started: float) -> None:
    _print_diagnostics(report.warnings)
    if not quiet:
        reused = {} if report.up_to_date else report.reused  # up to date: every file kept, none rendered
        files = ", ".join(f"{name}: {count} files" + (f", {reused[name]} reused" if reused.get(name) else "")
                          for name, count in report.outputs.items())
        count = len(report.articles)
        warned = len(report.warnings)
        articles, warnings = f"{count} article{'s' if count != 1 else ''}", f"{warned} warning{'s' if warned != 1 else ''}"
        if report.up_to_date:
            click.echo(f"Up to date: nothing changed since the last build of {articles} into {_display(report.out)}/ "
                       f"({files}), {warnings}.")
        else:
            click.echo(f"Built {articles} into {_display(report.out)}/ ({files}), {warnings}, "
                       f"in {time.monotonic() - started:.1f} s.")


@main.command()
@CONTENT
@LAYOUTS
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder: built whole first, then updated in place on each change. Default: PROJECT/build.")
@CHANNELS
@click.option("--drafts/--no-drafts", default=True, show_default=True,
              help="Show articles with status: draft, each with a Draft banner (the preview's default).")
@FUTURE
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.pass_obj
def serve(project, content, layouts, out, channels, drafts, future, host, port):
    """Build, serve the site, and rebuild and reload open pages whenever a source changes."""
    from .serve import serve as serve_site

    content, layouts = _under(project, content) or project / "content", _under(project, layouts) or project / "layouts"
    options = dict(channels=channels or None, content=content, layouts=layouts, drafts=drafts, future=future)
    serve_site(project, _under(project, out) or project / "build", host, port, options,
               echo=lambda message: click.echo(message, err=True),
               watched=[content, layouts, project / "publish.toml"])


@main.command(name="list")
@CONTENT
@AS_OF
@click.pass_obj
def list_articles(project, content, as_of):
    """List every article: slug, status as of --as-of, date and title."""
    now, loaded = _load_articles(project, content, as_of)
    rows = [(a.slug, a.visibility(now), a.date.isoformat(), a.title)
            for a in sorted(loaded.articles, key=lambda a: a.slug)]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(("SLUG", "STATUS", "DATE"))]
    for row in [("SLUG", "STATUS", "DATE", "TITLE")] + rows:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    _exit_on_errors(list(loaded.diagnostics))


def _load_articles(project: Path, content: Path | None, as_of):
    """Now and every article that loads; problems are printed later by _exit_on_errors."""
    from .channels import default_channels
    from .config import load_config
    from .content import load_content

    try:
        now = dates.now(as_of)
        config = load_config(project, default_channels().options())
        return now, load_content(project, _under(project, content) or project / "content", config.site.language,
                                 config.edition_of)
    except PublishError as exc:
        _fail(exc, "Loading")
    except ValueError as exc:  # a bad SOURCE_DATE_EPOCH
        raise click.UsageError(str(exc))


def _exit_on_errors(diagnostics: list[Diagnostic]) -> None:
    """Articles that failed to load are reported after the listing; then exit 1."""
    _print_diagnostics(diagnostics)
    if any(d.is_error for d in diagnostics):
        sys.exit(1)


@main.command()
@CONTENT
@LAYOUTS
@click.option("--built", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Also re-read this finished build and verify every output carries its disclaimers.")
@AS_OF
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A report for people, grouped by file, or JSON for scripts.")
@click.pass_obj
def check(project, content, layouts, built, as_of, output_format):
    """Run the compliance gate: sources, and with --built an existing build. Exit 1 on any error."""
    built = _under(project, built)
    if built is not None and not built.is_dir():
        raise click.BadParameter(f"{built} is not a folder (a build made by 'publish build')", param_hint="--built")
    from .audit import check_project

    report = check_project(project, content=_under(project, content), layouts=_under(project, layouts), built=built,
                           as_of=as_of)
    if output_format == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.as_text())
    sys.exit(1 if report.errors else 0)


@main.command()
@CONTENT
@AS_OF
@click.option("--next", "next_only", is_flag=True,
              help="Print only the time of the next change (ISO 8601), or nothing when none is due.")
@click.pass_obj
def schedule(project, content, as_of, next_only):
    """List the articles due to appear or disappear after --as-of, soonest first."""
    from .schedule import instant_iso, upcoming_changes

    now, loaded = _load_articles(project, content, as_of)
    changes = upcoming_changes(loaded.articles, now)
    if next_only:
        if changes:
            click.echo(instant_iso(changes[0].at))
    else:
        for change in changes:
            click.echo(f"{instant_iso(change.at)}  {change.action:<10}  {change.slug}  {change.title}")
        click.echo(f"next change: {instant_iso(changes[0].at)}" if changes else "nothing is due to change")
    _exit_on_errors(list(loaded.diagnostics))


@main.command()
@click.argument("slug")
@CONTENT
@click.option("--write", is_flag=True, help="Put the draft into the article's front matter as plain_summary.")
@click.option("--force", is_flag=True, help="With --write: replace an existing plain_summary.")
@click.pass_obj
def summarize(project, slug, content, write, force):
    """Draft a plain-language summary from the article's own sentences, for an author to edit."""
    from .api import summarize_article

    try:
        article, draft = summarize_article(project, slug, content=_under(project, content), write=write, force=force)
    except PublishError as exc:
        _fail(exc, "Summarize")
    click.echo(draft.text)
    click.echo(f"\n{draft.figures.describe()}", err=True)
    if write:
        click.echo(f"Wrote plain_summary into {article.source}; edit it there.", err=True)


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Also in a folder that is not empty: add the starter files it lacks.")
@AS_OF
@click.pass_obj
def init(project, folder, force, as_of):
    """Create a project that builds at once: publish.toml, an example article, disclaimers to review."""
    from .starter import init_project

    folder = folder or project
    try:
        written, kept = init_project(folder, dates.now(as_of), force=force)
    except PublishError as exc:
        _fail(exc, "Init")
    shown = _display(folder)
    click.echo(f"Created a publisher project in {shown}/: " + ", ".join(written) + ".")
    if kept:
        click.echo("Kept as they were: " + ", ".join(kept) + ".")
    steps = [f"cd {shown}"] if shown != "." else []
    steps += ["publish serve                   # a preview at http://127.0.0.1:8000/, drafts shown",
              'publish new "Your first title"  # a draft in content/',
              "publish summarize SLUG --write  # a plain-language summary to edit",
              "publish build                   # every channel into build/"]
    click.echo("Next steps (the two disclaimers are the starter's wording: have them reviewed):\n  "
               + "\n  ".join(steps))


@main.command()
@click.argument("slug")
@click.option("--lang", "lang", required=True, help="The language of the translation: a [languages.<code>] of publish.toml.")
@click.option("--slug", "new_slug", default=None, help="Slug of the translation. Default: the original's.")
@CONTENT
@AS_OF
@click.pass_obj
def translate(project, slug, lang, new_slug, content, as_of):
    """Write a draft translation of an article into content/<lang>/, recording which version of the
    original it follows."""
    from .api import translate_article

    try:
        shown, missing = translate_article(project, slug, lang, new_slug=new_slug, content=_under(project, content),
                                           as_of=as_of)
    except PublishError as exc:
        _usage_or_fail(exc, "Translate")
    click.echo(f"Wrote {shown} (status: draft), a copy of the original to translate; then set 'status: published'.")
    if missing:
        click.echo("Its disclaimers need translations too: " + ", ".join(missing))


@main.command()
@click.argument("title")
@CONTENT
@click.option("--slug", default=None, help="Default: made from the title.")
@click.option("--author", default=None, help="Default: [site] author in publish.toml.")
@click.option("--description", default=None, help="One or two sentences for search results and feeds.")
@AS_OF
@click.pass_obj
def new(project, title, content, slug, author, description, as_of):
    """Write a new draft article with a fresh, permanent id."""
    from .channels import default_channels
    from .config import load_config
    from .scaffold import new_article

    try:
        config = load_config(project, default_channels().options())
        path = new_article(_under(project, content) or project / "content", title, slug=slug,
                           author=author or config.site.author, description=description, date=dates.now(as_of))
    except PublishError as exc:
        _fail(exc, "New")
    except ValueError as exc:
        raise click.UsageError(str(exc))
    click.echo(f"Wrote {path} (status: draft). Edit it, then set 'status: published'.")


@main.command()
@click.argument("slug")
@click.option("--role", required=True, help="The role the reviewer signs for, as [review] roles names it (e.g. medical).")
@click.option("--by", "by", required=True, help="Who approved, as the page shows it (e.g. 'Dr A. Reviewer').")
@click.option("--on", "on", default=None, help="The day of the review (ISO 8601). Default: today (--as-of).")
@CONTENT
@AS_OF
@click.pass_obj
def approve(project, slug, role, by, on, content, as_of):
    """Record an approval of the article's text as it is now, in content/approvals.yaml."""
    from .api import approve_article

    try:
        approval, replaced = approve_article(project, slug, role, by, on, content=_under(project, content),
                                             as_of=as_of)
    except PublishError as exc:
        _usage_or_fail(exc, "Approve")
    again = f" (replacing the approval of {replaced.on} by {replaced.by})" if replaced else ""
    click.echo(f"Recorded the {approval.role} approval of {slug} by {approval.by} on {approval.on}{again}: "
               f"fingerprint {approval.fingerprint}. Commit content/approvals.yaml with the article.")


def _usage_or_fail(exc: PublishError, what: str) -> None:
    """Bad options exit 2, as click's own usage errors do; anything else is a failure (exit 1)."""
    if exc.diagnostics and all(d.code.startswith("usage.") for d in exc.diagnostics):
        _print_diagnostics(exc.diagnostics)
        sys.exit(2)
    _fail(exc, what)


@main.command()
@click.argument("slug")
@CONTENT
@OUT
@AS_OF
@click.pass_obj
def review(project, slug, content, out, as_of):
    """Write the article's review copy for reviewers: OUT/review/SLUG.docx."""
    from .api import review_article

    try:
        path, findings, fingerprint = review_article(project, slug, out=_under(project, out),
                                                     content=_under(project, content), as_of=as_of)
    except PublishError as exc:
        _fail(exc, "Review")
    click.echo(f"Wrote {_display(path)}: the article, its plain summary, every disclaimer in full, "
               f"{findings} claims finding{'s' if findings != 1 else ''} as comments and the sign-off table "
               f"(fingerprint {fingerprint}). Once it is signed: publish approve {slug} --role ROLE --by NAME --on DATE")


@main.command()
@CONTENT
@LAYOUTS
@OUT
@AS_OF
@click.pass_obj
def report(project, content, layouts, out, as_of):
    """Write the content-health report for managers: OUT/report/ (index.html, report.json, report.csv)."""
    from .api import write_report

    try:
        folder, count = write_report(project, out=_under(project, out), content=_under(project, content),
                                     layouts=_under(project, layouts), as_of=as_of)
    except PublishError as exc:
        _fail(exc, "Report")
    click.echo(f"Wrote {_display(folder / 'index.html')} (and report.json, report.csv): {count} "
               f"article{'s' if count != 1 else ''}.")


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: every difference with full sha256s, for an audit record.")
def diff(old, new, output_format):
    """What changed between two build folders: articles, outputs, disclaimer versions, approvals."""
    from .builddiff import diff_builds

    try:
        found = diff_builds(old, new)
    except PublishError as exc:
        _fail(exc, "Diff")
    if output_format == "json":
        click.echo(json.dumps(found.as_json(), indent=2, sort_keys=True))
    else:
        click.echo(found.as_text())


@main.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--slug", default=None, help="Slug of the new article. Default: made from its title.")
@click.option("--update", default=None, metavar="SLUG",
              help="Replace the body of this article with the document's; its front matter is kept.")
@click.option("--accept-changes", is_flag=True, help="Import the text with its tracked changes accepted.")
@click.option("--reject-changes", is_flag=True, help="Import the text as it was before its tracked changes.")
@CONTENT
@AS_OF
@click.pass_obj
def import_document(project, file, slug, update, accept_changes, reject_changes, content, as_of):
    """Turn a Word (.docx) or OpenDocument (.odt) file into a draft article: content/SLUG/index.md."""
    from .api import import_article

    if accept_changes and reject_changes:
        raise click.UsageError("--accept-changes and --reject-changes contradict each other: give one")
    changes = "accept" if accept_changes else "reject" if reject_changes else None
    try:
        written, slug, warnings, needs = import_article(project, file, slug=slug, update=update, changes=changes,
                                                        content=_under(project, content), as_of=as_of)
    except PublishError as exc:
        _usage_or_fail(exc, "Import")
    _print_diagnostics(warnings)
    click.echo(f"Wrote {_display(written)}" + (" (its front matter kept)." if update else " (status: draft)."))
    if needs:
        click.echo(f"Before {slug} can publish it needs:")
        for need in needs:
            click.echo(f"  - {need}")
