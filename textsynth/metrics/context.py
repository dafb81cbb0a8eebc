"""What every metric reads: the utterance sets, and lazily shared tokens, embeddings and oracle.

One :class:`EvalContext` is built per evaluation; it owns one
:class:`~textsynth.classifier.Embedder` (whose cache makes each distinct text encoded once), the
oracle intent classifier, and the nearest-neighbour tables that several memorisation metrics
share. Nothing is global.
"""

from __future__ import annotations

import contextlib
import logging
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from textsynth.classifier import Embedder, IntentClassifier
from textsynth.metrics.base import IncomputableMetricError
from textsynth.metrics.text import NgramIndex, tokenise
from textsynth.progress import enabled as progress_enabled
from textsynth.types import Utterance

logger = logging.getLogger(__name__)

SETS = ("synthetic", "seeds", "holdout", "reference", "test")


@dataclass
class EvalContext:
    """The inputs of an evaluation and the expensive things computed from them, once.

    Attributes:
        synthetic: the utterances under evaluation.
        seeds: the real utterances the synthetic ones were made from.
        holdout: real utterances *not* used to make them (the "not memorised" reference).
        reference: a real labelled set to train the oracle on; default: seeds + holdout.
        test: a real labelled test set (TSTR, augmentation gain, oracle accuracy).
        embeddings: whether embedding-based metrics may run.
        classifier_features: ``"embeddings"`` or ``"tfidf"`` for the oracle and the downstream
            classifiers; ``"none"`` skips the classifier metrics; ``"auto"`` = embeddings when
            allowed, else none (TF-IDF must be asked for: it is slow on large sets).
        seed: seed of every sample drawn.
        embedder: the shared embedder (created on first use).
        rejected: reasons for synthetic records that could not even be read (bad spans...).
        show_progress: show progress bars for long steps.
        max_embed: at most this many synthetic utterances (a seeded sample) are embedded and
            classified: embedding, oracle and classifier metrics see that sample (``None``:
            all). Encoding is the slow step; 10,000 gives shares to about ±0.5 %.
        slot_tagger: the tagger slot fidelity compares the spans with: ``"seeds"`` (trained on
            the seeds plus the grammar's utterances: weak), ``"reference"`` (the oracle,
            trained on the reference set: strong), a path to a saved tagger, or a
            :class:`~textsynth.slots.SlotTagger`.
        max_tagger_train: the seed tagger trains on a seeded sample of at most this many.
        fluency: score fluency with a reference LM (``None``: when embeddings are on).
        fluency_model: the reference LM (``None``: the embedded SmolLM2).
        fluency_scorer: a :class:`~textsynth.metrics.fluency.FluencyScorer` to share.
        max_fluency: fluency scores a seeded sample of at most this many per set.
    """

    synthetic: Sequence[Utterance]
    seeds: Sequence[Utterance]
    holdout: Sequence[Utterance] | None = None
    reference: Sequence[Utterance] | None = None
    test: Sequence[Utterance] | None = None
    embeddings: bool = True
    classifier_features: str = "auto"
    seed: int = 0
    embedder: Embedder | None = None
    rejected: list[str] = field(default_factory=list)
    show_progress: bool = False
    max_embed: int | None = 10_000
    slot_tagger: Any = "seeds"
    max_tagger_train: int = 3000
    fluency: bool | None = None
    fluency_model: str | None = None
    fluency_scorer: Any = None
    max_fluency: int | None = 1000
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.classifier_features not in ("auto", "embeddings", "tfidf", "none"):
            from textsynth.errors import ConfigError

            raise ConfigError(
                f"classifier_features={self.classifier_features!r}; "
                "use auto, embeddings, tfidf or none"
            )
        if self.classifier_features == "auto":
            self.classifier_features = "embeddings" if self.embeddings else "none"
        if self.classifier_features == "embeddings" and not self.embeddings:
            from textsynth.errors import ConfigError

            raise ConfigError("classifier_features='embeddings' needs embeddings=True")
        if self.fluency is None:
            self.fluency = self.embeddings

    # ----- the sets ------------------------------------------------------------------------
    def get(self, name: str) -> Sequence[Utterance]:
        """Return the set called ``name`` (one of :data:`SETS`); empty if not given."""
        if name not in SETS:
            raise KeyError(name)
        return getattr(self, name) or ()

    def has(self, name: str) -> bool:
        """Return whether the set ``name`` was given and is non-empty."""
        return bool(self.get(name))

    def real_name(self) -> str:
        """Return the real set to compare with: the holdout when given, else the seeds."""
        return "holdout" if self.has("holdout") else "seeds"

    def texts(self, name: str) -> list[str]:
        """Return the texts of set ``name``."""
        return [u.text for u in self.get(name)]

    def tokens(self, name: str) -> list[list[str]]:
        """Return the tokenised texts of set ``name`` (cached)."""
        key = ("tokens", name)
        if key not in self._cache:
            self._cache[key] = [tokenise(u.text) for u in self.get(name)]
        return self._cache[key]

    def ngram_index(self, name: str) -> NgramIndex:
        """Return the n-gram index of set ``name`` alone (cached, shared by distinct-n and
        self-BLEU)."""
        key = ("ngram-index", name)
        if key not in self._cache:
            self._cache[key] = NgramIndex([self.tokens(name)])
        return self._cache[key]

    def rng(self, salt: str) -> np.random.Generator:
        """Return a generator seeded by ``seed`` and ``salt`` (one stream per purpose)."""
        return np.random.default_rng([self.seed % 2**32, zlib.crc32(salt.encode())])

    def model_indices(self, name: str) -> np.ndarray:
        """Return the indices of set ``name`` that embedding and classifier metrics use."""
        n = len(self.get(name))
        if name != "synthetic" or not self.max_embed:
            return np.arange(n)
        return self.sample_indices(n, self.max_embed, "model-synthetic")

    def model_set(self, name: str) -> list[Utterance]:
        """Return the utterances of set ``name`` that embedding and classifier metrics use."""
        key = ("model-set", name)
        if key not in self._cache:
            items = self.get(name)
            self._cache[key] = [items[i] for i in self.model_indices(name)]
        return self._cache[key]

    def sample_indices(self, n_total: int, n: int, salt: str) -> np.ndarray:
        """Return ``n`` sorted indices drawn without replacement from ``range(n_total)``."""
        if n >= n_total:
            return np.arange(n_total)
        return np.sort(self.rng(salt).choice(n_total, size=n, replace=False))

    # ----- requirements ---------------------------------------------------------------------
    def check(self, needs: Sequence[str]) -> None:
        """Raise ``IncomputableMetricError`` naming the first unmet need."""
        for need in needs:
            if need == "embeddings" and not self.embeddings:
                raise IncomputableMetricError("embeddings are turned off")
            if need in ("holdout", "test") and not self.has(need):
                raise IncomputableMetricError(f"no {need} set given")
            if need in ("oracle", "classifier") and self.classifier_features == "none":
                raise IncomputableMetricError(
                    "classifiers are off (embeddings off: use TF-IDF features with "
                    "`textsynth evaluate --classifier tfidf`, or classifier_features='tfidf')"
                )
            if need == "oracle" and len({u.intent for u in self.oracle_training_set()}) < 2:
                raise IncomputableMetricError("no labelled real set with 2+ intents for the oracle")
            if need == "fluency" and not self.fluency:
                raise IncomputableMetricError(
                    "fluency is off (it follows embeddings; turn it on with fluency=True / "
                    "--fluency)"
                )

    # ----- embeddings -----------------------------------------------------------------------
    def get_embedder(self) -> Embedder:
        """Return the shared embedder, creating it on first use."""
        if self.embedder is None:
            self.embedder = Embedder()
        return self.embedder

    def embed(self, name: str) -> np.ndarray:
        """Return the unit-norm sentence embeddings of :meth:`model_set` ``name`` (cached)."""
        if not self.embeddings:
            raise IncomputableMetricError("embeddings are turned off")
        key = ("emb", name)
        if key not in self._cache:
            texts = [u.text for u in self.model_set(name)]
            logger.info("encoding %d %s utterances", len(texts), name)
            t0 = time.perf_counter()
            self._cache[key] = self.get_embedder().encode(texts, show_progress=self.progress_on())
            self.add_time("encode", time.perf_counter() - t0)
        return self._cache[key]

    def add_time(self, step: str, seconds: float) -> None:
        """Add ``seconds`` to the running total of ``step`` (reported in the summary)."""
        steps = self._cache.setdefault("step-times", {})
        steps[step] = steps.get(step, 0.0) + seconds

    def step_times(self) -> dict[str, float]:
        """Return seconds spent per shared step (``encode``, ``classifier-fit``...)."""
        return {k: round(v, 3) for k, v in self._cache.get("step-times", {}).items()}

    def progress_on(self) -> bool:
        """Return whether progress bars should show (``TEXTSYNTH_PROGRESS`` overrides)."""
        return progress_enabled(self.show_progress)

    def neighbours(self, query: str, index: str, k: int = 2) -> np.ndarray:
        """Return the cosine distances from each ``query`` item to its ``k`` nearest in ``index``.

        The result has shape ``(len(query), k)``, nearest first (cached per pair of sets).
        """
        key = ("nn", query, index, k)
        if key not in self._cache:
            self._cache[key] = nearest_distances(self.embed(query), self.embed(index), k)
        return self._cache[key]

    # ----- classifiers ----------------------------------------------------------------------
    def oracle_training_set(self) -> list[Utterance]:
        """Return the oracle's training data: ``reference``, else seeds + holdout."""
        if self.has("reference"):
            return list(self.get("reference"))
        return [*self.get("seeds"), *self.get("holdout")]

    def new_classifier(self) -> IntentClassifier:
        """Return an unfitted intent classifier sharing the embedder."""
        if self.classifier_features == "embeddings":
            return IntentClassifier(
                "embeddings", embedder=self.get_embedder(), seed=self.seed % 2**32
            )
        return IntentClassifier("tfidf", seed=self.seed % 2**32)

    def oracle(self) -> IntentClassifier:
        """Return the oracle intent classifier, trained once on the real labelled set."""
        if "oracle" not in self._cache:
            data = self.oracle_training_set()
            if self.classifier_features == "embeddings":  # encode with the progress bar on
                for name in ("seeds", "holdout", "reference"):
                    if self.has(name):
                        self.embed(name)
            clf = self.new_classifier()
            t0 = time.perf_counter()
            with single_threaded_blas():
                clf.fit([u.text for u in data], [u.intent for u in data])
            self.add_time("classifier-fit", time.perf_counter() - t0)
            self._cache["oracle"] = clf
        return self._cache["oracle"]

    def oracle_predictions(self, name: str) -> list[str]:
        """Return the oracle's label for every utterance of :meth:`model_set` ``name`` (cached)."""
        key = ("oracle-pred", name)
        if key not in self._cache:
            oracle = self.oracle()
            if self.classifier_features == "embeddings":
                self.embed(name)  # encode with the progress bar on
            with single_threaded_blas():
                self._cache[key] = oracle.predict([u.text for u in self.model_set(name)])
        return self._cache[key]

    # ----- slots and fluency -------------------------------------------------------------------
    def slot_tagger_model(self) -> tuple[Any, dict[str, Any]]:
        """Return the slot tagger and what it is (trained once; :mod:`textsynth.metrics.slots`)."""
        if "slot-tagger" not in self._cache:
            from textsynth.metrics.tagger_choice import build_tagger

            t0 = time.perf_counter()
            try:
                self._cache["slot-tagger"] = build_tagger(self)
            except IncomputableMetricError as exc:
                self._cache["slot-tagger"] = exc
            self.add_time("slot-tagger-fit", time.perf_counter() - t0)
        got = self._cache["slot-tagger"]
        if isinstance(got, IncomputableMetricError):
            raise got
        return got

    def tagger_predictions(self, name: str) -> list[tuple[Any, ...]]:
        """Return the slot tagger's spans on every utterance of set ``name`` (cached)."""
        key = ("tagger-pred", name)
        if key not in self._cache:
            tagger, _ = self.slot_tagger_model()
            t0 = time.perf_counter()
            texts = self.texts(name)
            unique = list(dict.fromkeys(texts))
            by_text = dict(zip(unique, tagger.predict(unique), strict=True))
            pred = [by_text[t] for t in texts]
            if name == "synthetic":  # grammar utterances the tagger trained on: cross-fitted
                for fold, judged in self._cache.get("slot-tagger-folds", []):
                    idx = sorted(judged)
                    for i, spans in zip(idx, fold.predict([texts[i] for i in idx]), strict=True):
                        pred[i] = spans
            self._cache[key] = pred
            self.add_time("slot-tagger-predict", time.perf_counter() - t0)
        return self._cache[key]

    def get_fluency_scorer(self) -> Any:
        """Return the shared fluency scorer, creating it on first use."""
        if self.fluency_scorer is None:
            from textsynth.metrics.likelihood import FluencyScorer

            self.fluency_scorer = FluencyScorer(self.fluency_model)
        return self.fluency_scorer

    def fluency_indices(self, name: str) -> np.ndarray:
        """Return the indices of set ``name`` whose fluency is scored (seeded sample)."""
        n = len(self.get(name))
        if not self.max_fluency:
            return np.arange(n)
        return self.sample_indices(n, self.max_fluency, f"fluency-{name}")

    def fluency_scores(self, name: str) -> np.ndarray:
        """Return the fluency of each utterance of :meth:`fluency_indices` ``name`` (cached)."""
        key = ("fluency", name)
        if key not in self._cache:
            items = self.get(name)
            texts = [items[i].text for i in self.fluency_indices(name)]
            t0 = time.perf_counter()
            self._cache[key] = self.get_fluency_scorer().score(texts, desc=f"fluency {name}")
            self.add_time("fluency", time.perf_counter() - t0)
        return self._cache[key]


