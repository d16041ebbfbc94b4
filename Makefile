# `make run` and `make test` do all the set-up they need: virtualenv, dependencies, migrations.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
# the browser tests drive Debian's Chromium (Playwright cannot download browsers here)
CHROMIUM ?= /usr/bin/chromium
# the mail-in tests fetch from a real IMAP server: Debian's Dovecot, started by the tests on their own port
DOVECOT ?= /usr/sbin/dovecot
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test system fuzz bench soak install migrate clean

run: $(BIN)/.installed migrate
	$(BIN)/gunicorn wsgi:app

# the suite, but for tests/system, which `make system` runs (.ci/run runs both)
test: $(BIN)/.installed-dev $(CHROMIUM) $(DOVECOT)
	CHROMIUM_PATH=$(CHROMIUM) $(BIN)/python -m pytest --ignore=tests/system $(PYTEST_ARGS)

# the system tests: the desk as real processes (gunicorn, the job worker, `flask mail ingest` from a pipe, a
# database that goes away and comes back) driven over HTTP and in a browser
system: $(BIN)/.installed-dev $(CHROMIUM) $(DOVECOT)
	CHROMIUM_PATH=$(CHROMIUM) $(BIN)/python -m pytest tests/system $(PYTEST_ARGS)

# schemathesis against /api/openapi.json on gunicorn and PostgreSQL for FUZZ_SECONDS (120); writes bench/results/fuzz.md;
# then mutated and hostile mails through mail intake for FUZZ_MAIL_SECONDS (60); writes bench/results/fuzz-mail.md
fuzz: $(BIN)/.installed-dev
	$(BIN)/python -m bench.fuzz
	$(BIN)/python -m bench.fuzz_mail

# PostgreSQL speed at 1,000,000 tickets (BENCH_TICKETS=...); writes bench/results/latest.md, then desk ÷ floor
# for create, classify, get one and patch on PostgreSQL and SQLite to bench/results/ratios.md, then mail in
# (ingest and IMAP fetch throughput, a reply's match) to bench/results/mail.md, then hostile mail (each attacker's
# mail through ingest, the pipe and its page, on PostgreSQL and SQLite) to bench/results/hostile.md
bench: $(BIN)/.installed-dev $(DOVECOT)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.ratios
	$(BIN)/python -m bench.mail
	$(BIN)/python -m bench.hostile

# 32 clients for 60 s against gunicorn and PostgreSQL, then checks nothing was lost; writes bench/results/soak.md
soak: $(BIN)/.installed-dev
	$(BIN)/python -m bench.soak

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

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

$(DOVECOT):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq dovecot-imapd

clean:
	rm -rf $(VENV) .pytest_cache
