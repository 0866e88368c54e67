"""Every link example of the CommonMark spec (tests/fixtures/commonmark/links.json, 0.31.2) as an
article of its own: the build either refuses it, naming the file, line and reason (an image outside
the project, a file of no published type, a host that is not one, a level-1 heading), or writes a
page the Nu HTML Checker finds valid. pandoc passes some addresses through as written (a
backslash, ``\\*`` in a query); the sanitiser percent-encodes them (sanitise.normalise_url).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import AS_OF, REPO, build_cli, copy_repo, parse_html, write_article
from test_browser import Site, _fail_on_vnu, _vnu_report

EXAMPLES = json.loads((REPO / "tests/fixtures/commonmark/links.json").read_text(encoding="utf-8"))
REFUSED = {  # example: the code it is refused with
    216: "body.h1", 217: "body.h1", 218: "body.h1",  # '# [Foo]': the title is the page's one h1
    522: "content.reference", 582: "content.reference",  # images 'uri3', 'url': no such file
    **{n: "content.reference" for n in (574, 576, 577, 581, *range(583, 594))},  # images at '/url': outside content/
    602: "links.address",  # <https://../>
}
PICTURES = ("moon.jpg", "train.jpg")  # images the examples show, given to the article that names one


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _project(root: Path, numbers) -> Path:
    proj = copy_repo(root)
    (proj / "content/ketamine-therapy.md").unlink()
    picture = _jpeg()
    for example in EXAMPLES:
        if example["example"] not in numbers:
            continue
        path = write_article(
            proj, f"example-{example['example']}/index",
            f"title: CommonMark example {example['example']}\ndate: 2026-11-01\nauthor: The CommonMark spec\n"
            f"description: Example {example['example']} of the CommonMark spec ({example['section']}).\n",
            "The example follows.\n\n" + example["markdown"] + "\nThe example ends here.\n")
        for name in PICTURES:
            if name in example["markdown"]:
                (path.parent / name).write_bytes(picture)
    return proj


def test_the_examples_the_build_refuses_are_named_with_their_line_and_reason(tmp_path):
    proj = _project(tmp_path / "proj", set(REFUSED))
    result = build_cli(proj, "--as-of", AS_OF, "--channel", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    found = {}
    for line in result.output.splitlines():
        match = re.fullmatch(r"content/example-(\d+)/index\.md:\d+: error: .* \[([a-z0-9.-]+)\]", line)
        if match:
            found.setdefault(int(match.group(1)), set()).add(match.group(2))
    assert found == {n: {code} for n, code in REFUSED.items()}, result.output
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("commonmark")
    proj = _project(root / "proj", {e["example"] for e in EXAMPLES} - set(REFUSED))
    result = build_cli(proj, "--as-of", AS_OF, "--channel", "html", "--out", str(root / "out"))
    assert result.exit_code == 0, result.output
    return Site(root / "out" / "site", "", json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8")))


def test_every_other_example_is_a_page_vnu_finds_valid(site):
    pages = [p for p in site.html_files() if p.startswith("example-")]
    assert len(pages) == len(EXAMPLES) - len(REFUSED)
    _fail_on_vnu(site, _vnu_report(site), pages)


@pytest.mark.parametrize(("number", "expected"), [
    (20, "https://example.com?find=%5C*"),  # <https://example.com?find=\*>: a backslash is no URL character
    (504, "foo%5Cbar"),  # [link](foo\bar)
    (605, "https://example.com/%5C%5B%5C"),  # <https://example.com/\[\>
    (505, "foo%20b\u00e4"),  # [link](foo%20b&auml;): an escape kept, an entity read, a letter left as an IRI's
])
def test_addresses_are_percent_encoded_where_a_url_must_be(site, number, expected):
    page = parse_html(site.root / f"example-{number}" / "index.html")
    hrefs = [a["href"] for a in page.select("main a[href]") if not a["href"].startswith("#")]
    assert expected in hrefs, (number, hrefs)


def test_the_fixture_holds_what_extract_py_takes_from_the_spec():
    """The examples of spec.txt 0.31.2 that extract.py takes, by section (an edit by hand shows)."""
    assert {e["version"] for e in EXAMPLES} == {"0.31.2"}
    sections = {}
    for example in EXAMPLES:
        sections[example["section"]] = sections.get(example["section"], 0) + 1
    assert sections == {"Links": 90, "Link reference definitions": 27, "Images": 22, "Autolinks": 19,
                        "Backslash escapes": 5, "Entity and numeric character references": 4}
