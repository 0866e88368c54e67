"""Finish the print-shop leaflet as PDF/X-4 for coated offset paper (FOGRA39), in pikepdf.

WeasyPrint's ``pdf/x-4`` variant writes the XMP identification, the document ID, ``Trapped`` and
the output intent with the CMYK profile the print CSS names (``@color-profile device-cmyk``). Three
things a preflight refuses remain, and this step mends them after WeasyPrint (and after pdftags):
- **Device RGB.** The theme's colours, SVG marks and images are sRGB, written as DeviceRGB, which
  PDF/X-4 allows only under an RGB output intent. Each becomes ICC-based sRGB (WeasyPrint's own
  sRGB2014 profile): ``r g b rg`` is ``/sRGB cs r g b sc``; images, shadings and transparency
  groups name the ICC colour space. The colours stay what they were; the RIP converts them to
  FOGRA39 with the output intent.
- **Annotations.** PDF/X forbids annotations inside the bleed box (except printer's marks). A
  printed leaflet's links cannot be followed anyway (its web address is printed and its QR code
  drawn), so the link annotations go, and their ``Link`` structure elements become ``Span``.
- **Boxes.** The CSS bleed is 6 mm so that the crop marks (drawn in its outer half) sit outside a
  3 mm BleedBox, which is set here; WeasyPrint would put it at 3.5 mm (10 pt).
The output intent is named as the registered characterisation, FOGRA39 (ICC's registry).
"""

from __future__ import annotations

import hashlib
import io
import uuid
from importlib.resources import files

BLEED_MM = 3  # what print shops ask for on every side
POINTS_PER_MM = 72 / 25.4
SRGB = "/PublisherSRGB"  # the ICC-based sRGB colour space's name in the shared resources
CONDITION = {  # ICC's characterization registry: https://www.color.org/registry/
    "/OutputConditionIdentifier": "FOGRA39",
    "/RegistryName": "http://www.color.org",
    "/OutputCondition": "Offset printing, coated paper (ISO 12647-2:2004/Amd 1), FOGRA39",
    "/Info": "Coated FOGRA39 (ISO 12647-2:2004)",
}
_RGB_OPERATORS = {"rg": ("cs", "sc"), "RG": ("CS", "SC")}


def finish(pdf, profile: bytes) -> None:
    """Make the open pikepdf ``pdf`` (a tagged leaflet from WeasyPrint's pdf/x-4) PDF/X-4, with
    ``profile`` (the ICC file the CSS names, as WeasyPrint read it) as its output intent."""
    import pikepdf

    srgb = pikepdf.Array([pikepdf.Name("/ICCBased"), pdf.make_stream(
        (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes(), N=3)])
    for obj in pdf.objects:
        _name_icc(obj, srgb)
    for owner in _content_owners(pdf):
        _rewrite_rgb_operators(pdf, owner, srgb)
    _drop_link_annotations(pdf)
    bleed = BLEED_MM * POINTS_PER_MM
    for page in pdf.pages:
        x0, y0, x1, y1 = (float(v) for v in page.obj.TrimBox)
        page.obj.BleedBox = pikepdf.Array([round(x0 - bleed, 4), round(y0 - bleed, 4),
                                           round(x1 + bleed, 4), round(y1 + bleed, 4)])
    for intent in pdf.Root.get("/OutputIntents", []):
        for key, value in CONDITION.items():
            intent[key] = pikepdf.String(value)
        intent.DestOutputProfile.write(profile)  # the same stream is the CMYK colour space's
    _identify(pdf)


def _identify(pdf) -> None:
    """The XMP says PDF/UA-1 as well as PDF/X-4 (the leaflet is both), and its DocumentID, which
    WeasyPrint draws at random, is a hash of the pages' content: the same leaflet, the same bytes."""
    import pikepdf

    digest = hashlib.sha256()
    for page in pdf.pages:
        contents = page.obj.Contents
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            digest.update(stream.read_bytes())
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["pdfuaid:part"] = "1"
        xmp["xmpMM:DocumentID"] = f"uuid:{uuid.UUID(bytes=digest.digest()[:16])}"
    if "/ID" in pdf.trailer:
        del pdf.trailer["/ID"]  # WeasyPrint's hashes the random DocumentID; saving makes one of the content


def _name_icc(obj, srgb) -> None:
    """Every ``/ColorSpace`` or ``/CS`` of /DeviceRGB (an image's, a shading's, a group's, an
    indexed space's base) inside ``obj`` becomes the ICC-based sRGB space."""
    import pikepdf

    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        for key in list(obj.keys()):
            value = obj[key]
            if key in ("/ColorSpace", "/CS") and value == pikepdf.Name("/DeviceRGB"):
                obj[key] = srgb
            elif key in ("/ColorSpace", "/CS") and isinstance(value, pikepdf.Array) and len(value) > 1 \
                    and value[0] == pikepdf.Name("/Indexed") and value[1] == pikepdf.Name("/DeviceRGB"):
                value[1] = srgb
            elif isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
                _name_icc(value, srgb)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
                _name_icc(value, srgb)


def _content_owners(pdf) -> list:
    """The pages, and every form XObject and tiling pattern: whatever holds a content stream."""
    import pikepdf

    owners = [page for page in pdf.pages]
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and (
                obj.get("/Subtype") == pikepdf.Name("/Form") or obj.get("/PatternType") == 1):
            owners.append(obj)
    return owners


def _rewrite_rgb_operators(pdf, owner, srgb) -> None:
    """``r g b rg`` -> ``/sRGB cs r g b sc`` (and RG, and ``/DeviceRGB cs``) in one content stream,
    with the space named in its resources."""
    import pikepdf

    stream = owner.obj if isinstance(owner, pikepdf.Page) else owner
    instructions, changed = [], False
    for operands, operator in pikepdf.parse_content_stream(owner):
        op = str(operator)
        if op in _RGB_OPERATORS:
            space, colour = _RGB_OPERATORS[op]
            instructions.append(pikepdf.ContentStreamInstruction([pikepdf.Name(SRGB)], pikepdf.Operator(space)))
            instructions.append(pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(colour)))
            changed = True
            continue
        if op in ("cs", "CS") and operands and operands[0] == pikepdf.Name("/DeviceRGB"):
            operands, changed = [pikepdf.Name(SRGB)], True
        instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
    if not changed:
        return
    resources = stream.get("/Resources")
    if resources is None:
        stream.Resources = resources = pikepdf.Dictionary()
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pikepdf.Dictionary()
    resources.ColorSpace[SRGB] = srgb
    data = pikepdf.unparse_content_stream(instructions)
    if isinstance(owner, pikepdf.Page):
        owner.obj.Contents = pdf.make_stream(data)
    else:
        owner.write(data)


