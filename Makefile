# Workforce Picture: the README's commands.  `make run` and `make test` set up what they need.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKFORCE := $(BIN)/workforce
PORT ?= 8501
export WORKFORCE_DEMO_USER ?= demo.admin@workforce.local
# The published demo secret for native deliveries' person keys (sources.md §4), for the
# synthetic demo of `make run` only.  Real deliveries need a secret of their own, set in the
# environment (it then wins); the tests set their own.
DEMO_PERSON_KEY_SECRET := workforce-picture-demo-secret-not-for-real-data
demo ingest run serve-cluster: export WORKFORCE_PERSON_KEY_SECRET ?= $(DEMO_PERSON_KEY_SECRET)

.PHONY: install run test lint format demo ingest access bench clean oidc serve-cluster

install: $(STAMP)

# Re-installs only when the lock file or the project metadata changed.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Demo data once (kept afterwards), in each cluster's native export shape with the mapping
# files of data/mappings (the real path), then an ingest of anything new, then the dashboard.
demo: install
	@if [ -z "$$(ls -A data/landing 2>/dev/null)" ]; then $(WORKFORCE) demo --native; else echo "landing zone not empty: keeping it"; fi

ingest: install
	$(WORKFORCE) ingest || true

# The demo users of data/access.example.toml (the demo admin among them), unless a policy exists.
access:
	@test -f data/access.toml || { cp data/access.example.toml data/access.toml; echo "access policy: copied data/access.example.toml to data/access.toml"; }

run: demo ingest access
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

# Several app servers on this machine (deploy/README.md): a throwaway PostgreSQL for the audit
# log, the ingest (then every 10 minutes), two app servers on one warehouse folder and nginx in
# front at http://localhost:$(CLUSTER_PORT).  Needs nginx and PostgreSQL's server installed
# (apt-get install nginx postgresql).
CLUSTER_PORT ?= 8500
serve-cluster: demo access
	$(BIN)/python -m deploy.cluster serve --port $(CLUSTER_PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint oidc
	$(BIN)/python -m pytest -n 2

# The OpenID Connect provider the sign-in test runs (npm's oidc-provider, from its lock file),
# when npm is here; without it that test skips (CI installs Node.js and requires it).
OIDC := tests/oidc
oidc:
	@if command -v npm >/dev/null && [ -f $(OIDC)/package-lock.json ]; then \
	  [ $(OIDC)/node_modules/.package-lock.json -nt $(OIDC)/package-lock.json ] || \
	  npm ci --prefix $(OIDC) --no-audit --no-fund --loglevel=error; \
	else echo "npm or $(OIDC)/package-lock.json missing: the sign-in test will skip"; fi

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
