"""The leaflet for a print shop ([pdf] print_marks): a TrimBox with a BleedBox 3 mm outside it on
every page (pdfinfo), and a warning naming each raster image printed at under 300 pixels per inch.
"""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from conftest import build_cli, ok, write_article
from test_pdf import copy_project

MM = 72 / 25.4


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 92, 173)).save(buffer, format="PNG")
    return buffer.getvalue()


def _with_photos(proj):
    """A bundle article with a photo 200 px wide printed at its natural size (96 CSS px to the inch:
    96 ppi), and one 2,000 px wide shrunk to the text column (about 480 ppi)."""
    write_article(proj, "photos/index", (
        "title: Photos\ndate: 2026-11-01\nauthor: Clinic nurses\ndescription: Two photos.\n"
        "plain_summary: Look at the photos. Ask your nurse if you have questions.\n"),
        "Some text.\n\n![A small photo](small.png)\n\n![A sharp photo](sharp.png)\n")
    (proj / "content" / "photos" / "small.png").write_bytes(_png(200, 100))
    (proj / "content" / "photos" / "sharp.png").write_bytes(_png(2000, 1000))
    return proj


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    base = tmp_path_factory.mktemp("print-shop")
    proj = _with_photos(copy_project(base / "proj", "print_marks = true"))
    return proj, base / "out", ok(build_cli(proj, "--out", str(base / "out"), "--channel", "pdf"))


def test_each_page_has_a_trim_box_and_a_bleed_box_3_mm_outside_it(printed):
    _, out, _ = printed
    info = subprocess.run(["pdfinfo", "-box", "-f", "1", "-l", "99", str(out / "site/ketamine-therapy/ketamine-therapy-print.pdf")],
                          capture_output=True, text=True, check=True).stdout
    boxes = {}
    for page, kind, values in re.findall(r"Page\s+(\d+) (TrimBox|BleedBox):\s+([-\d. ]+)", info):
        boxes.setdefault(int(page), {})[kind] = [float(v) for v in values.split()]
    assert len(boxes) >= 2
    for page, found in boxes.items():
        trim, bleed = found["TrimBox"], found["BleedBox"]
        outside = [trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]]
        assert all(abs(d - 3 * MM) < 0.05 for d in outside), (page, trim, bleed)


def test_a_photo_under_300_ppi_is_a_warning_naming_it_and_its_line(printed):
    _, _, text = printed
    assert re.search(r"content/photos/index\.md:10: warning: the image 'small\.png' prints at 96 pixels per inch in the "
                     r"leaflet for a print shop, under 300.*\[pdf\.resolution\]", text), text
    assert "sharp.png" not in text


def test_the_warning_holds_when_the_leaflet_comes_from_the_cache(printed, tmp_path):
    proj, _, _ = printed
    again = ok(build_cli(proj, "--out", str(tmp_path / "again"), "--channel", "pdf"))
    assert "reused" in again and "'small.png' prints at 96 pixels per inch" in again, again


def test_the_screen_leaflet_alone_does_not_warn(tmp_path):
    proj = _with_photos(copy_project(tmp_path / "proj"))
    text = ok(build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf"))
    assert "pdf.resolution" not in text
