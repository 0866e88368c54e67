"""The PDF channel: a printable, tagged leaflet per article, rendered by WeasyPrint.

``layouts/pdf/leaflet.html`` and ``leaflet.css`` (both Jinja2 templates) give the print layout.
Leaflets are rendered after every article is prepared, across a process pool when there
are several, and WeasyPrint may read only files inside ``content/`` and ``layouts/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Any, Iterable, Optional
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from markupsafe import Markup

from .. import schema
from ..addresses import LEAFLETS, STYLESHEET, edition_key, edition_path, edition_view, leaflet_path, page_url
from ..editions import edition_language, edition_site, editions
from ..cache import OutputCache, cache_key
from ..checks.references import embedded_files
from ..errors import error, warning
from ..inputs import LEAFLET
from ..model import Article, Entry
from ..schema import Field
from ..strings import strings_for
from ..templates import render
from .base import BuildContext, Rendered
from .weasy import LeafletJob, LeafletResult, inputs_unchanged, render_leaflet, warm_up

PAGE_SIZES = ("A5", "A4", "Letter")


@dataclass(frozen=True)
class Variant:
    """One kind of leaflet: the screen leaflet every build writes, or one a [pdf] switch adds."""

    output: str  # its name in the manifest's outputs (and the article page's format link)
    suffix: str  # of its file name: <slug><suffix>.pdf
    option: Optional[str] = None  # the [pdf] key that asks for it; None: always written
    print_marks: bool = False  # bleed and crop marks for a print shop
    large_print: bool = False  # A4, body text at 16 pt or more (RNIB clear print)
    standard: str = "pdf/ua-1"  # WeasyPrint's PDF variant; the print shop's is PDF/X-4 (pdfx.py), tagged too


VARIANTS = (
    Variant("pdf", ""),
    Variant("pdf_print", "-print", "print_marks", print_marks=True, standard="pdf/x-4"),
    Variant("pdf_large", "-large", "large_print", large_print=True),
)
SCREEN = VARIANTS[0]
PRINT_DPI = 300  # what a print shop asks of a raster image, at its printed size
_OL_START = re.compile(r'<ol start="(\d+)"')


class PdfChannel:
    section = "pdf"
    renders_alone = False  # the leaflets page lists every leaflet
    unlisted_outputs = False
    manifest_keys = (*(v.output for v in VARIANTS), "leaflets")
    templates = ("pdf/leaflet.html", "pdf/leaflet.css", "pdf/leaflets.html")
    options = {
        "page_size": Field(schema.one_of(*PAGE_SIZES), default="A5"),
        "max_pages": Field(schema.within(schema.whole_number, 1, 100), default=4),
        "print_marks": Field(schema.boolean, default=False),  # also write <slug>-print.pdf with bleed and crop marks
        "large_print": Field(schema.boolean, default=False),  # also write <slug>-large.pdf: A4, text at 16 pt or more
    }

    def outputs(self, article: Article, ctx: BuildContext) -> dict[str, str]:
        return {v.output: leaflet_path(article.slug, v.suffix) for v in variants(ctx.options(self.section))}

    def site_outputs(self, ctx: BuildContext) -> dict[str, Any]:
        return {edition_key(edition, "leaflets"): edition_path(edition, LEAFLETS) for edition in editions(ctx.config)}

    def check(self, config, requested: bool) -> list:
        return []  # references are checked with the entries (plan.py); page counts once rendered

    def render(self, entry: Entry, ctx: BuildContext) -> Rendered:
        return Rendered()  # leaflets are rendered together by finish(), across a process pool

    def finish(self, entries: list[Entry], ctx: BuildContext) -> Rendered:
        options = ctx.options(self.section)
        jobs: list[tuple[Entry, LeafletJob, Variant]] = []  # made one by one, as _render_all takes them

        def make():
            for entry in entries:
                for variant in variants(options):
                    jobs.append((entry, _job(entry, ctx, variant), variant))
                    yield jobs[-1][1]

        results = _render_all(make(), len(entries) * len(variants(options)), ctx)
        rendered = Rendered(reused=sum(1 for r in results if r.reused))
        listed = []
        max_pages = options["max_pages"]
        for (entry, job, variant), result in zip(jobs, results):
            article = entry.article
            if result.refused:
                rendered.diagnostics.append(error(
                    *_referrer(result.refused, job, entry, ctx), "pdf.reference",
                    f"the leaflet of {article.source} refers to {unquote(result.refused)!r}: {result.reason}"))
            elif result.failed:
                rendered.diagnostics.append(error(
                    ctx.layouts.shown("pdf/leaflet.css"), None, "pdf.render",
                    f"WeasyPrint could not render the leaflet of {article.source} ({result.failed}); check "
                    "layouts/pdf/leaflet.css and leaflet.html against the theme's, or report it as a bug of publish"))
            elif result.pages > max_pages and variant is SCREEN:  # the others are as long as they need
                rendered.diagnostics.append(error(
                    article.source, None, "pdf.pages", f"the leaflet has {result.pages} pages, over [pdf] "
                    f"max_pages = {max_pages}; shorten the article or raise max_pages in publish.toml"))
            else:
                rendered.diagnostics += [warning(
                    article.source, article.line_of(src) if src else None, "pdf.resolution",
                    f"the image {src!r} prints at {dpi} pixels per inch in the leaflet for a print shop, under "
                    f"{PRINT_DPI}: give it at least {PRINT_DPI} pixels per inch of its printed width, or show it smaller")
                    for src, dpi in result.low_resolution]
                rendered.diagnostics += [_dropped(drawer, url, reason, job, entry, ctx)
                                         for drawer, url, reason in result.dropped]
                path = leaflet_path(article.slug, variant.suffix)
                rendered.add(path, result.pdf)
                if variant is SCREEN:
                    others = [(f"format_{v.output}", leaflet_path(article.slug, v.suffix))
                              for v in variants(options) if v is not SCREEN]
                    listed.append((entry, path, result.pages, len(result.pdf), others))
        for edition in editions(ctx.config):  # a page of leaflets per edition, in its language
            page = ctx.site_outputs[edition_key(edition, "leaflets")]
            site_outputs = edition_view(ctx.site_outputs, edition)
            rendered.add(page, render(
                ctx.templates, "pdf/leaflets.html", ctx.layouts,
                site=edition_site(ctx.config, edition), lang=edition_language(ctx.config, edition), page=page,
                root=site_outputs.get("index"),
                stylesheet=STYLESHEET if "index" in site_outputs else None,
                canonical=None, disclaimers=(), site_outputs=site_outputs,
                leaflets=[row for row in listed if row[0].article.edition == edition], page_size=options["page_size"],
            ))
        return rendered


def variants(options) -> list[Variant]:
    """The leaflets [pdf] asks for, the screen leaflet first."""
    return [v for v in VARIANTS if v.option is None or options[v.option]]


def _job(entry: Entry, ctx: BuildContext, variant: Variant) -> LeafletJob:
    article = entry.article
    options = ctx.options(PdfChannel.section)
    address = page_url(ctx.config.site.base_url, article.slug)
    common = dict(site=edition_site(ctx.config, article.edition), lang=article.lang, article=article,
                  reviews=entry.reviews, review_due=entry.review_due)
    html = render(
        ctx.templates, "pdf/leaflet.html", ctx.layouts, **common,
        body=Markup(_list_starts(entry.body_html)),
        key_points=Markup(_list_starts(entry.summary_html)) if entry.summary_html else None,
        top=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("top")],
        bottom=[(d, Markup(entry.disclaimer_html[d.id])) for d in entry.placed("bottom")],
        web_address=address,
        qr_svg=Markup(_qr_svg(address, strings_for(ctx.layouts, article.lang)("qr_title", title=article.title)))
        if address else "",
        content_hash=content_hash(entry),
    )
    css = render(
        ctx.templates, "pdf/leaflet.css", ctx.layouts, **common,
        page_size="A4" if variant.large_print else options["page_size"], print_marks=variant.print_marks,
        large_print=variant.large_print,
        footer=" · ".join(d.short for d in entry.disclaimers),
    )
    job = LeafletJob(
        slug=article.slug, html=html, css=css,
        html_base=article.bundle_dir or str(ctx.content),
        css_base=str(ctx.layouts.own / "pdf"),
        allowed=(str(ctx.content), *map(str, ctx.layouts.folders)),
        overlay=(str(ctx.layouts.own), str(ctx.layouts.theme)),
        project=str(ctx.project),
        variant=variant.standard,
        epoch=int(article.last_modified.instant.timestamp()),
        min_dpi=PRINT_DPI if variant.print_marks else 0,
    )
    images = embedded_files(entry, ctx.content)
    # what a leaflet is declared to depend on (inputs.py: WeasyPrint's version, layouts/pdf, ...) and its own
    key = cache_key(ctx.digests.of("leaflet", LEAFLET), job.variant, str(job.epoch), str(job.min_dpi), job.html, job.css,
                    *(f"{p.name}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in images))
    return replace(job, key=key)


def content_hash(entry: Entry) -> str:
    """A short hash of the words in a leaflet (article and disclaimers), printed on it."""
    digest = hashlib.sha256(entry.article.sha256.encode())
    for disclaimer in entry.disclaimers:
        digest.update(disclaimer.sha256.encode())
    return digest.hexdigest()[:10]


def _list_starts(html: str) -> str:
    """Give ``<ol start="N">`` the ``--start`` the print CSS numbers its items from."""
    return _OL_START.sub(lambda m: f'{m.group(0)} style="--start: {int(m.group(1)) - 1}"', html)


def _referrer(url: str, job: LeafletJob, entry: Entry, ctx: BuildContext) -> tuple[str, Optional[int]]:
    """The file that holds a refused reference, and its line where known: the article, when one
    of its images or links resolves to that address; the print CSS, when one of its url()s does;
    else the leaflet template. Resolved, not guessed by substring: <img src=x> is not the CSS's."""
    article_base = Path(job.html_base).as_uri() + "/"
    for ref in _HTML_REF.findall(entry.body_html + (entry.summary_html or "")):
        ref = html.unescape(ref)
        if urljoin(article_base, ref) == url or ref == url:
            return entry.article.source, entry.article.line_of(ref)
    css_base = Path(job.css_base).as_uri() + "/"
    for ref in _CSS_URL.findall(job.css):
        if urljoin(css_base, ref.strip()) == url or ref.strip() == url:
            return ctx.layouts.shown("pdf/leaflet.css"), None
    return ctx.layouts.shown("pdf/leaflet.html"), None


