"""Plan and run generation: per-intent quotas, train/test split, Utterances or fast JSONL."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textsynth.errors import ConfigError, SpaceTooLargeError
from textsynth.grammar.grammar import Grammar
from textsynth.grammar.sample import DEDUPE
from textsynth.types import Span, Utterance

__all__ = ["GenerateConfig", "expand", "generate_to_file", "plan_quotas", "records"]

logger = logging.getLogger(__name__)

#: ``--all`` refuses spaces larger than this unless told otherwise
ALL_LIMIT = 10_000_000


@dataclass
class GenerateConfig:
    """What to generate; saved in the summary next to the output.

    Attributes:
        n: total utterances wanted (``None``: the declared counts, or all with ``all``).
        all: every distinct utterance (exhaustive enumeration, in index order).
        seed: the random seed; same grammar and seed give the same bytes.
        dedupe: ``exact``, ``casefold`` (drops case-only duplicates) or ``none``.
        coverage: put every rule, branch and slot value in the output at least once.
        intents: restrict to these intents (``None`` = all).
        split: test share: a fraction in (0, 1) or a whole number of test utterances per
            intent; ``None`` uses the declared ``testing`` counts, if any.
        all_limit: the largest space ``all`` enumerates.
    """

    n: int | None = None
    all: bool = False
    seed: int = 0
    dedupe: str = "exact"
    coverage: bool = False
    intents: list[str] | None = None
    split: float | None = None
    all_limit: int = ALL_LIMIT

    def __post_init__(self) -> None:
        if self.dedupe not in DEDUPE:
            raise ConfigError(
                f"unknown dedupe {self.dedupe!r}", hint=f"choose one of: {', '.join(DEDUPE)}"
            )
        if self.n is not None and self.n < 0:
            raise ConfigError(f"n must be >= 0, got {self.n}")
        if self.split is not None and not (0 < self.split < 1 or float(self.split).is_integer()):
            raise ConfigError(
                f"bad split {self.split!r}",
                hint="give a test fraction such as 0.2 or a count such as 100",
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the config as a JSON-ready dict."""
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GenerateConfig:
        """Build a config from :meth:`to_dict` output."""
        return cls(**d)


@dataclass
class IntentPlan:
    """How many utterances one intent gets, and how many of them go to the test split."""

    name: str
    want: int | None  # None: every distinct utterance
    test: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


def _selected(grammar: Grammar, intents: list[str] | None) -> list[str]:
    names = list(grammar.intents)
    if not intents:
        return names
    unknown = [i for i in intents if i not in grammar.intents]
    if unknown:
        from textsynth.registry import did_you_mean

        raise ConfigError(
            f"unknown intent {unknown[0]!r}{did_you_mean(unknown[0], names)}",
            hint=f"intents are: {', '.join(names)}",
        )
    return [i for i in names if i in intents]


def _largest_remainder(n: int, weights: list[float]) -> list[int]:
    total = sum(weights) or 1.0
    raw = [n * w / total for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: n - sum(out)]:
        out[i] += 1
    return out


