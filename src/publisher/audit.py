"""``publish check``: the compliance gate, on the sources and, optionally, on a finished build.

Source checks are the very plan a build of every channel runs (plan.py: front matter, disclaimers,
layouts, glossary, claims, medical review, embedded files, summaries and their readability), plus
internal links and image alt text. ``built`` re-reads an existing output folder the way its
readers will, so a build that someone edited afterwards can be audited: a manifest of the wrong
shape is reported, problem by problem, and no file outside the folder is ever read.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Optional

from .api import resolve_now
from .channels import default_channels
from .checks.compliance import verify_feeds, verify_html_pages, verify_leaflets
from .checks.links import check_links
from .errors import Diagnostic, PublishError, error
from .model import Project
from .output import MANIFEST, StagingFolder
from .plan import Options, make_plan


@dataclass
class CheckReport:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    external_links: list[tuple[str, str]] = field(default_factory=list)  # (article source, url), not fetched
    articles: list[str] = field(default_factory=list)  # slugs checked
    built: Optional[str] = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def as_json(self) -> dict:
        return {
            "ok": not self.errors,
            "errors": len(self.errors),
            "warnings": len(self.diagnostics) - len(self.errors),
            "articles": self.articles,
            "built": self.built,
            "diagnostics": [
                {"path": d.path, "line": d.line, "severity": d.severity, "code": d.code, "message": d.message}
                for d in self.diagnostics
            ],
            "external_links": [{"source": s, "url": u} for s, u in self.external_links],
        }

    def as_text(self) -> str:
        """For people: every problem grouped by file, the external links, and a closing count."""
        by_file: dict[str, list[Diagnostic]] = {}
        for diagnostic in self.diagnostics:
            by_file.setdefault(diagnostic.path or "(project)", []).append(diagnostic)
        lines = []
        for path, found in by_file.items():
            lines.append(path)
            lines += [f"  {str(d.line) + ': ' if d.line else ''}{d.severity}: {d.message} [{d.code}]" for d in found]
        if self.external_links:
            lines.append("External links (listed, not fetched):")
            lines += [f"  {source}: {url}" for source, url in self.external_links]
        errors, warnings = len(self.errors), len(self.diagnostics) - len(self.errors)
        built = f" and the build in {self.built}/" if self.built else ""
        count = len(self.articles)
        lines.append(f"Checked {count} article{'s' if count != 1 else ''}{built}: "
                     f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}.")
        return "\n".join(lines)


def check_project(project, *, content=None, layouts=None, built=None, as_of=None) -> CheckReport:
    paths = Project.at(project, content, layouts)
    report = CheckReport(built=str(built) if built else None)
    try:
        now = resolve_now(as_of)
    except PublishError as exc:
        report.diagnostics = exc.diagnostics
        return report
    plan = make_plan(paths, Options(now=now), default_channels())
    report.articles = [a.slug for a in plan.articles]
    report.diagnostics = list(plan.diagnostics)
    problems, report.external_links = check_links(plan.entries)
    report.diagnostics += problems
    if built:
        report.diagnostics += verify_build(Path(built), plan)
    return report


def verify_build(folder: Path, plan) -> list[Diagnostic]:
    """Every output a build's manifest lists still carries its disclaimers, in today's wording.

    The folder may have been edited, or not be ours: the manifest is checked for shape first, and
    no file it names is read unless it lies inside the folder (symbolic links resolved).
    """
    manifest, problems = _load_manifest(folder)
    if manifest is None:
        return problems
    records, feeds = _manifest_parts(folder, manifest, problems)
    by_slug = {e.article.slug: e for e in plan.entries}
    others = [a for a in plan.site.content.articles if a.slug in records and a.slug not in by_slug]
    if others:  # built then, not published as of now (expired, or built with --drafts or --future)
        from .plan import prepare_entries

        try:
            by_slug.update((e.article.slug, e) for e in prepare_entries(others, plan.site, plan.markdown, set()))
        except PublishError as exc:
            problems += exc.diagnostics
    where = f"{folder}/{MANIFEST}"
    entries, outputs = [], {}
    for slug, (disclaimers, files) in records.items():
        entry = by_slug.get(slug)
        if entry is None:
            problems.append(error(where, None, "verify.article",
                                  f"the build lists article {slug!r}, which the content no longer has"))
            continue
        if disclaimers is not None and disclaimers != [(d.id, d.sha256) for d in entry.disclaimers]:
            problems.append(error(where, None, "verify.wording",
                                  f"article {slug!r} was built with other disclaimers or other wording than the "
                                  "content has now; rebuild it"))
        entries.append(entry)
        outputs[slug] = files
    problems += _verify_approvals(manifest, by_slug, plan.site.config.review.roles, where)
    built = StagingFolder(folder)  # read only: the checks read files through it
    with _quiet("pypdfium2"):  # a damaged leaflet is one diagnostic, not also the reader's log lines on stderr
        found = verify_html_pages(entries, outputs, built) + verify_leaflets(entries, outputs, built)
        for edition, own in sorted(feeds.items()):  # each edition's feeds hold its articles only
            found += verify_feeds([e for e in entries if e.article.edition == edition], own,
                                  plan.site.config.site.base_url, built)
    return problems + [_under(d, folder) for d in found]


def _verify_approvals(manifest: dict, by_slug: dict, roles: tuple[str, ...], where: str) -> list[Diagnostic]:
    """Each article was built from the words its approvals cover: the fingerprint the build
    recorded is today's, each approval it shows is still in approvals.yaml for that text, and
    every required role is among them."""
    problems = []
    for record in manifest["articles"]:
        entry = by_slug.get(record.get("slug")) if isinstance(record, dict) else None
        if entry is None or "fingerprint" not in record:
            continue  # not ours to judge here, or a build made before approvals were recorded
        slug, shown = entry.article.slug, record.get("approvals", [])
        if record["fingerprint"] != entry.fingerprint:
            problems.append(error(where, None, "verify.approval", f"article {slug!r} was built from other words than "
                                  "the content has now (its fingerprint differs); rebuild it"))
            continue
        if not isinstance(shown, list) or not all(isinstance(a, dict) and all(isinstance(a.get(k), str) for k in
                                                  ("role", "by", "on", "fingerprint")) for a in shown):
            problems.append(error(where, None, "verify.manifest", f"article {slug!r}: 'approvals' is not a list of "
                                  f"objects with role, by, on and fingerprint; {REBUILD}"))
            continue
        current = {(r.role, r.by, r.on.isoformat() if r.on else None, r.fingerprint) for r in entry.reviews}
        for approval in shown:
            if (approval["role"], approval["by"], approval["on"], approval["fingerprint"]) not in current:
                problems.append(error(where, None, "verify.approval", f"article {slug!r} shows the {approval['role']} "
                                      f"approval by {approval['by']} of {approval['on']}, which content/approvals.yaml "
                                      "does not hold for today's text; rebuild it"))
        missing = sorted(set(roles) - {a["role"] for a in shown})
        if missing:
            problems.append(error(where, None, "verify.approval", f"article {slug!r} was built without a "
                                  f"{' or '.join(missing)} approval, which [review] roles requires; approve it and rebuild"))
    return problems


TEXT_OUTPUTS = ("html", "summary_html", "summary_text")  # read as UTF-8 text by the checks
REBUILD = "rebuild the folder with 'publish build'"


def _load_manifest(folder: Path) -> tuple[dict | None, list[Diagnostic]]:
    """The manifest as a JSON object, or None and the one reason it is not."""
    where = f"{folder}/{MANIFEST}"

    def refuse(why: str):
        return None, [error(where, None, "verify.manifest", f"not a publisher build: {why}")]

    path = folder / MANIFEST
    if not path.is_file():
        return refuse("there is no manifest.json in the folder; give --built the folder 'publish build' wrote")
    if not _inside(folder, path):
        return refuse("manifest.json is a symbolic link that leads out of the folder; it was not read")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return refuse(f"manifest.json cannot be read ({exc.strerror}); {REBUILD}")
    if not data.strip():
        return refuse(f"manifest.json is empty; {REBUILD}")
    try:
        manifest = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return refuse(f"manifest.json is not UTF-8 text (byte {exc.start}); {REBUILD}")
    except ValueError as exc:
        return refuse(f"manifest.json is not valid JSON ({exc}); {REBUILD}")
    except RecursionError:
        return refuse(f"manifest.json is not valid JSON (nested too deeply); {REBUILD}")
    if not isinstance(manifest, dict):
        return refuse(f"manifest.json holds {_kind(manifest)}, not an object with an 'articles' list; {REBUILD}")
    if not isinstance(manifest.get("articles"), list):
        found = "has no 'articles'" if "articles" not in manifest else f"'articles' is {_kind(manifest['articles'])}"
        return refuse(f"manifest.json {found}, not a list of articles; {REBUILD}")
    return manifest, []


def manifest_records(manifest: dict, bad):
    """(where, slug, record) of each article record that is an object with a slug of its own;
    ``bad`` hears why any other is skipped."""
    seen: set[str] = set()
    for index, record in enumerate(manifest["articles"]):
        at = f"articles[{index}]"
        if not isinstance(record, dict):
            bad(f"{at} is {_kind(record)}, not an object")
            continue
        slug = record.get("slug")
        if not isinstance(slug, str) or not slug:
            bad(f"{at} has no 'slug'" if "slug" not in record else f"{at}.slug is {_kind(slug)}, not a string")
            continue
        if slug in seen:
            bad(f"{at} lists article {slug!r} a second time")
            continue
        seen.add(slug)
        yield at, slug, record


def _manifest_parts(folder: Path, manifest: dict, problems: list[Diagnostic]):
    """From a manifest of the right outline: per slug (disclaimers, {output: path}), and the feeds,
    keeping only paths to files inside the folder. Every other problem goes into ``problems``."""
    where = f"{folder}/{MANIFEST}"

    def bad(message: str) -> None:
        problems.append(error(where, None, "verify.manifest", f"{message}; {REBUILD}"))

    records: dict[str, tuple[list | None, dict[str, str]]] = {}
    for at, slug, record in manifest_records(manifest, bad):
        for key in ("title", "source", "date", "updated", "id"):
            if key in record and not isinstance(record[key], str):
                bad(f"{at}.{key} (article {slug!r}) is {_kind(record[key])}, not a string")
        disclaimers = _disclaimers(record.get("disclaimers", []), f"{at}.disclaimers (article {slug!r})", bad)
        outputs = record.get("outputs", {})
        if not isinstance(outputs, dict):
            bad(f"{at}.outputs (article {slug!r}) is {_kind(outputs)}, not an object of output paths")
            outputs = {}
        files = {}
        for name, path in outputs.items():
            what = f"article {slug!r}: the {name} output"
            if _usable(folder, path, f"{at}.outputs.{name}", what, bad, problems) and \
                    (name not in TEXT_OUTPUTS or _utf8(folder, path, what, problems)):
                files[name] = path
        records[slug] = (disclaimers, files)
    feeds: dict[str, dict[str, str]] = {}  # edition ("" or "es") -> its feeds
    for key, value in sorted(manifest.items()):
        if key == "articles":
            continue
        edition, _, kind = key.rpartition("/")  # 'es/feeds': the Spanish edition's
        is_feeds = kind == "feeds"
        if is_feeds and not isinstance(value, dict):
            bad(f"{key} is {_kind(value)}, not an object of feed paths")
        elif isinstance(value, str):
            _usable(folder, value, key, f"the {key} output", bad, problems)
        elif isinstance(value, dict):
            for name, path in value.items():
                if is_feeds and name not in ("rss", "atom"):
                    bad(f"{key}.{name} is not a kind of feed publisher writes (rss, atom)")
                elif _usable(folder, path, f"{key}.{name}", f"the {key} output {name!r}", bad, problems) \
                        and is_feeds:
                    feeds.setdefault(edition, {})[name] = path
        else:
            bad(f"{key} is {_kind(value)}, not an output path or an object of output paths")
    return records, feeds


def _disclaimers(value, at: str, bad) -> list[tuple[str, str]] | None:
    """(id, sha256) of each disclaimer a record was built with; None when they cannot be told."""
    if not isinstance(value, list):
        bad(f"{at} is {_kind(value)}, not a list")
        return None
    found = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "sha256")):
            bad(f"{at}[{index}] is {_kind(item)}, not an object with an 'id' and a 'sha256' string")
            return None
        found.append((item["id"], item["sha256"]))
    return found


def _usable(folder: Path, path, at: str, what: str, bad, problems: list[Diagnostic]) -> bool:
    """Whether ``path`` names a file inside ``folder`` that may be read; says why not."""
    if not isinstance(path, str):
        bad(f"{at} is {_kind(path)}, not a path")
        return False
    pure = PurePosixPath(path)
    if not path or "\0" in path or "\\" in path or pure.is_absolute() or ".." in pure.parts:
        bad(f"{at} is {path!r}, not a relative path inside the build folder (it was not read)")
        return False
    if not _inside(folder, folder / path):
        bad(f"{at} is {path!r}, which leads out of the build folder through a symbolic link (it was not read)")
        return False
    try:
        is_file, exists = (folder / path).is_file(), (folder / path).exists()
    except OSError as exc:  # e.g. a name too long
        problems.append(error(f"{folder}/{path}", None, "verify.missing", f"{what} cannot be read ({exc.strerror})"))
        return False
    if not is_file:
        problems.append(error(f"{folder}/{path}", None, "verify.missing", f"{what} listed in manifest.json "
                              + ("is not a plain file; it was not read" if exists else "is missing")))
    return is_file


def _inside(folder: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of symbolic links
        return False


def _utf8(folder: Path, path: str, what: str, problems: list[Diagnostic]) -> bool:
    """A page or text file is read as UTF-8, the way browsers are told to read it."""
    try:
        (folder / path).read_bytes().decode("utf-8")
        return True
    except OSError as exc:
        problems.append(error(f"{folder}/{path}", None, "verify.unreadable", f"{what} cannot be read ({exc.strerror})"))
    except UnicodeDecodeError as exc:
        problems.append(error(f"{folder}/{path}", None, "verify.unreadable",
                              f"{what} is not UTF-8 text (byte {exc.start}); {REBUILD}"))
    return False


@contextlib.contextmanager
def _quiet(name: str):
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _kind(value) -> str:
    """What a JSON value is, for a message: 'a number (5)', 'null', 'a list'."""
    kinds = {type(None): "null", bool: "true/false", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "an object"}
    kind = kinds.get(type(value), type(value).__name__)
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, (list, dict)) else ""
    return f"{kind} {shown}" if value is not None and len(shown) <= 40 and shown else kind


def _under(diagnostic: Diagnostic, folder: Path) -> Diagnostic:
    """Name output files as the user gave the folder (build/site/..., not site/...)."""
    return Diagnostic(f"{folder}/{diagnostic.path}", diagnostic.line, diagnostic.code, diagnostic.message,
                      diagnostic.severity)
