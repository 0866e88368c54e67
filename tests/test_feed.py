"""The rss channel: site/feed.xml (RSS 2.0) and site/atom.xml (Atom 1.0), read the way feed readers do.

Feeds are parsed with feedparser and xml.etree; everything else is checked through the CLI
(exit codes, printed text), the manifest and the files in the build folder.
"""

from __future__ import annotations

import base64
import html
import json
import posixpath
import re
import shutil
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import (
    REPO,
    build_cli,
    copy_repo,
    normalise,
    ok,
    output_of,
    parse_html,
    run_cli,
    tree_bytes,
    write_article,
)

from publisher.checks.feedlint import lint_atom, lint_rss

BASE = "http://localhost:8000/"
SLUG = "ketamine-therapy"
SAMPLE_ID = "098ef6fa-1a50-46a4-8d3f-39e438601423"
SAMPLE_GUID = f"urn:uuid:{SAMPLE_ID}"
SAMPLE_DATE_RFC822 = "Sat, 28 Nov 2026 00:00:00 +0000"
RSS = "site/feed.xml"
ATOM = "site/atom.xml"
RSS_SELF = BASE + "feed.xml"
ATOM_SELF = BASE + "atom.xml"
A = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
FORBIDDEN = ("<script", "onerror", "javascript:", "<iframe", "data:", "style=")

ID_PUB = "aaaaaaaa-0000-4000-8000-000000000001"
ID_DRAFT = "aaaaaaaa-0000-4000-8000-000000000002"
ID_FUTURE = "aaaaaaaa-0000-4000-8000-000000000003"
ID_EXPIRING = "aaaaaaaa-0000-4000-8000-000000000004"
ID_EVIL = "aaaaaaaa-0000-4000-8000-000000000005"


# --- helpers --------------------------------------------------------------------------------


def fm(title: str, date: str, *extra: str) -> str:
    return f"title: {title}\ndate: {date}\nauthor: A. Writer\ndescription: A test article.\n" + "".join(
        line + "\n" for line in extra)


def rss_build(project: Path, *args: str, env: dict | None = None):
    return build_cli(project, "--channel", "rss", *args, env=env)


def set_base_url(project: Path, value: str | None) -> None:
    toml = project / "publish.toml"
    lines = [line for line in toml.read_text(encoding="utf-8").splitlines() if not line.startswith("base_url")]
    if value is not None:
        lines.insert(lines.index("[site]") + 1, f'base_url = "{value}"')
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


def set_feed_limit(project: Path, limit: int) -> None:
    """Set ``limit`` in the [feed] section of publish.toml, adding the section or the key if missing."""
    toml = project / "publish.toml"
    text = toml.read_text(encoding="utf-8")
    section = re.search(r"^\[feed\][^\[]*", text, re.M)
    if section is None:
        text = text.rstrip("\n") + f"\n\n[feed]\nlimit = {limit}\n"
    elif re.search(r"^limit\s*=.*$", section.group(0), re.M):
        body = re.sub(r"^limit\s*=.*$", f"limit = {limit}", section.group(0), flags=re.M)
        text = text[:section.start()] + body + text[section.end():]
    else:
        text = text[:section.end()].rstrip("\n") + f"\nlimit = {limit}\n\n" + text[section.end():]
    toml.write_text(text, encoding="utf-8")
    assert tomllib.loads(text)["feed"]["limit"] == limit


def rss_items(out: Path) -> list[dict]:
    channel = ET.parse(out / RSS).getroot().find("channel")
    items = []
    for item in channel.findall("item"):
        guid = item.find("guid")
        items.append({
            "guid": guid.text if guid is not None else None,
            "isPermaLink": guid.get("isPermaLink") if guid is not None else None,
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "pubDate": item.findtext("pubDate"),
            "description": item.findtext("description") or "",
            "content": item.findtext(CONTENT_ENCODED) or "",
        })
    return items


def atom_entries(out: Path) -> list[dict]:
    root = ET.parse(out / ATOM).getroot()
    entries = []
    for entry in root.findall(f"{A}entry"):
        entries.append({
            "id": entry.findtext(f"{A}id"),
            "title": entry.findtext(f"{A}title"),
            "links": [link.get("href") for link in entry.findall(f"{A}link")
                      if link.get("rel", "alternate") == "alternate"],
            "published": entry.findtext(f"{A}published"),
            "updated": entry.findtext(f"{A}updated"),
            "summary": entry.findtext(f"{A}summary") or "",
            "content": entry.findtext(f"{A}content") or "",
        })
    return entries


def rss_guids(out: Path) -> list[str]:
    return [item["guid"] for item in rss_items(out)]


def atom_ids(out: Path) -> list[str]:
    return [entry["id"] for entry in atom_entries(out)]


def html_text(fragment: str) -> str:
    return normalise(BeautifulSoup(fragment, "html.parser").get_text(" "))


def front_matter(path: Path) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", path.read_text(encoding="utf-8"), re.S)
    assert match, path
    return yaml.safe_load(match.group(1))


def disclaimer_shorts() -> dict[str, str]:
    return {p.stem: front_matter(p)["short"] for p in sorted((REPO / "content" / "disclaimers").glob("*.md"))}


def resolved_disclaimers(article: Path) -> list[str]:
    """The repository's default disclaimers plus those the article adds (none of the articles here drop one)."""
    defaults = tomllib.loads((REPO / "publish.toml").read_text(encoding="utf-8"))["disclaimers"]["default"]
    added = front_matter(article).get("disclaimers") or []
    return list(dict.fromkeys([*defaults, *added]))


