"""Every diagnostic code publisher emits, with what it means and how to fix it: one registry.

The documentation's error reference is generated from it (``python -m publisher.reference``), and
a test checks that every code the source can emit is here, and that nothing here is unused.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    names: tuple[str, ...]  # codes, or patterns: "frontmatter.<key>" stands for any key
    meaning: str  # what went wrong and how to fix it, one line (Markdown)
    warning: bool = False


CODES = (
    Code(("frontmatter.missing",), "the file does not start with `---`, or a required key is missing: add it"),
    Code(("frontmatter.empty",), "the file is empty"),
    Code(("frontmatter.unclosed",), "no closing `---` line after the front matter"),
    Code(("frontmatter.yaml",),
         "the front matter is not valid YAML (the message quotes the parser), is not a mapping, uses a tag or "
         "an alias"),
    Code(("frontmatter.duplicate",), "a key appears twice"),
    Code(("frontmatter.unknown",), "a key the schema does not know; the message suggests the nearest one"),
    Code(("frontmatter.<key>",),
         "the value of `<key>` has the wrong type or form (a bad date, a bad slug, tags that are not a list, "
         "…), or a date is before `date`"),
    Code(("frontmatter.disclaimers",),
         "an unknown disclaimer id, an attempt to drop a required disclaimer, or `-id` for one that is not a "
         "default"),
    Code(("frontmatter.description",), "the description is longer than two sentences", warning=True),
    Code(("file.encoding",), "the file is not UTF-8: save it as UTF-8 (a BOM and Windows line endings are fine)"),
    Code(("body.h1",), "a `#` heading (or a raw `<h1>`) in the body: sections start at `##`"),
    Code(("body.too-large",), "the body is over 1 MB: split the article"),
    Code(("body.too-deep",), "lists or quotes nested more than 16 levels: flatten them"),
    Code(("body.too-complex",),
         "pandoc would need too long for the body's shapes (open links, stray `<`, unclosed quotes or spans, "
         "long bracket runs): the message names the shape and its line"),
    Code(("content.reference",),
         "an image or media file that is missing, outside `content/`, or named by a `file:` address: put it "
         "beside the article"),
    Code(("content.not-image",), "a file used as an image is not PNG, JPEG, GIF, WebP or SVG: export it again"),
    Code(("content.duplicate-slug", "content.duplicate-id"),
         "two articles have the same slug or the same id: change one"),
    Code(("content.missing",), "the content folder does not exist"),
    Code(("disclaimer.<key>", "disclaimer.missing", "disclaimer.unknown"),
         "a disclaimer file's front matter is wrong (`short` must be one line)"),
    Code(("disclaimer.body",), "a disclaimer has no full text"),
    Code(("disclaimer.id",), "a disclaimer's file name is not a valid id"),
    Code(("config.toml",), "`publish.toml` is not valid TOML"),
    Code(("config.unknown", "config.<section>.unknown"), "an unknown section or key"),
    Code(("config.<section>.<key>",), "a setting has the wrong type or form"),
    Code(("config.disclaimers",), "`[disclaimers] default` names a disclaimer that does not exist"),
    Code(("config.section",), "a `publish.toml` section that is not a table"),
    Code(("config.languages",),
         "`[languages]` holds something other than `strict` and a table per language code (`[languages.es]`), "
         "or enables the site's own language"),
    Code(("translation.of",),
         "`translation_of` names no article in the site's language, or is set on an article in that language"),
    Code(("translation.duplicate",), "two articles translate the same original into the same language: keep one"),
    Code(("translation.stale", "translation.fingerprint"),
         "translation out of date: the original changed since `translated_from` was recorded (or none is): bring "
         "the translation in line, then set `translated_from` to the fingerprint the message gives (an error "
         "with `[languages] strict = true`)", warning=True),
    Code(("disclaimer.untranslated",),
         "an article in another language carries a disclaimer with no translation into it: write "
         "`content/disclaimers/<id>.<lang>.md` (the message names the file)"),
    Code(("disclaimer.translation",),
         "a disclaimer translation (`<id>.<lang>.md`) has no original, or sets `placement` or `required` "
         "differently from it"),
    Code(("layout.strings",),
         "a language the site is written in has no catalogue of the theme's strings (`layouts/i18n/<lang>.toml`), "
         "or it lacks strings or their `{fields}`: the message lists them"),
    Code(("usage.translate", "translate.slug", "translate.lang", "translate.exists"),
         "`publish translate` was given a bad `--slug` (exit 2), a slug no article in the site's language has, a "
         "language `[languages]` does not enable, or the file it would write exists"),
    Code(("plain.long-sentence", "plain.average-sentence"),
         "a sentence over `[plain] long_sentence_words` (summaries: `summary_long_sentence_words`), or sentences "
         "too long on average: split them, one idea each", warning=True),
    Code(("plain.passive",), "more sentences in the passive voice than `[plain] passive_share`: say who does what",
         warning=True),
    Code(("plain.jargon",), "a glossary term used without its plain words nearby: explain it at first use",
         warning=True),
    Code(("plain.abbreviation",),
         "an abbreviation not spelled out at first use: write the words with it in brackets, or list it in "
         "`[plain] known_abbreviations`", warning=True),
    Code(("plain.inline-list",), "a list of three or more items run into a sentence: bullet it", warning=True),
    Code(("plain.numbers",), "a percentage, decimal or sum in a plain summary: use whole numbers a reader can picture",
         warning=True),
    Code(("plain.action", "plain.main-message"),
         "a plain summary with no action addressed to the reader, or one that starts by describing itself",
         warning=True),
    Code(("search.missing", "search.index", "search.clash"),
         "Pagefind is not installed, could not index the staged site (the message quotes it), or something else "
         "writes to `site/pagefind/`: nothing was published"),
    Code(("layout.syntax", "layout.undefined", "layout.missing"),
         "a template has a syntax error, uses a value that does not exist, or is missing (found before "
         "anything renders, in `publish check` too); the message names the template file and line"),
    Code(("layout.error",),
         "a template raised while rendering (`{{ title + 1 }}`, a filter given the wrong type): the message "
         "names the template file, the line and the error"),
    Code(("markdown.pandoc",), "pandoc could not convert an article"),
    Code(("markdown.timeout",),
         "pandoc could not convert an article in time (pathological nesting): simplify its structure"),
    Code(("pdf.resolution",), "a raster image prints at under 300 pixels per inch in the leaflet for a print shop"
         " ([pdf] print_marks): give it more pixels, or show it smaller", warning=True),
    Code(("pdf.dropped",), "the leaflet leaves out an image: an SVG draws a file the leaflet may not use (missing, "
         "outside the project, or over the size limits), so WeasyPrint drops the whole drawing", warning=True),
    Code(("pdf.reference",),
         "the leaflet refers to a remote address (a missing file or one outside `content/` is "
         "`content.reference`): use an image inside the article's folder"),
    Code(("pdf.render",), "WeasyPrint failed on the leaflet's layout (an error inside it, not a traceback): compare "
         "the project's layouts/pdf with the theme's"),
    Code(("pdf.pages",), "the leaflet has more pages than `[pdf] max_pages`: shorten the article or raise the limit"),
    Code(("summary.missing",),
         "an article has no `plain_summary`: run `publish summarize SLUG --write` and edit it, or set "
         "`[summary] auto = true`"),
    Code(("summary.readability",),
         "a summary is over `max_grade` or `max_words`: the message gives the figures and the hardest "
         "sentences"),
    Code(("summary.glossary",), "a summary uses a glossary term: the message gives the plain words", warning=True),
    Code(("summary.write",),
         "`summarize --write` could not put the summary into the front matter as written; the file is "
         "unchanged"),
    Code(("glossary.yaml", "glossary.entry"),
         "`content/glossary.yaml` is not a mapping of terms to plain words as text"),
    Code(("summarize.exists", "summarize.slug"),
         "`summarize --write` would replace an existing summary (use `--force`), or no article has that slug"),
    Code(("claims.error", "claims.warning"),
         "a risky phrase from `content/claims.yaml`: rewrite it, or have a reviewer list it in "
         "`claims_reviewed`"),
    Code(("claims.yaml", "claims.entry"), "`content/claims.yaml` is not a list of `{phrase, severity, reason}`"),
    Code(("review.missing", "review.stale", "review.future"),
         "no medical review, one older than `[review] max_age_days`, or one dated after now"),
    Code(("approval.missing",),
         "`[review] roles` names a role with no approval of the article: `publish review SLUG`, then `publish "
         "approve SLUG --role ROLE --by NAME`"),
    Code(("approval.changed",),
         "the article's words (the message names which: title, description, body, plain summary, a "
         "disclaimer) changed since a required role approved them: review and approve again"),
    Code(("approval.outdated",),
         "an approval of a role `[review] roles` does not require no longer matches the text: the page "
         "stops showing it", warning=True),
    Code(("approval.future",), "an approval is dated after now: approve with the day of the review (`--on`)"),
    Code(("approvals.yaml", "approvals.entry", "approvals.unknown", "approvals.missing", "approvals.<key>"),
         "`content/approvals.yaml` is not valid YAML or not in the shape `publish approve` writes (slug, role, "
         "then `by`, `date`, `fingerprint`, `parts`): write it with `publish approve`"),
    Code(("approvals.orphan",),
         "approvals.yaml holds approvals for a slug no article has (renamed or deleted)", warning=True),
    Code(("usage.approve", "approve.slug"),
         "`publish approve` was given a bad `--role`, `--by` or `--on` (exit 2), or a slug no article has"),
    Code(("review.slug", "review.pandoc"),
         "`publish review` was given a slug no article has, or pandoc could not write the review copy"),
    Code(("verify.approval",),
         "(`check --built`) an article was built from other words than the content has now, shows an approval "
         "approvals.yaml does not hold for its text, or lacks a required role's approval"),
    Code(("import.file",),
         "`publish import` was given a file that is not a .docx or .odt document, is damaged, password-protected, "
         "over 50 MB, or unzips to over 200 MB: save it again from Word or LibreOffice"),
    Code(("import.tracked-change",),
         "the document has tracked changes: accept or reject them in Word, or pass `--accept-changes` or "
         "`--reject-changes` (.docx; an .odt is imported with its changes accepted only)"),
    Code(("import.comment",), "the document holds a comment, which is not imported: settle it in the text",
         warning=True),
    Code(("import.image",),
         "a picture is linked rather than embedded, or is not a PNG, JPEG, GIF, WebP or safe SVG image (EMF, WMF, "
         "TIFF): insert it as PNG or JPEG"),
    Code(("import.title", "import.author", "import.slug", "import.property"),
         "the document has no title (no Title paragraph, first heading or Title property), no author (nor "
         "`[site] author`), no usable slug (pass `--slug`), or a property that is not one line of text"),
    Code(("import.exists", "import.update", "usage.import"),
         "an article with the slug exists (pass `--slug` or `--update`), `--update` names no article or a single "
         "file the document's pictures cannot go beside, or the options contradict each other (exit 2)"),
    Code(("import.pandoc",), "pandoc could not read the document, or took over 60 s: save it again, or split it"),
    Code(("diff.manifest", "diff.path", "diff.unreadable"),
         "`publish diff` was given a folder that is not a build (no `manifest.json`, or one of the wrong shape), "
         "a manifest path that leaves the folder, or a file it cannot read: give two folders `publish build` wrote"),
    Code(("disclaimer.placeholder",),
         "a disclaimer still has the starter's wording from `publish init`: have it reviewed, then delete "
         "`placeholder: true`", warning=True),
    Code(("init.not-empty", "init.not-folder"),
         "`publish init` was given a folder that holds files (use `--force` to add the missing ones) or a file"),
    Code(("content.placeholder",), "a published article still holds the text `publish new` wrote for you to replace"),
    Code(("content.image-too-large", "content.image-header", "content.svg-doctype"),
         "an image over 40 million pixels or 20 MB (an SVG over 1 MB), one whose size its header does not "
         "give, or an SVG declaring a DOCTYPE or entities: export it again"),
    Code(("bundle.svg-missing",), "an SVG of a bundle draws a file the bundle does not hold: the page shows the "
         "drawing without it, the leaflet leaves the drawing out", warning=True),
    Code(("bundle.type", "bundle.svg", "bundle.address"),
         "a bundle file the article references is not a passive type (images, PDF, audio, video, text, CSV), "
         "is an SVG holding a script, handler or outside reference, or would replace the article's page, "
         "leaflet or summary: convert or rename it"),
    Code(("file.outside", "file.link"),
         "a source is a symbolic link out of the project (never read), or `new`/`summarize --write` would "
         "write through a link"),
    Code(("file.unreadable", "file.write"),
         "a source file cannot be read, or `publish new`, `init` or `summarize --write` cannot write one: "
         "check its permissions"),
    Code(("frontmatter.tags",),
         "two different tags would share one tag page (`C-plus-plus` and `C++`), or a tag is too long for a "
         "page name"),
    Code(("links.address",), "a web address (http or https) in an article has no valid host name "
         "(`https://../`): write it as a browser's address bar shows it"),
    Code(("links.broken", "links.alt"), "(`publish check`) a link that does not resolve, an image without alt text"),
    Code(("verify.unreadable",),
         "(`check --built`) a leaflet is not a readable PDF, or a page or text output is not UTF-8"),
    Code(("verify.manifest", "verify.article", "verify.missing", "verify.wording"),
         "(`check --built`) the folder is not a build (its manifest.json is malformed or names a file outside "
         "the folder), lists an article the content no longer has, lacks a listed file, or was built with "
         "other disclaimer wording"),
    Code(("build.widened",),
         "a one-channel build found the published articles changed and built every channel, or found what "
         "shapes a kept channel changed and built it too", warning=True),
    Code(("build.internal",),
         "(`publish serve`) publish itself failed unexpectedly; it keeps serving the last good pages: please "
         "report it"),
    Code(("build.render-process",),
         "a process rendering a share of the pages ended before finishing (killed, out of memory); nothing was"
         " changed: build again"),
    Code(("build.read-process",),
         "a process reading a share of the outputs back for the disclaimer gate ended before finishing (killed,"
         " out of memory); nothing was changed: build again"),
    Code(("feed.base-url",), "feeds need `[site] base_url` (an error with `--channel rss`, a warning otherwise)"),
    Code(("feed.guid",),
         "an article has no `id`, so its feed id is its address and changes with the slug", warning=True),
    Code(("verify.feed",), "a feed broke a rule of the feed lint (the message names it)"),
    Code(("output.foreign",), "`--out` names a folder that is not a publisher build: move it or choose another"),
    Code(("output.unsafe",), "`--out` would replace the project, its content or its layouts"),
    Code(("output.lock", "output.symlink", "output.folder", "output.unreadable"),
         "the lock file beside the output folder is a link, a folder or unopenable; the output folder is a "
         "symbolic link (pass the real folder with `--out`), not a folder, or unreadable"),
    Code(("output.staging", "output.replace", "output.old", "output.write"),
         "the staging folder cannot be made, the old build cannot be replaced or removed, or the disk filled: "
         "the message says what to fix; the previous build is unchanged"),
    Code(("output.path", "output.twice"),
         "(internal) an output would leave the output folder, or two outputs want one file: please report it"),
    Code(("verify.tagging",),
         "a leaflet has marked content that is neither in its structure tree nor an Artifact, or a list item"
         " without a label (PDF/UA); nothing was replaced"),
    Code(("verify.print",),
         "the leaflet for a print shop ([pdf] print_marks) lacks its CMYK output intent, has device RGB colour"
         " or annotations (PDF/X-4): check layouts/pdf/leaflet.css; nothing was replaced"),
    Code(("verify.disclaimer",),
         "a built page lacks a disclaimer's full text, a leaflet page or a feed item its short text (check the"
         " layout); nothing was replaced"),
    Code(("usage.as-of", "usage.channel"), "(library calls) a malformed `as_of` or an unknown channel"),
    Code(("new.exists", "init.write"),
         "`publish new` would replace an article (pass another `--slug`), or `publish init` cannot make a "
         "folder"),
)


def table() -> str:
    """The Markdown table of every code, as the README and the reference show it."""
    rows = ["| code | meaning and fix |", "| --- | --- |"]
    for code in CODES:
        names = ", ".join(f"`{name}`" for name in code.names) + (" (warning)" if code.warning else "")
        rows.append(f"| {names} | {code.meaning} |")
    return "\n".join(rows) + "\n"

