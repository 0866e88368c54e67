"""A small feed lint: the RSS 2.0 and Atom 1.0 rules readers rely on.

feedparser's ``bozo`` flag only catches XML that is not well formed, and no W3C feed validator
installs here, so the build, ``publish check`` and the tests share this one.
"""

from __future__ import annotations

import email.utils
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlsplit

ATOM_NS = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM_NS}}}"


def lint_rss(data: bytes, self_url: str) -> list[str]:
    """Problems with an RSS 2.0 feed, each a sentence naming the element."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "rss" or root.get("version") != "2.0":
        return ["the root element must be <rss version=\"2.0\">"]
    channel = root.find("channel")
    if channel is None:
        return ["<rss> has no <channel>"]
    problems = _required(channel, ("title", "link", "description"), "<channel>")
    problems += _absolute(channel.findtext("link"), "<channel><link>")
    problems += _rfc822(channel.findtext("lastBuildDate"), "<channel><lastBuildDate>")
    selves = [link.get("href") for link in channel.findall(f"{A}link") if link.get("rel") == "self"]
    if selves != [self_url]:
        problems.append(f"<atom:link rel=\"self\"> must be the feed's own address {self_url!r}, found {selves!r}")
    seen: set[str] = set()
    for number, item in enumerate(channel.findall("item"), 1):
        where = f"item {number}"
        if not (item.findtext("title") or item.findtext("description")):
            problems.append(f"{where} has neither <title> nor <description>")
        problems += _absolute(item.findtext("link"), f"{where} <link>")
        problems += _rfc822(item.findtext("pubDate"), f"{where} <pubDate>", required=True)
        guid = item.find("guid")
        if guid is None or not (guid.text or "").strip():
            problems.append(f"{where} has no <guid>")
            continue
        if guid.get("isPermaLink", "true") != "false":
            problems += _absolute(guid.text, f"{where} <guid> (a permalink, since isPermaLink is not \"false\")")
        if guid.text in seen:
            problems.append(f"{where} repeats the guid {guid.text!r}")
        seen.add(guid.text)
    return problems


def lint_atom(data: bytes, self_url: str) -> list[str]:
    """Problems with an Atom 1.0 feed, each a sentence naming the element."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != f"{A}feed":
        return ["the root element must be an Atom <feed>"]
    problems = _required(root, (f"{A}id", f"{A}title", f"{A}updated"), "<feed>")
    problems += _rfc3339(root.findtext(f"{A}updated"), "<feed><updated>")
    selves = [link.get("href") for link in root.findall(f"{A}link") if link.get("rel") == "self"]
    if selves != [self_url]:
        problems.append(f"<link rel=\"self\"> must be the feed's own address {self_url!r}, found {selves!r}")
    feed_author = root.find(f"{A}author") is not None
    seen: set[str] = set()
    for number, entry in enumerate(root.findall(f"{A}entry"), 1):
        where = f"entry {number}"
        problems += _required(entry, (f"{A}id", f"{A}title", f"{A}updated"), where)
        problems += _rfc3339(entry.findtext(f"{A}updated"), f"{where} <updated>")
        problems += _rfc3339(entry.findtext(f"{A}published"), f"{where} <published>")
        links = [link.get("href") for link in entry.findall(f"{A}link") if link.get("rel", "alternate") == "alternate"]
        if not links:
            problems.append(f"{where} has no alternate <link>")
        for href in links:
            problems += _absolute(href, f"{where} <link>")
        if not feed_author and entry.find(f"{A}author") is None:
            problems.append(f"{where} has no <author> (and the feed has none)")
        ident = entry.findtext(f"{A}id")
        if ident in seen:
            problems.append(f"{where} repeats the id {ident!r}")
        seen.add(ident)
    return problems


def _required(element, names, where: str) -> list[str]:
    return [f"{where} lacks <{name.replace(A, '')}>" for name in names if not (element.findtext(name) or "").strip()]


def _absolute(url: str | None, where: str) -> list[str]:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [f"{where} must be an absolute http(s) address, found {url!r}"]
    return []


def _rfc822(text: str | None, where: str, required: bool = False) -> list[str]:
    if not text:
        return [f"{where} is missing"] if required else []
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        return [f"{where} must be an RFC 822 date with a zone, e.g. 'Sat, 28 Nov 2026 00:00:00 +0000'; found {text!r}"]
    return []


def _rfc3339(text: str | None, where: str) -> list[str]:
    if not text:
        return []
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in text:
        return [f"{where} must be an RFC 3339 date-time with a zone; found {text!r}"]
    return []
