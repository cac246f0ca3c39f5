# Two commands do everything on a fresh clone:
#   make run   — install, start the embedded PostgreSQL, migrate, demo data, two workers + beat + web on :8000
#   make test  — install, then the whole test suite on a throwaway PostgreSQL database
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# A Python 3.13 (or 3.12): from PATH, pyenv (honours .python-version) or pyenv's versions folder.
PYTHON := $(shell for c in python3.13 python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[32]*/bin/python3 2>/dev/null); do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info[:2] not in ((3,13),(3,12)))' 2>/dev/null; then command -v $$c; break; fi; done)

.PHONY: help install run test lint check stop demo bench-clean
help:
	@echo "make run    — поднять всё с демо-данными: http://localhost:8000 и http://tver-sosh14.localhost:8000"
	@echo "make test   — все тесты"
	@echo "make lint   — ruff, mypy, направление импортов (import-linter), проверка миграций"
	@echo "make stop   — остановить встроенный PostgreSQL"

$(UV):
	@test -n "$(PYTHON)" || { echo "Нужен Python 3.13 или 3.12 (python3.13 в PATH или pyenv)"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --python "$(PYTHON)" --quiet
	@bash tests/browser/install_chromium.sh

run: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(VENV)/bin/python manage.py rundev

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/python manage.py makemigrations --check --dry-run

stop:
	@$(VENV)/bin/python manage.py embedded_postgres stop
	@# the tests' throwaway cluster too (make lint's migration check may have started it)
	@DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/python manage.py embedded_postgres stop
