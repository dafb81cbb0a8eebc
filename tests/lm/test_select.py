"""Diverse selection: gather a pool of filtered utterances, keep the ones least like the seeds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from textsynth import markup
from textsynth.errors import ConfigError
from textsynth.lm import backends
from textsynth.lm.config import SampleConfig
from textsynth.lm.select import farthest_first, select_diverse


def unit(*rows: list[float]) -> np.ndarray:
    x = np.asarray(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_farthest_first_starts_away_from_the_anchors_then_spreads():
    anchors = unit([1, 0, 0])
    x = unit([1, 0.1, 0], [0, 1, 0], [0, 1, 0.05], [0, 0, 1])
    picked, at = farthest_first(x, anchors, 3)
    assert picked[0] in (1, 3) and picked[0] != 0  # orthogonal to the anchor, not its copy
    assert set(picked[:2]) == {1, 3}  # then the other orthogonal direction
    assert at == sorted(at, reverse=True)  # each pick no farther than the one before
    every, _ = farthest_first(x, anchors, 10)
    assert every[:3] == picked and sorted(every) == [0, 1, 2, 3]  # k above the rows: all of them
    assert farthest_first(x, anchors[:0], 1)[0] == [0]  # no anchors: the first row
    assert farthest_first(x, anchors, 0) == ([], [])


class Words:
    """A bag-of-words embedder: texts sharing words are close."""

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        vocab = sorted({w for t in texts for w in t.split()} | {"<pad>"})
        x = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.split():
                x[i, hash(w) % 64] += 1.0
        x[:, 63] += 1e-3 * len(vocab)  # never a zero row
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_select_diverse_keeps_the_outliers_in_generation_order_with_their_novelty():
    seeds = ["play some jazz music", "play jazz music now"]
    texts = [
        "play some jazz music please",
        "play jazz music",
        "could you put on a relaxing saxophone record",
        "play some jazz music now",
        "i want to hear miles davis tonight",
    ]
    pool = [markup.parse(t, "Play") for t in texts]
    kept = select_diverse(pool, seeds, 2, Words())
    assert [u.text for u in kept] == [texts[2], texts[4]]
    assert all(u.meta["scores"]["novelty"] > 0.5 for u in kept)
    assert select_diverse(pool[:2], seeds, 2, Words()) == pool[:2]  # nothing to choose from


@pytest.mark.parametrize("bad", [{"select": "random"}, {"pool": 0.5}])
def test_bad_selection_settings_are_refused(bad):
    with pytest.raises(ConfigError):
        SampleConfig(**bad)


@dataclasses.dataclass
class Phrasings(backends.Backend):
    """Answers the n-th request with the n-th of a fixed list of phrasings, cycling."""

    name = "phrasings"
    texts: tuple[str, ...] = ()
    n: int = 0

    def _generate(self, requests, params, on_result):
        out = []
        for i, _r in enumerate(requests):
            c = backends.Completion(" " + self.texts[self.n % len(self.texts)], 5)
            self.n += 1
            out.append(c)
            on_result(i, c)
        return out


PHRASES = (  # near copies of the seeds first: what select="first" keeps
    "play [jazz](genre) music please now",
    "play some [jazz](genre) music for me",
    "play [jazz](genre) music right now",
    "play the [jazz](genre) music",
    "start [jazz](genre) music please",
    "i would love to hear some [blues](genre) from the fifties tonight",
    "put on an old [rock](genre) record while i cook dinner",
    "let the speakers blast [techno](genre) during the party",
    "play [jazz](genre) music now",  # a seed: rejected as a copy
    "play some [jazz](genre) music please",
)


def test_diverse_sampling_keeps_per_intent_of_a_larger_pool_farther_from_the_seeds():
    from textsynth.classifier import Embedder
    from textsynth.lm import prompt_sample
    from textsynth.lm.sample import RunOptions

    seeds = [
        markup.parse("play [jazz](genre) music", "Play"),
        markup.parse("play some [jazz](genre) music", "Play"),
        markup.parse("play [jazz](genre) music now", "Play"),
    ]
    base = {
        "per_intent": 3,
        "fidelity_threshold": 0.0,
        "fluency_percentile": 0,
        "slot_verify": False,
        "slot_rules": False,
        "typed_values": False,
        "near_copy_threshold": 1.0,
        "completions_per_prompt": 1,
        "value_plans": 0,
    }
    streamed = []

    def run(**settings):
        opts = RunOptions(backend=Phrasings(model="p", texts=PHRASES), on_kept=streamed.append)
        return prompt_sample(seeds, SampleConfig(**{**base, **settings}), options=opts)

    first, _ = run()
    streamed.clear()
    diverse, summary = run(select="diverse", pool=3)
    assert len(diverse) == 3 and streamed == diverse  # only the chosen reach the stream
    assert summary.counters["not_selected"] == 6  # a pool of 3 x 3, 3 chosen
    emb = Embedder()
    anchors = emb.encode([u.text for u in seeds])

    def distance(utts):
        return float(np.mean(1 - (emb.encode([u.text for u in utts]) @ anchors.T).max(axis=1)))

    assert {u.text.split()[0] for u in first} <= {"play", "start"}
    assert distance(diverse) > distance(first) + 0.2
    assert {u.text for u in diverse} <= {markup.parse(p, "Play").text for p in PHRASES}
    assert all("novelty" in u.meta["scores"] for u in diverse)
