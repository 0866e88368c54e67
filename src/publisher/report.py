"""The content-health report: one page for managers (``publish report``; ``report/`` in a full build).

A row per article (every article in content/, drafts and scheduled ones too, so work in progress
shows): reading level, words, long sentences, passive share, claims, the review's age and due
date, approvals, translations and their freshness. Two charts, made with matplotlib as inline
SVG: the reading grades against the target, and the reviews falling due month by month. The
same rows are written as report.json and report.csv. Everything is computed from the sources and
"now", so two runs on the same sources give the same bytes.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from markupsafe import Markup

from .checks.claims import lint_claims
from .checks.plain import body_figures
from .checks.review import review_due
from .dates import Moment
from .editions import original_fingerprint
from .model import Article, Site

TEMPLATE = "report/report.html"
MONTHS = 12  # the due-date chart's span, from the month of "now"


@dataclass(frozen=True)
class Row:
    """One article's figures: ``values`` for report.json, ``cells`` (as the table shows them) for
    the table and report.csv."""

    values: dict
    cells: dict
    page: Optional[str]  # the article's page in the build (relative to the output folder), if built


COLUMNS = (  # key -> heading, in the table's and the CSV's order
    ("article", "Article"), ("lang", "Language"), ("status", "Status"), ("reading_level", "Reading level"),
    ("words", "Words"), ("long_sentences", "Long sentences"), ("passive", "Passive"), ("claims", "Claims to check"),
    ("reviewed", "Last review"), ("review_due", "Review due"), ("approvals", "Approvals"),
    ("translations", "Translations"),
)


def article_rows(site: Site, now: Moment, root, cache, pages: dict | None = None) -> list[Row]:
    """A row per article of the project, by slug; ``pages``: slug -> page path, where built;
    ``cache``: where each article's text figures are remembered (``_text_figures``)."""
    from .plan import review_state

    config = site.config
    articles = sorted(site.content.articles, key=lambda a: a.slug)
    originals = {a.slug: a for a in articles if not a.edition}
    rows = []
    for article in articles:
        figures = _text_figures(article, site, root, cache)
        body, reading, summary, claims = (figures[k] for k in ("body", "reading", "summary", "claims"))
        print_, reviews = review_state(article, site)
        due = review_due(reviews, config.review)
        dated = [r.on for r in reviews if r.on is not None]
        last = min(dated, key=lambda on: on.instant) if dated else None
        recorded = site.approvals.get(article.slug, {})
        approvals = {role: {"by": a.by, "on": a.on.isoformat(), "current": a.fingerprint == print_.value}
                     for role, a in sorted(recorded.items())}
        missing = [role for role in config.review.roles if not approvals.get(role, {}).get("current")]
        values = {
            "slug": article.slug, "title": article.title, "source": article.source, "lang": article.lang,
            "status": article.visibility(now),
            "grade": reading["grade"] if reading and reading["ease"] is None else None,
            "reading_ease": reading["ease"] if reading else None, "scale": reading["scale"] if reading else None,
            "summary_grade": summary["grade"] if summary and summary["ease"] is None else None,
            "summary_reading_ease": summary["ease"] if summary else None,
            "words": body["words"], "sentences": body["sentences"],
            "average_sentence_words": body["average_sentence_words"],
            "long_sentences": body["long_sentences"], "passive_share": body["passive_share"],
            "claims_to_check": claims, "claims_reviewed": len(article.claims_reviewed),
            "reviewed_on": last.isoformat() if last else None,
            "review_age_days": (now.instant - last.instant).days if last else None,
            "review_due": due.isoformat() if due else None,
            "review_overdue": bool(due and due.date < now.date),
            "approvals": approvals, "approvals_missing": missing,
            "translation_of": article.translation_of,
            "translation_current": (article.translated_from == original_fingerprint(originals[article.translation_of])
                                    if article.translation_of in originals else None),
            "translations": [{"slug": t.slug, "lang": t.lang,
                              "current": t.translated_from == original_fingerprint(article)}
                             for t in articles if t.translation_of == article.slug and t.edition],
        }
        rows.append(Row(values, _cells(values), (pages or {}).get(article.slug)))
    return rows


