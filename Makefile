# Two commands do everything: `make build` builds the sample content, `make test` installs what the
# tests read outputs with (make test-deps) and runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: build test test-deps golden profile docs pictures clean

build: $(STAMP)
	$(BIN)/publish build

# The tests, then the benchmark on a small corpus: it prints figures and fails only if it breaks.
test: $(STAMP) test-deps docs
	$(BIN)/python -m pytest
	$(BIN)/python bench/build.py --articles 40 --leaflets 4 --repeat 1

# What the tests read outputs with, installed where missing (present ones are skipped):
#   pdftotext, pdfinfo, pdffonts, pdftoppm  Debian's poppler-utils (leaflet tests)
#   chromium + DejaVu fonts                 Debian's chromium, driven by the playwright package
#                                           (which never downloads a browser here)
#   java                                    runs the Nu HTML Checker (vnu.jar)
#   npm                                     installs axe-core and vnu-jar from package-lock.json
#   colprof + FOGRA39L.ti3                  Debian's argyll and icc-profiles-free: the print profile's test
test-deps: $(NODE_STAMP)
	@bash tests/install-deps.sh

# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; the system's java runs
# node_modules/vnu-jar/build/dist/vnu.jar, which the package itself contains.
$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null || bash tests/install-deps.sh
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# Regenerate the golden output trees under tests/golden/ from tests/projects/ (review the diff!).
golden: $(STAMP)
	$(BIN)/python tests/regenerate_golden.py

# Remake the print-shop leaflet's CMYK output profile from Debian's packaged Fogra data (argyll and
# icc-profiles-free, installed by make test-deps); tests/test_print_shop.py checks it is unchanged.
profile: $(STAMP) test-deps
	$(BIN)/python tests/regenerate_profile.py

# The documentation site (MkDocs, Material theme) into .docs-site/, with --strict: a warning fails
# (not --quiet: with it, MkDocs no longer counts warnings).
# Its reference pages are generated from the code first, so they cannot drift.
docs: $(STAMP)
	$(BIN)/python -m publisher.reference docs/reference
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Regenerate the pictures in the README and docs/: the leaflet's first page (pdftoppm, from Debian's
# poppler-utils), the plain-language summary page and the content-health report (Debian's chromium, headless).
CHROMIUM ?= chromium
pictures: build test-deps
	pdftoppm -png -r 110 -f 1 -l 1 -singlefile build/site/ketamine-therapy/ketamine-therapy.pdf docs/leaflet-page-1
	# the first page of the large-print and print-shop leaflets: the sample built with both switched on
	d=$$(mktemp -d) && cp -r content publish.toml $$d/ && \
	  sed -i 's/^max_pages = 4/max_pages = 4\nlarge_print = true\nprint_marks = true/' $$d/publish.toml && \
	  $(BIN)/publish -C $$d build --quiet --channel pdf && \
	  pdftoppm -png -r 60 -f 1 -l 1 -singlefile $$d/build/site/ketamine-therapy/ketamine-therapy-large.pdf docs/leaflet-large-page-1 && \
	  pdftoppm -png -r 110 -f 1 -l 1 -singlefile $$d/build/site/ketamine-therapy/ketamine-therapy-print.pdf docs/leaflet-print-page-1
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
	  --user-data-dir=$$(mktemp -d) --hide-scrollbars --window-size=800,1400 \
	  --screenshot=docs/summary-page.png "file://$(CURDIR)/build/site/ketamine-therapy/summary/index.html"
	# the content-health report of tests/test_report.py's project (the editions fixture with known reviews)
	d=$$(mktemp -d) && cd tests && ../$(BIN)/python -c "import sys; from pathlib import Path; \
	  from test_report import _project; _project(Path(sys.argv[1]))" $$d/proj && cd .. && \
	  $(BIN)/publish -C $$d/proj build --quiet --as-of 2027-01-01 && \
	  $(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
	  --user-data-dir=$$(mktemp -d) --hide-scrollbars --window-size=1280,1500 \
	  --screenshot=docs/report.png "file://$$d/proj/build/report/index.html"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,docs]'
	touch $(STAMP)

clean:
	rm -rf build $(VENV) node_modules
