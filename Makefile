# LabelDAO — every command a user or CI needs. `make demo` and `make test`
# work from a clean clone: they create .venv and install on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp

# ape-vyper uses the pip-installed vyper only if it is on PATH (otherwise it
# tries to download a compiler). anvil: the real binary from npm, not the
# Node wrapper in node_modules/.bin, so that stopping the node stops it.
ANVIL_DIR = $(firstword $(wildcard $(CURDIR)/node_modules/@foundry-rs/anvil-*/bin))
export PATH := $(BIN):$(ANVIL_DIR):$(PATH)
export PYTHONWARNINGS ?= ignore::UserWarning:pydantic_settings.sources.utils
export HYPOTHESIS_PROFILE ?= $(if $(CI),ci,default)

# Tests of the contracts run on titanoboa directly (see docs/decisions.md);
# the ape plugin is not loaded there. Integration tests run through Ape.
BOA_PYTEST := $(PY) -m pytest -p no:ape_test -n auto
APE_TEST := $(BIN)/ape test -p no:boa_test

.PHONY: help install demo test test-unit test-property test-integration test-anvil \
        test-indexer test-web web web-screenshots ledger-demo lint format bench sim-year fuzz-deep fuzz-replay check-reverts mutate coverage clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 is required (python3.11 or python3 on PATH)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
		{ echo "error: $(PYTHON) is not Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is required for anvil and the OpenZeppelin anchor"; exit 1; }
	@# `npm ci`: installs exactly the lock and never rewrites it. The lock records
	@# anvil's binary package for every platform (as `npm install --package-lock-only`
	@# writes it); npm installs only this machine's.
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NODE_STAMP) ## create .venv and node_modules (pinned)

demo: install ## compile, deploy on the embedded chain, run the demo and adversarial simulations, then the ledger demo (anvil, indexed, providers)
	$(BIN)/ape compile
	$(BIN)/ape run deploy
	$(BIN)/ape run simulate --scenario demo
	$(BIN)/ape run simulate --scenario adversarial
	$(PY) -m labeldao.indexer.demo

ledger-demo: install ## anvil + deploy + a scripted history, indexed and reconciled; prints the providers
	$(BIN)/ape compile
	$(PY) -m labeldao.indexer.demo

test: install ## the whole test suite (what CI runs)
	$(MAKE) --no-print-directory test-unit test-property test-integration test-anvil test-indexer test-web check-reverts

check-reverts: install ## fail if a revert string of the contracts is expected by no test
	$(PY) -m labeldao.assurance.reverts

test-unit: install ## unit tests of every contract (titanoboa)
	$(BOA_PYTEST) tests/unit -q

test-property: install ## stateful property tests (HYPOTHESIS_PROFILE=default|ci|deep)
	$(BOA_PYTEST) tests/property -q

test-integration: install ## end-to-end flows through Ape on the embedded chain
	$(BIN)/ape compile
	$(APE_TEST) tests/integration -q

test-anvil: install ## the same flows, and `ape run deploy`, on a real anvil node
	@test -n "$(ANVIL_DIR)" || { echo "error: anvil not installed (make install)"; exit 1; }
	$(APE_TEST) tests/integration -q --network ethereum:local:foundry
	$(BOA_PYTEST) tests/deploy -q

test-indexer: install ## the ledger indexer on anvil, on SQLite and a throwaway PostgreSQL cluster
	@test -n "$(ANVIL_DIR)" || { echo "error: anvil not installed (make install)"; exit 1; }
	$(BIN)/ape compile
	$(PY) -m pytest -p no:ape_test -p no:boa_test -n auto --dist loadfile tests/indexer -q

web: install ## the web app over the indexer's database (DATABASE_URL, else .labeldao/ledger.sqlite)
	$(BIN)/ape run web $(WEB_ARGS)

test-web: install ## the web app's pages in Debian's Chromium (Playwright), over an indexed anvil deployment
	@test -n "$(ANVIL_DIR)" || { echo "error: anvil not installed (make install)"; exit 1; }
	$(BIN)/ape compile
	$(PY) -m pytest -p no:ape_test -p no:boa_test -n 0 tests/web -q

web-screenshots: ledger-demo ## docs/screenshots/*.png of the main pages, over the ledger-demo ledger
	$(PY) -m labeldao.web.screenshots

lint: install ## ruff and a vyper compile of every contract
	$(BIN)/ruff check labeldao scripts tests benchmarks examples
	$(BIN)/ruff format --check labeldao scripts tests benchmarks examples
	@for f in contracts/*.vy; do echo "vyper $$f"; (cd contracts && $(BIN)/vyper $$(basename $$f) >/dev/null); done

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix labeldao scripts tests benchmarks examples
	$(BIN)/ruff format labeldao scripts tests benchmarks examples

BENCH_INDEXER_EVENTS ?= 100000

bench: install ## gas table against the anchors, written to benchmarks/results.md (1 M indexer events: BENCH_INDEXER_EVENTS=1000000, about 40 min)
	LABELDAO_BENCH_INDEXER_EVENTS=$(BENCH_INDEXER_EVENTS) $(PY) -m benchmarks

YEAR_EPOCHS ?= 365
sim-year: install ## the `year` scenario on one worker (benchmarks/results.md: first vs last 30 epochs; YEAR_EPOCHS=60 took 56 min)
	$(BIN)/ape run simulate --scenario year --epochs $(YEAR_EPOCHS) --runs 1 --workers 1 --no-measure --no-reconcile --out results/year

fuzz-deep: install ## >= 250,000 steps of the whole-system machine on both cores (FUZZ_ARGS=...)
	$(PY) -m labeldao.assurance.fuzz run --report docs/FUZZING.md $(FUZZ_ARGS)

fuzz-replay: install ## re-run the failures fuzz-deep recorded (results/fuzz, .hypothesis)
	$(PY) -m labeldao.assurance.fuzz replay

mutate: install ## mutation testing, 40 scored mutants per file by default (~1.5-3 h; MUTANTS=N | all) -> docs/MUTATION.md
	$(PY) -m labeldao.assurance.mutation $(if $(filter all,$(MUTANTS)),--all,$(if $(MUTANTS),--per-file $(MUTANTS),))

coverage: install ## line coverage of the contracts -> docs/COVERAGE.md
	$(PY) -m labeldao.assurance.coverage_report

.PHONY: abi
abi: install ## ABI files of the deployed contracts (abi/) and docs/EVENTS.md, from the sources
	$(PY) -m labeldao.abi_export

clean: ## remove build outputs (keeps .venv and node_modules)
	rm -rf .build .hypothesis .pytest_cache results
