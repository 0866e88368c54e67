"""The large-print leaflet ([pdf] large_print = true): <slug>-large.pdf, A4, every word of the body
at 16 pt or more, the disclaimers in full; linked from the article page and the leaflets page,
listed in the manifest, checked by the gate and reused from the cache like the others.

Read with pdfinfo, pdftotext (-bbox: each word's box, whose height is the font's size times
DejaVu Sans's ascent plus descent, 1.164 em) and an HTML parser.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import build_cli, failed, normalise, ok, parse_html
from test_cache import pdf_line
from test_pdf import copy_project

SLUG = "ketamine-therapy"
LARGE = f"site/{SLUG}/{SLUG}-large.pdf"
EM_BOX = 1.164  # DejaVu Sans: ascent 0.928 + descent 0.236 of the em, the height pdftotext gives a word
FOOTER = 45 * 72 / 25.4  # the large-print page's bottom margin, where the running footer sits (points)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("large")
    proj = copy_project(base / "proj", "large_print = true\nprint_marks = true")
    out = base / "out"
    text = ok(build_cli(proj, "--out", str(out)))
    return proj, out, text


def _words(path: Path) -> list[tuple[float, float, str]]:
    """(height, bottom, word) of every word pdftotext finds, with the page's height."""
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for page in re.finditer(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', xml, re.S):
        height = float(page.group(1))
        for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page.group(2)):
            found.append((float(m.group(2)) - float(m.group(1)), height - float(m.group(2)), m.group(3)))
    return found


def test_the_large_print_leaflet_is_a4_with_body_text_at_16_pt_or_more(built):
    _, out, _ = built
    info = subprocess.run(["pdfinfo", str(out / LARGE)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    body = [(h / EM_BOX, w) for h, bottom, w in _words(out / LARGE) if bottom > FOOTER]
    assert len(body) > 1000
    small = [(round(size, 1), word) for size, word in body if size < 15.95]
    assert small == [], small[:10]
    screen = [h / EM_BOX for h, _, _ in _words(out / f"site/{SLUG}/{SLUG}.pdf")]
    assert min(screen) < 10  # the A5 leaflet is set smaller: the check above can fail


def test_the_large_print_leaflet_has_every_disclaimer_in_full(built):
    proj, out, _ = built
    text = normalise(subprocess.run(["pdftotext", str(out / LARGE), "-"], capture_output=True, text=True,
                                    check=True).stdout)
    for name in ("not-medical-advice", "ketamine-off-label", "crisis-help"):
        full = (proj / "content" / "disclaimers" / f"{name}.md").read_text(encoding="utf-8").split("---", 2)[2]
        first = normalise(re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", r"\1", full.strip().split("\n\n")[0]))
        assert first[:120] in text, name


def test_every_variant_is_linked_and_listed(built):
    _, out, _ = built
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [record] = [a for a in manifest["articles"] if a["slug"] == SLUG]
    assert {k: v for k, v in record["outputs"].items() if k.startswith("pdf")} == {
        "pdf": f"site/{SLUG}/{SLUG}.pdf", "pdf_print": f"site/{SLUG}/{SLUG}-print.pdf", "pdf_large": LARGE}
    page = parse_html(out / f"site/{SLUG}/index.html")
    links = {normalise(a.get_text()): a["href"] for a in page.select("nav.formats a")}
    assert links["Large-print leaflet (PDF)"] == f"{SLUG}-large.pdf"
    assert links["Leaflet for a print shop (PDF)"] == f"{SLUG}-print.pdf"
    leaflets = parse_html(out / "site/leaflets/index.html")
    hrefs = [a["href"] for a in leaflets.select("main a[download]")]
    assert hrefs == [f"../{SLUG}/{SLUG}.pdf", f"../{SLUG}/{SLUG}-print.pdf", f"../{SLUG}/{SLUG}-large.pdf"]
    for href in hrefs:
        assert (out / "site" / "leaflets" / href).resolve().is_file()


def test_the_cache_keeps_the_large_print_leaflet(built):
    proj, out, first = built
    assert pdf_line(first)[1] == 0
    again = ok(build_cli(proj, "--out", str(out), "--no-cache"))  # --no-cache: every leaflet rendered afresh
    assert pdf_line(again) == pdf_line(first)
    warm = ok(build_cli(proj, "--out", str(out.parent / "warm")))
    files, reused = pdf_line(warm)
    assert reused == 3, warm  # the screen, print and large-print leaflets, from the cache


def test_the_gate_checks_the_large_print_leaflet_too(tmp_path):
    proj = copy_project(tmp_path / "proj", "large_print = true")
    own = proj / "layouts" / "pdf"
    own.mkdir(parents=True, exist_ok=True)
    from publisher.layouts import Layouts

    theme = Layouts(proj / "layouts", proj).find("pdf/leaflet.css")
    css = theme.read_text(encoding="utf-8")
    (own / "leaflet.css").write_text(css + "\n{% if large_print %}.disclaimer { display: none; }{% endif %}\n",
                                     encoding="utf-8")
    output = failed(build_cli(proj, "--out", str(tmp_path / "out")))
    assert f"{LARGE}: error:" in output and "lacks the full text of disclaimer" in output, output
    assert f"site/{SLUG}/{SLUG}.pdf: error" not in output
