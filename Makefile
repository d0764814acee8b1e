# Two commands for a fresh machine:
#   make demo   install into .venv, then run EKS Doctor on its embedded defaults
#   make test   install into .venv, then lint and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install bench eval clean

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
	$(BIN)/python benchmarks/evaluate_matcher.py tests/data/symptoms-*.jsonl

bench: install
	$(BIN)/python benchmarks/matcher_speed.py

clean:
	rm -rf $(VENV) *.egg-info
