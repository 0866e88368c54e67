"""The content model: plain, frozen data with no I/O, shared by every channel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from .dates import Moment
from .errors import Diagnostic

if TYPE_CHECKING:  # types only: the model does no I/O and imports no loader
    from .config import Config
    from .content import LoadedContent
    from .glossary import Glossary


@dataclass(frozen=True)
class Disclaimer:
    """A warning written once and injected into every channel, in the form each one promises."""

    id: str
    title: str
    short: str  # one line: feeds, page footers, PDF running footer
    plain: str  # the same in plain words: summaries
    placement: str  # "top" or "bottom" of the article
    required: bool  # an article may not remove it
    body: str  # full text, Markdown
    source: str  # path relative to the project
    sha256: str = ""  # of the whole file, so an audit can tell which wording went out
    lang: str = ""  # "" for the site's language; else the language of this translation (<id>.<lang>.md)
    kind: str = "warning"  # "warning", or a statement of "funding" or competing "interests" (shown apart)


@dataclass(frozen=True)
class Reference:
    title: str
    url: str
    publisher: Optional[str] = None
    year: Optional[int] = None


@dataclass(frozen=True)
class ClaimReview:
    """A reviewer's sign-off on one risky phrase in one article (see content/claims.yaml)."""

    phrase: str
    reviewed_by: str
    reviewed_on: Optional[Moment] = None


@dataclass(frozen=True)
class Review:
    """A review a page shows: from an approval that matches the text (approvals.py), or the
    article's own reviewed_by and reviewed_on while it has no approval (``fingerprint`` None)."""

    role: str
    label: str  # "Medically reviewed", "Reviewed (legal)"
    by: str
    on: Optional[Moment] = None
    fingerprint: Optional[str] = None


@dataclass(frozen=True)
class Article:
    source: str  # path relative to the project, e.g. content/ketamine-therapy.md
    slug: str
    title: str
    date: Moment
    author: str
    description: str
    body: str  # Markdown, without front matter
    body_line: int  # line of the source file where the body starts
    id: Optional[str] = None
    credentials: Optional[str] = None  # the author's qualifications, shown after the name ("MD, psychiatrist")
    updated: Optional[Moment] = None
    reviewed_by: Optional[str] = None
    reviewed_on: Optional[Moment] = None
    tags: tuple[str, ...] = ()
    lang: str = "en"
    status: str = "published"
    expires: Optional[Moment] = None
    disclaimer_refs: tuple[str, ...] = ()  # as written: "id" adds, "-id" removes a default
    sources: tuple[Reference, ...] = ()
    plain_summary: Optional[str] = None
    claims_reviewed: tuple[ClaimReview, ...] = ()
    bundle_dir: Optional[str] = None  # folder of a page bundle (index.md plus its images)
    translation_of: Optional[str] = None  # the original's slug, when this is a translation
    translated_from: Optional[str] = None  # the original's fingerprint when it was translated
    edition: str = ""  # "" in the site's language; else the language folder its outputs live in ('es')
    sha256: str = ""  # of the whole source file
    lines: dict = field(default_factory=dict, compare=False, hash=False)  # front matter key -> line

    @property
    def last_modified(self) -> Moment:
        return self.updated or self.date

    def visibility(self, now: Moment) -> str:
        """'draft', 'scheduled' (dated after now), 'expired' or 'published', as of ``now``."""
        if self.expires is not None and self.expires <= now:
            return "expired"
        if self.status == "draft":
            return "draft"
        if self.date > now:
            return "scheduled"
        return "published"

    def line_of(self, *needles: str) -> int | None:
        """The first body line (in the file's numbering) that holds one of ``needles`` as a link
        or image target (``](x``, ``src="x"``, ``href=x``), else as any text: where a message
        about a reference, a link or a file points. A short name ('x') is found where it is
        referred to, not in the first word that happens to contain it."""
        lines = self.body.split("\n")
        for needle in (n for n in needles if n):
            target = re.compile(r"(?:\]\(\s*<?|\b(?:src|href|srcset|poster|data)\s*=\s*[\"']?)"
                                + re.escape(needle) + r"(?=[\s\"')>#?,]|$)")
            for number, line in enumerate(lines, self.body_line):
                if target.search(line):
                    return number
        for number, line in enumerate(lines, self.body_line):
            if any(needle and needle in line for needle in needles):
                return number
        return None


