"""Find and load articles and disclaimers from ``content/``, collecting every problem."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import schema
from .addresses import tag_identity, tag_slug
from .errors import Diagnostic, error, warning
from .bounds import check_body
from .cache import Memo, kept_findings
from .config import LANGUAGE_CODE_RE
from .frontmatter import parse_document, read_text
from .inputs import code_digest
from .model import Article, ClaimReview, Disclaimer, Reference
from .scaffold import PLACEHOLDERS
from .schema import Field

DISCLAIMER_DIR = "disclaimers"

REFERENCE_FIELDS = {
    "title": Field(schema.plain_text, required=True),
    "url": Field(schema.url, required=True),
    "publisher": Field(schema.plain_text),
    "year": Field(schema.whole_number),
}
CLAIM_REVIEW_FIELDS = {
    "phrase": Field(schema.text, required=True),  # the claims.yaml phrase this silences, in this article only
    "reviewed_by": Field(schema.plain_text, required=True),
    "reviewed_on": Field(schema.moment),
}
DISCLAIMER_REF_RE = re.compile(r"^-?[a-z0-9]+(?:-[a-z0-9]+)*$")


def _disclaimer_ref(value):
    if not isinstance(value, str) or not DISCLAIMER_REF_RE.fullmatch(value):
        raise ValueError("must be a disclaimer id such as 'crisis-help', or '-id' to drop a default")
    return value


DISCLAIMER_KINDS = ("warning", "funding", "interests")
ARTICLE_FIELDS = {
    "title": Field(schema.plain_text, required=True),
    "date": Field(schema.moment, required=True),
    "author": Field(schema.plain_text, required=True),
    "credentials": Field(schema.plain_text),  # the author's qualifications: "MD, consultant psychiatrist"
    "description": Field(schema.plain_text, required=True),
    "id": Field(schema.uuid_text),
    "slug": Field(schema.slug),
    "updated": Field(schema.moment),
    "reviewed_by": Field(schema.plain_text),
    "reviewed_on": Field(schema.moment),
    "tags": Field(schema.list_of(schema.plain_text, "text"), default=()),
    "lang": Field(schema.language),
    "status": Field(schema.one_of("draft", "published"), default="published"),
    "expires": Field(schema.moment),
    "disclaimers": Field(schema.list_of(_disclaimer_ref, "disclaimer ids"), default=()),
    "sources": Field(schema.list_of(schema.record(REFERENCE_FIELDS, Reference),
                                    "references (title, url, publisher, year)"), default=()),
    "plain_summary": Field(schema.text),
    "claims_reviewed": Field(schema.list_of(schema.record(CLAIM_REVIEW_FIELDS, ClaimReview),
                                            "reviewed claims (phrase, reviewed_by, reviewed_on)"),
                             default=()),
    "translation_of": Field(schema.slug),  # the slug of the original, in the site's default language
    "translated_from": Field(schema.fingerprint),  # the original's fingerprint when it was translated
}
DISCLAIMER_FIELDS = {
    "title": Field(schema.plain_text, required=True),
    "short": Field(schema.plain_text, required=True),
    "plain": Field(schema.plain_text, required=True),
    "placement": Field(schema.one_of("top", "bottom"), default="bottom"),
    "required": Field(schema.boolean, default=False),
    # a warning, or a statement readers are owed: who paid for the work, or the authors' competing interests
    "kind": Field(schema.one_of(*DISCLAIMER_KINDS), default="warning"),
    "placeholder": Field(schema.boolean, default=False),  # a starter's wording (publish init), not yet reviewed
}


@dataclass(frozen=True)
class LoadedContent:
    articles: tuple[Article, ...]
    disclaimers: dict[str, Disclaimer]
    diagnostics: tuple[Diagnostic, ...]
    broken: frozenset[str] = frozenset()  # ids of disclaimer files that failed to load (their errors say why)
    translated: dict = field(default_factory=dict)  # (disclaimer id, language) -> Disclaimer, from <id>.<lang>.md


def find_article_files(content: Path) -> list[Path]:
    """``<slug>.md`` files and ``<slug>/index.md`` page bundles anywhere below ``content/`` (such
    as ``content/es/``), sorted; a folder that holds ``index.md`` is a bundle, not a folder of articles."""
    found, seen = [], set()

    def walk(folder: Path, top: bool) -> None:
        real = folder.resolve()
        if real in seen:  # a link back up the tree
            return
        seen.add(real)
        for path in sorted(folder.iterdir()):
            if path.name.startswith((".", "_")) or (top and path.name == DISCLAIMER_DIR):
                continue
            if path.is_file() and path.suffix == ".md":
                found.append(path)
            elif path.is_dir() and (path / "index.md").is_file():
                found.append(path / "index.md")
            elif path.is_dir():
                walk(path, False)

    walk(content, True)
    return found


def load_content(project: Path, content: Path, default_lang: str, edition_of=None, bounds=None) -> LoadedContent:
    """Every article and disclaimer; ``edition_of`` (Config.edition_of) puts an article in another
    language under its language's folder ('es/<slug>'), and refuses a language the site lacks.
    ``bounds`` (a PackCache) keeps the findings of each body's bounds check, the dearest check of
    loading, by the body, where it starts and our code."""
    diagnostics: list[Diagnostic] = []
    if not content.is_dir():
        return LoadedContent((), {}, (error(shown_path(content, project), None, "content.missing",
                                            "content folder not found; create it or pass --content DIR"),))
    disclaimers, broken, translations = {}, set(), []
    folder = content / DISCLAIMER_DIR
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        if "." in path.stem:  # <id>.<lang>.md: read once every original is known
            translations.append(path)
            continue
        disclaimer, problems = load_disclaimer(path, shown_path(path, project), project)
        diagnostics += problems
        if disclaimer:
            disclaimers[disclaimer.id] = disclaimer
        else:
            broken.add(path.stem)
    translated = {}
    for path in translations:
        disclaimer, problems = load_disclaimer_translation(path, shown_path(path, project), project, disclaimers,
                                                           frozenset(broken))
        diagnostics += problems
        if disclaimer:
            translated[disclaimer.id, disclaimer.lang] = disclaimer
        else:
            broken.add(path.stem)
    articles = []
    for path in find_article_files(content):
        article, problems = load_article(path, shown_path(path, project), default_lang, project, bounds)
        diagnostics += problems
        if article and edition_of is not None:
            article, problems = _in_edition(article, edition_of)
            diagnostics += problems
        if article:
            articles.append(article)
    diagnostics += _duplicates(articles) + _tag_pages(articles)
    return LoadedContent(tuple(articles), disclaimers, tuple(diagnostics), frozenset(broken), translated)


def _in_edition(article: Article, edition_of) -> tuple[Article | None, list[Diagnostic]]:
    edition = edition_of(article.lang)
    if edition is None:
        return None, [error(article.source, article.lines.get("lang"), "frontmatter.lang",
                            f"the site has no edition in {article.lang!r}: add a [languages.{article.lang.lower()}] "
                            "table (with its title) to publish.toml, or correct 'lang'")]
    if not edition:
        return article, []
    return replace(article, slug=f"{edition}/{article.slug}", edition=edition), []


def _read_checked(path: Path, shown: str, fields, code: str, inside: Path | None):
    """Read a file (refusing one outside ``inside``) and check its front matter:
    (text, document, values, problems); document None on failure."""
    text, problems = read_text(path, shown, inside)
    if text is None:
        return None, None, {}, problems
    return (text, *_checked(text, shown, fields, code))


def _checked(text: str, shown: str, fields, code: str):
    """(document, values, problems) of a source's text; document None when it does not parse."""
    document, problems = parse_document(text, shown)
    if document is None:
        return None, {}, problems
    values, problems = schema.check_mapping(document.data, fields, path=shown, lines=document.lines,
                                            code=code, first_line=1)
    return document, values, problems


