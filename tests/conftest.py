"""Shared fixtures and the opt-in markers: ``--slow`` (real models) and ``--gpu``."""

from __future__ import annotations

import logging
import os
import sys

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run tests that load real models")
    parser.addoption("--gpu", action="store_true", help="also run tests that need a GPU")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run_slow = config.getoption("--slow") or os.environ.get("TEXTSYNTH_SLOW") == "1"
    run_gpu = config.getoption("--gpu")
    for item in items:
        if "slow" in item.keywords and not run_slow:
            item.add_marker(pytest.mark.skip(reason="loads a real model: run with --slow"))
        if "gpu" in item.keywords and not run_gpu:
            item.add_marker(pytest.mark.skip(reason="needs a GPU: run with --gpu"))


@pytest.fixture(autouse=True)
def _no_once_per_command_filters():
    """Take the CLI's once-per-command warning filters off the root handlers after each test.

    A command adds them to every root handler, pytest's log capture among them; in one test
    process they would otherwise hide a warning from every later test that expects it.
    """
    yield
    cli = sys.modules.get("textsynth.cli")
    if cli is None:
        return
    for handler in logging.getLogger().handlers:
        for f in [f for f in handler.filters if isinstance(f, cli._Once)]:
            handler.removeFilter(f)
