"""plan: load and validate everything a build needs, and report every problem of the run at once.

As MkDocs does, nothing is rendered before everything is read and checked: the configuration, the
content and its disclaimers, the layouts a build's channels use, claims and medical review, the
files articles embed, the summaries and their readability, and the output folder. ``publish
check`` runs this same plan, so whatever a build refuses, check refuses with the same message.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from . import dates
from .approvals import APPROVALS_NAME, check_approvals, fingerprint, load_approvals, reviews_of
from .bundles import bundle_files
from .cache import CACHE_DIR, PackCache, cache_key, cached_findings, keep_findings
from .checks.claims import CLAIMS_NAME, lint_claims, load_claims
from .checks.plain import check_plain
from .checks.links import check_addresses
from .checks.references import check_embedded_files, check_leaflet_references
from .checks.review import check_review, review_due
from .config import read_config
from .content import load_content, shown_path
from .disclaimers import check_default_disclaimers, resolve_disclaimers
from .addresses import edition_key
from .editions import (alternates, check_reserved_slugs, check_translations, edition_language, editions,
                       localise_disclaimers)
from .strings import check_catalogues
from .errors import Diagnostic, PublishError, error, warning
from .fanout import map_across
from .glossary import GLOSSARY_NAME, load_glossary
from .markdown import HTML, PLAIN, Conversion, MarkdownConverter
from .model import Article, Entry, Project, Selection, Site
from .inputs import Digests, code_digest
from .output import check_output_folder
from .previous import PreviousBuild, manifest_articles, published_set
from .sanitise import sanitise
from .summarize import draft_summary, sections
from .templates import check_templates, environment_for
from .layouts import Layouts

TEXT_WIDTH = 72  # columns of the plain-text summary


@dataclass(frozen=True)
class Options:
    """What a run was asked: which channels, as of when, and where it writes (None: nowhere)."""

    now: dates.Moment
    channels: Optional[tuple[str, ...]] = None
    drafts: bool = False
    future: bool = False
    out: Optional[Path] = None
    use_cache: bool = True


@dataclass
class Plan:
    """Everything loaded and validated; what the build renders, or why it cannot."""

    project: Project
    options: Options
    channels: list  # the channels to build, in registry order
    site: Optional[Site] = None
    articles: list[Article] = field(default_factory=list)  # published, newest first
    entries: list[Entry] = field(default_factory=list)
    markdown: Optional[MarkdownConverter] = None
    previous: Any = None  # previous.PreviousBuild of the output folder (None for publish check)
    keeps_others: bool = False  # a build of some channels, keeping the other channels' outputs
    full: bool = False  # every channel is built: the build writes the content-health report too
    digests: Any = None  # inputs.Digests: each channel's declared inputs, hashed
    layouts: Any = None  # layouts.Layouts: the project's own layout files over the built-in theme's
    templates: Any = None  # the Jinja2 environment of the layouts: templates compile once per run
    template_refs: dict = field(default_factory=dict)  # template -> the templates it refers to
    writes_cache: bool = True  # False with --no-cache, and when the output folder is refused
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def cache_dir(self) -> Optional[Path]:
        return self.project.root / CACHE_DIR if self.options.use_cache and self.writes_cache else None

    def rebuilt_keys(self) -> set[str]:
        """The manifest keys this build writes anew: those of the channels it builds, in every
        edition of the site ('es/index' for the Spanish index)."""
        return {edition_key(edition, key) for channel in self.channels for key in channel.manifest_keys
                for edition in editions(self.site.config)}

    def raise_if_errors(self) -> None:
        if self.errors:
            raise PublishError(self.errors)


def make_plan(project: Project, options: Options, registry) -> Plan:
    """Load and validate a run; problems are collected in ``plan.diagnostics``, never raised
    (but a usage mistake: an unknown channel)."""
    try:
        chosen = registry.select(options.channels)
    except KeyError as exc:
        raise PublishError([error(None, None, "usage.channel",
                                  f"unknown channel {exc.args[0]}; choose from {', '.join(registry.names())}")])
    plan = Plan(project, options, chosen)
    unsafe = check_output_folder(options.out, project.root, project.content, project.layouts) \
        if options.out is not None else []
    plan.writes_cache = not unsafe  # a refused run writes nothing at all, not even its cache
    bounds = PackCache(plan.cache_dir, "bounds")
    plan.site = load_site(project, registry, plan.diagnostics, bounds)
    bounds.save()
    plan.articles = select_articles(plan.site.content.articles, Selection(options.now, options.drafts, options.future))
    plan.diagnostics += unsafe
    plan.markdown = MarkdownConverter(PackCache(plan.cache_dir, "markdown"))
    plan.layouts = Layouts(project.layouts, project.root)
    plan.templates, plan.template_refs = environment_for(plan.layouts)
    plan.digests = Digests(project, plan.site.config, plan.markdown.version(), plan.templates, plan.template_refs,
                           plan.layouts)
    if options.out is not None:
        plan.previous = PreviousBuild(options.out, plan.cache_dir)
        _widen_partial_build(plan, registry)
    plan.full = {c.name for c in plan.channels} == set(registry.names())
    plan.diagnostics += check_layouts(plan)
    plan.diagnostics += check_catalogues(plan.layouts, [edition_language(plan.site.config, e) for e in
                                                        editions(plan.site.config)] + [a.lang for a in plan.articles])
    requested = set(options.channels or ())
    for channel in plan.channels:
        plan.diagnostics += channel.check(plan.site.config, channel.name in requested)
    findings = PackCache(plan.cache_dir, "plain")
    plan.diagnostics += gate_articles(plan.articles, plan.site, options.now, project.root, findings)
    findings.save()
    names = {c.name for c in plan.channels}
    try:
        plan.entries = prepare_entries(plan.articles, plan.site, plan.markdown, names)
    except PublishError as exc:  # pandoc could not convert: nothing further can be checked
        plan.diagnostics += exc.diagnostics
        return plan
    plan.markdown.save()  # now, so a run that fails later need not convert again
    plan.entries = [_with_bundle(entry, plan) for entry in plan.entries]
    others = alternates(plan.articles)
    plan.entries = [dataclasses.replace(e, editions=others.get(e.article.slug, ())) for e in plan.entries]
    for entry in plan.entries:
        plan.diagnostics += check_embedded_files(entry, project.content) + check_addresses(entry)
        if "pdf" in names:
            plan.diagnostics += check_leaflet_references(entry, project.content)
    if "summary" in names:
        figures = PackCache(plan.cache_dir, "readability")  # one file, read once, not two per summary
        plan.entries = [_checked_summary(entry, plan, figures) for entry in plan.entries]
        figures.save()
    return plan


def _with_bundle(entry: Entry, plan: Plan) -> Entry:
    files, problems = bundle_files(entry, plan.project.root)
    plan.diagnostics += problems
    return dataclasses.replace(entry, bundle_files=files) if files else entry


def load_site(project: Project, registry, diagnostics: list[Diagnostic], bounds: PackCache | None = None) -> Site:
    """Config, disclaimers, articles, glossary and claims; every problem goes to ``diagnostics``.
    ``bounds`` keeps what each article body's bounds check found (content.load_content)."""
    config, problems = read_config(project.root, registry.options())
    diagnostics += problems
    content = load_content(project.root, project.content, config.site.language, config.edition_of, bounds)
    glossary, glossary_problems = load_glossary(project.content,
                                                shown_path(project.content / GLOSSARY_NAME, project.root), project.root)
    claims, claim_problems = load_claims(project.content, shown_path(project.content / CLAIMS_NAME, project.root),
                                          project.root)
    approvals_shown = shown_path(project.content / APPROVALS_NAME, project.root)
    approvals, approval_problems = load_approvals(project.content, approvals_shown, project.root)
    diagnostics += list(content.diagnostics) + glossary_problems + claim_problems + approval_problems
    if not problems:  # against an unreadable publish.toml, every default would look unknown
        diagnostics += check_default_disclaimers(config, content.disclaimers, content.broken)
    resolved = {}
    folder = shown_path(project.content, project.root)
    for article in content.articles:
        chosen, found = resolve_disclaimers(article, config, content.disclaimers, content.broken)
        resolved[article.slug], untranslated = localise_disclaimers(article, chosen, content.translated, folder)
        diagnostics += found + untranslated
    diagnostics += check_translations(content.articles, config) + check_reserved_slugs(content.articles, config)
    slugs = {a.slug for a in content.articles}
    diagnostics += [warning(approvals_shown, min(a.line or 0 for a in roles.values()) or None, "approvals.orphan",
                            f"approvals for {slug!r}, which no article has (renamed or deleted?); remove them with "
                            f"the article, or approve the renamed article again")
                    for slug, roles in approvals.items() if slug not in slugs and not content.diagnostics]
    return Site(config, content, resolved, glossary, tuple(claims), approvals)


