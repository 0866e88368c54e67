"""Medical review: published articles need a review no older than the limit.

The review is the one the page shows (approvals.reviews_of): an approval that matches today's
text, or, for an article with no approval at all, its front matter reviewed_by and reviewed_on.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

from ..config import ReviewConfig
from ..dates import Moment
from ..errors import Diagnostic, error
from ..model import Article, Review


def check_review(article: Article, reviews: tuple[Review, ...], review: ReviewConfig, now: Moment) -> list[Diagnostic]:
    if article.reviewed_on and article.reviewed_on.instant > now.instant:  # it would never grow stale
        return [error(article.source, article.lines.get("reviewed_on"), "review.future",
                      f"reviewed_on ({article.reviewed_on}) is after {now}: a review is dated the day it was done; "
                      "correct the date")]
    if not review.required and not review.roles:
        return []
    if not reviews:
        if review.roles:
            return []  # approval.missing says what to do
        return [error(article.source, 1, "review.missing",
                      f"no medical review: once it is done, record it with 'publish approve {article.slug} --role "
                      "medical --by NAME' (or add reviewed_by and reviewed_on); [review] required = true in publish.toml")]
    if any(r.on is None for r in reviews):
        return [error(article.source, 1, "review.missing", "the medical review has no date: add reviewed_on (the day "
                      f"it was done), or record the review with 'publish approve {article.slug} --role medical --by NAME'")]
    oldest = min(reviews, key=lambda r: r.on.instant)
    age = (now.instant - oldest.on.instant).days
    if age > review.max_age_days:
        bound = oldest.fingerprint is not None
        return [error(article.source, None if bound else article.lines.get("reviewed_on"), "review.stale",
                      f"the {oldest.role} review of {oldest.on} by {oldest.by} is {age} days old as of {now}, over "
                      f"[review] max_age_days = {review.max_age_days}; have it re-reviewed, then "
                      + (f"'publish approve {article.slug} --role {oldest.role} --by NAME'" if bound
                         else "update reviewed_on"))]
    return []


def review_due(reviews: tuple[Review, ...], review: ReviewConfig) -> Optional[Moment]:
    """The last day the oldest dated review shown stays within [review] max_age_days: the "next
    review due" date every channel prints. None when no review is dated, or the day lies past the
    calendar's end (a review dated near the year 9999)."""
    dated = [r.on for r in reviews if r.on is not None]
    if not dated:
        return None
    oldest = min(dated, key=lambda on: on.instant).date
    try:
        day = oldest + timedelta(days=review.max_age_days)
    except OverflowError:
        return None
    return Moment(datetime(day.year, day.month, day.day, tzinfo=timezone.utc), False)
