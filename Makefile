# Two commands do all the set-up: `make build` and `make test`.
#
# Both install exactly the locked versions (requirements.lock; with the test
# tools, requirements-test.lock), every file checked against its hash, so a
# clone made next year gets what passed today. `make lock` updates the locks
# on purpose (README, "Updating the locked versions").
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: build test test-fast durations lock bench corpus images clean install bytecode ace

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The locks hold the build backend too (hatchling), so that studypack itself
# is installed without fetching anything unlocked (--no-build-isolation).
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(PIP) install --quiet --require-hashes --no-deps -r requirements.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(TESTSTAMP): $(STAMP) requirements-test.lock
	$(PIP) install --quiet --require-hashes --no-deps -r requirements-test.lock
	@touch $@

install: $(STAMP)

# DAISY Ace, the EPUB accessibility checker of tests/test_ace.py, at the
# versions of tests/ace/package-lock.json; it runs with the system's Chromium,
# so neither Puppeteer nor Electron downloads a browser. Without npm the Ace
# tests are skipped (CI installs npm).
ACE := tests/ace/node_modules/.bin/ace-puppeteer
$(ACE): tests/ace/package-lock.json
	cd tests/ace && PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
		npm ci --no-audit --no-fund --silent
	@touch $@
ace:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(ACE); \
	else echo "npm not found: the Ace tests (tests/test_ace.py) will be skipped"; fi

# The bytecode of studypack's own modules, which an editable install leaves
# uncompiled: where PYTHONDONTWRITEBYTECODE is set, every run would compile
# them again (about 35 ms, a tenth of a small EPUB build). Only what changed
# is compiled; the files go to src/**/__pycache__ (ignored by git).
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q src

build: bytecode
	$(BIN)/studypack build

# The whole suite (CI runs this); the slowest tests are listed at the end.
test: $(TESTSTAMP) bytecode ace
	$(BIN)/python -m pytest -n 2 -q --durations=25

# For the inner loop: everything not marked slow.
test-fast: $(TESTSTAMP) bytecode
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

# The whole suite, then the slowest tests written to docs/testing.md.
durations: $(TESTSTAMP) bytecode ace
	$(BIN)/python -m pytest -n 2 -q --junitxml=build/junit.xml
	$(BIN)/python bench/test_durations.py build/junit.xml docs/testing.md

# New locked versions, on purpose: the newest releases that pyproject.toml
# allows, with their hashes. Run `make test` after it and commit the locks
# together with pyproject.toml.
LOCKFLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host --upgrade
lock:
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --disable-pip-version-check pip-tools
	CUSTOM_COMPILE_COMMAND="make lock" build/lock-venv/bin/pip-compile $(LOCKFLAGS) \
		--extra test -o requirements-test.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" build/lock-venv/bin/pip-compile $(LOCKFLAGS) \
		-c requirements-test.lock -o requirements.lock pyproject.toml

# How well the reader finds the structure of real documents (tests/corpus/):
# precision and recall per phenomenon and document, against the recorded floors.
corpus: $(STAMP) bytecode
	$(BIN)/python tests/corpus/score.py

bench: $(TESTSTAMP) bytecode
	$(BIN)/python bench/run.py

images: $(STAMP)
	$(BIN)/python docs/make_images.py

clean:
	rm -rf $(VENV) dist/*/ build *.egg-info tests/ace/node_modules
	find src -name __pycache__ -prune -exec rm -rf {} +