def review_state(article: Article, site: Site):
    """(fingerprint, the reviews its pages show): one rule for the gate, the pages and the manifest."""
    print_ = fingerprint(article, site.resolved[article.slug])
    return print_, reviews_of(article, print_, site.approvals.get(article.slug, {}))


def select_articles(articles: Iterable[Article], selection: Selection) -> list[Article]:
    """Published articles, newest first; ties by slug, so the order never changes."""
    chosen = sorted((a for a in articles if selection.includes(a)), key=lambda a: a.slug)
    return sorted(chosen, key=lambda a: a.date, reverse=True)


def gate_articles(articles: Iterable[Article], site: Site, now: dates.Moment, root: Path,
                  cache: PackCache | None = None) -> list[Diagnostic]:
    """What stops an article publishing beyond its front matter: risky claims, a missing or stale
    review, an approval the text has moved on from; and the [plain] findings, which ``cache``
    keeps by the article's text, the [plain] settings, the glossary and our code."""
    problems = []
    articles = list(articles)
    raws = [(root / a.source).read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n") for a in articles]
    for article, raw, plain in zip(articles, raws, plain_findings(articles, raws, site, cache)):
        problems += lint_claims(article, raw, list(site.claims))
        problems += plain
        print_, reviews = review_state(article, site)
        problems += check_approvals(article, print_, site.approvals.get(article.slug, {}), site.config.review.roles,
                                    now)
        problems += check_review(article, reviews, site.config.review, now)
    return problems


def plain_findings(articles: list[Article], raws: list[list[str]], site: Site, cache) -> list[list[Diagnostic]]:
    """Each article's [plain] findings: those ``cache`` keeps (by the article's text, the [plain]
    settings, the glossary and our code), the rest found across the cores (fanout.map_across),
    the dearest check of loading a thousand articles."""
    settings = json.dumps([dict(site.config.plain), site.glossary.terms], sort_keys=True, default=str)
    keys = [cache_key("plain", code_digest(), settings, a.source, a.lang, "\n".join(raw)) for a, raw in zip(articles, raws)]
    found = [cached_findings(cache, key) for key in keys]
    missing = [index for index, kept in enumerate(found) if kept is None]
    jobs = [(articles[index], raws[index], site) for index in missing]
    for index, diagnostics in zip(missing, map_across(_plain_of, jobs)):
        found[index] = diagnostics
        keep_findings(cache, keys[index], diagnostics)
    return found


def _plain_of(job: tuple[Article, list[str], Site]) -> list[Diagnostic]:
    article, raw, site = job
    return check_plain(article, raw, site.config.plain, site.glossary)


def check_layouts(plan: Plan) -> list[Diagnostic]:
    """Every template the chosen channels render, from the project's layouts or the theme, present
    and compiling."""
    from .report import TEMPLATE

    names = sorted({name for channel in plan.channels for name in getattr(channel, "templates", ())}
                   | ({TEMPLATE} if plan.full else set()))
    return check_templates(plan.templates, names, plan.layouts, plan.template_refs)


def _widen_partial_build(plan: Plan, registry) -> None:
    """A build of some channels keeps the others' outputs from the last build, but not those that
    would be stale: when the published articles or their disclaimers changed, kept pages would
    outlive an expired article or miss a new one, so every channel is built; a channel whose
    declared inputs changed since its outputs were made (inputs.py) is built too."""
    previous, chosen = plan.previous, {c.name for c in plan.channels}
    if chosen == set(registry.names()) or previous.manifest is None:
        return
    if previous.published_set() != published_set(manifest_articles(
            plan.articles, plan.site.resolved, {a.slug: review_state(a, plan.site)[1] for a in plan.articles})):
        plan.diagnostics.append(warning(None, None, "build.widened",
                                        "the published articles, their disclaimers or approvals changed since the last build: "
                                        "building every channel, so no output outlives or misses an article"))
        plan.channels = registry.select(None)
        return
    stale = [c.name for c in registry.all() if c.name not in chosen and previous.stale(c.name, plan.digests.channel(c))]
    if stale:
        plan.diagnostics.append(warning(None, None, "build.widened",
                                        f"what shapes the {', '.join(stale)} outputs changed since they were built: "
                                        "building them too, so none is kept stale"))
        plan.channels = registry.select(chosen | set(stale))
    plan.keeps_others = {c.name for c in plan.channels} != set(registry.names())


def prepare_entries(articles: list[Article], site: Site, markdown: MarkdownConverter, channels: set[str]) -> list[Entry]:
    """Convert every article (in one pandoc batch) and sanitise every HTML fragment, once."""
    summary_channel = "summary" in channels
    forms = _summary_forms(summary_channel) if {"summary", "pdf"} & channels else ()
    auto = bool(forms) and bool(site.config.channel("summary").get("auto"))
    meanwhile = None
    if summary_channel:
        from .readability import warm_up as meanwhile  # textstat loads while pandoc converts
    markdown.prefetch(_documents(articles, site, forms, auto), meanwhile=meanwhile)
    summaries = {a.slug: _summary(a, site, markdown, auto) for a in articles}
    markdown.prefetch((text, form, a.source) for a in articles for text, source in [summaries[a.slug]]
                      if source == "generated" for form in forms)  # drafts, in one more batch
    return [_entry(a, site, markdown, *summaries[a.slug], forms) for a in articles]


def _summary_forms(summary_channel: bool) -> tuple[Conversion, ...]:
    """What a summary is converted to: HTML (page, leaflet), and plain text for the summary channel."""
    return (HTML, PLAIN, Conversion("plain", TEXT_WIDTH)) if summary_channel else (HTML,)


def _documents(articles: list[Article], site: Site, forms: tuple, auto: bool):
    """The conversions of bodies, disclaimers and authored summaries, so pandoc does them in one batch."""
    for article in articles:
        yield article.body, HTML, article.source, article.body_line
        for disclaimer in site.resolved[article.slug]:
            yield disclaimer.body, HTML, disclaimer.source
        if article.plain_summary:
            yield from ((article.plain_summary, form, article.source, article.lines.get("plain_summary"))
                        for form in forms)
        elif auto:
            for _, text in sections(article.body):  # what a draft summary is picked from
                yield text, PLAIN, article.source


def _summary(article: Article, site: Site, markdown: MarkdownConverter, auto: bool) -> tuple:
    """(summary Markdown, "authored" or "generated"), or (None, None)."""
    if article.plain_summary:
        return article.plain_summary, "authored"
    if auto:
        return draft_summary(article, site.glossary, markdown).text, "generated"
    return None, None


def _entry(article: Article, site: Site, markdown: MarkdownConverter, summary: str | None, source: str | None,
           forms: tuple) -> Entry:
    disclaimers = site.resolved[article.slug]
    print_, reviews = review_state(article, site)
    raw_html = markdown.to_html(article.body, article.source, article.body_line)
    converted = {form: markdown.convert(summary, form, article.source, article.lines.get("plain_summary"))
                 for form in forms} if summary is not None else {}
    return Entry(
        article=article,
        disclaimers=disclaimers,
        body_html=sanitise(raw_html),
        raw_html=raw_html,
        disclaimer_html={d.id: sanitise(markdown.to_html(d.body, d.source)) for d in disclaimers},
        summary=summary,
        summary_source=source,
        summary_html=sanitise(converted[HTML]) if HTML in converted else None,
        summary_text=converted.get(PLAIN),
        summary_wrapped=converted.get(Conversion("plain", TEXT_WIDTH)),
        fingerprint=print_.value,
        reviews=reviews,
        review_due=review_due(reviews, site.config.review),
    )


def _checked_summary(entry: Entry, plan: Plan, cache: PackCache) -> Entry:
    """The summary channel's promise: every article has a summary a reader can manage."""
    from .readability import hardest_sentences, measure_cached

    article = entry.article
    line = article.lines.get("plain_summary")
    if entry.summary is None:
        plan.diagnostics.append(error(article.source, 1, "summary.missing",
                                      f"no plain_summary: run 'publish summarize {article.slug} --write' and edit "
                                      "the draft it writes; or set [summary] auto = true"))
        return entry
    options = plan.site.config.channel("summary")
    figures = measure_cached(entry.summary_text, cache, article.lang)
    if article.edition:  # the limits of the edition's language, on its own scale
        own = plan.site.config.languages[article.edition]
        max_words = own.max_words or options["max_words"]
        too_hard = figures.ease < own.min_reading_ease or figures.words > max_words
        limits, label = f"reading ease at least {own.min_reading_ease:g} ({figures.scale}), {max_words} words", "ease"
        where = f"[languages.{article.edition}] min_reading_ease and max_words"
    else:
        too_hard = figures.grade > options["max_grade"] or figures.words > options["max_words"]
        limits, label = f"grade {options['max_grade']}, {options['max_words']} words", "grade"
        where = "[summary] max_grade and max_words"
    if too_hard:
        hardest = "; ".join(f"[{label} {g}] {s!r}" for g, s in hardest_sentences(entry.summary_text, lang=article.lang))
        plan.diagnostics.append(error(
            article.source, line, "summary.readability",
            f"the {entry.summary_source} plain summary is too hard to read: {figures.describe()} (limits: {limits}, "
            f"set by {where}). Hardest sentences: {hardest}"))
    for term, plain in plan.site.glossary.find(entry.summary):
        plan.diagnostics.append(warning(article.source, line, "summary.glossary",
                                        f"the plain summary uses {term!r}; plain words: {plain!r}"))
    return dataclasses.replace(entry, summary_figures=figures)
