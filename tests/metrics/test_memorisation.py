"""Exact match, 4-gram overlap, DCR, DCR share, NNDR and canary exposure on hand-checked sets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from textsynth.errors import ConfigError
from textsynth.metrics import CanaryConfig, CanaryExposure, evaluate
from textsynth.metrics.canary import exposure, make_canaries
from textsynth.metrics.context import nearest_distances
from textsynth.metrics.memorisation import exact_match_share, ngram_overlap_share
from textsynth.metrics.neighbours import dcr_share, nndr
from textsynth.metrics.text import NgramIndex


@pytest.mark.parametrize(
    "texts, seeds, expected",
    [
        # fmt: off
        (["Book a flight!", "book a  FLIGHT"], ["book a flight"], 1.0),  # normalised
        (["book a flight", "book a train"], ["book a flight"], 0.5),
        (["book a flight to rome"], ["book a flight"], 0.0),  # not a substring test
        # fmt: on
    ],
)
def test_exact_match_share(texts, seeds, expected):
    assert exact_match_share(texts, seeds)[0] == pytest.approx(expected)


def test_ngram_overlap_hand_value():
    syn = [["a", "b", "c", "d", "e"], ["x", "y", "z"]]  # 2 four-grams; the short one has none
    seeds = [["a", "b", "c", "d", "q"]]
    index = NgramIndex([syn, seeds])
    assert ngram_overlap_share(index, 0, 1) == pytest.approx(1 / 2)
    assert ngram_overlap_share(NgramIndex([[["a"]], seeds]), 0, 1) is None


def test_copied_seeds_give_exact_match_one_and_holdout_reference(toy_sets):
    seeds, holdout = toy_sets["seeds"], toy_sets["holdout"]
    report = evaluate(
        seeds, seeds, holdout=holdout, embeddings=False, metrics=["exact-match", "ngram-overlap"]
    )
    assert report.value("exact-match") == 1.0
    assert report["exact-match"].reference == 0.0  # no holdout utterance is a seed
    assert report["exact-match"].breakdown["n_matched"] == len(seeds)
    assert report.value("ngram-overlap") == 1.0
    assert 0 < report["ngram-overlap"].reference < 1  # templates shared, values not


def test_nearest_distances_equal_brute_force():
    rng = np.random.default_rng(1)
    q = rng.normal(size=(50, 6))
    x = rng.normal(size=(7, 6))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    brute = np.sort(1 - q @ x.T, axis=1)[:, :2]
    got = nearest_distances(q, x, k=2, chunk=8)
    assert np.allclose(got, np.clip(brute, 0, 2), atol=1e-6)
    one = nearest_distances(q, x[:1], k=2)
    assert np.all(np.isinf(one[:, 1]))  # fewer index rows than k


@pytest.mark.parametrize(
    "d_seeds, d_holdout, expected",
    [
        # fmt: off
        ([0.1, 0.2], [0.3, 0.4], 1.0),
        ([0.5, 0.2], [0.3, 0.4], 0.5),
        ([0.0, 0.0], [0.0, 0.0], 0.5),  # ties count one half
        ([0.9], [0.1], 0.0),
        # fmt: on
    ],
)
def test_dcr_share(d_seeds, d_holdout, expected):
    assert dcr_share(np.array(d_seeds), np.array(d_holdout)) == pytest.approx(expected)


def test_nndr_ratio_and_duplicate_convention():
    d = np.array([[0.1, 0.4], [0.0, 0.0], [0.2, 0.2]])
    assert nndr(d).tolist() == pytest.approx([0.25, 1.0, 1.0])


def test_embedding_memorisation_metrics_with_a_fake_embedder(toy_sets, fake_embedder):
    seeds, holdout = toy_sets["seeds"], toy_sets["holdout"]
    copies = evaluate(
        seeds,
        seeds,
        holdout=holdout,
        embedder=fake_embedder,
        classifier_features="none",
        metrics=["dcr", "dcr-share", "nndr"],
    )
    assert copies.value("dcr") == pytest.approx(0.0, abs=1e-6)
    assert copies.value("dcr-share") == 1.0  # every copy is closer to the seeds
    assert copies["dcr"].reference > 0  # unseen real utterances are not at distance 0
    assert copies["dcr"].breakdown["share_identical"]["synthetic"] == 1.0
    unseen = evaluate(
        holdout,
        seeds,
        holdout=holdout,
        embedder=fake_embedder,
        classifier_features="none",
        metrics=["dcr-share"],
    )
    assert unseen.value("dcr-share") == 0.0  # the synthetic set *is* the holdout


def test_embedding_metrics_are_skipped_with_a_reason_when_embeddings_are_off(toy_sets):
    report = evaluate(
        toy_sets["seeds"], toy_sets["seeds"], embeddings=False, metrics=["dcr", "dcr-share"]
    )
    assert report.skipped == {
        "dcr": "embeddings are turned off",
        "dcr-share": "embeddings are turned off",
    }


# ----- canary exposure ---------------------------------------------------------------------
def memorising_finetune(training):
    """A 'model' that gives high likelihood to exactly the texts it was trained on."""
    seen = {u.text for u in training}
    return lambda texts: [0.0 if t in seen else -10.0 - len(t) * 0.0 for t in texts]


def oblivious_finetune(training):
    """A 'model' whose likelihood ignores the secret (a hash of the text, unrelated to training)."""
    import zlib

    return lambda texts: [-(zlib.crc32(t.encode()) % 1000) / 10 for t in texts]


def test_exposure_hand_values():
    assert exposure(5.0, [1.0, 2.0, 3.0]) == (1.0, pytest.approx(2.0))  # top of 4: log2(4)
    assert exposure(0.0, [1.0, 2.0, 3.0]) == (4.0, pytest.approx(0.0))  # last of 4
    assert exposure(1.0, [1.0, 2.0, 3.0])[0] == 3.5  # a tie counts one half


def test_canary_exposure_is_maximal_when_memorised(toy_sets):
    cfg = CanaryConfig(n_canaries=3, n_candidates=255, seed=1)
    report = evaluate(
        toy_sets["seeds"],
        toy_sets["seeds"],
        embeddings=False,
        metrics=[CanaryExposure(memorising_finetune, cfg)],
    )
    res = report["canary-exposure"]
    assert res.value == pytest.approx(8.0)  # log2(256)
    assert res.max_value == pytest.approx(8.0)
    assert len(res.breakdown["canaries"]) == 3


def test_canary_exposure_is_low_when_not_memorised(toy_sets):
    cfg = CanaryConfig(n_canaries=5, n_candidates=255, seed=2)
    res = CanaryExposure(oblivious_finetune, cfg)
    report = evaluate(toy_sets["seeds"], toy_sets["seeds"], embeddings=False, metrics=[res])
    assert report.value("canary-exposure") < 4.0


def test_canaries_are_seeded_and_use_the_template():
    cfg = CanaryConfig(n_canaries=2, seed=3, template="my pin is {secret}", digits=4)
    secrets, utts = make_canaries(cfg, "book")
    assert (secrets, [u.text for u in utts]) == (
        make_canaries(cfg, "book")[0],
        [f"my pin is {s}" for s in secrets],
    )
    assert all(len(s) == 4 and u.intent == "book" for s, u in zip(secrets, utts, strict=True))


def test_canary_config_errors_and_round_trip():
    with pytest.raises(ConfigError, match="has no '{secret}'"):
        CanaryConfig(template="no placeholder")
    cfg = CanaryConfig(n_canaries=2)
    assert CanaryConfig.from_dict(cfg.to_dict()) == cfg


def test_canary_exposure_without_finetune_is_skipped(toy_sets):
    report = evaluate(
        toy_sets["seeds"], toy_sets["seeds"], embeddings=False, metrics=["canary-exposure"]
    )
    assert "fine-tuning function" in report.skipped["canary-exposure"]
    assert math.isfinite(CanaryExposure.max_value)
