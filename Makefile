# Two commands for a fresh machine:
#   make demo   install into .venv, then run EKS Doctor on its embedded defaults
#   make test   install into .venv, then lint and run the whole test suite
# And, taking minutes, not part of `make test`:
#   make mutation   mutation score per file of the code that writes to clusters ([tool.mutmut] in pyproject.toml)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

MUTATION_JOBS ?= 2

.PHONY: demo test install bench eval mutation clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	@printf "\n$$ eks-doctor match '<a pasted istio DNS timeout>'\n"
	@$(BIN)/eks-doctor match "lookup orders.shop.svc.cluster.local on 172.16.0.10:53: read udp 10.0.1.5:40123->172.16.0.10:53: i/o timeout (pods have istio-proxy sidecars)"
	@printf "\n$$ eks-doctor check examples/manifests\n"
	@$(BIN)/eks-doctor check examples/manifests || [ $$? -eq 1 ]
	@printf "\n$$ eks-doctor incidents list\n"
	@$(BIN)/eks-doctor incidents list

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile
	$(BIN)/python -m pytest -n 2 -q

eval: install
	$(BIN)/python benchmarks/evaluate_matcher.py

bench: install
	$(BIN)/python benchmarks/matcher_speed.py

$(VENV)/.mutation-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev,mutation]"
	touch $@

# A fresh run each time: results kept from an older run could hide what a change to the tests did.
mutation: $(VENV)/.mutation-installed
	rm -rf mutants
	@echo "mutmut run: about 7 minutes on 2 idle cores; progress in mutation.log"
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) > mutation.log 2>&1 || (tail -c 2000 mutation.log; exit 1)
	$(BIN)/python benchmarks/mutation_score.py

clean:
	rm -rf $(VENV) *.egg-info mutants mutation.log
