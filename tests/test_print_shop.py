"""The leaflet for a print shop ([pdf] print_marks): a TrimBox with a BleedBox 3 mm outside it on
every page (pdfinfo), crop marks outside both (pdftoppm), PDF/X-4 with a CMYK output intent for
coated paper (pikepdf: the intent, the XMP, no device RGB anywhere, no annotation), and a warning
naming each raster image printed at under 300 pixels per inch. The output profile is what
`make profile` makes from Debian's packaged Fogra data.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import build_cli, failed, ok, write_article
from test_pdf import copy_project

MM = 72 / 25.4
REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "layouts/pdf/profiles/FOGRA39L-coated.icc"
PRINTED = "site/ketamine-therapy/ketamine-therapy-print.pdf"


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


def _print_leaflet(out) -> pikepdf.Pdf:
    return pikepdf.open(out / PRINTED)


def test_the_print_leaflet_is_pdfx_4_with_a_cmyk_output_intent_for_coated_paper(printed):
    _, out, _ = printed
    with _print_leaflet(out) as pdf:
        assert pdf.pdf_version >= "1.6" and "/ID" in pdf.trailer
        intents = list(pdf.Root.OutputIntents)
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == pikepdf.Name("/GTS_PDFX")
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        icc = profile.read_bytes()
        assert icc[12:20] == b"prtrCMYK" and icc[20:24] == b"Lab "  # an output profile, CMYK to Lab
        assert icc == PROFILE.read_bytes()
        xmp = pdf.open_metadata()
        assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert xmp["pdfuaid:part"] == "1"  # a print shop's leaflet is still read aloud whole
        assert str(xmp["xmpMM:DocumentID"]).startswith("uuid:")
        assert pdf.docinfo.Trapped == pikepdf.Name("/False")


def _colour_spaces(obj, found: list) -> None:
    """Every /ColorSpace and /CS value in ``obj`` and the direct objects it holds."""
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        for key in obj.keys():
            value = obj[key]
            if key in ("/ColorSpace", "/CS"):
                found.append(value)
            if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
                _colour_spaces(value, found)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
                _colour_spaces(value, found)


def test_no_colour_is_device_rgb_images_and_text_included(printed):
    """PDF/X-4 under a CMYK intent takes colour as CMYK, grey or ICC-based: not DeviceRGB."""
    _, out, _ = printed
    with pikepdf.open(out / "site/photos/photos-print.pdf") as pdf:
        widths = {int(o.Width) for o in pdf.objects if isinstance(o, pikepdf.Stream)
                  and o.get("/Subtype") == pikepdf.Name("/Image")}
        assert {200, 2000} <= widths, "the two photos are in the leaflet"
        spaces = []
        for obj in pdf.objects:
            _colour_spaces(obj, spaces)
        assert spaces
        for space in spaces:
            if isinstance(space, pikepdf.Dictionary):  # a resources' map of names to spaces
                space = list(space.values())
            assert "DeviceRGB" not in repr(space), space
        owners = list(pdf.pages) + [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                                    and o.get("/Subtype") == pikepdf.Name("/Form")]
        operators = {str(op) for owner in owners for _, op in pikepdf.parse_content_stream(owner)}
        assert "cs" in operators and "sc" in operators  # the text is coloured, as ICC-based sRGB
        assert not operators & {"rg", "RG"}, operators


def test_no_annotation_lies_in_the_bleed_box_and_links_read_as_text(printed):
    _, out, _ = printed
    with _print_leaflet(out) as pdf:
        assert all("/Annots" not in page.obj for page in pdf.pages)
        kinds = {str(o.S) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/S" in o and "/P" in o}
        assert "/Link" not in kinds and "/P" in kinds
    with pikepdf.open(out / "site/ketamine-therapy/ketamine-therapy.pdf") as screen:  # the screen leaflet keeps them
        assert any("/Annots" in page.obj for page in screen.pages)
    text = subprocess.run(["pdftotext", str(out / PRINTED), "-"], capture_output=True, text=True, check=True).stdout
    assert "ketamine-therapy" in text  # its web address is printed


def test_crop_marks_lie_outside_the_trim_box_and_the_bleed_box(printed, tmp_path):
    """Dark pixels outside the TrimBox: at each corner beyond the BleedBox, none between the two."""
    from PIL import Image

    _, out, _ = printed
    dpi = 150
    with _print_leaflet(out) as pdf:
        page = pdf.pages[0].obj
        media, trim, bleed = ([float(v) for v in page[box]] for box in ("/MediaBox", "/TrimBox", "/BleedBox"))
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(out / PRINTED),
                    str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("L")
    scale = dpi / 72

    def where(x: float, y: float) -> tuple[float, float]:  # page points -> pixel
        return (x - media[0]) * scale, (media[3] - y) * scale

    def inside(box, px, py, shrink=0.0) -> bool:
        (x0, y1), (x1, y0) = where(box[0], box[1]), where(box[2], box[3])
        return x0 + shrink <= px <= x1 - shrink and y0 + shrink <= py <= y1 - shrink

    marks = [(px, py) for py in range(image.height) for px in range(image.width)
             if image.getpixel((px, py)) < 128 and not inside(trim, px, py)]
    assert marks
    assert all(not inside(bleed, px, py, shrink=1.5) for px, py in marks)  # 1.5 px: the line's anti-aliasing
    width, height = image.size
    corners = {(px < width / 2, py < height / 2) for px, py in marks}
    assert len(corners) == 4  # a pair of marks at every corner


def test_the_print_leaflet_is_byte_identical_when_rendered_again(printed, tmp_path):
    proj, out, _ = printed
    ok(build_cli(proj, "--out", str(tmp_path / "again"), "--channel", "pdf", "--no-cache"))
    assert (tmp_path / "again" / PRINTED).read_bytes() == (out / PRINTED).read_bytes()


def test_the_output_profile_is_what_make_profile_makes_from_the_packaged_data():
    sys.path.insert(0, str(REPO / "tests"))
    from regenerate_profile import make_profile

    assert make_profile() == PROFILE.read_bytes()


def test_the_gate_refuses_a_print_leaflet_whose_layout_names_no_cmyk_profile(tmp_path):
    """A project's own print CSS without the @color-profile rule: WeasyPrint writes no output
    intent, and the build fails naming the leaflet, the reason and the layout; nothing is written."""
    proj = copy_project(tmp_path / "proj", "print_marks = true")
    css = proj / "layouts/pdf/leaflet.css"
    text = css.read_text(encoding="utf-8")
    rule = re.search(r"^@color-profile device-cmyk .*$", text, flags=re.M)
    assert rule
    css.write_text(text.replace(rule.group(0), ""), encoding="utf-8")
    result = build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf", "--no-cache")
    message = failed(result)
    assert re.search(r"ketamine-therapy-print\.pdf: error: article 'ketamine-therapy': the leaflet for a print shop is "
                     r"not PDF/X-4: it has no CMYK output intent .*layouts/pdf/leaflet\.css.*\[verify\.print\]", message), message
    assert not (tmp_path / "out").exists()


def test_what_weasyprint_writes_alone_is_what_the_gate_refuses(printed):
    """pdf/x-4 straight from WeasyPrint keeps device RGB and its links: the step after it is needed."""
    from weasyprint import CSS, HTML

    from publisher.channels.pdfx import print_problems

    _, out, _ = printed
    profiles: dict = {}
    css = CSS(string=f'@color-profile device-cmyk {{ src: url("{PROFILE.as_uri()}"); components: c, m, y, k; }}'
                     " p { color: #0b5cad }", color_profiles=profiles)
    raw = HTML(string='<html lang=en><p>See <a href="https://example.org/">this page</a>.</p></html>').render(
        stylesheets=[css], color_profiles=profiles).write_pdf(pdf_variant="pdf/x-4", pdf_tags=True)
    problems = print_problems(raw)
    assert any("device RGB" in p for p in problems) and any("annotations" in p for p in problems), problems
    assert not any("output intent" in p for p in problems), problems
    assert print_problems((out / PRINTED).read_bytes()) == []


def test_a_layout_weasyprint_fails_on_is_an_error_naming_the_layout_not_a_traceback(tmp_path):
    """WeasyPrint 70 raises (TypeError) on an @color-profile without its components; the build
    says which layout and leaflet, exits 1 and writes nothing."""
    proj = copy_project(tmp_path / "proj", "print_marks = true")
    css = proj / "layouts/pdf/leaflet.css"
    css.write_text(css.read_text(encoding="utf-8").replace(" components: cyan, magenta, yellow, black;", ""),
                   encoding="utf-8")
    result = build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf", "--no-cache")
    message = failed(result)
    assert "Traceback" not in result.output
    assert re.search(r"^layouts/pdf/leaflet\.css: error: WeasyPrint could not render the leaflet of "
                     r"content/ketamine-therapy\.md \(TypeError: .*\[pdf\.render\]$", message, flags=re.M), message
    assert not (tmp_path / "out").exists()