_PARSED = Memo(8192)  # articles parsed and checked in this process, by their text and place


def load_article(path: Path, shown: str, default_lang: str = "en", inside: Path | None = None,
                 bounds=None) -> tuple[Article | None, list[Diagnostic]]:
    text, problems = read_text(path, shown, inside)  # every time: the file may have become a link out
    if text is None:
        return None, problems
    article, found = _PARSED.get((text, str(path), shown, default_lang),
                                 lambda: _article_from_text(text, path, shown, default_lang, bounds))
    return article, list(found)


def _article_from_text(text: str, path: Path, shown: str, default_lang: str,
                       bounds=None) -> tuple[Article | None, tuple]:
    document, values, problems = _checked(text, shown, ARTICLE_FIELDS, "frontmatter")
    if document is None:
        return None, tuple(problems)
    is_bundle = path.name == "index.md"
    if values["slug"] is None:
        values["slug"] = path.parent.name if is_bundle else path.stem
        if not schema.SLUG_RE.fullmatch(values["slug"]) or len(values["slug"]) > schema.MAX_SLUG:
            problems.append(error(shown, 1, "frontmatter.slug",
                                  f"the name {values['slug'][:40]!r}{'...' if len(values['slug']) > 40 else ''} is not "
                                  f"a valid slug (lowercase letters, digits and hyphens, at most {schema.MAX_SLUG} "
                                  "characters); rename the file or add 'slug: ...' to the front matter"))
    problems += kept_findings(bounds, ("bounds", code_digest(), document.body, str(document.body_line), shown),
                              lambda: check_body(document.body, document.body_line, shown))
    if values["status"] == "published":
        problems += _placeholders(text, shown)
    problems += _check_dates(values, document.lines, shown)
    if values["description"] and _sentence_count(values["description"]) > 2:
        problems.append(warning(shown, document.lines.get("description"), "frontmatter.description",
                                "'description' should be one or two sentences; it is shown in search results"))
    if any(p.is_error for p in problems):
        return None, tuple(problems)
    refs = values.pop("disclaimers")
    values["lang"] = values["lang"] or default_lang
    article = Article(
        source=shown, body=document.body, body_line=document.body_line, disclaimer_refs=refs,
        bundle_dir=str(path.parent) if is_bundle else None, lines=dict(document.lines),
        sha256=_sha256(text), **values,
    )
    return article, tuple(problems)


