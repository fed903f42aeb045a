# The two commands of the README:
#   make lab    set everything up and open the kit in JupyterLab
#   make test   set everything up and run the whole test suite, notebooks included (pytest --nbval-lax),
#               then the notebooks once more under other CPU kernels, two threads and another seed
# More (README, Tests): make test-perturbed, make notebooks NB=..., make measure NB=...
PY := .venv/bin/python
LAB_ARGS ?= --ip=127.0.0.1 --no-browser
PYTEST_ARGS ?=
NB ?= notebooks/*.ipynb
NBVAL := --nbval-lax --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
# Another machine, simulated: portable (SSE4.1-level) kernels instead of AVX2/AVX-512, two threads, seed 1.
PERTURBED := ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 NAS_KIT_THREADS=2 NAS_KIT_SEED=1
PERTURBATIONS := "$(PERTURBED)" \
	"ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 NAS_KIT_SEED=2" \
	"ATEN_CPU_CAPABILITY=default NAS_KIT_THREADS=2 NAS_KIT_SEED=4"
CLEAN_ENV := env -u NAS_KIT_PROFILE -u NAS_KIT_SEED -u NAS_KIT_THREADS -u NAS_KIT_RECORD

.PHONY: lab test test-perturbed notebooks measure student setup setup-test clean

setup:
	EXTRAS=lab bash scripts/setup.sh

setup-test:
	EXTRAS=test bash scripts/setup.sh

# The notebooks the kit ships are trusted, so that their saved widgets and pictures show before they are run.
lab: setup
	$(PY) -m jupyter trust notebooks/*.ipynb > /dev/null
	$(PY) -m jupyter lab notebooks/ $(LAB_ARGS) $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

test: setup-test
	$(CLEAN_ENV) $(PY) -m pytest $(NBVAL) tests notebooks $(PYTEST_ARGS)
	$(CLEAN_ENV) $(PERTURBED) $(PY) -m pytest $(NBVAL) notebooks $(PYTEST_ARGS)

# The notebooks under three simulated machines (kernels, threads and seeds), one after the other.
test-perturbed: setup-test
	@for p in $(PERTURBATIONS); do echo "== $$p"; $(CLEAN_ENV) $$p $(PY) -m pytest $(NBVAL) $(NB) -q || exit 1; done

# Re-execute notebooks in place in the quick profile, seed 0 (their stored outputs), e.g. make notebooks NB=notebooks/01_toy_enas.ipynb
notebooks: setup-test
	$(CLEAN_ENV) $(PY) -m jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=900 $(NB)

# Measure the notebooks' claims over seeds 0-4 under two kernel configurations (nas_kit/measurements/*.json).
measure: setup-test
	$(CLEAN_ENV) $(PY) scripts/measure_claims.py $(NB) --jobs 2

# The student edition: the notebooks with each exercise's solution replaced by a stub (nas_kit.exercises.edition).
student: setup
	$(PY) -m nas_kit student student/

clean:
	rm -rf .venv build *.egg-info