def _text_figures(article: Article, site: Site, root, cache) -> dict:
    """What the report reads from an article's text (its body figures, reading levels and claims
    to check), remembered by the article file's hash and what the figures are counted against, so
    a build reads and measures again only the articles that changed."""
    from dataclasses import asdict

    from .cache import cache_key
    from .readability import measure_cached

    key = cache_key("text", article.sha256, article.lang, json.dumps(dict(site.config.plain), sort_keys=True,
                                                                      default=str),
                    repr(site.claims), _code_digest())
    hit = cache.get(key)
    if hit is not None:
        return hit[1]
    raw = (root / article.source).read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n")
    figures = body_figures(article, raw, site.config.plain)
    text = figures.pop("text")
    reading = asdict(measure_cached(text, cache, article.lang)) if text else None
    summary = asdict(measure_cached(article.plain_summary, cache, article.lang)) if article.plain_summary else None
    found = {"body": figures, "reading": reading, "summary": summary,
             "claims": sum(1 for _ in lint_claims(article, raw, list(site.claims)))}
    cache.put(key, b"", found)
    return found


def make_report(site: Site, now: Moment, root, templates, layouts, cache_dir, pages: dict | None = None) -> dict:
    """The report's files (name inside ``report/`` -> bytes), its figures remembered in ``cache_dir``."""
    from .cache import PackCache

    cache = PackCache(cache_dir, "report")
    rows = article_rows(site, now, root, cache, pages)
    files = report_files(rows, site, now, templates, layouts, cache)
    cache.save()
    return files


def _cells(v: dict) -> dict:
    """The table's text of each column: what report.csv holds too."""
    if v["grade"] is not None:
        reading = f"grade {v['grade']:.1f}"
    elif v["reading_ease"] is not None:
        reading = f"ease {v['reading_ease']:.1f} ({v['scale']})"
    else:
        reading = "none"
    if v["reviewed_on"]:
        reviewed = f"{v['reviewed_on']} ({v['review_age_days']} days ago)"
    else:
        reviewed = "none"
    approvals = [f"{role}: {a['by']} {a['on']}{'' if a['current'] else ' (text changed since)'}"
                 for role, a in v["approvals"].items()] + [f"{role}: missing" for role in v["approvals_missing"]
                                                           if role not in v["approvals"]]
    if v["translation_of"]:
        translations = f"of {v['translation_of']}: " + {True: "up to date", False: "out of date",
                                                         None: "original missing"}[v["translation_current"]]
    else:
        translations = "; ".join(f"{t['lang']}: {'up to date' if t['current'] else 'out of date'}"
                                 for t in v["translations"]) or "none"
    return {
        "article": v["title"], "lang": v["lang"], "status": v["status"], "reading_level": reading,
        "words": str(v["words"]), "long_sentences": str(v["long_sentences"]),
        "passive": "n/a" if v["passive_share"] is None else f"{v['passive_share']:.0%}",
        "claims": str(v["claims_to_check"]), "reviewed": reviewed,
        "review_due": (v["review_due"] + (" (overdue)" if v["review_overdue"] else "")) if v["review_due"] else "none",
        "approvals": "; ".join(approvals) or "none", "translations": translations,
    }


