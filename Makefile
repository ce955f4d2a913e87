# Capstan: the one entry point. `make help` lists the targets.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
SLN := Extender.sln
# The executable as users run it: published with ahead-of-time compiled code (ReadyToRun) and without tiered PGO's
# instrumentation, so that a short run such as `capstan plan` spends its time planning rather than compiling
# (artifacts/capstan/<config, lower case>/capstan). It is run directly so that only its own output reaches stdout;
# the publish before it is quiet and writes to stderr (NOBUILD=1 skips it).
CAPSTAN_DIR := $(CURDIR)/artifacts/capstan/$(shell echo '$(CONFIG)' | tr '[:upper:]' '[:lower:]')
CAPSTAN_BIN := $(CAPSTAN_DIR)/capstan
RID := linux-$(shell uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')
CAPSTAN_BUILD := $(if $(NOBUILD),true,$(DOTNET) publish src/Capstan.Host -c $(CONFIG) -r $(RID) --self-contained false \
  -p:PublishReadyToRun=true -p:TieredPGO=false -o $(CAPSTAN_DIR) -v quiet -nologo >&2)
EXAMPLES := $(CURDIR)/src/Capstan.Host/Examples

.DEFAULT_GOAL := help
.PHONY: help build test run plan bench figures format certs clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

build: ## restore and build everything (warnings are errors)
	$(DOTNET) build $(SLN) -c $(CONFIG)

test: ## build and run every test project; ends with "N passed, N failed[, N skipped]"
	@scripts/test-prerequisites.sh
	@rm -rf artifacts/TestResults
	@$(DOTNET) build $(SLN) -c $(CONFIG) -v quiet -nologo
	@$(DOTNET) test $(SLN) -c $(CONFIG) --no-build --logger trx --results-directory artifacts/TestResults -v quiet -nologo; \
	  status=$$?; scripts/test-summary.sh artifacts/TestResults; exit $$status

run: ## the sandbox: play the tutorial (inflate 0 -> 10 -> 0) against the twin, then keep serving for kubectl (Ctrl-C stops)
	@$(CAPSTAN_BUILD)
	@$(CAPSTAN_BIN) sandbox --scenario $(or $(SCENARIO),$(CURDIR)/scenarios/tutorial.yaml) $(ARGS)

plan: ## plan any manifests: make plan ARGS="--format json a.yaml b.yaml" (paths relative to where make runs)
	@$(CAPSTAN_BUILD)
	@$(CAPSTAN_BIN) plan $(ARGS)

bench: ## BenchmarkDotNet suites (packing, extender, admission, manifests, ...); results in BenchmarkDotNet.Artifacts/
	$(DOTNET) run --project tests/Capstan.Benchmarks -c Release -- --filter '$(or $(FILTER),*)' $(BENCH_ARGS)

certs: ## make a CA + serving/client certificates (certs/out) and write the CA into the webhook and scheduler manifests
	certs/gen.sh $(CERTS_OUT)

figures: ## packing plan-quality figures (nodes, price, LP bound, against plain FFD); no timing
	$(DOTNET) run --project tests/Capstan.Benchmarks -c Release -- --figures

format: ## apply .editorconfig formatting
	$(DOTNET) format $(SLN)

clean: ## remove build output
	rm -rf artifacts BenchmarkDotNet.Artifacts