def load_disclaimer(path: Path, shown: str, inside: Path | None = None) -> tuple[Disclaimer | None, list[Diagnostic]]:
    text, document, values, problems = _read_checked(path, shown, DISCLAIMER_FIELDS, "disclaimer", inside)
    if document is None:
        return None, problems
    if not schema.SLUG_RE.fullmatch(path.stem):
        problems.append(error(shown, None, "disclaimer.id", f"the file name {path.stem!r} is not a valid disclaimer "
                              "id (lowercase letters, digits and hyphens); rename the file"))
    problems += _disclaimer_text(document, values, shown)
    if any(p.is_error for p in problems):
        return None, problems
    return Disclaimer(id=path.stem, body=document.body, source=shown, sha256=_sha256(text), **values), problems


def load_disclaimer_translation(path: Path, shown: str, inside: Path | None, originals: dict,
                                broken: frozenset) -> tuple[Disclaimer | None, list[Diagnostic]]:
    """``<id>.<lang>.md``: the same disclaimer in another language. Where it goes and whether an
    article may drop it are the original's, so a translation cannot move or weaken a warning."""
    ident, _, lang = path.stem.rpartition(".")
    text, document, values, problems = _read_checked(path, shown, DISCLAIMER_FIELDS, "disclaimer", inside)
    if document is None:
        return None, problems
    if not schema.SLUG_RE.fullmatch(ident) or not LANGUAGE_CODE_RE.fullmatch(lang):
        return None, problems + [error(shown, None, "disclaimer.id", f"the file name {path.name!r} is neither "
                                       "<id>.md nor <id>.<lang>.md (such as crisis-help.es.md); rename the file")]
    original = originals.get(ident)
    if original is None:
        if ident in broken:
            return None, problems
        return None, problems + [error(shown, None, "disclaimer.translation", f"translates the disclaimer "
                                       f"{ident!r}, but there is no {DISCLAIMER_DIR}/{ident}.md: add the original, "
                                       "or rename this file")]
    for key in ("placement", "required", "kind"):
        if key in document.data and values[key] != getattr(original, key):
            problems.append(error(shown, document.lines.get(key), "disclaimer.translation",
                                  f"'{key}' is {values[key]!r} here but {getattr(original, key)!r} in "
                                  f"{original.source}: a translation keeps the original's; delete the line"))
    problems += _disclaimer_text(document, values, shown)
    if any(p.is_error for p in problems):
        return None, problems
    return Disclaimer(id=ident, title=values["title"], short=values["short"], plain=values["plain"],
                      placement=original.placement, required=original.required, kind=original.kind, body=document.body,
                      source=shown, sha256=_sha256(text), lang=lang), problems


