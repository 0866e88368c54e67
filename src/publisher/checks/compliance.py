"""The gate: every output must carry its disclaimers before a build is swapped in."""

from __future__ import annotations

import os
from pathlib import Path

from ..cache import Verdicts, cache_key
from ..errors import Diagnostic, error
from ..fanout import map_across
from ..model import Entry
from ..output import StagingFolder
from .text import normalise, visible_text

LEAFLET_OUTPUTS = ("pdf", "pdf_print", "pdf_large")


def verify_html_pages(entries: list[Entry], outputs: dict[str, dict[str, str]], staging: StagingFolder,
                      verdicts: Verdicts | None = None) -> list[Diagnostic]:
    """Each article page and summary page shows the full text of each resolved disclaimer;
    each plain-text summary holds each disclaimer's plain words."""
    verdicts = verdicts or Verdicts(None)
    full_texts: dict[str, str] = {}  # disclaimer HTML -> its visible text: read once, not once per page
    work = []  # (entry, page, plain text?, [(wanted text, disclaimer)], verdict key)
    for entry in entries:
        for name in ("html", "summary_html", "summary_text"):
            page = outputs.get(entry.article.slug, {}).get(name)
            if page is None or not (staging.root / page).is_file():
                continue
            plain = name == "summary_text"
            wanted = [(normalise(d.plain) if plain else _memo(full_texts, entry.disclaimer_html[d.id], visible_text), d)
                      for d in entry.disclaimers]
            key = cache_key("page" if not plain else "text", staging.read_bytes(page), *(text for text, _ in wanted))
            if not verdicts.seen(key):
                work.append((entry, page, plain, wanted, key))
    jobs = [(str(staging.root / page), plain, [text for text, _ in wanted]) for _, page, plain, wanted, _ in work]
    problems = []
    for (entry, page, plain, wanted, key), missing in zip(work, map_across(_disclaimers_missing, jobs)):
        for index in missing:
            form, disclaimer = "plain words" if plain else "full text", wanted[index][1]
            problems.append(error(page, None, "verify.disclaimer",
                                  f"article {entry.article.slug!r}: the page lacks the {form} of disclaimer "
                                  f"{disclaimer.id!r} ({disclaimer.source}); check the layout's disclaimer block"))
        if not missing:
            verdicts.passed(key)
    return problems


def _disclaimers_missing(job: tuple[str, bool, list[str]]) -> list[int]:
    path, plain, wanted = job
    text = Path(path).read_text(encoding="utf-8")
    shown = normalise(text) if plain else visible_text(text)
    return [index for index, want in enumerate(wanted) if want not in shown]


def _memo(memo: dict, value: str, function):
    if value not in memo:
        memo[value] = function(value)
    return memo[value]


def verify_leaflets(entries: list[Entry], outputs: dict[str, dict[str, str]], staging: StagingFolder,
                    verdicts: Verdicts | None = None) -> list[Diagnostic]:
    """Each leaflet page carries every disclaimer's short text; the leaflet holds each in full.

    Read back with PDFium (pypdfium2), the way a PDF viewer's text extraction (or a screen
    reader) sees the PDF.
    """
    verdicts = verdicts or Verdicts(None)
    work = []  # (entry, path, verdict key, leaflet bytes, for a print shop?)
    for entry in entries:
        for name in LEAFLET_OUTPUTS:
            path = outputs.get(entry.article.slug, {}).get(name)
            if path is None:
                continue
            data = staging.read_bytes(path)
            key = cache_key("leaflet", data, *(part for d in entry.disclaimers
                                                for part in (d.short, entry.disclaimer_html[d.id])))
            if not verdicts.seen(key):
                work.append((entry, path, key, data, name == "pdf_print"))
    if work:
        import pikepdf  # noqa: F401 - imported before forking, so the children need not
        import pypdfium2  # noqa: F401
    readings = map_across(read_leaflet, [(data, print_shop) for *_, data, print_shop in work], READ_ACROSS_FROM)
    problems = []
    for (entry, path, key, _, _), (pages, unreadable, flaws, print_flaws) in zip(work, readings):
        slug = entry.article.slug
        if unreadable:
            problems.append(error(path, None, "verify.unreadable",
                                  f"article {slug!r}: the leaflet cannot be read as a PDF ({unreadable})"))
            continue
        found = len(problems)
        problems += [error(path, None, "verify.tagging", f"article {slug!r}: {problem} (PDF/UA); "
                           "check layouts/pdf/leaflet.css, or report it as a bug of publish") for problem in flaws]
        problems += [error(path, None, "verify.print", f"article {slug!r}: the leaflet for a print shop is not "
                           f"PDF/X-4: {problem}") for problem in print_flaws]
        whole = " ".join(pages)
        for disclaimer in entry.disclaimers:
            short = _pdf_text(disclaimer.short)
            for number, text in enumerate(pages, 1):
                if short not in text:
                    problems.append(error(path, None, "verify.disclaimer",
                                          f"article {slug!r}: page {number} of the leaflet lacks the "
                                          f"short text of disclaimer {disclaimer.id!r}; check layouts/pdf/leaflet.css"))
            if _pdf_text(visible_text(entry.disclaimer_html[disclaimer.id])) not in whole:
                problems.append(error(path, None, "verify.disclaimer",
                                      f"article {slug!r}: the leaflet lacks the full text of "
                                      f"disclaimer {disclaimer.id!r}; check layouts/pdf/leaflet.html"))
        if len(problems) == found:
            verdicts.passed(key)
    return problems


