"""The ``rss`` channel: RSS 2.0 and Atom 1.0 feeds (feedgen) that cron jobs can regenerate.

Items are the articles published as of the build's "now" (never drafts or future articles,
whatever the build's flags), newest first. Each item's id is the article's front matter ``id``,
so it never changes once published. Content reaching feed readers is sanitised with nh3.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from typing import Any

import nh3
from markupsafe import escape

from .. import schema
from ..version import __version__
from ..addresses import ATOM, INDEX, RSS, edition_key, edition_path, item_id, page_url, public_address
from ..editions import edition_language, edition_site, editions
from ..strings import strings_for
from ..config import CONFIG_NAME
from ..dates import Moment
from ..errors import error, warning
from ..model import Article, Entry
from ..sanitise import sanitise
from ..schema import Field
from .base import BuildContext, Rendered

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # "last built" of a feed with no items: still deterministic
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class FeedChannel:
    section = "feed"
    renders_alone = False
    unlisted_outputs = False
    manifest_keys = ("feeds",)
    templates = ()
    options = {
        "limit": Field(schema.within(schema.whole_number, 1, 10_000), default=20),  # items per feed, newest first
        "title": Field(schema.plain_text),  # default: [site] title
        "description": Field(schema.plain_text),  # default: [site] description, else the title
    }

    def outputs(self, article: Article, ctx: BuildContext) -> dict[str, str]:
        return {}

    def site_outputs(self, ctx: BuildContext) -> dict[str, Any]:
        if not ctx.config.site.base_url:
            return {}
        return {edition_key(edition, "feeds"): {"rss": edition_path(edition, RSS), "atom": edition_path(edition, ATOM)}
                for edition in editions(ctx.config)}

    def check(self, config, requested: bool) -> list:
        """Feed readers need absolute links: without a base_url, feeds asked for are an error, and
        feeds built by default are left out with a warning."""
        if config.site.base_url:
            return []
        where = (config.path or CONFIG_NAME, config.lines.get("site"), "feed.base-url")
        if requested:
            return [error(*where, "feeds need absolute links: set base_url in [site] of publish.toml")]
        return [warning(*where, "no feeds were written: set base_url in [site] of publish.toml")]

    def render(self, entry: Entry, ctx: BuildContext) -> Rendered:
        return Rendered()  # feeds are made whole by finish()

    def finish(self, entries: list[Entry], ctx: BuildContext) -> Rendered:
        """A feed pair per edition of the site, each with that edition's articles only."""
        base_url = ctx.config.site.base_url
        rendered = Rendered()
        if not base_url:
            return rendered
        options = ctx.options(self.section)
        for edition in editions(ctx.config):
            items = [e for e in entries if e.article.edition == edition
                     and e.article.visibility(ctx.now) == "published"][: options["limit"]]
            rendered.diagnostics += [
                warning(entry.article.source, 1, "feed.guid", "no 'id': the feed item's id falls back to the page "
                        "address, which changes with the slug; add an id (a UUID) that never changes")
                for entry in items if not entry.article.id]
            paths = ctx.site_outputs[edition_key(edition, "feeds")]
            home = public_address(base_url, edition_path(edition, INDEX))
            site = edition_site(ctx.config, edition)
            for kind, media_type in (("rss", "application/rss+xml"), ("atom", "application/atom+xml")):
                feed = _feed_generator(site, options if not edition else {}, items, base_url, home,
                                       public_address(base_url, paths[kind]), media_type,
                                       strings_for(ctx.layouts, edition_language(ctx.config, edition)))
                rendered.add(paths[kind], feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True))
        return rendered


def feed_description(entry: Entry) -> str:
    """The article's description, then each disclaimer's short text."""
    return " ".join([entry.article.description, *(d.short for d in entry.disclaimers)])