def manifest_of(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --- module-scoped builds of the repository's content --------------------------------------


@pytest.fixture(scope="module")
def full_build(tmp_path_factory):
    """(project, out): one full build (HTML, leaflets, feeds) of the repository's content."""
    base = tmp_path_factory.mktemp("feed-full")
    proj = copy_repo(base / "proj")
    out = base / "out"
    ok(build_cli(proj, "--out", str(out)))
    return proj, out


@pytest.fixture(scope="module")
def rss_only(tmp_path_factory):
    """(project, out): a --channel rss build of the repository's content into an empty folder."""
    base = tmp_path_factory.mktemp("feed-rss")
    proj = copy_repo(base / "proj")
    out = base / "out"
    ok(rss_build(proj, "--out", str(out)))
    return proj, out


@pytest.fixture(scope="module")
def parsed(rss_only):
    _, out = rss_only
    return {"rss": feedparser.parse(str(out / RSS)), "atom": feedparser.parse(str(out / ATOM))}


# --- 1. the repository's feeds, as readers see them ----------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feedparser_reads_the_feed_without_errors(parsed, kind):
    feed = parsed[kind]
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == {"rss": "rss20", "atom": "atom10"}[kind]
    assert len(feed.entries) == 1
    for entry in feed.entries:
        assert entry.get("id")
        assert entry.link == BASE + SLUG + "/"
        assert entry.get("published_parsed") is not None
        assert entry.published_parsed[:3] == (2026, 11, 28)


def test_rss_only_build_writes_the_feeds_and_lists_them_in_the_manifest(rss_only):
    _, out = rss_only
    assert (out / RSS).is_file() and (out / ATOM).is_file()
    assert manifest_of(out)["feeds"] == {"rss": RSS, "atom": ATOM}


def test_full_build_lists_the_feeds_in_the_manifest(full_build):
    _, out = full_build
    assert manifest_of(out)["feeds"] == {"rss": RSS, "atom": ATOM}
    assert (out / RSS).is_file() and (out / ATOM).is_file()


def test_every_html_page_links_both_feeds_in_its_head(full_build):
    _, out = full_build
    pages = sorted((out / "site").rglob("*.html"))
    assert len(pages) >= 3  # index, article page, leaflets index
    for page in pages:
        head = parse_html(page).head
        links = {link.get("type"): link.get("href") for link in head.find_all("link")
                 if "alternate" in (link.get("rel") or [])}
        assert set(links) >= {"application/rss+xml", "application/atom+xml"}, page
        for media_type, target in (("application/rss+xml", RSS), ("application/atom+xml", ATOM)):
            href = links[media_type]
            assert "://" not in href and not href.startswith("/"), (page, href)
            relative_to_site = posixpath.normpath(
                posixpath.join(posixpath.dirname(page.relative_to(out).as_posix()), href))
            assert relative_to_site == target, (page, href)
            assert (out / relative_to_site).is_file()


def test_rss_guid_is_the_article_uuid_and_not_a_permalink(rss_only):
    _, out = rss_only
    items = rss_items(out)
    assert [(i["guid"], i["isPermaLink"]) for i in items] == [(SAMPLE_GUID, "false")]
    assert items[0]["link"] == BASE + SLUG + "/"
    assert items[0]["pubDate"] == SAMPLE_DATE_RFC822


def test_atom_entry_id_is_the_article_uuid(rss_only):
    _, out = rss_only
    entries = atom_entries(out)
    assert [e["id"] for e in entries] == [SAMPLE_GUID]
    assert entries[0]["links"] == [BASE + SLUG + "/"]
    assert entries[0]["published"].startswith("2026-11-28T00:00:00")


def test_rss_channel_link_and_self_link(rss_only):
    _, out = rss_only
    channel = ET.parse(out / RSS).getroot().find("channel")
    assert channel.findtext("link") == BASE
    selves = [link.get("href") for link in channel.findall(f"{A}link") if link.get("rel") == "self"]
    assert selves == [RSS_SELF]


def test_atom_self_and_alternate_links(rss_only):
    _, out = rss_only
    root = ET.parse(out / ATOM).getroot()
    links = {link.get("rel", "alternate"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {"self": ATOM_SELF, "alternate": BASE}


def test_last_build_date_is_the_newest_item_date_not_the_clock(project, tmp_path):
    for as_of in ("2027-01-01", "2030-06-15T12:00:00Z"):
        out = tmp_path / as_of.replace(":", "")
        ok(rss_build(project, "--as-of", as_of, "--out", str(out)))
        channel = ET.parse(out / RSS).getroot().find("channel")
        assert channel.findtext("lastBuildDate") == SAMPLE_DATE_RFC822
        assert ET.parse(out / ATOM).getroot().findtext(f"{A}updated").startswith("2026-11-28T00:00:00")


def test_last_build_date_follows_an_updated_item(project):
    write_article(project, "older", fm("Older", "2026-06-01", f"id: {ID_PUB}", "updated: 2026-12-15T08:30:00Z"))
    ok(rss_build(project))
    out = project / "build"
    assert ET.parse(out / RSS).getroot().find("channel").findtext("lastBuildDate") == \
        "Tue, 15 Dec 2026 08:30:00 +0000"
    assert ET.parse(out / ATOM).getroot().findtext(f"{A}updated").startswith("2026-12-15T08:30:00")


# --- 2. disclaimers in every item -----------------------------------------------------------


@pytest.fixture
def disclaimer_project(project):
    """The sample (all three disclaimers) plus an article with only the default one."""
    write_article(project, "plain", fm("Plain", "2026-06-01", f"id: {ID_PUB}"))
    ok(rss_build(project))
    expected = {
        SAMPLE_GUID: resolved_disclaimers(project / "content" / f"{SLUG}.md"),
        f"urn:uuid:{ID_PUB}": resolved_disclaimers(project / "content" / "plain.md"),
    }
    assert len(expected[SAMPLE_GUID]) == 3 and len(expected[f"urn:uuid:{ID_PUB}"]) == 1
    return project / "build", expected


def test_rss_description_and_content_hold_every_disclaimer_short(disclaimer_project):
    out, expected = disclaimer_project
    shorts = disclaimer_shorts()
    items = rss_items(out)
    assert sorted(i["guid"] for i in items) == sorted(expected)
    for item in items:
        # readers show an RSS description as HTML: compare its text as they show it
        description, content = html_text(item["description"]), html_text(item["content"])
        for ident in expected[item["guid"]]:
            short = normalise(shorts[ident])
            assert short in description, (item["guid"], ident)
            assert short in content, (item["guid"], ident)


def test_atom_summary_and_content_hold_every_disclaimer_short(disclaimer_project):
    out, expected = disclaimer_project
    shorts = disclaimer_shorts()
    entries = atom_entries(out)
    assert sorted(e["id"] for e in entries) == sorted(expected)
    for entry in entries:
        summary, content = normalise(entry["summary"]), html_text(entry["content"])
        for ident in expected[entry["id"]]:
            short = normalise(shorts[ident])
            assert short in summary, (entry["id"], ident)
            assert short in content, (entry["id"], ident)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feedparser_sees_the_disclaimer_shorts(disclaimer_project, kind):
    out, expected = disclaimer_project
    shorts = disclaimer_shorts()
    feed = feedparser.parse(str(out / (RSS if kind == "rss" else ATOM)))
    assert feed.bozo == 0
    for entry in feed.entries:
        summary = html_text(entry.summary) if kind == "rss" else normalise(entry.summary)
        content = html_text(entry.content[0].value)
        for ident in expected[entry.id]:
            assert normalise(shorts[ident]) in summary
            assert normalise(shorts[ident]) in content


# --- 3. which articles the feed holds -------------------------------------------------------


@pytest.fixture
def schedule_project(project):
    write_article(project, "pub", fm("Published", "2026-06-01", f"id: {ID_PUB}"))
    write_article(project, "draft", fm("Draft", "2026-07-01", f"id: {ID_DRAFT}", "status: draft"))
    write_article(project, "future", fm("Future", "2027-03-01T09:00:00Z", f"id: {ID_FUTURE}"))
    write_article(project, "expiring", fm("Expiring", "2026-05-01", f"id: {ID_EXPIRING}",
                                          "expires: 2027-06-01T12:30:00+02:00"))
    return project


def _ids(*idents: str) -> list[str]:
    return [f"urn:uuid:{i}" for i in idents]


@pytest.mark.parametrize("as_of, expected", [
    ("2026-12-01", [SAMPLE_ID, ID_PUB, ID_EXPIRING]),
    ("2027-03-01T08:59:59Z", [SAMPLE_ID, ID_PUB, ID_EXPIRING]),  # just before the future one
    ("2027-03-01T09:00:00Z", [ID_FUTURE, SAMPLE_ID, ID_PUB, ID_EXPIRING]),  # the instant it is due
    ("2027-04-01", [ID_FUTURE, SAMPLE_ID, ID_PUB, ID_EXPIRING]),
    ("2027-06-01T10:30:00Z", [ID_FUTURE, SAMPLE_ID, ID_PUB]),  # the instant it expires
    ("2027-07-01", [ID_FUTURE, SAMPLE_ID, ID_PUB]),
])
def test_feed_holds_exactly_what_is_published_as_of(schedule_project, as_of, expected):
    ok(rss_build(schedule_project, "--as-of", as_of))
    out = schedule_project / "build"
    assert rss_guids(out) == _ids(*expected)  # newest first
    assert atom_ids(out) == _ids(*expected)
    for kind in (RSS, ATOM):
        assert feedparser.parse(str(out / kind)).bozo == 0


@pytest.mark.parametrize("flags", [["--drafts"], ["--future"], ["--drafts", "--future"]])
def test_drafts_and_future_flags_do_not_reach_the_feed(schedule_project, flags):
    ok(rss_build(schedule_project, "--as-of", "2027-01-01", *flags))
    out = schedule_project / "build"
    slugs = [a["slug"] for a in manifest_of(out)["articles"]]
    if "--drafts" in flags:
        assert "draft" in slugs  # the flag did take effect for the build...
    if "--future" in flags:
        assert "future" in slugs
    expected = _ids(SAMPLE_ID, ID_PUB, ID_EXPIRING)  # ...but never for the feed
    assert rss_guids(out) == expected
    assert atom_ids(out) == expected
    raw = (out / RSS).read_text(encoding="utf-8") + (out / ATOM).read_text(encoding="utf-8")
    assert ID_DRAFT not in raw and ID_FUTURE not in raw


def test_limit_caps_items_newest_first(schedule_project):
    set_feed_limit(schedule_project, 2)
    ok(rss_build(schedule_project, "--as-of", "2027-04-01", "--drafts", "--future"))
    out = schedule_project / "build"
    assert rss_guids(out) == atom_ids(out) == _ids(ID_FUTURE, SAMPLE_ID)
    channel = ET.parse(out / RSS).getroot().find("channel")
    assert channel.findtext("lastBuildDate") == "Mon, 01 Mar 2027 09:00:00 +0000"


def test_limit_counts_only_published_items(schedule_project):
    set_feed_limit(schedule_project, 2)
    ok(rss_build(schedule_project, "--as-of", "2027-01-01", "--drafts", "--future"))
    assert rss_guids(schedule_project / "build") == _ids(SAMPLE_ID, ID_PUB)


def test_a_feed_with_no_items_is_still_valid(project):
    ok(rss_build(project, "--as-of", "2026-01-01"))
    out = project / "build"
    assert rss_guids(out) == [] and atom_ids(out) == []
    for name in (RSS, ATOM):
        assert feedparser.parse(str(out / name)).bozo == 0
    assert lint_rss((out / RSS).read_bytes(), RSS_SELF) == []
    assert lint_atom((out / ATOM).read_bytes(), ATOM_SELF) == []
    assert manifest_of(out)["feeds"] == {"rss": RSS, "atom": ATOM}


# --- 4. the guid never changes --------------------------------------------------------------


def _entry(out: Path, ident: str) -> dict:
    matches = [e for e in atom_entries(out) if e["id"] == ident]
    assert len(matches) == 1, atom_ids(out)
    return matches[0]


def _item(out: Path, guid: str) -> dict:
    matches = [i for i in rss_items(out) if i["guid"] == guid]
    assert len(matches) == 1, rss_guids(out)
    return matches[0]


def test_guid_survives_title_slug_and_updated_changes(project):
    guid = f"urn:uuid:{ID_PUB}"
    out = project / "build"
    path = write_article(project, "stable", fm("First title", "2026-06-01", f"id: {ID_PUB}"))

    ok(rss_build(project))
    first_rss, first_atom = _item(out, guid), _entry(out, guid)
    assert first_rss["title"] == "First title" and first_rss["isPermaLink"] == "false"
    assert first_rss["link"] == BASE + "stable/"

    ok(rss_build(project))  # an unchanged rebuild
    assert _item(out, guid) == first_rss and _entry(out, guid) == first_atom

    path.write_text(path.read_text(encoding="utf-8").replace("First title", "Second title"), encoding="utf-8")
    ok(rss_build(project))
    assert _item(out, guid)["title"] == "Second title"
    assert _entry(out, guid)["title"] == "Second title"

    write_article(project, "stable", fm("Second title", "2026-06-01", f"id: {ID_PUB}", "slug: moved"))
    ok(rss_build(project))
    assert _item(out, guid)["link"] == BASE + "moved/"
    assert _entry(out, guid)["links"] == [BASE + "moved/"]

    write_article(project, "stable", fm("Second title", "2026-06-01", f"id: {ID_PUB}", "slug: moved",
                                        "updated: 2026-12-24T10:00:00Z"))
    ok(rss_build(project))
    item, entry = _item(out, guid), _entry(out, guid)
    assert item["pubDate"] == first_rss["pubDate"] == "Mon, 01 Jun 2026 00:00:00 +0000"
    assert entry["published"] == first_atom["published"]
    assert entry["updated"] != first_atom["updated"]
    assert entry["updated"].startswith("2026-12-24T10:00:00")
    assert first_atom["updated"].startswith("2026-06-01T00:00:00")
    assert sorted(rss_guids(out)) == sorted([guid, SAMPLE_GUID])


# --- 5. reproducible ------------------------------------------------------------------------


def test_two_builds_give_byte_identical_feeds(project, tmp_path):
    write_article(project, "other", fm("Other", "2026-06-01", f"id: {ID_PUB}", "updated: 2026-10-01T10:00:00Z"))
    a, b = tmp_path / "a", tmp_path / "b"
    ok(rss_build(project, "--out", str(a)))
    feeds_a = {name: (a / name).read_bytes() for name in (RSS, ATOM)}
    ok(rss_build(project, "--out", str(a)))  # the same folder again
    assert {name: (a / name).read_bytes() for name in (RSS, ATOM)} == feeds_a
    ok(rss_build(project, "--out", str(b)))  # another folder
    assert {name: (b / name).read_bytes() for name in (RSS, ATOM)} == feeds_a
    assert tree_bytes(a) == tree_bytes(b)


def test_feeds_do_not_depend_on_source_date_epoch_or_as_of_when_nothing_changes(project, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ok(rss_build(project, "--out", str(a), "--as-of", "2027-01-01"))
    ok(rss_build(project, "--out", str(b), "--as-of", "2029-05-05T05:05:05Z", env={"SOURCE_DATE_EPOCH": "1"}))
    assert (a / RSS).read_bytes() == (b / RSS).read_bytes()
    assert (a / ATOM).read_bytes() == (b / ATOM).read_bytes()


# --- 6. sanitised content, absolute links ---------------------------------------------------

EVIL_BODY = """Hello <script>alert(1)</script> there.

<img src="x.png" onerror="alert(1)">

<a href="javascript:alert(1)">x</a>

<iframe src="https://evil.example"></iframe>

<p style="background:url(http://evil.example/x)">s</p>

![d](data:image/png;base64,AAAA)

See [rel](other-page/) and ![i](pic.png) and [top](#section).
"""


@pytest.fixture
def evil_build(project):
    # the images it names exist (a missing image is an error of its own): only the markup is hostile
    for name in ("x.png", "pic.png"):
        (project / "content" / name).write_bytes(base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="))
    write_article(project, "evil", fm("Evil", "2026-06-01", f"id: {ID_EVIL}"), EVIL_BODY)
    ok(rss_build(project))
    return project / "build"


@pytest.mark.parametrize("name", [RSS, ATOM])
def test_raw_feed_xml_holds_no_active_content(evil_build, name):
    raw = (evil_build / name).read_text(encoding="utf-8")
    for text in (raw.lower(), html.unescape(raw).lower(), html.unescape(html.unescape(raw)).lower()):
        for bad in FORBIDDEN:
            assert bad not in text, (name, bad)


def _evil_contents(out: Path) -> dict[str, str]:
    item = _item(out, f"urn:uuid:{ID_EVIL}")
    entry = _entry(out, f"urn:uuid:{ID_EVIL}")
    return {"rss content": item["content"], "rss description": item["description"],
            "atom content": entry["content"], "atom summary": entry["summary"]}


def test_decoded_feed_content_holds_no_active_content(evil_build):
    for where, text in _evil_contents(evil_build).items():
        lowered = text.lower()
        for bad in FORBIDDEN:
            assert bad not in lowered, (where, bad)
        soup = BeautifulSoup(text, "html.parser")
        assert not soup.find_all(["script", "iframe", "object", "embed", "style"]), where
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                assert not attr.lower().startswith("on"), (where, tag)
                assert attr.lower() != "style", (where, tag)
    content = _evil_contents(evil_build)["rss content"]
    assert "Hello" in content and "there." in content  # the harmless text stays


@pytest.mark.parametrize("name", [RSS, ATOM])
def test_feedparser_unsanitised_content_holds_no_active_content(evil_build, name):
    feed = feedparser.parse(str(evil_build / name), sanitize_html=False, resolve_relative_uris=False)
    assert feed.bozo == 0
    (entry,) = [e for e in feed.entries if e.id == f"urn:uuid:{ID_EVIL}"]
    for text in (entry.content[0].value, entry.summary):
        for bad in FORBIDDEN:
            assert bad not in text.lower(), (name, bad)


@pytest.mark.parametrize("kind", ["rss content", "atom content"])
def test_relative_links_and_images_become_absolute(evil_build, kind):
    soup = BeautifulSoup(_evil_contents(evil_build)[kind], "html.parser")
    page = BASE + "evil/"
    assert soup.find("a", string="rel")["href"] == page + "other-page/"
    assert soup.find("a", string="top")["href"] == page + "#section"
    assert soup.find("img", alt="i")["src"] == page + "pic.png"
    assert page + "x.png" in [img.get("src") for img in soup.find_all("img")]
    for tag in soup.find_all(["a", "img"]):
        for attr in ("href", "src"):
            if tag.get(attr):
                assert tag[attr].startswith(("http://", "https://")), tag


def test_rss_description_is_not_active_html(project):
    write_article(project, "desc", "title: Desc\ndate: 2026-06-01\nauthor: A. Writer\n"
                                   f"id: {ID_PUB}\ndescription: Uses <img src=x onerror=alert(1)> here.\n")
    ok(rss_build(project))
    item = _item(project / "build", f"urn:uuid:{ID_PUB}")
    soup = BeautifulSoup(item["description"], "html.parser")  # RSS description is HTML to readers
    for tag in soup.find_all(True):
        assert not any(attr.lower().startswith("on") for attr in tag.attrs), tag
    assert "onerror" not in html.unescape((project / "build" / RSS).read_text(encoding="utf-8"))


def test_control_character_in_a_body_does_not_crash_the_feed(project):
    write_article(project, "pasted", fm("Pasted", "2026-06-01", f"id: {ID_PUB}"),
                  "A line break from Word:\x0bnext line, and an escape \x1b here.\n")
    result = rss_build(project)
    text = output_of(result)
    assert "Traceback" not in text, text
    if result.exit_code == 0:  # cleaned: the feeds are well-formed and keep the text
        for name in (RSS, ATOM):
            assert feedparser.parse(str(project / "build" / name)).bozo == 0
        assert "next line" in html_text(_item(project / "build", f"urn:uuid:{ID_PUB}")["content"])
    else:  # refused: a diagnostic names the file
        assert result.exit_code == 1 and "pasted.md" in text, text


# --- 7. an article without id ---------------------------------------------------------------


def test_article_without_id_falls_back_to_its_address_with_a_warning(project):
    write_article(project, "no-id", fm("No id", "2026-06-01"))
    result = rss_build(project)
    ok(result)
    text = output_of(result)
    warnings = [line for line in text.splitlines() if "warning" in line and "no-id.md" in line]
    assert warnings, text
    assert any("'id'" in line for line in warnings), warnings
    out = project / "build"
    item = _item(out, BASE + "no-id/")
    assert item["isPermaLink"] in (None, "true")
    assert item["link"] == BASE + "no-id/"
    assert _entry(out, BASE + "no-id/")["links"] == [BASE + "no-id/"]
    rss = feedparser.parse(str(out / RSS))
    (entry,) = [e for e in rss.entries if e.id == BASE + "no-id/"]
    assert entry.link == BASE + "no-id/"
    assert lint_rss((out / RSS).read_bytes(), RSS_SELF) == []
    assert lint_atom((out / ATOM).read_bytes(), ATOM_SELF) == []


def test_articles_with_ids_print_no_id_warning(project):
    result = rss_build(project)
    ok(result)
    assert "[feed.guid]" not in output_of(result)


# --- 8. no base_url -------------------------------------------------------------------------


def test_rss_build_without_base_url_fails_naming_it(project):
    set_base_url(project, None)
    result = rss_build(project)
    assert result.exit_code == 1, output_of(result)
    assert "Traceback" not in output_of(result)
    assert "base_url" in output_of(result)
    assert not (project / "build").exists()


def test_full_build_without_base_url_warns_and_writes_no_feeds(project):
    set_base_url(project, None)
    result = build_cli(project)
    ok(result)
    text = output_of(result)
    assert any("warning" in line and "base_url" in line for line in text.splitlines()), text
    out = project / "build"
    assert not (out / RSS).exists() and not (out / ATOM).exists()
    assert not list(out.rglob("*.xml"))
    assert manifest_of(out)["feeds"] == {}
    pages = sorted((out / "site").rglob("*.html"))
    assert pages
    for page in pages:
        head = parse_html(page).head
        types = [link.get("type") for link in head.find_all("link") if "alternate" in (link.get("rel") or [])]
        assert "application/rss+xml" not in types and "application/atom+xml" not in types, page


def test_base_url_without_trailing_slash(project):
    set_base_url(project, "https://example.org/health")
    ok(rss_build(project))
    out = project / "build"
    item = rss_items(out)[0]
    assert item["link"] == f"https://example.org/health/{SLUG}/"
    channel = ET.parse(out / RSS).getroot().find("channel")
    assert channel.findtext("link") == "https://example.org/health/"
    assert lint_rss((out / RSS).read_bytes(), "https://example.org/health/feed.xml") == []
    assert lint_atom((out / ATOM).read_bytes(), "https://example.org/health/atom.xml") == []


# --- 9. publish schedule --------------------------------------------------------------------


def test_schedule_lists_upcoming_changes_soonest_first(schedule_project):
    write_article(schedule_project, "later-draft", fm("Later draft", "2027-02-01", "status: draft"))
    result = run_cli(schedule_project, "schedule", "--as-of", "2027-01-01")
    ok(result)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 3, result.output
    assert lines[0].split()[:3] == ["2027-03-01T09:00:00Z", "appears", "future"]
    assert lines[1].split()[:3] == ["2027-06-01T10:30:00Z", "disappears", "expiring"]
    assert "Future" in lines[0] and "Expiring" in lines[1]
    assert "next change" in lines[2] and "2027-03-01T09:00:00Z" in lines[2]
    assert "later-draft" not in result.output and "Later draft" not in result.output


def test_schedule_after_the_first_change(schedule_project):
    result = run_cli(schedule_project, "schedule", "--as-of", "2027-04-01")
    ok(result)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 2, result.output
    assert lines[0].split()[:3] == ["2027-06-01T10:30:00Z", "disappears", "expiring"]
    assert "next change" in lines[1] and "2027-06-01T10:30:00Z" in lines[1]


@pytest.mark.parametrize("as_of, expected", [
    ("2027-01-01", "2027-03-01T09:00:00Z\n"),
    ("2027-03-01T09:00:00Z", "2027-06-01T10:30:00Z\n"),  # the appearance is now, not upcoming
    ("2027-01-01T10:00:00+02:00", "2027-03-01T09:00:00Z\n"),
    ("2027-07-01", ""),
])
def test_schedule_next_prints_only_the_instant(schedule_project, as_of, expected):
    result = run_cli(schedule_project, "schedule", "--as-of", as_of, "--next")
    ok(result)
    assert result.output == expected


def test_schedule_with_nothing_due(project):
    result = run_cli(project, "schedule", "--as-of", "2027-01-01")
    ok(result)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "next change" not in lines[0], result.output
    result = run_cli(project, "schedule", "--as-of", "2027-01-01", "--next")
    ok(result)
    assert result.output == ""


def test_schedule_ignores_a_future_draft(project):
    write_article(project, "draft", fm("Draft", "2027-02-01", "status: draft", "expires: 2027-05-01"))
    result = run_cli(project, "schedule", "--as-of", "2027-01-01", "--next")
    ok(result)
    assert result.output == ""


def test_schedule_next_agrees_with_the_feed(schedule_project, tmp_path):
    """Building at the instant --next names changes the feed; building just before does not."""
    result = run_cli(schedule_project, "schedule", "--as-of", "2027-01-01", "--next")
    ok(result)
    instant = result.output.strip()
    before, at = tmp_path / "before", tmp_path / "at"
    ok(rss_build(schedule_project, "--as-of", "2027-03-01T08:59:59Z", "--out", str(before)))
    ok(rss_build(schedule_project, "--as-of", instant, "--out", str(at)))
    assert f"urn:uuid:{ID_FUTURE}" not in rss_guids(before)
    assert f"urn:uuid:{ID_FUTURE}" in rss_guids(at)


# --- 10. failure safety and partial builds --------------------------------------------------


@pytest.mark.parametrize("broken", [
    "title: Broken\ndate: not-a-date\nauthor: A\ndescription: Broken.\n",
    "title: [unclosed\ndate: 2026-06-01\n",
    "title: No date\nauthor: A\ndescription: Broken.\n",
])
def test_front_matter_error_leaves_the_previous_feeds_untouched(project, broken):
    write_article(project, "good", fm("Good", "2026-06-01", f"id: {ID_PUB}"))
    ok(rss_build(project))
    out = project / "build"
    before = tree_bytes(out)
    assert RSS in before and ATOM in before
    write_article(project, "broken", broken)
    result = rss_build(project)
    assert result.exit_code == 1, output_of(result)
    assert "Traceback" not in output_of(result)
    assert "broken.md" in output_of(result)
    assert tree_bytes(out) == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".build")) == []


def test_missing_base_url_leaves_the_previous_feeds_untouched(project):
    ok(rss_build(project))
    out = project / "build"
    before = tree_bytes(out)
    set_base_url(project, None)
    result = rss_build(project)
    assert result.exit_code == 1, output_of(result)
    assert tree_bytes(out) == before


def test_rss_build_on_top_of_a_full_build_keeps_pages_and_leaflets(full_build, tmp_path):
    proj, full = full_build
    out = tmp_path / "out"
    shutil.copytree(full, out)
    before = tree_bytes(out)
    assert f"site/{SLUG}/index.html" in before and "site/index.html" in before
    assert any(name.endswith(".pdf") for name in before)

    ok(rss_build(proj, "--out", str(out)))  # the same as-of: nothing at all changes
    assert tree_bytes(out) == before

    ok(rss_build(proj, "--out", str(out), "--as-of", "2027-06-01"))
    after = tree_bytes(out)
    assert set(after) == set(before)
    for name, data in before.items():
        if name not in (RSS, ATOM, "manifest.json"):
            assert after[name] == data, name
    old, new = json.loads(before["manifest.json"]), manifest_of(out)
    assert new == old
    assert new["feeds"] == {"rss": RSS, "atom": ATOM}
    assert lint_rss(after[RSS], RSS_SELF) == [] and lint_atom(after[ATOM], ATOM_SELF) == []


def test_rss_build_after_an_expiry_leaves_no_page_of_the_expired_article(project):
    write_article(project, "going", fm("Going", "2026-06-01", f"id: {ID_EXPIRING}", "expires: 2027-03-01",
                                       "plain_summary: This page goes away in March."))
    ok(build_cli(project, "--as-of", "2027-01-01"))
    out = project / "build"
    assert (out / "site" / "going" / "index.html").is_file()
    ok(rss_build(project, "--as-of", "2027-04-01"))
    assert f"urn:uuid:{ID_EXPIRING}" not in rss_guids(out)
    assert "going" not in [a["slug"] for a in manifest_of(out)["articles"]]
    leftovers = sorted(name for name in tree_bytes(out) if name.startswith("site/going/"))
    assert leftovers == []


def test_html_build_after_a_tag_is_dropped_leaves_no_page_for_the_tag(project, tmp_path):
    """A build of some channels keeps other channels' files, but not the HTML channel's unlisted
    files (tag pages) when it rebuilds that channel: the topics are those of a cold build."""
    ok(build_cli(project, "--as-of", "2027-01-01"))
    out = project / "build"
    assert (out / "site" / "tags" / "ptsd" / "index.html").is_file()
    source = project / "content" / f"{SLUG}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("PTSD, ", ""), encoding="utf-8")
    ok(build_cli(project, "--as-of", "2027-01-01", "--channel", "html"))
    assert not (out / "site" / "tags" / "ptsd").exists()
    kept = tree_bytes(out)
    assert any(name.endswith(".pdf") for name in kept)  # the leaflets stay (not rebuilt)
    cold = tmp_path / "cold"
    ok(build_cli(project, "--as-of", "2027-01-01", "--out", str(cold), "--no-cache"))
    tags = {name: data for name, data in kept.items() if name.startswith("site/tags/")}
    assert tags == {name: data for name, data in tree_bytes(cold).items() if name.startswith("site/tags/")}


# --- 11. the feed lint ----------------------------------------------------------------------

GOOD_ITEM = """<item>
  <title>One</title>
  <link>http://example.org/one/</link>
  <description>One.</description>
  <guid isPermaLink="false">urn:uuid:11111111-1111-4111-8111-111111111111</guid>
  <pubDate>Sat, 28 Nov 2026 00:00:00 +0000</pubDate>
</item>"""
SECOND_ITEM = GOOD_ITEM.replace("one", "two").replace("One", "Two").replace("11111111-1111", "22222222-2222")


def rss_doc(*items: str, self_url: str = "http://example.org/feed.xml", link: str = "http://example.org/") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>T</title>
  <link>{link}</link>
  <description>D</description>
  <atom:link href="{self_url}" rel="self" type="application/rss+xml"/>
  <lastBuildDate>Sat, 28 Nov 2026 00:00:00 +0000</lastBuildDate>
  {''.join(items)}
</channel>
</rss>""".encode("utf-8")


GOOD_ENTRY = """<entry>
  <id>urn:uuid:11111111-1111-4111-8111-111111111111</id>
  <title>One</title>
  <updated>2026-11-28T00:00:00+00:00</updated>
  <published>2026-11-28T00:00:00+00:00</published>
  <link href="http://example.org/one/"/>
  <author><name>A</name></author>
</entry>"""
SECOND_ENTRY = GOOD_ENTRY.replace("one", "two").replace("One", "Two").replace("11111111-1111", "22222222-2222")


def atom_doc(*entries: str, self_url: str = "http://example.org/atom.xml") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>http://example.org/</id>
  <title>T</title>
  <updated>2026-11-28T00:00:00+00:00</updated>
  <link href="{self_url}" rel="self"/>
  <link href="http://example.org/"/>
  {''.join(entries)}
</feed>""".encode("utf-8")


def test_lint_accepts_the_hand_written_good_feeds():
    assert lint_rss(rss_doc(GOOD_ITEM, SECOND_ITEM), "http://example.org/feed.xml") == []
    assert lint_atom(atom_doc(GOOD_ENTRY, SECOND_ENTRY), "http://example.org/atom.xml") == []
    for data in (rss_doc(GOOD_ITEM, SECOND_ITEM), atom_doc(GOOD_ENTRY, SECOND_ENTRY)):
        assert feedparser.parse(data).bozo == 0


@pytest.mark.parametrize("items, words", [
    ((re.sub(r"\s*<guid.*?</guid>", "", GOOD_ITEM),), ["item 1", "guid"]),
    ((GOOD_ITEM.replace('<guid isPermaLink="false">urn:uuid:11111111-1111-4111-8111-111111111111</guid>',
                        '<guid isPermaLink="false">  </guid>'),), ["item 1", "guid"]),
    ((GOOD_ITEM, GOOD_ITEM.replace("one/", "again/")), ["item 2", "repeats", "urn:uuid:11111111"]),
    ((GOOD_ITEM.replace("Sat, 28 Nov 2026 00:00:00 +0000", "2026-11-28"),), ["item 1", "pubDate", "2026-11-28"]),
    ((GOOD_ITEM.replace("Sat, 28 Nov 2026 00:00:00 +0000", "2026-11-28T00:00:00Z"),), ["pubDate"]),
    ((GOOD_ITEM.replace("Sat, 28 Nov 2026 00:00:00 +0000", "Sat, 28 Nov 2026 00:00:00"),), ["pubDate"]),
    ((re.sub(r"\s*<pubDate>.*?</pubDate>", "", GOOD_ITEM),), ["pubDate", "missing"]),
    ((GOOD_ITEM.replace("<link>http://example.org/one/</link>", "<link>one/</link>"),), ["item 1", "<link>", "one/"]),
    ((GOOD_ITEM.replace('isPermaLink="false"', 'isPermaLink="true"'),), ["item 1", "guid", "isPermaLink"]),
    ((GOOD_ITEM.replace(' isPermaLink="false"', ""),), ["item 1", "guid"]),
])
def test_rss_lint_reports(items, words):
    problems = lint_rss(rss_doc(*items), "http://example.org/feed.xml")
    assert len(problems) == 1, problems
    for word in words:
        assert word in problems[0], problems


def test_rss_lint_reports_a_wrong_self_link():
    problems = lint_rss(rss_doc(GOOD_ITEM, self_url="http://example.org/other.xml"), "http://example.org/feed.xml")
    assert len(problems) == 1 and "self" in problems[0] and "http://example.org/feed.xml" in problems[0], problems
    missing = rss_doc(GOOD_ITEM).replace(b'<atom:link href="http://example.org/feed.xml" rel="self" '
                                         b'type="application/rss+xml"/>', b"")
    problems = lint_rss(missing, "http://example.org/feed.xml")
    assert len(problems) == 1 and "self" in problems[0], problems


def test_rss_lint_reports_a_relative_channel_link():
    problems = lint_rss(rss_doc(GOOD_ITEM, link="/"), "http://example.org/feed.xml")
    assert len(problems) == 1 and "<channel><link>" in problems[0], problems


def test_rss_lint_accepts_a_permalink_guid():
    item = GOOD_ITEM.replace('<guid isPermaLink="false">urn:uuid:11111111-1111-4111-8111-111111111111</guid>',
                             "<guid>http://example.org/one/</guid>")
    assert lint_rss(rss_doc(item), "http://example.org/feed.xml") == []


@pytest.mark.parametrize("entries, words", [
    ((re.sub(r"\s*<id>.*?</id>", "", GOOD_ENTRY),), ["entry 1", "id"]),
    ((GOOD_ENTRY, GOOD_ENTRY.replace("one/", "again/")), ["entry 2", "repeats", "urn:uuid:11111111"]),
    ((GOOD_ENTRY.replace("<updated>2026-11-28T00:00:00+00:00", "<updated>Sat, 28 Nov 2026 00:00:00 +0000"),),
     ["entry 1", "updated"]),
    ((GOOD_ENTRY.replace("<published>2026-11-28T00:00:00+00:00", "<published>2026-11-28"),),
     ["entry 1", "published"]),
    ((GOOD_ENTRY.replace('href="http://example.org/one/"', 'href="one/"'),), ["entry 1", "link", "one/"]),
    ((GOOD_ENTRY.replace('<link href="http://example.org/one/"/>', ""),), ["entry 1", "link"]),
])
def test_atom_lint_reports(entries, words):
    problems = lint_atom(atom_doc(*entries), "http://example.org/atom.xml")
    assert len(problems) == 1, problems
    for word in words:
        assert word in problems[0], problems


def test_atom_lint_reports_a_wrong_self_link():
    problems = lint_atom(atom_doc(GOOD_ENTRY, self_url="http://example.org/feed.xml"), "http://example.org/atom.xml")
    assert len(problems) == 1 and "self" in problems[0] and "http://example.org/atom.xml" in problems[0], problems


def test_lint_reports_xml_that_is_not_well_formed():
    assert lint_rss(b"<rss version='2.0'><channel>", "http://example.org/feed.xml")
    assert lint_atom(b"<feed", "http://example.org/atom.xml")
    assert lint_rss(atom_doc(GOOD_ENTRY), "http://example.org/feed.xml")  # not RSS at all
    assert lint_atom(rss_doc(GOOD_ITEM), "http://example.org/atom.xml")


def test_lint_reports_nothing_for_the_built_feeds(rss_only, full_build):
    for _, out in (rss_only, full_build):
        assert lint_rss((out / RSS).read_bytes(), RSS_SELF) == []
        assert lint_atom((out / ATOM).read_bytes(), ATOM_SELF) == []


def test_lint_reports_nothing_for_a_busy_built_feed(schedule_project, evil_build, tmp_path):
    # A fresh folder: on top of the earlier build, the changed article list would widen this
    # build to every channel, and the evil article's references fail its leaflet by design.
    out = tmp_path / "busy"
    ok(rss_build(schedule_project, "--as-of", "2027-07-01", "--out", str(out)))
    assert len(rss_guids(out)) == 4
    assert lint_rss((out / RSS).read_bytes(), RSS_SELF) == []
    assert lint_atom((out / ATOM).read_bytes(), ATOM_SELF) == []


def test_lint_of_a_built_feed_checks_the_self_address(rss_only):
    _, out = rss_only
    assert lint_rss((out / RSS).read_bytes(), "http://example.org/feed.xml")
    assert lint_atom((out / ATOM).read_bytes(), "http://example.org/atom.xml")