READ_ACROSS_FROM = 8  # leaflets: reading one takes about 20 ms, starting a process a few


def read_leaflet(job: tuple[bytes, bool]) -> tuple[list[str], str, list[str], list[str]]:
    """(each page's text, why the file cannot be read or "", its PDF/UA problems, and its PDF/X
    problems if it is for a print shop): what the gate reads in a leaflet, in a process of its own."""
    from ..channels.pdftags import structure_problems

    data, print_shop = job
    try:
        pages = [_pdf_text(text) for text in leaflet_text(data)]
    except Exception as exc:  # a damaged file: PdfiumError, or whatever a reader raises on one
        return [], str(exc) or type(exc).__name__, [], []
    if print_shop:
        from ..channels.pdfx import print_problems

        return pages, "", structure_problems(data), print_problems(data)
    return pages, "", structure_problems(data), []


def leaflet_text(data: bytes) -> list[str]:
    """The text of each page of a PDF, as PDFium (Chrome's PDF engine) extracts it: twenty times
    quicker than pypdf on a leaflet, and the same words. PDFium reports a hyphen at a line's end
    as U+0002 and joins the lines; it is put back as the hyphen it is."""
    import pypdfium2  # only when there are leaflets to read

    document = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for number in range(len(document)):
            page = document[number]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded().replace("\x02", "-"))
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


def _pdf_text(text: str) -> str:
    """Fold what PDF text extraction changes: line breaks, also those after a word's own hyphen."""
    return normalise(text).replace("- ", "-")


def verify_feeds(entries: list[Entry], feeds: dict[str, str], base_url: str | None, staging: StagingFolder) -> list[Diagnostic]:
    """The feeds pass the feed lint, and every item carries each disclaimer's short text
    in its description (or Atom summary) and in its content."""
    import xml.etree.ElementTree as ET

    from ..addresses import item_id, public_address
    from .feedlint import A, lint_atom, lint_rss

    if not feeds or not base_url:
        return []
    problems = []
    by_id = {item_id(e.article.slug, e.article.id, base_url): e for e in entries}
    readers = {
        "rss": (lint_rss, "feed.xml", "channel/item", "guid", "description",
                "{http://purl.org/rss/1.0/modules/content/}encoded"),
        "atom": (lint_atom, "atom.xml", f"{A}entry", f"{A}id", f"{A}summary", f"{A}content"),
    }
    for kind, path in sorted(feeds.items()):
        lint, name, items, ident, summary, content = readers[kind]
        data = staging.read_bytes(path)
        found = lint(data, public_address(base_url, path))
        problems += [error(path, None, "verify.feed", message) for message in found]
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            continue  # the lint has said it is not well-formed
        for item in root.findall(items):
            entry = by_id.get(item.findtext(ident))
            if entry is None:  # another edition's article, or none at all
                problems.append(error(path, None, "verify.feed", f"the feed has an item ({item.findtext(ident)!r}) "
                                      "that is not one of this feed's articles"))
                continue
            raw = item.findtext(summary) or ""
            summary_text = visible_text(raw) if kind == "rss" else normalise(raw)  # RSS: HTML; Atom: text
            content_text = visible_text(item.findtext(content) or "")
            for disclaimer in entry.disclaimers:
                short = normalise(disclaimer.short)
                for part, text in (("summary", summary_text), ("content", content_text)):
                    if short not in text:
                        problems.append(error(path, None, "verify.disclaimer",
                                              f"article {entry.article.slug!r}: the feed item's {part} lacks the short "
                                              f"text of disclaimer {disclaimer.id!r}"))
    return problems