def trust_lines(entry: Entry, site, t) -> list[str]:
    """What a reader is owed beside the text, as the page shows it: the author's credentials, the
    date the review falls due, and where to send questions ([site] contact)."""
    lines = [t.byline(entry.article)] if entry.article.credentials else []
    if entry.review_due:
        lines.append(t.review_due(entry.review_due, False))
    if site.contact:
        lines.append(t("contact", contact=site.contact))
    return lines


def feed_content(entry: Entry, base_url: str, trust: list[str] = ()) -> str:
    """Full article HTML with its disclaimers in full and their short texts, then the trust lines,
    sanitised, every URL absolute."""
    address = page_url(base_url, entry.article.slug)
    parts = [_disclaimer_html(d, entry) for d in entry.placed("top")]
    parts.append(entry.body_html)
    parts += [_disclaimer_html(d, entry) for d in entry.placed("bottom")]
    if entry.disclaimers:  # the one-line forms too, as the page footer has them
        parts.append("<ul>\n" + "".join(f"<li>{escape(d.short)}</li>\n" for d in entry.disclaimers) + "</ul>")
    parts += [f"<p>{escape(line)}</p>" for line in trust]
    return _for_readers("\n".join(parts), address)


def _for_readers(html: str, base: str) -> str:
    """The sanitising policy of every channel, with every URL made absolute for feed readers."""
    return sanitise(_xml_safe(html), base_url=base)


def _xml_safe(text: str) -> str:
    """Drop the control characters XML 1.0 forbids (Word pastes a vertical tab for a line break)."""
    return _XML_ILLEGAL.sub(" ", text)


def _disclaimer_html(disclaimer, entry: Entry) -> str:
    return f"<h2>{escape(disclaimer.title)}</h2>\n{entry.disclaimer_html[disclaimer.id]}"


def _feed_generator(site, options, items: list[Entry], base_url: str, home: str, self_url: str, media_type: str,
                    t):
    """One feed of an edition: its title and language are the edition's ([languages.es] title), or
    [feed] title and description for the default one."""
    from feedgen.feed import FeedGenerator

    title = options.get("title") or site.title
    newest = max((e.article.last_modified.instant for e in items), default=EPOCH)
    feed = FeedGenerator()
    feed.load_extension("dc")
    feed.id(home)
    feed.title(_xml_safe(title))
    feed.description(_xml_safe(options.get("description") or site.description or title))
    feed.language(site.language)
    feed.generator("publisher", version=__version__)
    feed.updated(newest)
    feed.lastBuildDate(newest)
    # feedgen takes the RSS <link> from the last link() call: the self link first, the site last.
    feed.link(href=self_url, rel="self", type=media_type)
    feed.link(href=home, rel="alternate")
    for entry in reversed(items):  # feedgen prepends each entry: add the oldest first
        _add_item(feed, entry, base_url, trust_lines(entry, site, t))
    return feed


def _add_item(feed, entry: Entry, base_url: str, trust: list[str]) -> None:
    article = entry.article
    address = page_url(base_url, article.slug)
    item = feed.add_entry()
    item.id(item_id(article.slug, article.id, base_url))
    item.guid(item_id(article.slug, article.id, base_url), permalink=not article.id)
    item.title(_xml_safe(article.title))
    item.link(href=address, rel="alternate")
    item.published(_utc(article.date))
    item.pubDate(_utc(article.date))
    item.updated(_utc(article.last_modified))
    item.author(name=_xml_safe(article.author))
    item.dc.dc_creator(_xml_safe(article.author))
    for tag in article.tags:
        item.category(term=_xml_safe(tag))
    # Readers show an RSS description as HTML: no tags, text escaped. The Atom summary is plain text.
    description = nh3.clean(_xml_safe(feed_description(entry)), tags=set())
    item.description(description)  # sets Atom content too, so content() must come after
    item.content(feed_content(entry, base_url, trust), type="html")
    item.summary(html.unescape(description))


def _utc(moment: Moment) -> datetime:
    return moment.instant.astimezone(timezone.utc)
