"""The content model: plain, frozen data with no I/O, shared by every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .dates import Moment


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
    """One article ready for the channels: its resolved disclaimers and HTML from pandoc."""

    article: Article
    disclaimers: tuple[Disclaimer, ...]
    body_html: str
    disclaimer_html: dict  # disclaimer id -> full text as HTML
    raw_html: str = ""  # the body as pandoc wrote it, before sanitising: what checks of the source read
    summary: Optional[str] = None  # plain-language summary, Markdown
    summary_source: Optional[str] = None  # "authored" (front matter) or "generated" (a draft)

    def placed(self, placement: str) -> tuple[Disclaimer, ...]:
        return tuple(d for d in self.disclaimers if d.placement == placement)
