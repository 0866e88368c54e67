"""Editions: the site in its own language, and in each language ``[languages]`` enables.

A translation is an article with ``lang: es`` and ``translation_of: <slug of the original>``; its
outputs live under ``/es/``. It carries the same disclaimers as any article of its edition, each in
that edition's language (``content/disclaimers/<id>.es.md``), and it records the fingerprint of
the original it was made from (``translated_from``), so that an edit of the original shows which
translations now say less, or something else, than it.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

from .addresses import public_address
from .approvals import fingerprint
from .config import Config, SiteConfig
from .content import DISCLAIMER_DIR
from .errors import Diagnostic, error, warning
from .model import Article, Disclaimer


def editions(config: Config) -> list[str]:
    """Every edition of the site: "" (the default language) first, then each enabled language."""
    return [""] + list(config.languages)


def edition_language(config: Config, edition: str) -> str:
    """The language tag an edition's pages declare (``<html lang>``, feeds, hreflang)."""
    return edition or config.site.language


def edition_site(config: Config, edition: str) -> SiteConfig:
    """[site] as an edition's pages show it: its own title, description and language."""
    if not edition:
        return config.site
    own = config.languages[edition]
    return dataclasses.replace(config.site, title=own.title or config.site.title,
                               description=own.description or config.site.description, language=edition)


def alternate_links(entry, config: Config, outputs: dict, output: str, page: str) -> list[dict]:
    """The editions of an article's ``output`` (its page, or its summary) that this build has, for
    hreflang links and the language switcher: lang, path, href (absolute with a base_url), name,
    and whether it is this page."""
    from .strings import language_name
    from .templates import relative_url

    links = []
    for edition, slug in entry.editions:
        path = outputs.get(slug, {}).get(output)
        if path is None:
            continue
        lang = edition_language(config, edition)
        href = public_address(config.site.base_url, path) if config.site.base_url else relative_url(path, page)
        links.append({"lang": lang, "path": path, "href": href, "name": language_name(lang), "current": path == page})
    return links if len(links) > 1 else []


def original_fingerprint(article: Article) -> str:
    """What a translation is made from: the original's title, description, body and summary."""
    return fingerprint(article, ()).value


def localise_disclaimers(article: Article, chosen: tuple[Disclaimer, ...], translated: dict,
                         content_folder: str) -> tuple[tuple[Disclaimer, ...], list[Diagnostic]]:
    """The disclaimers of an article in another edition, each in that edition's language; one
    without a translation is an error naming the article and the file to write."""
    if not article.edition:
        return chosen, []
    found, problems = [], []
    for disclaimer in chosen:
        own = translated.get((disclaimer.id, article.edition))
        if own is None:
            expected = f"{content_folder}/{DISCLAIMER_DIR}/{disclaimer.id}.{article.edition}.md"
            problems.append(error(article.source, article.lines.get("lang"), "disclaimer.untranslated",
                                  f"the disclaimer {disclaimer.id!r} ({disclaimer.source}) has no translation into "
                                  f"{article.edition!r}, the language of this article: write {expected}"))
        else:
            found.append(own)
    return tuple(found), problems


def check_translations(articles: Iterable[Article], config: Config) -> list[Diagnostic]:
    """Each translation names an original in the site's language, one per language, made from the
    original as it now stands ('translation out of date' otherwise; an error with strict)."""
    articles = list(articles)
    originals = {a.slug: a for a in articles if not a.edition}
    seen: dict[tuple[str, str], Article] = {}
    problems = []
    for article in articles:
        if article.translation_of is None:
            continue
        line = article.lines.get("translation_of")
        if not article.edition:
            problems.append(error(article.source, line, "translation.of",
                                  f"'translation_of' is for a translation, but this article is in the site's own "
                                  f"language ({config.site.language!r}): set its 'lang', or delete the line"))
            continue
        original = originals.get(article.translation_of)
        if original is None:
            problems.append(error(article.source, line, "translation.of",
                                  f"'translation_of' names {article.translation_of!r}, but no article in the site's "
                                  f"language ({config.site.language!r}) has that slug"))
            continue
        twin = seen.setdefault((original.slug, article.edition), article)
        if twin is not article:
            problems.append(error(article.source, line, "translation.duplicate",
                                  f"{twin.source} already translates {original.source} into {article.edition!r}; "
                                  "keep one of them"))
            continue
        current = original_fingerprint(original)
        if article.translated_from == current:
            continue
        report = error if config.strict_translations else warning
        where = article.lines.get("translated_from") or line
        if article.translated_from is None:
            problems.append(report(article.source, where, "translation.fingerprint",
                                   f"translation out of date, as far as the build can tell: it records no "
                                   f"fingerprint of {original.source}; once it matches the original, add "
                                   f"'translated_from: {current}'"))
        else:
            problems.append(report(article.source, where, "translation.stale",
                                   f"translation out of date: {original.source} changed since this translation was "
                                   f"made from it; bring the translation in line with it, then set "
                                   f"'translated_from: {current}'"))
    return problems


SITE_FOLDERS = ("tags", "leaflets", "search", "pagefind")  # site-wide pages and the search index


def check_reserved_slugs(articles: Iterable[Article], config: Config) -> list[Diagnostic]:
    """An article's address may not be a folder the site uses for itself: its topics, leaflets,
    search and search index, or an edition's folder ('es')."""
    taken = {*SITE_FOLDERS, *config.languages}
    problems = []
    for article in articles:
        name = article.slug.rpartition("/")[2]
        if name in taken and "/" not in article.slug or (article.edition and name in SITE_FOLDERS):
            problems.append(error(article.source, article.lines.get("slug", 1), "frontmatter.slug",
                                  f"the slug {name!r} is the address of the site's own "
                                  f"{'edition in ' + repr(name) if name in config.languages else name + ' page'}; "
                                  "give the article another 'slug:'"))
    return problems


def alternates(articles: Iterable[Article]) -> dict[str, tuple[tuple[str, str], ...]]:
    """slug -> (edition, slug) of every edition of the same article among ``articles``, the
    original first: what hreflang links and the language switcher name. Alone, an article has none."""
    articles = list(articles)
    slugs = {a.slug for a in articles}
    groups: dict[str, list[Article]] = {}
    for article in articles:
        root = article.translation_of if article.edition and article.translation_of in slugs else article.slug
        if article.edition and article.translation_of and root != article.translation_of:
            continue  # its original is not published in this build: it stands alone
        groups.setdefault(root, []).append(article)
    found = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        members = tuple((a.edition, a.slug) for a in sorted(group, key=lambda a: (a.edition != "", a.edition)))
        found.update({a.slug: members for a in group})
    return found
