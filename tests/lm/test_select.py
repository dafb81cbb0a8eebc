"""Selection from a pool of filtered utterances: the ones least like the seeds, or least certain."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from textsynth import markup
from textsynth.errors import ConfigError
from textsynth.lm import backends
from textsynth.lm.config import SampleConfig
from textsynth.lm.select import farthest_first, select_diverse, select_hard


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


def test_select_hard_keeps_the_least_certain_in_generation_order():
    probs = [0.9, 0.55, 0.7, 0.55, 0.99]
    pool = [
        dataclasses.replace(
            markup.parse(f"play song {i}", "Play"), meta={"scores": {"intent_prob": p}}
        )
        for i, p in enumerate(probs)
    ]
    assert [u.text for u in select_hard(pool, 3)] == ["play song 1", "play song 2", "play song 3"]
    assert [u.text for u in select_hard(pool, 1)] == ["play song 1"]  # a tie: the earlier one
    assert select_hard(pool[:2], 2) == pool[:2]  # nothing to choose from
    bare = [*pool[:2], markup.parse("play it", "Play")]
    with pytest.raises(ValueError, match="candidate 2 .*no intent_prob.*label-fidelity"):
        select_hard(bare, 2)


@pytest.mark.parametrize(
    "bad",
    [{"select": "random"}, {"pool": 0.5}, {"select": "hard", "fidelity_threshold": 0.0}],
)
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


# every filter but the one a test looks at off, one completion per prompt
ONLY_SELECTION = {
    "fluency_percentile": 0,
    "slot_verify": False,
    "slot_rules": False,
    "typed_values": False,
    "near_copy_threshold": 1.0,
    "completions_per_prompt": 1,
    "value_plans": 0,
}

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
    base = {**ONLY_SELECTION, "per_intent": 3, "fidelity_threshold": 0.0}
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


@dataclasses.dataclass
class ByLabel(backends.Backend):
    """Answers each request with the next phrasing of its intent, told apart by slot label."""

    name = "by-label"
    texts: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    n: dict[str, int] = dataclasses.field(default_factory=dict)

    def _generate(self, requests, params, on_result):
        out = []
        for i, r in enumerate(requests):
            label = (r.labels or ("",))[0]
            k = self.n.get(label, 0)
            self.n[label] = k + 1
            c = backends.Completion(" " + self.texts[label][k % len(self.texts[label])], 5)
            out.append(c)
            on_result(i, c)
        return out


def test_hard_sampling_keeps_the_pool_utterances_the_fidelity_classifier_is_least_sure_of():
    from textsynth.lm import prompt_sample
    from textsynth.lm.sample import RunOptions

    seeds = [
        markup.parse(t, i)
        for t, i in [
            ("play [jazz](genre) music", "Play"),
            ("play some [rock](genre) songs", "Play"),
            ("put on [blues](genre) music", "Play"),
            ("what is the weather in [paris](city)", "Weather"),
            ("will it rain in [rome](city) today", "Weather"),
            ("is it sunny in [oslo](city)", "Weather"),
        ]
    ]
    texts = {
        "genre": (
            "play [jazz](genre) music for me",
            "i feel like hearing [soul](genre) in the kitchen",
            "play some [rock](genre) songs please",
            "could the house fill up with [funk](genre) tonight",
            "put on [blues](genre) music now",
            "my evening needs [techno](genre)",
        ),
        "city": (
            "what is the weather in [lima](city)",
            "will it rain in [cairo](city) tomorrow",
            "is it sunny in [nice](city) now",
            "do i need a coat in [bern](city)",
            "what is the forecast for [kyiv](city)",
            "how hot is [doha](city) today",
        ),
    }
    base = {
        **ONLY_SELECTION,
        "per_intent": 2,
        "fidelity_threshold": 0.3,
        "intent_relabel_threshold": 0,
        "seed": 3,
    }

    def run(**settings):
        opts = RunOptions(backend=ByLabel(model="p", texts=texts))
        return prompt_sample(seeds, SampleConfig(**{**base, **settings}), options=opts)

    every, _ = run(per_intent=6)  # what a pool of 2 x 3 gathers: the same requests
    hard, summary = run(select="hard", pool=3)
    assert summary.counters["not_selected"] == 8  # 2 intents x (6 gathered - 2 chosen)
    for intent in ("Play", "Weather"):
        pool = [u for u in every if u.intent == intent]
        chosen = [u for u in hard if u.intent == intent]
        assert len(pool) == 6 and len(chosen) == 2
        prob = {u.text: u.meta["scores"]["intent_prob"] for u in pool}
        assert {u.text for u in chosen} == set(sorted(prob, key=prob.get)[:2])
        assert max(prob[u.text] for u in chosen) < max(prob.values())


def test_hard_selection_without_the_fidelity_filter_warns_and_keeps_the_first(caplog):
    """One intent: no label-fidelity filter, so no score to pick by; said, never silent."""
    from textsynth.lm import prompt_sample
    from textsynth.lm.sample import RunOptions

    seeds = [markup.parse(t, "Play") for t in ("play [jazz](genre) music", "put on [rock](genre)")]
    config = {**ONLY_SELECTION, "per_intent": 3}

    def run(**settings):
        opts = RunOptions(backend=Phrasings(model="p", texts=PHRASES))
        return prompt_sample(seeds, SampleConfig(**{**config, **settings}), options=opts)

    first, _ = run()
    with caplog.at_level("WARNING"):
        hard, summary = run(select="hard", pool=3)
    assert "select='hard' needs the label-fidelity filter" in caplog.text
    assert "select-hard" in summary.disabled and "label-fidelity" in summary.disabled
    assert [u.text for u in hard] == [u.text for u in first]  # no pool was gathered
    assert "not_selected" not in summary.counters
