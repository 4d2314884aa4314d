# Two commands do all the set-up: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: build test bench images clean install

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

build: $(STAMP)
	$(BIN)/studypack build

test: $(TESTSTAMP)
	$(BIN)/python -m pytest -n 2 -q --durations=20

bench: $(TESTSTAMP)
	$(BIN)/python bench/run.py

images: $(STAMP)
	$(BIN)/python docs/make_images.py

clean:
	rm -rf $(VENV) dist/*/ build *.egg-info
