"""Bounds on what pandoc and WeasyPrint are given: pathological Markdown (bounds.estimate_cost) and
image bombs (checks/references.py), refused with 'file:line: error:' before either tool runs.

Bounds: the checks finish within a generous deadline (conftest.deadline: 30 s for a megabyte,
which a check that is not linear would take hours over); what the bound lets through converts
within the converter's own time limit; each build within test_hostile.TIME_BOUND (20 s) and
MEMORY_BOUND (1 GiB). How fast they are is bench/'s business, not the tests'.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from conftest import deadline
from test_hostile import MEMORY_BOUND, build, built_base, copy_base, small_article  # noqa: F401 (fixture)

from publisher.bounds import MAX_COST, check_body, estimate_cost
from publisher.checks.references import MAX_IMAGE_PIXELS, check_image_bounds, image_size
from publisher.markdown import MarkdownConverter

SHOWN = "content/x.md"
PLAIN = "Plain words about water and health, again.\n\n"

HOSTILE = {  # shape: body (each took pandoc 6 s or more, or ran out of 8-12 s, before the bound)
    "repeated-deep-brackets": "[[[[[[[[x]]]]]]]] " * 60,
    "unclosed-links": "[x](a " * 200,
    "unclosed-link-parens": "[x](" + "(" * 8000,
    "open-spans": "<span>" * 24,
    "stray-less-than": "a <5% " * 100 + "\n\n" + PLAIN * 2000,
    "unclosed-comments": "<!--" * 100 + "\n\n" + PLAIN * 2000,
    "unclosed-tags": "<a " * 100 + "\n\n" + PLAIN * 2000,
    "open-single-quotes": "'a " * 1500,
    "backtick-run": "`" * 8000,
    "ampersands": "&" * 8000,
}
ORDINARY = {  # near-misses that must pass
    "links": "See [the page](https://example.org/a) and ![a chart](chart.png).\n\n" * 2000,
    "linked-images": "[![a](b.png)](c) x\n\n" * 2000,
    "comparisons": "Keep it below 5%: a < b and c > d, written \\< or &lt;.\n\n" * 10 + PLAIN * 200,
    "tags-and-comments": "<span lang=\"fr\">eau</span> <!-- note --> <https://example.org>\n\n" * 2000,
    "quotes": "It's the patients' choice: 'this' one, in the '90s.\n\n" * 2000,
    "ampersands": "Salt & pepper, AT&T, &amp; and &#233;.\n\n" * 2000,
    "code": "Type `<` or `&&` in ``code``.\n\n```\n< && 'a\n```\n\n" * 500,
}


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_hostile_shapes_are_refused_with_their_line(shape):
    body = "Intro.\n\n" + HOSTILE[shape] + "\n"
    with deadline(30, f"checking the {shape} shape"):
        problems = check_body(body, 8, SHOWN)
    assert [p.code for p in problems] == ["body.too-complex"], problems
    text = str(problems[0])
    assert text.startswith(f"{SHOWN}:10: error: pandoc would need about "), text
    assert f"the limit is {MAX_COST:.0f} s" in text and text.endswith("[body.too-complex]")


@pytest.mark.parametrize("shape", sorted(ORDINARY))
def test_ordinary_shapes_pass(shape):
    assert check_body("Intro.\n\n" + ORDINARY[shape], 8, SHOWN) == []


def test_check_is_linear_on_a_megabyte():
    for body in ("[x](a " * 160_000, "<" * 900_000, "'a " * 300_000, "[[[[[[[[x]]]]]]]]" * 50_000,
                 "<span>" * 150_000, "<!--" * 200_000):
        with deadline(30, f"checking a megabyte of {body[:12]!r}"):
            problems = check_body(body, 8, SHOWN)
        assert [p.code for p in problems] == ["body.too-complex"], problems


@pytest.mark.parametrize("body", [
    "'a " * 800,  # single quotes: estimated 2.9 s
    "a <5% " * 40 + "\n\n" + PLAIN * 2000,  # '<': estimated 3.6 s
    "[x](a " * 100,  # unclosed links: estimated 2.4 s
], ids=["quotes", "less-than", "links"])
def test_bodies_just_under_the_bound_convert_in_time(body):
    """What the bound lets through converts within the converter's own time limit (it raises a
    markdown.timeout error past it): the estimate is conservative."""
    assert check_body(body, 8, SHOWN) == []
    assert estimate_cost(body).total > MAX_COST / 2
    html = MarkdownConverter().to_html(body, SHOWN)
    assert html.startswith("<p>") and len(html) > len(body) / 2, html[:200]


# --- images ------------------------------------------------------------------------------------


def bomb_png(width: int, height: int) -> bytes:
    """A greyscale PNG of zeros: a few hundred KB at most, however many pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(squeeze.compress(row * 64) for _ in range(height // 64)) + squeeze.compress(row * (height % 64))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", data + squeeze.flush()) + chunk(b"IEND", b""))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
@pytest.mark.parametrize("size", [(1, 1), (321, 123), (4000, 3)])
def test_header_sizes_match_pillow(tmp_path, fmt, size):
    Image = pytest.importorskip("PIL.Image")
    path = tmp_path / f"x.{fmt.lower()}"
    Image.new("RGB", size, "white").save(path, fmt)
    assert image_size(path, path.read_bytes()[:65536]) == Image.open(path).size == size
    assert check_image_bounds(path, path.name) is None


def test_damaged_header_is_refused(tmp_path):
    path = tmp_path / "x.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    code, message = check_image_bounds(path, "x.jpg")
    assert code == "content.image-header" and "'x.jpg'" in message


def test_svg_bounds(tmp_path):
    path = tmp_path / "x.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert check_image_bounds(path, "x.svg") is None
    path.write_text('<!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>')
    assert check_image_bounds(path, "x.svg")[0] == "content.svg-doctype"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg">' + " " * 1_000_000 + "</svg>")
    assert check_image_bounds(path, "x.svg")[0] == "content.image-too-large"


def test_pixel_bomb_is_refused_before_decoding(built_base, tmp_path):  # noqa: F811
    """A 12000 x 12000 PNG (144 million pixels, about 140 KB) in a bundle: refused with the article's
    line, the image, its size and the limit; exit 1; the previous build intact; bounded time and memory."""
    from conftest import tree_bytes

    project = copy_base(built_base, tmp_path / "proj")
    before = tree_bytes(project / "build")
    bundle = project / "content" / "bomb"
    bundle.mkdir()
    (bundle / "big.png").write_bytes(bomb_png(12000, 12000))
    assert (bundle / "big.png").stat().st_size < 200_000
    article = small_article(4, "\nA chart.\n\n![A chart](big.png)\n")
    (bundle / "index.md").write_text(article, encoding="utf-8")
    line = article.split("\n").index("![A chart](big.png)") + 1
    run = build(project)
    assert not run.timed_out and run.code == 1, run.output
    assert "Traceback" not in run.output
    assert run.maxrss < 300 * 2**20, f"peak memory {run.maxrss / 2**20:.0f} MiB: the image was decoded"
    assert (f"content/bomb/index.md:{line}: error: 'big.png' is 12000 x 12000 pixels (144 million); an image may "
            f"have at most {MAX_IMAGE_PIXELS // 10**6} million pixels") in run.stderr, run.stderr
    assert "[content.image-too-large]" in run.stderr
    assert tree_bytes(project / "build") == before