def _drop_link_annotations(pdf) -> None:
    """No annotation inside the bleed box: drop the links; their structure becomes text (Span)."""
    import pikepdf

    dropped, entries = set(), set()
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        links = [a for a in annots if a.get("/Subtype") == pikepdf.Name("/Link")]
        dropped |= {a.objgen for a in links}
        entries |= {int(a.StructParent) for a in links if "/StructParent" in a}
        kept = [a for a in annots if a.get("/Subtype") != pikepdf.Name("/Link")]
        if kept:
            page.obj.Annots = pikepdf.Array(kept)
        else:
            del page.obj["/Annots"]
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None or not dropped:
        return
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == pikepdf.Name("/Link"):
            kids = obj.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
            obj.K = pikepdf.Array([k for k in kids if not _refers_to(k, dropped)])
            obj.S = pikepdf.Name("/Span")
    _clear_parent_entries(tree.get("/ParentTree"), entries)


def _refers_to(kid, dropped: set) -> bool:
    import pikepdf

    return (isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name("/OBJR")
            and kid.Obj.objgen in dropped)


def _clear_parent_entries(node, entries: set[int]) -> None:
    """The parent tree's entries for the dropped annotations (their StructParent keys) -> null."""
    if node is None:
        return
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            if int(nums[i]) in entries:
                nums[i + 1] = None
    for kid in node.get("/Kids", []):
        _clear_parent_entries(kid, entries)


def print_problems(data: bytes) -> list[str]:
    """What a print shop's preflight would refuse here that ``finish`` makes right: no CMYK
    output intent, device RGB colour, an annotation inside the bleed box."""
    import pikepdf

    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == pikepdf.Name("/GTS_PDFX")]
        profile = intents[0].get("/DestOutputProfile") if intents else None
        if profile is None or profile.read_bytes()[16:20] != b"CMYK":
            problems.append("it has no CMYK output intent (the print CSS names no "
                            "@color-profile device-cmyk, as the theme's layouts/pdf/leaflet.css does)")
        rgb = {"rg", "RG"}
        for owner in _content_owners(pdf):
            if any(str(op) in rgb for _, op in pikepdf.parse_content_stream(owner)):
                problems.append("its colour is device RGB, which PDF/X-4 refuses under a CMYK intent")
                break
        if any("/Annots" in page.obj for page in pdf.pages):
            problems.append("it has annotations (links) inside the bleed box, which PDF/X refuses")
    return problems
