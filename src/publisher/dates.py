"""ISO 8601 moments, the one rule shared by front matter dates and ``--as-of``.

A moment is a date (midnight UTC) or a date-time with ``Z``, an offset, or no zone (read as UTC).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|z|[+-]\d{2}:?\d{2})?)?$"
)


@dataclass(frozen=True, order=True)
class Moment:
    instant: datetime  # always timezone-aware, in UTC
    has_time: bool = field(default=False, compare=False)  # 2027-01-01 is the same moment as 2027-01-01T00:00Z

    @property
    def date(self) -> date:
        return self.instant.date()

    def isoformat(self) -> str:
        if not self.has_time:
            return self.instant.date().isoformat()
        return self.instant.strftime("%Y-%m-%dT%H:%M:%SZ")

    def human(self) -> str:
        """'5 March 2025' or '5 March 2025, 14:30 UTC': unambiguous in every locale."""
        day = f"{self.instant.day} {self.instant:%B %Y}"
        return f"{day}, {self.instant:%H:%M} UTC" if self.has_time else day

    def __str__(self) -> str:
        return self.isoformat()


def parse_moment(text: str) -> Moment:
    """Parse an ISO 8601 date or date-time; raise ValueError with a readable reason."""
    if not isinstance(text, str) or not _ISO.fullmatch(text.strip()):
        raise ValueError("must be an ISO 8601 date (2025-03-05) or date-time (2025-03-05T14:30:00Z)")
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:  # e.g. day is out of range for month
        raise ValueError(f"is not a real date: {exc}") from None
    if len(text) == 10:
        return Moment(datetime(parsed.year, parsed.month, parsed.day, tzinfo=timezone.utc), False)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return Moment(parsed.astimezone(timezone.utc), True)
    except OverflowError:
        raise ValueError("is out of range") from None


def now(as_of: str | Moment | None = None) -> Moment:
    """The build's one notion of "now": ``--as-of``, else SOURCE_DATE_EPOCH, else the clock."""
    if isinstance(as_of, Moment):
        return as_of
    if as_of:
        return parse_moment(as_of)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return Moment(datetime.fromtimestamp(int(epoch), timezone.utc), True)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}") from None
    return Moment(datetime.now(timezone.utc).replace(microsecond=0), True)


def today(now: Moment) -> Moment:
    """The day of ``now`` (UTC), as a date: what a sign-off records by default."""
    return Moment(datetime(now.instant.year, now.instant.month, now.instant.day, tzinfo=timezone.utc), False)


def microseconds(instant: datetime) -> int:
    """Exact microseconds since 1970 (floats would round): how stamps record moments."""
    return (instant - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)