def plan_quotas(grammar: Grammar, cfg: GenerateConfig) -> list[IntentPlan]:
    """Return each selected intent's quota.

    ``n`` is shared in proportion to the declared counts when every intent declares one,
    otherwise equally; an intent never gets more than its number of combinations, and what it
    cannot take goes to the others (deterministic: ties go to the earlier intent).
    """
    names = _selected(grammar, cfg.intents)
    spaces = {k: grammar.intents[k].root.count for k in names}
    if cfg.all:
        big = sum(spaces.values())
        if big > cfg.all_limit:
            raise SpaceTooLargeError(
                f"--all would enumerate {big:,} combinations, more than the limit "
                f"{cfg.all_limit:,}",
                hint="sample instead with --n N, or raise the limit with --max-all",
            )
        wants: dict[str, int | None] = {k: None for k in names}
    elif cfg.n is None:
        missing = [k for k in names if grammar.intents[k].count is None]
        if missing:
            raise ConfigError(
                f"intent {missing[0]!r} declares no count",
                hint="pass --n N or --all, or declare %[intent](N)",
            )
        wants = {k: min(grammar.intents[k].count or 0, spaces[k]) for k in names}
    else:
        declared = [grammar.intents[k].count for k in names]
        weights = (
            [float(c or 0) for c in declared] if all(c for c in declared) else [1.0] * len(names)
        )
        wants = {}
        left, pool = cfg.n, list(range(len(names)))
        while pool and left > 0:
            shares = _largest_remainder(left, [weights[i] for i in pool])
            capped = [i for i, s in zip(pool, shares, strict=True) if s >= spaces[names[i]]]
            if not capped:
                for i, s in zip(pool, shares, strict=True):
                    wants[names[i]] = s
                break
            for i in capped:
                wants[names[i]] = spaces[names[i]]
                left -= spaces[names[i]]
            pool = [i for i in pool if i not in capped]
        for k in names:
            wants.setdefault(k, 0)
        got = sum(w or 0 for w in wants.values())
        if got < cfg.n:
            logger.warning(
                "only %d combinations exist in the selected intents (%d asked); "
                "generating every distinct utterance",
                got,
                cfg.n,
            )
    plans = []
    for k in names:
        ci, want = grammar.intents[k], wants[k]
        if cfg.split is None:
            test = 0
            if ci.testing and cfg.n is None and not cfg.all:
                test = ci.testing  # the declared counts, as Chatito and Chatette do
        elif cfg.split < 1:
            test = round((want if want is not None else spaces[k]) * cfg.split)
        else:
            test = int(cfg.split)
        plans.append(IntentPlan(k, want, test))
    return plans


def _streams(grammar: Grammar, cfg: GenerateConfig, as_json: bool) -> Iterator[tuple]:
    """Yield ``(intent name, stream, want, number of train utterances)`` per planned intent.

    With ``coverage`` an intent yields at least its covering set, even beyond its quota.
    """
    from textsynth.grammar.coverage import cover_indices

    for plan in plan_quotas(grammar, cfg):
        eng = grammar.engine(plan.name)
        want = plan.want
        if want is None:
            stream: Iterable = eng.enumerate(cfg.dedupe, as_json)
            expected = eng.total
        else:
            if cfg.coverage:
                want = max(want, sum(1 for _ in cover_indices(eng.intent.root)))
            if want == 0:
                continue
            stream = eng.sample(cfg.seed, want, cfg.dedupe, cfg.coverage, as_json)
            expected = want
        yield plan.name, stream, want, expected - plan.test if plan.test else -1


def _short(name: str, n: int, want: int | None) -> None:
    if want is not None and n < want:
        logger.warning("intent %r has only %d distinct utterances (%d asked)", name, n, want)


def records(
    grammar: Grammar, cfg: GenerateConfig, as_json: bool = False
) -> Iterator[tuple[str, str, int, str, Any]]:
    """Yield ``(split, intent, rule number, text, entity records)`` following the plan.

    With ``as_json`` the last element is the JSONL ``entities`` body instead of records.
    """
    for name, stream, want, train_n in _streams(grammar, cfg, as_json):
        n = 0
        for k, text, ents in stream:
            if want is not None and n >= want:
                break
            yield ("train" if n < train_n or train_n < 0 else "test"), name, k, text, ents
            n += 1
        _short(name, n, want)


def _tail(grammar: Grammar, name: str, locs: list[str], seed: int) -> list[str]:
    """Return per-rule JSON line tails: ``, "intent": ..., "entities": [`` and the rest."""
    lang = json.dumps(grammar.language, ensure_ascii=False)
    out = []
    for loc in locs:
        src = json.dumps(f"grammar:{loc}", ensure_ascii=False)
        meta = json.dumps({"seed": seed, "rule": loc}, ensure_ascii=False, separators=(", ", ": "))
        out.append(f'], "language": {lang}, "source": {src}, "meta": {meta}}}\n')
    return out


