"""``publish check``: the compliance gate, on the sources and, optionally, on a finished build.

Source checks are the very plan a build of every channel runs (plan.py: front matter, disclaimers,
layouts, glossary, claims, medical review, embedded files, summaries and their readability), plus
internal links and image alt text. ``built`` re-reads an existing output folder the way its
readers will, so a build that someone edited afterwards can be audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .api import resolve_now
from .channels import default_channels
from .checks.compliance import verify_feeds, verify_html_pages, verify_leaflets
from .checks.links import check_links
from .errors import Diagnostic, PublishError, error
from .model import Project
from .output import StagingFolder, read_manifest
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
    """Every output a build's manifest lists still carries its disclaimers, in today's wording."""
    manifest = read_manifest(folder)
    if manifest is None:
        return [error(str(folder), None, "verify.manifest", "not a publisher build: no readable manifest.json")]
    by_slug = {e.article.slug: e for e in plan.entries}
    listed = {record.get("slug") for record in manifest["articles"]}
    others = [a for a in plan.site.content.articles if a.slug in listed and a.slug not in by_slug]
    problems, entries, outputs = [], [], {}
    if others:  # built then, not published as of now (expired, or built with --drafts or --future)
        from .plan import prepare_entries

        try:
            by_slug.update((e.article.slug, e) for e in prepare_entries(others, plan.site, plan.markdown, set()))
        except PublishError as exc:
            problems += exc.diagnostics
    for record in manifest["articles"]:
        slug = record.get("slug")
        entry = by_slug.get(slug)
        if entry is None:
            problems.append(error(f"{folder}/manifest.json", None, "verify.article",
                                  f"the build lists article {slug!r}, which the content no longer has"))
            continue
        built_with = [(d.get("id"), d.get("sha256")) for d in record.get("disclaimers", [])]
        if built_with != [(d.id, d.sha256) for d in entry.disclaimers]:
            problems.append(error(f"{folder}/manifest.json", None, "verify.wording",
                                  f"article {slug!r} was built with other disclaimers or other wording than the "
                                  "content has now; rebuild it"))
        for name, path in record.get("outputs", {}).items():
            if not (folder / path).is_file():
                problems.append(error(f"{folder}/{path}", None, "verify.missing",
                                      f"article {slug!r}: the {name} output listed in manifest.json is missing"))
        entries.append(entry)
        outputs[slug] = {k: v for k, v in record.get("outputs", {}).items() if (folder / v).is_file()}
    for key, value in sorted(manifest.items()):
        listed = value.values() if isinstance(value, dict) and key != "articles" else [value] if isinstance(value, str) else []
        for path in listed:
            if isinstance(path, str) and not (folder / path).is_file():
                problems.append(error(f"{folder}/{path}", None, "verify.missing",
                                      f"the {key} output listed in manifest.json is missing"))
    built = StagingFolder(folder)  # read only: the checks read files through it
    feeds = {k: v for k, v in manifest.get("feeds", {}).items() if (folder / v).is_file()}
    found = (verify_html_pages(entries, outputs, built) + verify_leaflets(entries, outputs, built)
             + verify_feeds(entries, feeds, plan.site.config.site.base_url, built))
    return problems + [_under(d, folder) for d in found]


def _under(diagnostic: Diagnostic, folder: Path) -> Diagnostic:
    """Name output files as the user gave the folder (build/site/..., not site/...)."""
    return Diagnostic(f"{folder}/{diagnostic.path}", diagnostic.line, diagnostic.code, diagnostic.message,
                      diagnostic.severity)
