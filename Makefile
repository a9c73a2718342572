# The two commands a reader needs. Both first make sure OpenBLAS is present (Linux only;
# macOS uses Accelerate and needs nothing). `make test` also makes sure rsvg-convert is present:
# the tests render every figure with it.
SWIFT ?= swift
UNAME := $(shell uname -s)

.PHONY: run test blas render-tools docs api-docs bench exercises pretrain

run: blas
	$(SWIFT) build
	$(SWIFT) run tour

test: blas render-tools
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

docs: blas
	$(SWIFT) run lora-docs

# The LoRA library's API reference (DocC, the toolchain's own docc) as a static site in
# .build/api-docs; fails on any DocC warning. Serve it: python3 -m http.server -d .build/api-docs
api-docs: blas
	SWIFT="$(SWIFT)" bash Scripts/api-docs.sh .build/api-docs

bench: blas
	$(SWIFT) run -c release lora-bench

# Pre-trains the tiny LLaMA of the real-text chapters (release build; under an hour on two
# cores) and rewrites Sources/TinyLlama/Checkpoint: the same bytes on every machine.
pretrain: blas
	$(SWIFT) run -c release pretrain

exercises: blas
	$(SWIFT) run exercises

blas:
ifeq ($(UNAME),Linux)
	@if pkg-config --exists openblas 2>/dev/null; then \
		echo "make: OpenBLAS found ($$(pkg-config --modversion openblas))"; \
	else \
		echo "make: OpenBLAS not found; installing libopenblas-dev and pkg-config with apt-get"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libopenblas-dev pkg-config; \
	fi
endif

# rsvg-convert (librsvg) renders every SVG figure once in the tests (NotebookTests).
render-tools:
	@if command -v rsvg-convert >/dev/null 2>&1; then \
		echo "make: rsvg-convert found ($$(rsvg-convert --version))"; \
	elif [ "$(UNAME)" = Linux ]; then \
		echo "make: rsvg-convert not found; installing librsvg2-bin with apt-get"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq librsvg2-bin; \
	elif command -v brew >/dev/null 2>&1; then \
		echo "make: rsvg-convert not found; installing librsvg with Homebrew"; \
		brew install librsvg; \
	else \
		echo "make: rsvg-convert not found; install librsvg (it provides rsvg-convert)" >&2; exit 1; \
	fi
