"""Medical review: published articles need a reviewer and a review no older than the limit."""

from __future__ import annotations

from ..config import ReviewConfig
from ..dates import Moment
from ..errors import Diagnostic, error
from ..model import Article


def check_review(article: Article, review: ReviewConfig, now: Moment) -> list[Diagnostic]:
    if article.reviewed_on and article.reviewed_on.instant > now.instant:  # it would never grow stale
        return [error(article.source, article.lines.get("reviewed_on"), "review.future",
                      f"reviewed_on ({article.reviewed_on}) is after {now}: a review is dated the day it was done; "
                      "correct the date")]
    if not review.required:
        return []
    if not article.reviewed_by or not article.reviewed_on:
        missing = " and ".join(k for k in ("reviewed_by", "reviewed_on") if not getattr(article, k))
        return [error(article.source, 1, "review.missing",
                      f"no medical review: add {missing} (who reviewed the article, and when); "
                      "[review] required = true in publish.toml")]
    age = (now.instant - article.reviewed_on.instant).days
    if age > review.max_age_days:
        return [error(article.source, article.lines.get("reviewed_on"), "review.stale",
                      f"the medical review of {article.reviewed_on} is {age} days old as of {now}, over "
                      f"[review] max_age_days = {review.max_age_days}; have it re-reviewed and update reviewed_on")]
    return []