def single_threaded_blas() -> contextlib.AbstractContextManager[object]:
    """Return a context that runs BLAS on one thread (for the classifiers' many small products).

    Logistic regression makes thousands of small matrix-vector products; on a busy machine a
    multi-threaded BLAS waits for its threads at every one of them (measured: 25 s vs 1 s for
    one fit on 20k x 384 with the load at 4 per core). One thread is never much slower here.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def nearest_distances(
    query: np.ndarray, index: np.ndarray, k: int = 2, chunk: int = 2048
) -> np.ndarray:
    """Return cosine distances from each unit vector in ``query`` to its ``k`` nearest in ``index``.

    Chunked matrix products keep memory at ``chunk × len(index)`` floats.

    Args:
        query: ``(n, d)`` unit vectors.
        index: ``(m, d)`` unit vectors, ``m >= 1``.
        k: neighbours wanted; fewer columns come back when ``m < k`` (padded with ``inf``).
        chunk: query rows per product.
    """
    n, m = len(query), len(index)
    out = np.full((n, k), np.inf, dtype=np.float64)
    if n == 0 or m == 0:
        return out
    kk = min(k, m)
    idx_t = np.ascontiguousarray(index.astype(np.float32).T)
    for lo in range(0, n, chunk):
        sims = query[lo : lo + chunk].astype(np.float32) @ idx_t
        if kk < m:
            part = np.partition(-sims, kk - 1, axis=1)[:, :kk]
        else:
            part = -sims
        top = np.sort(-part, axis=1)[:, ::-1]  # similarities, largest first
        out[lo : lo + chunk, :kk] = np.clip(1.0 - top.astype(np.float64), 0.0, 2.0)
    return out
