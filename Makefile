# Targets a user runs: `make run` starts the node on config.yaml, `make test`
# installs what the tests need and runs them. Both work on a fresh machine.

GO      ?= go
BIN     := bin/mdm2node
GOFLAGS ?=

.PHONY: all build deps run test demo fuzz bench clean

all: build

build:
	$(GO) build $(GOFLAGS) -o $(BIN) ./cmd/mdm2node

# deps runs every scripts/install-*.sh; each one installs a missing piece
# (Debian packages, the ONNX Runtime library) and does nothing when present.
deps:
	@for s in scripts/install-*.sh; do echo "== $$s"; bash "$$s" || exit 1; done

run: build
	./$(BIN) serve -config config.yaml

# test downloads the modules first, then runs the tests in a loopback-only
# network namespace (scripts/test-isolated.sh).
test: deps
	$(GO) mod download
	$(GO) vet ./...
	CI=$${CI:-} bash scripts/test-isolated.sh $(GO) test -count=1 -timeout 40m ./...

# demo installs what is missing, trains a demonstration model on synthetic
# phantoms, runs the node and pushes one study (scripts/demo.sh, docs/DEMO.md).
demo:
	bash scripts/demo.sh

clean:
	rm -rf bin
