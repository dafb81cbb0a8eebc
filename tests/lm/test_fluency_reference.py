"""The fluency filter's reference model: never a server's model name (that is no model this
process can load: the CI failure of a server run that tried the hub for 'smollm2')."""

from __future__ import annotations

import dataclasses

from textsynth.lm import SampleConfig
from textsynth.lm.backends import Backend
from textsynth.lm.rounds import fluency_reference
from textsynth.types import Utterance


@dataclasses.dataclass
class Remote(Backend):
    name = "openai"

    def _generate(self, requests, params, on_result):  # pragma: no cover - never called
        raise AssertionError


@dataclasses.dataclass
class InProcess(Remote):
    name = "hf"


EN = [Utterance("weather in Oslo", "GetWeather", language="en")]


def test_a_remote_backend_scores_with_the_embedded_default():
    assert fluency_reference(Remote(model="smollm2"), "smollm2", EN, SampleConfig()) == (
        "embedded:smollm2-135m"
    )


def test_an_in_process_backend_scores_with_its_own_model():
    ref = fluency_reference(InProcess(model="m"), "/runs/base", EN, SampleConfig())
    assert ref == "/runs/base"


def test_nothing_is_picked_when_the_filter_is_off_or_a_model_is_named():
    off = SampleConfig(fluency_percentile=0)
    assert fluency_reference(Remote(model="x"), "x", EN, off) == "x"
    named = SampleConfig(fluency_model="gpt2")
    assert fluency_reference(Remote(model="x"), "x", EN, named) == "x"
