#!/usr/bin/env bash
# Install, from Debian's packages, the programs the tests read outputs with; skip what is present.
# Run by `make test-deps` (and so by `make test`). Needs root (or sudo) only when something is missing.
set -euo pipefail

need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)   # pdftotext, pdfinfo, pdffonts, pdftoppm
command -v qpdf >/dev/null || need+=(qpdf)                  # qpdf --check on every leaflet (tests/test_pdfua.py)
[ -x /usr/bin/chromium ] || need+=(chromium)                 # tests/test_browser.py, through playwright
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)  # the layout checks' fonts
# WeasyPrint subsets fonts with HarfBuzz-Subset (chromium brings it too); without it fontTools makes
# other, equally valid, leaflet bytes than the golden copies in tests/golden/
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0 ' || need+=(libharfbuzz-subset0)
command -v java >/dev/null || need+=(default-jre-headless)  # runs the Nu HTML Checker
command -v npm >/dev/null || need+=(npm)                    # installs axe-core and vnu-jar
command -v colprof >/dev/null || need+=(argyll)             # makes the print profile again (make profile)
[ -f /usr/share/color/icc/FOGRA39L.ti3 ] || need+=(icc-profiles-free)  # from Fogra's data in this package

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "make test-deps: the tests need Debian packages that are not installed: ${need[*]}" >&2
  echo "  Install them as root, then run make test again:" >&2
  echo "    apt-get update && apt-get install --no-install-recommends ${need[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "make test-deps: no apt-get on this machine; install these (Debian names): ${need[*]}" >&2
  exit 1
fi
echo "make test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
