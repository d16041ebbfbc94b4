# `make run` and `make test` do all the set-up they need: virtualenv, dependencies, migrations.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test install migrate clean

run: $(BIN)/.installed migrate
	$(BIN)/gunicorn -c config/gunicorn.conf.py wsgi:app

test: $(BIN)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(BIN)/.installed

migrate: $(BIN)/.installed
	$(BIN)/flask db upgrade

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BIN)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(BIN)/.installed $@

clean:
	rm -rf $(VENV) .pytest_cache
