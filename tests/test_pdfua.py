"""The leaflets as PDF/UA asks: every marked-content sequence on every page is reachable from the
structure tree or inside an Artifact, the running footer is a pagination Artifact, list items have
a label (Lbl) and a body (LBody), qpdf finds no error and every font is embedded.

Read with pikepdf (the structure tree, the content streams), qpdf and poppler's pdffonts and
pdftotext, for the screen leaflet, the print version ([pdf] print_marks) and the large-print one
([pdf] large_print), where a list item runs onto the next page.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import build_cli, ok
from test_pdf import copy_project

SLUG = "ketamine-therapy"
VARIANTS = {"screen": f"site/{SLUG}/{SLUG}.pdf", "print": f"site/{SLUG}/{SLUG}-print.pdf",
            "large": f"site/{SLUG}/{SLUG}-large.pdf"}
LIST_ITEMS = 9  # the sample article's two lists: 4 bullets and 5 numbered items, however they break


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pdfua")
    proj = copy_project(base / "proj", "print_marks = true\nlarge_print = true")
    ok(build_cli(proj, "--out", str(base / "out"), "--channel", "pdf"))
    return base / "out"


def _kids(element) -> list:
    k = element.get("/K")
    return [] if k is None else list(k) if isinstance(k, pikepdf.Array) else [k]


def _reachable(root) -> dict:
    """objgen -> element, for every structure element the StructTreeRoot reaches."""
    found = {}
    stack = _kids(root)
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node and node.objgen not in found:
            found[node.objgen] = node
            stack += _kids(node)
    return found


def _marked(page) -> list[tuple[str, object]]:
    """(tag, properties) of every marked-content sequence of the page, outermost first."""
    return [(str(operands[0]), operands[1] if op == "BDC" else None)
            for operands, op in ((o, str(p)) for o, p in pikepdf.parse_content_stream(page)) if op in ("BDC", "BMC")]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_marked_content_sequence_is_in_the_tree_or_an_artifact(out, variant):
    with pikepdf.open(out / VARIANTS[variant]) as pdf:
        reachable = _reachable(pdf.Root.StructTreeRoot)
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for number, page in enumerate(pdf.pages, 1):
            marked = parents[int(page.obj.StructParents)]
            for tag, props in _marked(page):
                if tag == "/Artifact":
                    continue
                assert isinstance(props, pikepdf.Dictionary) and "/MCID" in props, (number, tag)
                element = marked[int(props.MCID)]
                assert isinstance(element, pikepdf.Dictionary) and element.objgen in reachable, \
                    f"page {number}: MCID {int(props.MCID)} ({tag}) is not reachable from the structure tree"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_running_footer_is_a_pagination_artifact_and_only_there(out, variant):
    path = out / VARIANTS[variant]
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
        for page in pdf.pages:
            artifacts = [props for tag, props in _marked(page) if tag == "/Artifact"]
            assert any(isinstance(p, pikepdf.Dictionary) and p.get("/Type") == "/Pagination"
                       and p.get("/Subtype") == "/Footer" for p in artifacts), artifacts
        # The same leaflet with every Artifact taken out: "page N of M" (the footer) is gone, the body stays.
        for page in pdf.pages:
            kept, depth = [], []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    depth.append(str(operands[0]) == "/Artifact" or (bool(depth) and depth[-1]))
                    if depth[-1]:
                        continue
                elif op == "EMC":
                    if depth.pop():
                        continue
                elif depth and depth[-1] and op in ("Tj", "TJ", "'", '"'):
                    continue
                kept.append(pikepdf.ContentStreamInstruction(operands, operator))
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        stripped = io.BytesIO()
        pdf.save(stripped)
    whole = _text(path.read_bytes())
    without = _text(stripped.getvalue())
    for number in range(1, pages + 1):
        assert f"page {number} of {pages}" in whole
        assert f"page {number} of {pages}" not in without
    assert "Not medical advice" in without  # the disclaimer's full text stays in the body


def _text(data: bytes) -> str:
    return re.sub(r"\s+", " ", subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                                               check=True).stdout.decode("utf-8"))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_list_items_have_a_label_and_a_body(out, variant):
    with pikepdf.open(out / VARIANTS[variant]) as pdf:
        items = [e for e in _reachable(pdf.Root.StructTreeRoot).values() if e.S == "/LI"]
        assert len(items) == LIST_ITEMS
        for item in items:
            assert [str(k.S) for k in _kids(item)] == ["/Lbl", "/LBody"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_qpdf_finds_no_error_and_every_font_is_embedded(out, variant):
    path = out / VARIANTS[variant]
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors found" in check.stdout, check.stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column


def test_the_gate_tells_a_leaflet_weasyprint_left_unmended(out):
    """What WeasyPrint writes on its own has the orphan footer and unlabelled items the gate refuses."""
    from weasyprint import CSS, HTML

    from publisher.channels.pdftags import structure_problems

    raw = HTML(string="<html lang=en><body><ul><li>One</li><li>Two</li></ul></body></html>").write_pdf(
        pdf_variant="pdf/ua-1", stylesheets=[CSS(string=(
            "@page { @bottom-center { content: 'page ' counter(page) } } ul { list-style: none } ul > li::before { content: '\\2022' }"))])
    problems = structure_problems(raw)
    assert any("neither in the structure tree nor an Artifact" in p for p in problems), problems
    assert any("no Lbl" in p for p in problems), problems
    assert structure_problems((out / VARIANTS["screen"]).read_bytes()) == []
