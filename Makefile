# Two commands do everything: `make build` builds the sample content, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test golden clean

build: $(STAMP)
	$(BIN)/publish build

test: $(STAMP)
	$(BIN)/python -m pytest

# Regenerate the golden output trees under tests/golden/ from tests/projects/ (review the diff!).
golden: $(STAMP)
	$(BIN)/python tests/regenerate_golden.py

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf build $(VENV)
