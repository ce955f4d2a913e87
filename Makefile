# Capstan: the one entry point. `make help` lists the targets.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
SLN := Extender.sln
CAPSTAN := $(DOTNET) run --project src/Capstan.Host -c $(CONFIG) --no-launch-profile --
EXAMPLES := $(CURDIR)/src/Capstan.Host/Examples

.DEFAULT_GOAL := help
.PHONY: help build test run plan bench figures format certs clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

build: ## restore and build everything (warnings are errors)
	$(DOTNET) build $(SLN) -c $(CONFIG)

test: ## build and run every test project; ends with "N passed, N failed[, N skipped]"
	@rm -rf artifacts/TestResults
	@$(DOTNET) build $(SLN) -c $(CONFIG) -v quiet -nologo
	@$(DOTNET) test $(SLN) -c $(CONFIG) --no-build --logger trx --results-directory artifacts/TestResults -v quiet -nologo; \
	  status=$$?; scripts/test-summary.sh artifacts/TestResults; exit $$status

run: ## the sandbox: plan the tutorial scenario (inflate x10 on the on-demand provisioner)
	$(CAPSTAN) plan --scale inflate=10 $(EXAMPLES)/provisioner-on-demand-apps.yaml $(EXAMPLES)/inflate.yaml

plan: ## plan any manifests: make plan ARGS="--format json a.yaml b.yaml"
	$(CAPSTAN) plan $(ARGS)

bench: ## BenchmarkDotNet suites (packing); results in BenchmarkDotNet.Artifacts/
	$(DOTNET) run --project tests/Capstan.Benchmarks -c Release -- --filter '$(or $(FILTER),*)' $(BENCH_ARGS)

certs: ## make a CA + serving/client certificates (certs/out) and write the CA into the webhook and scheduler manifests
	certs/gen.sh $(CERTS_OUT)

figures: ## packing plan-quality figures (nodes, price, LP bound, against plain FFD); no timing
	$(DOTNET) run --project tests/Capstan.Benchmarks -c Release -- --figures

format: ## apply .editorconfig formatting
	$(DOTNET) format $(SLN)

clean: ## remove build output
	rm -rf artifacts BenchmarkDotNet.Artifacts
