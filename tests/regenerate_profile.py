"""Rebuild the print-shop leaflet's CMYK output profile, layouts/pdf/profiles/FOGRA39L-coated.icc
(run by `make profile`; tests/test_print_shop.py runs it too and compares the bytes).

The profile is made, not downloaded: ArgyllCMS's ``colprof`` (Debian's ``argyll``) fits it to
Fogra's FOGRA39L characterization data for coated offset paper (ISO 12647-2), which Debian ships
under the zlib licence in ``icc-profiles-free``. The only free CMYK profile Debian ships ready-made
is Ghostscript's AGPL one; this one carries the data's zlib terms (layouts/pdf/profiles/LICENSE).
colprof stamps the time of its run into the ICC header: it is replaced by the data's own date, so
the same data always gives the same profile.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "layouts" / "pdf" / "profiles" / "FOGRA39L-coated.icc"
DATA = Path("/usr/share/color/icc/FOGRA39L.ti3")  # Debian's icc-profiles-free
DESCRIPTION = "Coated FOGRA39 (ISO 12647-2:2004), fitted by ArgyllCMS to Fogra's FOGRA39L data"
COPYRIGHT = "Characterization data: Fogra; packaged by Kai-Uwe Behrmann, zlib licence"
DATA_DATE = (2006, 12, 1, 0, 0, 0)  # FOGRA39L.ti3: CREATED "December 2006"
# medium quality; black by a ramp (colprof's default GCR); 330 % total ink, as in ISO Coated v2
COLPROF = ["colprof", "-qm", "-kr", "-l330", "-M", "Coated FOGRA39", "-D", DESCRIPTION, "-C", COPYRIGHT]


def make_profile(data: Path = DATA) -> bytes:
    """The profile's bytes, made from ``data`` in a scratch folder."""
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copy(data, Path(scratch) / "FOGRA39L.ti3")
        subprocess.run([*COLPROF, "-O", "out.icc", "FOGRA39L"], cwd=scratch, check=True,
                       stdout=subprocess.DEVNULL)
        profile = bytearray((Path(scratch) / "out.icc").read_bytes())
    profile[24:36] = struct.pack(">6H", *DATA_DATE)  # the ICC header's dateTimeNumber
    return bytes(profile)


def main() -> int:
    TARGET.write_bytes(make_profile())
    print(f"regenerated {TARGET.relative_to(REPO)} ({TARGET.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
