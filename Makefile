# Two commands set everything up on a fresh machine:
#   make run   — the portal with demo data (and a worker when CELERY_BROKER_URL is set)
#   make test  — lint and the whole test suite against PostgreSQL and Redis
#   make audit — deploy check and a signed-in web scan (wapiti) of a local portal; not part of make test
VENV ?= .venv
PYTHON ?= python3

.PHONY: run test install lint benchmark audit css clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	bash scripts/run.sh

test: install
	bash scripts/test.sh

# BENCHMARK_ARGS, e.g. "--growth" (1,000 / 10,000 / 100,000 requests) or "--compare var/old.json".
benchmark: install
	bash scripts/ensure_wrk.sh
	$(VENV)/bin/python scripts/benchmark.py $(BENCHMARK_ARGS)

audit: install
	bash scripts/audit.sh

# After changing templates: keep only the Bootstrap rules the portal uses (static/css/bootstrap.portal.min.css).
css: install
	$(VENV)/bin/python scripts/build_css.py

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf var $(VENV)
