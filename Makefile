# The template's own commands; `make` alone lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-k postgresql-sync"
PYTEST_ARGS ?=
# Extra benchmark arguments, e.g. make bench BENCH_ARGS="--combinations sqlite-async --runs 1"
BENCH_ARGS ?=
# What `make mutate` bakes and mutates, e.g. make mutate COMBINATION=postgresql-async-oidc MODULES=crud
COMBINATION ?= sqlite-sync-password
# An OIDC bake has no tokens, passwords or attempts of its own, and has oidc; a none bake has
# no callers at all.
MODULES ?= $(if $(findstring -oidc,$(COMBINATION)),oidc caller caller_base crud item_reads accounts items item_creates users user_in_reach,\
  $(if $(findstring -none,$(COMBINATION)),crud item_reads accounts unique_emails items users,\
  tokens caller caller_base crud accounts unique_emails attempts items item_creates item_inserts users user_in_reach passwords))
# E.g. MUTATE_ARGS=--again: re-run only the last run's survivors, with the tests as they are now
MUTATE_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install test demo bench lint lock mutate

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	@# pip fetches only uv, pinned like the rest; uv installs the set about four times faster.
	$(BIN)/python -m pip install --quiet "$$(grep '^uv==' requirements/dev.txt)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements/dev.txt
	touch $@

install: $(BIN)/.installed  ## Create .venv with the suite's pinned tools and the projects' dependencies

test: install  ## Run the template's whole suite: bake every combination and check it against real databases
	$(BIN)/pytest -n auto --dist loadgroup --durations=10 $(PYTEST_ARGS)

demo: install  ## Bake a project with the default answers into build/ and run it on http://127.0.0.1:8000
	rm -rf build/demo
	$(BIN)/cookiecutter --no-input --default-config --output-dir build/demo .
	@# The baked Makefile runs uv: the one installed here, whether or not one is on PATH.
	$(MAKE) -C build/demo/my-service run UV=$(abspath $(BIN))/uv

bench: install  ## Benchmark every database x driver pair against two reference apps (needs wrk); writes bench/results.*
	$(BIN)/python -m bench.run $(BENCH_ARGS)

mutate: install  ## Mutation-test a baked project's MODULES with its own suite; prints scores and survivors
	$(BIN)/python -m harness.mutation $(COMBINATION) $(MODULES) $(MUTATE_ARGS)

lint: install  ## Lint, format-check and type-check the hooks, the suite, its harness and the benchmark
	$(BIN)/ruff check hooks harness tests bench
	$(BIN)/ruff format --check hooks harness tests bench
	$(BIN)/mypy

lock:  ## Re-pin requirements/dev.txt from requirements/dev.in
	rm -rf build/lock && $(PYTHON) -m venv build/lock
	build/lock/bin/python -m pip install --quiet --upgrade pip
	build/lock/bin/python -m pip install --quiet -r requirements/dev.in
	(echo '# Pinned by `make lock` from requirements/dev.in: the exact set the suite is tested with.'; \
	 build/lock/bin/python -m pip freeze --exclude pip --exclude setuptools) > requirements/dev.txt
