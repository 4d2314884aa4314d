# Two commands do all the set-up: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: build test bench images clean install bytecode

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(TESTSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(STAMP)

# The bytecode of studypack's own modules, which an editable install leaves
# uncompiled: where PYTHONDONTWRITEBYTECODE is set, every run would compile
# them again (about 35 ms, a tenth of a small EPUB build). Only what changed
# is compiled; the files go to src/**/__pycache__ (ignored by git).
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q src

build: bytecode
	$(BIN)/studypack build

test: $(TESTSTAMP) bytecode
	$(BIN)/python -m pytest -n 2 -q --durations=20

bench: $(TESTSTAMP) bytecode
	$(BIN)/python bench/run.py

images: $(STAMP)
	$(BIN)/python docs/make_images.py

clean:
	rm -rf $(VENV) dist/*/ build *.egg-info
	find src -name __pycache__ -prune -exec rm -rf {} +