def _disclaimer_text(document, values: dict, shown: str) -> list[Diagnostic]:
    """What every disclaimer file, original or translation, must have: a one-line short text and a
    full text; and whether its wording is still a placeholder (``placeholder`` is taken out of ``values``)."""
    problems = []
    if values["short"] and "\n" in values["short"]:
        problems.append(error(shown, document.lines.get("short"), "disclaimer.short",
                              "'short' must be a single line: it goes in feeds and page footers"))
    if not document.body.strip():
        problems.append(error(shown, document.body_line, "disclaimer.body",
                              "the disclaimer has no full text; write it below the front matter"))
    if values.pop("placeholder"):
        problems.append(warning(shown, document.lines.get("placeholder"), "disclaimer.placeholder",
                                "this wording is marked as a placeholder (publish init marks its starter texts so): "
                                "have it reviewed for your service and the country you publish for, then delete "
                                "'placeholder: true'"))
    return problems


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _placeholders(text: str, shown: str) -> list[Diagnostic]:
    """A published article may not keep the text `publish new` wrote for its author to replace."""
    return [error(shown, number, "content.placeholder", f"still holds the text 'publish new' wrote for you to "
                  f"replace ({placeholder!r}); write the article's own words, or set 'status: draft'")
            for number, line in enumerate(text.split("\n"), 1) for placeholder in PLACEHOLDERS if placeholder in line]


def _check_dates(values: dict, lines: dict, shown: str) -> list[Diagnostic]:
    problems = []
    for key in ("updated", "expires"):
        if values[key] is not None and values["date"] is not None and values[key] < values["date"]:
            problems.append(error(shown, lines.get(key), f"frontmatter.{key}",
                                  f"'{key}' ({values[key]}) is before 'date' ({values['date']})"))
    return problems


def _sentence_count(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s])


def _duplicates(articles: list[Article]) -> list[Diagnostic]:
    """Two articles may share neither a slug (one address) nor an id (one feed item)."""
    problems = []
    for key, fix in (("slug", "give one of them another 'slug:'"), ("id", "give one of them a new id")):
        seen: dict[str, Article] = {}
        for article in articles:
            value = getattr(article, key)
            if value is None:
                continue
            if value in seen:
                problems.append(error(article.source, article.lines.get(key, 1), f"content.duplicate-{key}",
                                      f"{key} {value!r} is already used by {seen[value].source}; {fix}"))
            else:
                seen[value] = article
    return problems


def _tag_pages(articles: list[Article]) -> list[Diagnostic]:
    """Each topic has a page of its own: two different tags may not share a tag page's folder name,
    and a folder name must fit the file system."""
    problems, seen = [], {}
    for article in articles:
        for tag in article.tags:
            name, line = tag_slug(tag), article.lines.get("tags")
            if len(name) > schema.MAX_SLUG:
                problems.append(error(article.source, line, "frontmatter.tags",
                                      f"the tag {tag[:40]!r}... is too long for a page of its own (its name has "
                                      f"{len(name)} characters, the limit is {schema.MAX_SLUG}); shorten it"))
                continue
            first = seen.setdefault(name, (tag, article.source))
            if tag_identity(first[0]) != tag_identity(tag):
                problems.append(error(article.source, line, "frontmatter.tags",
                                      f"the tag {tag!r} would share the page tags/{name}/ with the tag {first[0]!r} "
                                      f"({first[1]}); write both the same way, or make them differ in letters"))
    return problems


def shown_path(path: Path, project: Path) -> str:
    """``path`` relative to the project as the author names it (a link by its own name, not its target's)."""
    ways = (lambda: (Path(os.path.abspath(path.parent)), Path(os.path.abspath(project))),
            lambda: (path.parent.resolve(), project.resolve()))  # resolved only when the plain way fails
    for way in ways:
        folder, root = way()
        try:
            return (folder / path.name).relative_to(root).as_posix()
        except ValueError:
            continue
    return str(path)
