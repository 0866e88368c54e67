"""The gate: every output must carry its disclaimers before a build is swapped in."""

from __future__ import annotations

from ..errors import Diagnostic, error
from ..model import Entry
from ..output import StagingFolder
from .text import visible_text


def verify_html_pages(entries: list[Entry], outputs: dict[str, dict[str, str]], staging: StagingFolder) -> list[Diagnostic]:
    """Each article page shows the full text of each resolved disclaimer."""
    problems = []
    for entry in entries:
        page = outputs.get(entry.article.slug, {}).get("html")
        if page is None:
            continue
        shown = visible_text(staging.read_text(page))
        for disclaimer in entry.disclaimers:
            if visible_text(entry.disclaimer_html[disclaimer.id]) not in shown:
                problems.append(error(page, None, "verify.disclaimer",
                                      f"article {entry.article.slug!r}: the page lacks the full text of disclaimer "
                                      f"{disclaimer.id!r} ({disclaimer.source}); check the layout's disclaimer block"))
    return problems
