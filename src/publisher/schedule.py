"""What is due to appear or disappear next: lets a scheduler run the build exactly then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .dates import Moment
from .model import Article


@dataclass(frozen=True, order=True)
class Change:
    at: Moment
    slug: str
    action: str  # "appears" or "disappears"
    title: str


def upcoming_changes(articles: Iterable[Article], now: Moment) -> list[Change]:
    """Changes after ``now``, soonest first: a published article's date, any article's expiry."""
    changes = []
    for article in articles:
        if article.status == "draft":
            continue  # a draft appears when someone publishes it, not at a time
        if article.date > now and (article.expires is None or article.expires > article.date):
            changes.append(Change(article.date, article.slug, "appears", article.title))
        if article.expires is not None and article.expires > now:
            changes.append(Change(article.expires, article.slug, "disappears", article.title))
    return sorted(changes)


def instant_iso(moment: Moment) -> str:
    """A full ISO 8601 instant (a date means its midnight UTC): what a scheduler needs."""
    return moment.instant.strftime("%Y-%m-%dT%H:%M:%SZ")
