"""Mend WeasyPrint's tagged PDF so it is PDF/UA all through, in one post-processing step (pikepdf).

WeasyPrint tags the content of page margin boxes (the running footer: the disclaimers' short
texts and "page N of M") as marked content whose parent is a ``NonStruct`` the document's
structure tree never reaches (Kozea/WeasyPrint#1836): neither an Artifact nor in the tree, which
PDF/UA forbids (Matterhorn 01 and 18). Every disclaimer is in the body in full, so the footer is
made what it is, a pagination Artifact (Header or Footer by where it sits on the page), and its
entries leave the parent tree. List items come as ``LI > LBody`` with the marker (the theme's
``li::before``: a bullet or "3.") as the body's first child: it becomes the item's ``Lbl``.

``structure_problems`` finds what this step fixes, so the gate and the tests can prove a leaflet
has none left. Saving is deterministic (the file ID is a hash of the content).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from . import pdfx

FOOTER, HEADER = "/Footer", "/Header"


@dataclass(frozen=True)
class Run:
    """One text-showing operator: its marked-content sequence, its font size as printed and its
    height on the page (points from the bottom edge)."""

    mcid: int | None  # the innermost MCID around it; None inside an Artifact or no marked content
    artifact: bool
    size: float
    y: float


def mend(data: bytes, print_profile: bytes | None = None) -> bytes:
    """The leaflet with its margin content as Artifacts and its list markers as ``Lbl``; a print
    shop's leaflet (given its output profile's bytes) finished as PDF/X-4 too (pdfx.py), in the
    same pass."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return data
        reachable = _reachable(tree)
        parents = _parent_tree(tree)
        for page in pdf.pages:
            index = page.obj.get("/StructParents")
            marked = parents.get(int(index)) if index is not None else None
            if marked is None:
                continue
            orphans = {mcid for mcid, element in enumerate(marked)
                       if isinstance(element, pikepdf.Dictionary) and element.objgen not in reachable}
            if orphans:
                _as_artifacts(pdf, page, orphans, float(page.mediabox[3]) - float(page.mediabox[1]))
                for mcid in orphans:
                    marked[mcid] = None  # an Artifact has no place in the structure
        for item in _elements(tree, "/LI"):
            _label(pdf, item)
        _join_continued_items(tree)
        if print_profile is not None:
            pdfx.finish(pdf, print_profile)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def structure_problems(data: bytes) -> list[str]:
    """What PDF/UA would find here that ``mend`` fixes: marked content neither reachable from the
    structure tree nor an Artifact, and list items without a label (``Lbl``)."""
    import pikepdf

    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return ["the PDF is not tagged (no StructTreeRoot)"]
        reachable = _reachable(tree)
        parents = _parent_tree(tree)
        for number, page in enumerate(pdf.pages, 1):
            index = page.obj.get("/StructParents")
            marked = parents.get(int(index), []) if index is not None else []
            for run in text_runs(page):
                if run.artifact:
                    continue
                element = marked[run.mcid] if run.mcid is not None and run.mcid < len(marked) else None
                if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reachable:
                    problems.append(f"page {number}: text in marked content {run.mcid} is neither in the structure "
                                    "tree nor an Artifact")
                    break
        for item in _elements(tree, "/LI"):
            if "/Lbl" not in [str(kid.get("/S")) for kid in _kids(item) if isinstance(kid, pikepdf.Dictionary)]:
                problems.append("a list item has no Lbl (its marker is inside its body)")
                break
    return problems


# The operators text_runs follows: qpdf leaves out the rest (paths, colours, images) while it
# parses, so Python never sees them.
_TEXT_STATE = "q Q cm BT Tm Td TD T* TL Tf BDC BMC EMC Tj TJ ' \""


def text_runs(page) -> list[Run]:
    """Every text-showing operator of a page with its marked content, printed size and height,
    following the graphics state (q, Q, cm) and the text matrix (Tm, Td, TD, T*, Tf, TL)."""
    import pikepdf

    runs, stack, marks = [], [], []
    ctm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    tm = line = ctm
    size, leading = 0.0, 0.0
    for operands, operator in pikepdf.parse_content_stream(page, _TEXT_STATE):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm":
            ctm = _multiply(tuple(float(x) for x in operands), ctm)
        elif op == "BT":
            tm = line = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        elif op == "Tm":
            tm = line = tuple(float(x) for x in operands)
        elif op in ("Td", "TD"):
            line = tm = _multiply((1.0, 0.0, 0.0, 1.0, float(operands[0]), float(operands[1])), line)
            if op == "TD":
                leading = -float(operands[1])
        elif op == "T*":
            line = tm = _multiply((1.0, 0.0, 0.0, 1.0, 0.0, -leading), line)
        elif op == "TL":
            leading = float(operands[0])
        elif op == "Tf":
            size = float(operands[1])
        elif op in ("BDC", "BMC"):
            tag = str(operands[0])
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            mcid = int(props["/MCID"]) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            marks.append((tag, mcid))
        elif op == "EMC" and marks:
            marks.pop()
        elif op in ("Tj", "TJ", "'", '"'):
            matrix = _multiply(tm, ctm)
            scale = (matrix[2] ** 2 + matrix[3] ** 2) ** 0.5  # the vertical size of a unit of text space
            mcid = next((m for _, m in reversed(marks) if m is not None), None)
            runs.append(Run(mcid, any(tag == "/Artifact" for tag, _ in marks), round(size * scale, 2), matrix[5]))
    return runs