def report_files(rows: list[Row], site: Site, now: Moment, templates, layouts, cache) -> dict[str, bytes]:
    """index.html, report.json and report.csv of ``rows`` (paths inside ``report/``); ``cache``
    (cache.OutputCache) keeps the charts, so a build whose figures did not move loads no matplotlib."""
    from .templates import render

    target = float(site.config.channel("summary").get("max_grade", 8.0))
    # keyed on what each chart draws, so an edit that moves no bar reuses the chart
    articles, summaries = _grade_counts(rows)
    grades = _cached(cache, "grades", [target, articles, summaries], lambda: _grade_chart(articles, summaries, target))
    labels, values = _due_counts(rows, now)
    due = _cached(cache, "due", [labels, values], lambda: _due_chart(labels, values))
    html = render(templates, TEMPLATE, layouts, site=site.config.site, now=now, columns=COLUMNS, rows=rows,
                  target=target, grade_chart=Markup(grades), due_chart=Markup(due),
                  undated=sum(1 for r in rows if r.values["review_due"] is None),
                  page_links={r.values["slug"]: f"../{r.page}" for r in rows if r.page})
    document = {"as_of": now.isoformat(), "site": site.config.site.title, "target_grade": target,
                "columns": [heading for _, heading in COLUMNS], "articles": [r.values for r in rows]}
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["slug", *(heading for _, heading in COLUMNS)])
    for row in rows:
        writer.writerow([row.values["slug"], *(row.cells[key] for key, _ in COLUMNS)])
    return {"index.html": html.encode("utf-8"),
            "report.json": (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
            "report.csv": table.getvalue().encode("utf-8")}


def _cached(cache, name: str, data, make) -> str:
    from importlib import metadata

    from .cache import cache_key

    key = cache_key(name, metadata.version("matplotlib"), json.dumps(data), _code_digest())
    hit = cache.get(key)
    if hit is not None:
        return hit[0].decode("utf-8")
    svg = make()
    cache.put(key, svg.encode("utf-8"), {})
    return svg


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """This module's own source: a change to the charts' code never reuses an older chart."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


GRADE_BINS = list(range(0, 21))  # Flesch-Kincaid grades, rounded; 20 and over in the last


def _grade_counts(rows: list[Row]) -> tuple[list[int], list[int]]:
    """How many articles, and how many plain summaries, sit at each grade of GRADE_BINS."""
    article = [_bin(r.values["grade"]) for r in rows if r.values["grade"] is not None]
    summary = [_bin(r.values["summary_grade"]) for r in rows if r.values["summary_grade"] is not None]
    return [article.count(b) for b in GRADE_BINS], [summary.count(b) for b in GRADE_BINS]


def _grade_chart(article: list[int], summary: list[int], target: float) -> str:
    """The articles and plain summaries at each Flesch-Kincaid grade, against the target."""
    bins = GRADE_BINS
    figure, axes = _figure()
    width = 0.4
    axes.bar([b - width / 2 for b in bins], article, width, label="Articles", color="#0b5cad")
    axes.bar([b + width / 2 for b in bins], summary, width, label="Plain summaries", color="#b26a00")
    axes.axvline(target, color="#222", linestyle="--", linewidth=1.2, label=f"Target: grade {target:g}")
    axes.set_xlabel("Flesch-Kincaid grade (rounded; 20 and over in the last bar)")
    axes.set_ylabel("Articles")
    axes.set_ylim(0, max(1, *article, *summary))
    axes.set_xticks(bins[::2])
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the plot, never over a bar
    return _svg(figure, "grades", "Reading grades of the articles and their plain summaries against the target")


def _bin(grade: float) -> int:
    return max(0, min(20, round(grade)))


def _due_counts(rows: list[Row], now: Moment) -> tuple[list[str], list[int]]:
    """Reviews falling due month by month from now's month, with those already overdue first and
    those due later last: (labels, counts)."""
    months = []
    for n in range(MONTHS):
        try:
            months.append(_add_months(now.date.replace(day=1), n))
        except ValueError:  # past the calendar's end (an as-of near the year 9999): fewer months
            break
    counts = {m: 0 for m in months}
    overdue = later = 0
    for row in rows:
        if row.values["review_due"] is None:
            continue
        due = date.fromisoformat(row.values["review_due"])
        if due < now.date:
            overdue += 1
        elif due.replace(day=1) in counts:
            counts[due.replace(day=1)] += 1
        else:
            later += 1
    return ["Overdue", *(m.strftime("%b %Y") for m in months), "Later"], [overdue, *counts.values(), later]


def _due_chart(labels: list[str], values: list[int]) -> str:
    figure, axes = _figure()
    colours = ["#b00020", *(["#0b5cad"] * (len(labels) - 2)), "#888888"]
    axes.bar(range(len(labels)), values, color=colours)
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_ylabel("Reviews due")
    axes.set_ylim(0, max(1, *values))
    return _svg(figure, "due", "Reviews falling due by month, with overdue reviews first")


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + year, month=month + 1)


def _figure():
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7.5, 3.4), dpi=96)
    axes = figure.add_subplot()
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


_ID = re.compile(r'\bid="([^"]+)"')
_STYLE = re.compile(r'\sstyle="([^"]*)"')
_PROPERTY = re.compile(r"[a-z-]+")


def _presentation(match: re.Match) -> str:
    """matplotlib's style="fill: #0b5cad; stroke-width: 0.8" as SVG presentation attributes
    (fill="#0b5cad" stroke-width="0.8"): the page then holds no style attribute at all."""
    attributes = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if _PROPERTY.fullmatch(name) and value:
            attributes.append(f' {name}="{value}"')
    return "".join(attributes)


def _svg(figure, name: str, label: str) -> str:
    """The figure as inline SVG with the same bytes every run: a fixed hash salt, no date or
    creator, no XML prolog; its ids prefixed with ``name`` so two charts on one page never share one."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"publisher-{name}", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight",
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)  # a '*' rule there would reach the whole page
    svg = _STYLE.sub(_presentation, svg)
    ids = set(_ID.findall(svg))
    for ident in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{ident}"', f'id="{name}-{ident}"').replace(f"#{ident})", f"#{name}-{ident})") \
            .replace(f'"#{ident}"', f'"#{name}-{ident}"')
    svg = re.sub(r"^<svg ", f'<svg role="img" aria-label="{label}" ', svg, count=1)
    return svg.strip()
