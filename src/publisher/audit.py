"""``publish check``: the compliance gate, on the sources and, optionally, on a finished build.

Source checks are those of a build (front matter, disclaimers, glossary, claims, medical review)
plus internal links and image alt text. ``built`` re-reads an existing output folder the way its
readers will, so a build that someone edited afterwards can be audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .channels import default_channels
from .checks.compliance import verify_feeds, verify_html_pages, verify_leaflets
from .checks.links import check_links
from .errors import Diagnostic, PublishError, error
from .markdown import MarkdownConverter
from .model import Selection
from .output import StagingFolder, read_manifest
from .api import Project, resolve_now
from .pipeline import gate_articles, load_site, prepare_entry, select_articles


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


def check_project(project, *, content=None, layouts=None, built=None, as_of=None) -> CheckReport:
    paths = Project.at(project, content, layouts)
    report = CheckReport(built=str(built) if built else None)
    try:
        now = resolve_now(as_of)
        site = load_site(paths, default_channels())
    except PublishError as exc:
        report.diagnostics = exc.diagnostics
        return report
    articles = select_articles(site.content.articles, Selection(now))
    report.articles = [a.slug for a in articles]
    report.diagnostics = list(site.warnings) + gate_articles(articles, site, now, paths.root)
    markdown = MarkdownConverter()
    entries = [prepare_entry(a, site, markdown, wants_summary=False) for a in articles]
    problems, report.external_links = check_links(entries)
    report.diagnostics += problems
    if built:
        report.diagnostics += verify_build(Path(built), site, markdown)
    return report


def verify_build(folder: Path, site, markdown: MarkdownConverter) -> list[Diagnostic]:
    """Every output a build's manifest lists still carries its disclaimers, in today's wording."""
    manifest = read_manifest(folder)
    if manifest is None:
        return [error(str(folder), None, "verify.manifest", "not a publisher build: no readable manifest.json")]
    by_slug = {a.slug: a for a in site.content.articles}
    problems, entries, outputs = [], [], {}
    for record in manifest["articles"]:
        slug = record.get("slug")
        article = by_slug.get(slug)
        if article is None:
            problems.append(error(f"{folder}/manifest.json", None, "verify.article",
                                  f"the build lists article {slug!r}, which the content no longer has"))
            continue
        entry = prepare_entry(article, site, markdown, wants_summary=False)
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
             + verify_feeds(entries, feeds, site.config.site.base_url, built))
    return problems + [_under(d, folder) for d in found]


def _under(diagnostic: Diagnostic, folder: Path) -> Diagnostic:
    """Name output files as the user gave the folder (build/site/..., not site/...)."""
    return Diagnostic(f"{folder}/{diagnostic.path}", diagnostic.line, diagnostic.code, diagnostic.message,
                      diagnostic.severity)