def expand(
    grammar: Grammar, cfg: GenerateConfig | None = None, **kwargs: Any
) -> Iterator[Utterance]:
    """Yield :class:`Utterance` objects following ``cfg`` (or keyword arguments for it)."""
    cfg = cfg or GenerateConfig(**kwargs)
    for split, intent, k, text, ents in records(grammar, cfg):
        loc = grammar.intents[intent].rule_locs[k]
        spans = []
        for s, e, label, vjson, _ in ents:
            value = json.loads(vjson)
            spans.append(Span(s, e, json.loads(label), None if value == text[s:e] else value))
        meta: dict[str, Any] = {"seed": cfg.seed, "rule": loc}
        if split == "test":
            meta["split"] = "test"
        yield Utterance(text, intent, tuple(spans), grammar.language, f"grammar:{loc}", meta)


def split_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Return ``(x.train.ext, x.test.ext)`` for ``x.ext``."""
    p = Path(path)
    suffix = "".join(p.suffixes[-1:])
    stem = p.name[: -len(suffix)] if suffix else p.name
    return p.with_name(f"{stem}.train{suffix}"), p.with_name(f"{stem}.test{suffix}")


def generate_to_file(
    grammar: Grammar,
    path: str | os.PathLike[str],
    cfg: GenerateConfig | None = None,
    fmt: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Generate to ``path`` (two files ``.train``/``.test`` when splitting); return a summary.

    JSONL is written directly, streamed in large chunks, with the same bytes
    :func:`textsynth.io.write_utterances_jsonl` would write; other formats go through
    :func:`textsynth.formats.write`.
    """
    from textsynth import formats

    cfg = cfg or GenerateConfig(**kwargs)
    fmt = fmt or formats.guess(path)
    to_stdout = str(path) == "-"
    if to_stdout and cfg.split is not None:
        raise ConfigError("a split needs an output file", hint="pass -o FILE")
    splitting = not to_stdout and (
        cfg.split is not None or any(p.test for p in plan_quotas(grammar, cfg))
    )
    targets = split_paths(path) if splitting else (Path(path), None)
    counts: dict[str, dict[str, int]] = {}
    if fmt != "jsonl":
        utts = list(expand(grammar, cfg))
        for u in utts:
            c = counts.setdefault(u.intent, {"train": 0, "test": 0})
            c[u.meta.get("split", "train")] += 1
        if splitting:
            formats.write([u for u in utts if u.meta.get("split") != "test"], targets[0], fmt)
            test_path = targets[1]
            assert test_path is not None
            formats.write([u for u in utts if u.meta.get("split") == "test"], test_path, fmt)
        else:
            formats.write(utts, targets[0], fmt)
    else:
        _write_jsonl(grammar, cfg, targets, counts)
    return {
        "files": [str(t) for t in targets if t is not None],
        "format": fmt,
        "counts": counts,
        "total": sum(sum(c.values()) for c in counts.values()),
        "config": cfg.to_dict(),
        "grammar": grammar.path,
    }


def _write_jsonl(grammar: Grammar, cfg: GenerateConfig, targets: tuple, counts: dict) -> None:
    from contextlib import ExitStack

    from textsynth.io import atomic_write

    enc = json.encoder.encode_basestring
    tails = {
        name: _tail(grammar, name, ci.rule_locs, cfg.seed) for name, ci in grammar.intents.items()
    }
    mids = {
        name: f', "intent": {json.dumps(name, ensure_ascii=False)}, "entities": ['
        for name in grammar.intents
    }
    with ExitStack() as stack:
        fhs = {"train": stack.enter_context(atomic_write(targets[0]))}
        fhs["test"] = stack.enter_context(atomic_write(targets[1])) if targets[1] else fhs["train"]
        for name, stream, want, train_n in _streams(grammar, cfg, as_json=True):
            mid, tail = mids[name], tails[name]
            buf: list[str] = []
            fh = fhs["train"]
            n = 0
            cap = want if want is not None else -1
            for k, text, body in stream:
                if n == cap:
                    break
                if n == train_n:  # the rest of this intent goes to the test file
                    fh.write("".join(buf))
                    buf.clear()
                    fh = fhs["test"]
                buf.append(f'{{"text": {enc(text)}{mid}{body}{tail[k]}')
                n += 1
                if len(buf) >= 8192:
                    fh.write("".join(buf))
                    buf.clear()
            if buf:
                fh.write("".join(buf))
            _short(name, n, want)
            test = max(0, n - train_n) if train_n >= 0 else 0
            counts[name] = {"train": n - test, "test": test}
