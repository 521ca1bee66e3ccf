# Two entry points for a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
DEMO_PORT ?= 8000

.PHONY: install translations demo test lint messages clean-demo

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Compiles locale/*.po with polib: no gettext tools needed.
translations: install
	DEBUG=1 $(BIN)/python manage.py compile_translations

# Runs the product on the embedded default: SQLite, a file-system broker,
# a real Celery worker (with beat) and gunicorn; seeds the demo data.
demo: install translations
	$(BIN)/python demo/run.py --port $(DEMO_PORT)

test: install translations
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# For developers (needs GNU gettext): refresh the catalogues from the code.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l en -l fr --no-obsolete --ignore=.venv --ignore=var

clean-demo:
	rm -rf var/