def _multiply(a: tuple, b: tuple) -> tuple:
    """a x b for PDF matrices [a b c d e f]."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _as_artifacts(pdf, page, orphans: set[int], height: float) -> None:
    """Rewrite the page's content: each marked-content sequence of ``orphans`` becomes
    ``/Artifact <</Type /Pagination /Subtype /Footer>>`` (or /Header, above the page's middle)."""
    import pikepdf

    heights: dict[int, float] = {}
    for run in text_runs(page):
        if run.mcid in orphans:
            heights.setdefault(run.mcid, run.y)
    instructions = pikepdf.parse_content_stream(page)  # rewritten in place: only the orphans' BDC change
    begin = pikepdf.Operator("BDC")
    for index, instruction in enumerate(instructions):
        if instruction.operator != begin:
            continue
        operands = instruction.operands
        if len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) \
                and int(operands[1].get("/MCID", -1)) in orphans:
            mcid = int(operands[1]["/MCID"])
            where = HEADER if heights.get(mcid, 0.0) > height / 2 else FOOTER
            instructions[index] = pikepdf.ContentStreamInstruction(
                [pikepdf.Name("/Artifact"), pikepdf.Dictionary(Type=pikepdf.Name("/Pagination"), Subtype=pikepdf.Name(where))],
                instruction.operator)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def _label(pdf, item) -> None:
    """``LI > LBody > [marker, ...]`` -> ``LI > [Lbl (the marker), LBody > [...]]``."""
    import pikepdf

    kids = _kids(item)
    if any(str(k.get("/S")) == "/Lbl" for k in kids if isinstance(k, pikepdf.Dictionary)) or not kids:
        return
    body = kids[0]
    if not isinstance(body, pikepdf.Dictionary) or str(body.get("/S")) != "/LBody":
        return
    inner = _kids(body)
    if len(inner) < 2 or not isinstance(inner[0], pikepdf.Dictionary) or str(inner[0].get("/S")) != "/NonStruct":
        return
    marker = inner[0]
    marker.S = pikepdf.Name("/Lbl")
    marker.P = item
    body.K = pikepdf.Array(inner[1:])
    item.K = pikepdf.Array([marker, body, *kids[1:]])


def _join_continued_items(tree) -> None:
    """WeasyPrint tags the part of a list item that runs onto the next page as a list of its own,
    whose one item has no marker: put that part back into the item it continues."""
    import pikepdf

    last = None
    for listing in _elements(tree, "/L"):
        items = [k for k in _kids(listing) if isinstance(k, pikepdf.Dictionary) and str(k.get("/S")) == "/LI"]
        if items and last is not None and [str(k.get("/S")) for k in _kids(items[0])] == ["/LBody"]:
            continued = _kids(_kids(last)[-1])
            body = _kids(last)[-1]
            for kid in _kids(_kids(items[0])[0]):
                if isinstance(kid, pikepdf.Dictionary):
                    kid.P = body
                continued.append(kid)
            body.K = pikepdf.Array(continued)
            rest = [k for k in _kids(listing) if not (isinstance(k, pikepdf.Dictionary) and k.objgen == items[0].objgen)]
            listing.K = pikepdf.Array(rest)
            if not rest:
                parent = listing.P
                parent.K = pikepdf.Array([k for k in _kids(parent) if not (isinstance(k, pikepdf.Dictionary)
                                                                           and k.objgen == listing.objgen)])
            items = items[1:]
        if items:
            last = items[-1]


def _kids(element) -> list:
    import pikepdf

    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _elements(tree, name: str | None = None) -> list:
    """Every structure element the tree's root reaches (of type ``name``, if given), in reading order."""
    import pikepdf

    found, seen = [], set()

    def walk(node) -> None:
        for kid in _kids(node):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.objgen not in seen:
                seen.add(kid.objgen)
                if name is None or str(kid.S) == name:
                    found.append(kid)
                walk(kid)

    walk(tree)
    return found


def _reachable(tree) -> set:
    """The object numbers of every structure element the tree's root reaches."""
    return {element.objgen for element in _elements(tree)}


def _parent_tree(tree) -> dict:
    """StructParents index -> the array of elements by MCID (a number tree, flat or with Kids)."""
    import pikepdf

    found = {}

    def walk(node) -> None:
        nums = node.get("/Nums")
        if nums is not None:
            for i in range(0, len(nums) - 1, 2):
                if isinstance(nums[i + 1], pikepdf.Array):
                    found[int(nums[i])] = nums[i + 1]
        for kid in node.get("/Kids", []):
            walk(kid)

    parent_tree = tree.get("/ParentTree")
    if parent_tree is not None:
        walk(parent_tree)
    return found
