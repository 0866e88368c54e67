"""What is due to appear or disappear next: lets a scheduler run the build exactly then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable, Optional

from .dates import Moment, microseconds
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


def unchanged_span(articles: Iterable[Article], now: Moment, review_max_days: Optional[int],
                   approval_dates: Iterable[Moment] = ()) -> tuple:
    """The span of "now" around ``now`` in which a build gives the same result, as microseconds
    since 1970 (None: unbounded): between the moments an article appears or expires, an approval's
    day comes, or, with medical review required (``review_max_days``), a review grows too old."""
    points, approval_dates = [], list(approval_dates)
    reviews = [a.reviewed_on for a in articles if a.reviewed_on is not None] + approval_dates
    for article in articles:
        points.append(article.date.instant)
        if article.expires is not None:
            points.append(article.expires.instant)
    points += [on.instant for on in approval_dates]
    for reviewed in reviews if review_max_days is not None else ():
        try:
            points.append(reviewed.instant + timedelta(days=review_max_days + 1))
        except OverflowError:  # a review whose limit falls after the year 9999 never grows too old
            pass
    micros = [microseconds(p) for p in points]
    at = microseconds(now.instant)
    return max((m for m in micros if m <= at), default=None), min((m for m in micros if m > at), default=None)

