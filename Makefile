# Two commands do all the set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PYTEST_ARGS ?=

.PHONY: help install portal-assets tools client contract-snapshots run test lint format typecheck docs token reliability bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install:  ## install uv if missing, then every package of the workspace (locked, compiled to bytecode as the images are), and the portal's assets
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen python -m compileall -q -j 0 libs/common/src services/*/src >/dev/null
	@$(MAKE) --no-print-directory portal-assets

portal-assets:  ## the portal's front-end assets (GOV.UK Frontend, htmx; axe-core for tests) from its npm lock file
	@bash services/portal/build-assets.sh

run: install  ## broker, databases, migrations, demo data and the five services; Ctrl-C stops all
	@$(UV) run --frozen python -m srs_common.devstack

tools:  ## test-only tools: Debian's chromium for the browser tests (skipped if unavailable)
	@bash deploy/tools/install.sh
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
		{ apt-get install -y -q chromium >/dev/null 2>&1 || \
		  { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; }; } || \
		echo "chromium could not be installed: browser tests will be skipped"

client: install  ## the Python API client generated from every service's OpenAPI document, into var/client
	@$(UV) run --frozen python tests/contract/client.py

contract-snapshots: install  ## after a deliberate operationId change: rewrite tests/contract/operation_ids
	@$(UV) run --frozen python tests/contract/snapshot.py --write

test: install tools client  ## the whole suite (PostgreSQL when TEST_DATABASE_URL is set, SQLite otherwise)
	@$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: install  ## ruff: the lint rules and the formatting check (pyproject.toml)
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .

format: install  ## ruff: fix what can be fixed and format the tree
	@$(UV) run --frozen ruff check --fix .
	@$(UV) run --frozen ruff format .

# What mypy checks: srs_common strictly, each service's source as pyproject.toml sets.
TYPED := libs/common/src/srs_common
TYPED += services/projects/src/srs_projects
TYPED += services/accreditation/src/srs_accreditation
TYPED += services/booking/src/srs_booking
TYPED += services/notify/src/srs_notify
TYPED += services/clearance/src/srs_clearance
TYPED += services/ops/src/srs_ops
TYPED += services/portal/src/srs_portal
TYPED += services/access/src/srs_access

typecheck: install  ## mypy: strict on srs_common, checked on the services (pyproject.toml)
	@MYPYPATH=libs/common/src $(UV) run --frozen mypy $(TYPED)

docs: install  ## build the documentation site (MkDocs, strict: a broken link fails) into var/site
	@NO_MKDOCS_2_WARNING=1 $(UV) run --frozen mkdocs build --quiet

token: install  ## make token ROLE=panel SUB=panel [RESEARCHER_ID=res-alice] [ORG=org-ntu]
	@$(UV) run --frozen python -m srs_common.tokencli --role "$(ROLE)" --sub "$(SUB)" \
		$(if $(RESEARCHER_ID),--researcher-id "$(RESEARCHER_ID)") $(if $(ORG),--org "$(ORG)")

reliability: install  ## the full fault schedule (2,000+ operations; restarts PostgreSQL when TEST_DATABASE_URL is set)
	@$(UV) run --frozen pytest tests/reliability -m reliability_full -s

bench: install  ## benchmarks as ratios against baselines; QUICK=1 for a quick check
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -q wrk >/dev/null
	@cd bench && $(UV) run --frozen python run.py $(if $(QUICK),--quick)

clean:  ## remove var/ (local databases, logs, mail)
	rm -rf var/
