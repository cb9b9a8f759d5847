# One-command set-up: `make test` or `make demo` on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-setup
FACE_RECOGNITION := face_recognition==1.3.0

.PHONY: setup lint test demo bench system-deps clean

setup: $(STAMP)

# Re-runs only when the packaging files change, so a second `make setup` takes well
# under a second.  face_recognition is installed with --no-deps because its metadata
# asks for the source build of dlib; dlib-bin (a wheel) provides the same module.
$(STAMP): setup.cfg pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps $(FACE_RECOGNITION)
	$(BIN)/attendance doctor
	touch $@

# Debian packages the tests use: Xvfb and xdotool (the GUI tests), ffmpeg (a loopback
# video stream), LibreOffice (reading exported CSVs back as a spreadsheet does),
# desktop-file-utils (desktop-file-validate checks the menu entry), poppler-utils (pdfinfo,
# pdftotext and pdftoppm read back the workbook LibreOffice prints to PDF), PostgreSQL (the
# school tests start their own server with its initdb and pg_ctl).
system-deps:
	@if command -v Xvfb >/dev/null && command -v xdotool >/dev/null && command -v ffmpeg >/dev/null && command -v soffice >/dev/null \
	    && command -v desktop-file-validate >/dev/null && command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null \
	    && ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  echo "system packages present"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    xvfb xauth xdotool ffmpeg libreoffice-calc-nogui desktop-file-utils poppler-utils postgresql >/dev/null; \
	fi

lint: setup
	$(BIN)/ruff check attendance tests benchmarks
	$(BIN)/mypy

test: setup system-deps lint
	$(BIN)/python -m pytest

demo: setup
	$(BIN)/attendance demo

# The benchmark's inputs live outside the package: `make bench DATA=DIR` to use another folder.
DATA ?= ../shared/data
bench: setup
	$(BIN)/attendance bench --data $(DATA)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