@dataclass(frozen=True)
class Selection:
    """Which articles a build publishes: the as-of moment and the author's overrides."""

    now: Moment
    drafts: bool = False
    future: bool = False

    def includes(self, article: Article) -> bool:
        if article.expires is not None and article.expires <= self.now:
            return False  # expired articles appear nowhere, whatever the flags
        if article.status == "draft" and not self.drafts:
            return False
        return self.future or article.date <= self.now


@dataclass(frozen=True)
class Entry:
    """One article ready for the channels: its resolved disclaimers and sanitised HTML.

    Every HTML field here has passed the one sanitising policy (sanitise.py); channels never
    convert or sanitise on their own."""

    article: Article
    disclaimers: tuple[Disclaimer, ...]
    body_html: str
    disclaimer_html: dict  # disclaimer id -> full text as HTML
    raw_html: str = ""  # the body as pandoc wrote it, before sanitising: what checks of the source read
    summary: Optional[str] = None  # plain-language summary, Markdown
    summary_source: Optional[str] = None  # "authored" (front matter) or "generated" (a draft)
    summary_html: Optional[str] = None  # the summary as sanitised HTML
    summary_text: Optional[str] = None  # the summary as plain text, one line per paragraph
    summary_wrapped: Optional[str] = None  # the same, wrapped for the plain-text summary file
    summary_figures: Any = None  # readability.Readability of summary_text, when measured
    bundle_files: tuple = ()  # (path in the bundle, source file) of each file published beside the page (bundles.py)
    fingerprint: str = ""  # of what a reviewer approves (approvals.py)
    reviews: tuple[Review, ...] = ()  # what the page, leaflet and structured data show, medical first
    review_due: Optional[Moment] = None  # the day the oldest review shown falls due again (checks.review)
    editions: tuple = ()  # (edition, slug) of every edition of this article in the build, the original first

    def placed(self, placement: str) -> tuple[Disclaimer, ...]:
        return tuple(d for d in self.disclaimers if d.placement == placement)


@dataclass(frozen=True)
class Project:
    """Where a project's parts live; defaults follow the standard layout."""

    root: Path
    content: Path
    layouts: Path

    @classmethod
    def at(cls, root, content=None, layouts=None) -> "Project":
        root = Path(root).resolve()
        return cls(root, Path(content or root / "content").resolve(), Path(layouts or root / "layouts").resolve())


@dataclass(frozen=True)
class Site:
    """Everything loaded from a project's sources, before any article is converted."""

    config: "Config"
    content: "LoadedContent"
    resolved: dict  # slug -> disclaimers in order
    glossary: "Glossary"
    claims: tuple  # ClaimRule, from content/claims.yaml
    approvals: dict = field(default_factory=dict)  # slug -> role -> approvals.Approval


@dataclass
class BuildReport:
    out: Path
    articles: list[str] = field(default_factory=list)  # slugs, in manifest order
    outputs: dict[str, int] = field(default_factory=dict)  # channel -> files written
    reused: dict[str, int] = field(default_factory=dict)  # channel -> outputs taken from the cache
    warnings: list[Diagnostic] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    up_to_date: bool = False  # nothing changed since the last build so asked: nothing was written
    span: tuple = (None, None)  # "now" may move within this span (see uptodate.py) for the same result
    layouts: dict[str, str] = field(default_factory=dict)  # layout file -> "theme", or the project's file over it

    def as_json(self) -> dict:
        return {
            "out": str(self.out),
            "articles": self.articles,
            "files": self.outputs,
            "reused": self.reused,
            "up_to_date": self.up_to_date,
            "warnings": [{"path": d.path, "line": d.line, "code": d.code, "message": d.message} for d in self.warnings],
            "manifest": self.manifest,
            "layouts": self.layouts,
        }
