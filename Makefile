# Two commands do everything: `make build` builds the sample content, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test golden docs clean

build: $(STAMP)
	$(BIN)/publish build

# The tests, then the benchmark on a small corpus: it prints figures and fails only if it breaks.
test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/python bench/build.py --articles 40 --leaflets 4 --repeat 1

# Regenerate the golden output trees under tests/golden/ from tests/projects/ (review the diff!).
golden: $(STAMP)
	$(BIN)/python tests/regenerate_golden.py

# Regenerate the pictures in the README: the leaflet's first page (pdftoppm, from Debian's
# poppler-utils) and the plain-language summary page (Debian's chromium, headless).
CHROMIUM ?= chromium
docs: build
	pdftoppm -png -r 110 -f 1 -l 1 -singlefile build/site/ketamine-therapy/ketamine-therapy.pdf docs/leaflet-page-1
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
	  --user-data-dir=$$(mktemp -d) --hide-scrollbars --window-size=800,1400 \
	  --screenshot=docs/summary-page.png "file://$(CURDIR)/build/site/ketamine-therapy/summary/index.html"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf build $(VENV)