def _dropped(drawer: str, url: str, reason: str, job: LeafletJob, entry: Entry, ctx: BuildContext):
    """A warning for a file WeasyPrint went on without: inside an SVG, it leaves the whole drawing out."""
    target = unquote(url.rsplit("/", 1)[-1])
    if drawer:
        image = unquote(drawer.rsplit("/", 1)[-1])
        return warning(*_referrer(drawer, job, entry, ctx), "pdf.dropped",
                       f"the leaflet leaves out the image {image!r}: it draws {target!r}, which the leaflet may not use "
                       f"({reason}); add that file beside the drawing, or export the drawing again without it")
    path = Path(unquote(urlsplit(url).path))
    shown = path.relative_to(ctx.project).as_posix() if path.is_relative_to(ctx.project) else unquote(url)
    return warning(*_referrer(url, job, entry, ctx), "pdf.dropped", f"the leaflet leaves out {shown!r}: {reason}")


_HTML_REF = re.compile(r"""\b(?:src|href|poster|data)\s*=\s*["']([^"']*)["']""")
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def _qr_svg(address: str, title: str) -> str:
    import segno

    code = segno.make(address, error="m")
    return code.svg_inline(scale=4, border=0, title=title, omitsize=False)


def _render_all(jobs: Iterable[LeafletJob], count: int, ctx: BuildContext) -> list[LeafletResult]:
    """Reuse cached leaflets; render the rest, across one warm process per core when several.

    The jobs come one at a time: from the second leaflet to render on, the pool starts, and its
    processes import WeasyPrint and render while this one lays out the rest of the jobs (a
    job's HTML, CSS and QR code take about 10 ms; a thousand of them used to come first).
    """
    cache = OutputCache(ctx.cache_dir, "leaflets")
    made: list[LeafletJob] = []
    results: dict[int, LeafletResult] = {}
    waiting: list[int] = []  # to render, not yet handed to a process
    futures: dict = {}
    workers = min(os.cpu_count() or 1, count)

    def finished(index: int, result: LeafletResult) -> None:
        results[index] = result
        if not (result.reused or result.refused or result.failed):  # a reused one keeps its entry, inputs and all
            cache.put(made[index].key, result.pdf, {"pages": result.pages, "inputs": result.inputs,
                                                    "low_resolution": result.low_resolution,
                                                    "dropped": result.dropped})
        ctx.report_progress("leaflets", len(results), count)

    with contextlib.ExitStack() as stack:
        pool = None
        for index, job in enumerate(jobs):
            made.append(job)
            hit = cache.get(job.key)
            if hit is not None and inputs_unchanged(hit[1].get("inputs", ()), job.project):
                finished(index, LeafletResult(job.slug, pdf=hit[0], pages=hit[1]["pages"], reused=True,
                                              low_resolution=tuple(map(tuple, hit[1].get("low_resolution", ()))),
                                              dropped=tuple(map(tuple, hit[1].get("dropped", ())))))
                continue
            waiting.append(index)
            if pool is None and workers > 1 and len(waiting) > 1:
                pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers, initializer=warm_up))
            if pool is not None:
                futures.update((pool.submit(render_leaflet, made[i]), i) for i in waiting)
                waiting.clear()
        for index in waiting:  # one leaflet to render: quicker here than in a process of its own
            finished(index, render_leaflet(made[index]))
        for future in as_completed(futures):
            finished(futures[future], future.result())
    return [results[i] for i in range(len(made))]
