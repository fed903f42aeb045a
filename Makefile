# The two commands of the README:
#   make lab    set everything up and open the kit in JupyterLab
#   make test   set everything up and run the whole test suite, notebooks included (pytest --nbval)
PY := .venv/bin/python
LAB_ARGS ?= --ip=127.0.0.1 --no-browser
PYTEST_ARGS ?=

.PHONY: lab test setup setup-test clean

setup:
	EXTRAS=lab bash scripts/setup.sh

setup-test:
	EXTRAS=test bash scripts/setup.sh

lab: setup
	$(PY) -m jupyter lab notebooks/ $(LAB_ARGS) $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

test: setup-test
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg tests notebooks $(PYTEST_ARGS)

clean:
	rm -rf .venv build *.egg-info
