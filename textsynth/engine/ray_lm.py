"""``lm sample --engine ray``: data-parallel generation, intents sharded across actors.

One actor per GPU (or, with no GPU in the cluster, per CPU slot: ``--workers``), each loading
the model once (the ``hf`` backend: transformers in the actor). The intents are dealt round-robin
into one shard per actor; each actor runs the usual sample-filter loop on its shard with the same
seed, and the driver puts the results back in intent order and adds up the filter summaries.
With one actor the output is the in-process output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textsynth.engine.cluster import connect

__all__ = ["SampleWorker", "merge_summaries", "sample_ray", "shard"]


def shard(items: Sequence[str], n: int) -> list[list[str]]:
    """Deal ``items`` round-robin into at most ``n`` non-empty shards."""
    n = max(1, min(n, len(items)))
    return [list(items[i::n]) for i in range(n)]


class SampleWorker:
    """Hold a generator (one model load) and sample the intents of each row's shard.

    Args:
        mode: ``finetuned`` (``source`` is a run directory) or ``prompt`` (``source`` is the base
            model; ``seeds`` the seed utterances as dicts).
        source: the run directory or the base model.
        config: the :class:`~textsynth.lm.config.SampleConfig`.
        seeds: seed utterances (``prompt`` mode), as dicts.
    """

    def __init__(
        self, mode: str, source: str, config: Any, seeds: Sequence[Mapping[str, Any]] = ()
    ) -> None:
        from textsynth.types import Utterance

        self.mode, self.config = mode, config
        self.seeds = [Utterance.from_dict(dict(s)) for s in seeds]
        if mode == "finetuned":
            from textsynth.lm.sample import load_run

            self.run: Any = load_run(source, device=config.device, dtype=config.dtype)
        else:
            from textsynth.lm.models import load_causal_lm

            self.base_model = source
            self.model = load_causal_lm(source, device=config.device, dtype=config.dtype)

    def __call__(self, batch: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        """Map rows ``{"shard": int, "intents": json list}`` to ``{"shard", "utterances",
        "summary"}`` (JSON texts)."""
        import json

        out: dict[str, list[Any]] = {"shard": [], "utterances": [], "summary": []}
        for sid, intents in zip(batch["shard"], batch["intents"], strict=True):
            utts, summary = self.sample(json.loads(str(intents)))
            out["shard"].append(int(sid))
            out["utterances"].append(json.dumps([u.to_dict() for u in utts], ensure_ascii=False))
            out["summary"].append(json.dumps(summary.to_dict()))
        return out

    def sample(self, intents: list[str]) -> tuple[list[Any], Any]:
        """Sample the ``intents`` of one shard."""
        from textsynth.lm.sample import prompt_sample, sample

        if self.mode == "finetuned":
            return sample(self.run, self.config, intents=intents)
        return prompt_sample(
            self.seeds,
            self.config,
            base_model=self.base_model,
            intents=intents,
            model=self.model,
        )


def merge_summaries(parts: Sequence[Mapping[str, Any]], intents: Sequence[str]) -> Any:
    """Add up the :class:`~textsynth.lm.filters.FilterSummary` dicts of the shards."""
    from textsynth.lm.filters import FilterSummary

    total = FilterSummary()
    for p in parts:
        total.generated += p["generated"]
        for name, f in p["filters"].items():
            total.seen[name] = total.seen.get(name, 0) + f["seen"]
            total.rejected[name] = total.rejected.get(name, 0) + f["rejected"]
        total.passed += p["passed_all"]
        total.surplus += p["surplus_dropped"]
        total.kept += p["kept"]
        total.kept_by_intent.update(p["kept_by_intent"])
        total.disabled = sorted(set(total.disabled) | set(p["disabled"]))
    total.kept_by_intent = {i: total.kept_by_intent.get(i, 0) for i in intents}
    return total


def sample_ray(
    mode: str,
    source: str,
    config: Any,
    *,
    intents: Sequence[str] | None = None,
    seeds: Sequence[Any] = (),
    actors: int | None = None,
    address: str | None = None,
) -> tuple[list[Any], Any]:
    """Sample on Ray; return the utterances (in intent order) and the merged filter summary.

    Args:
        mode: ``finetuned`` or ``prompt``.
        source: the run directory (``finetuned``) or the base model (``prompt``).
        config: the sample configuration.
        intents: the intents to generate (default: every intent of the seeds).
        seeds: the seeds (``prompt`` mode); a run keeps its own.
        actors: actors (default: one per GPU of the cluster, else one per CPU); each holds
            one GPU if the cluster has GPUs, else one CPU.
        address: the cluster (see :func:`~textsynth.engine.cluster.connect`).
    """
    import json
    from pathlib import Path

    from textsynth.errors import InputError
    from textsynth.io import read_utterances
    from textsynth.lm.sample import pick_intents
    from textsynth.types import Utterance

    if mode == "finetuned":
        run_seeds = Path(source) / "seeds.jsonl"
        if not run_seeds.exists():
            raise InputError(
                f"{source} is not a fine-tuning run (no seeds.jsonl)",
                hint="point --model at the folder written by `textsynth lm finetune`",
            )
        chosen = pick_intents(list(read_utterances(run_seeds)), intents)
    else:
        chosen = pick_intents(list(seeds), intents)
    ray = connect(address)
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    n = actors or gpus or max(int(resources.get("CPU", 1)), 1)
    shards = shard(chosen, n)
    rows = [{"shard": i, "intents": json.dumps(s)} for i, s in enumerate(shards)]
    ds = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
        SampleWorker,
        fn_constructor_kwargs={
            "mode": mode,
            "source": source,
            "config": config,
            "seeds": [u.to_dict() for u in seeds],
        },
        batch_size=1,
        concurrency=len(shards),
        num_cpus=0 if gpus else 1,
        num_gpus=1 if gpus else 0,
    )
    by_shard = {int(r["shard"]): r for r in ds.iter_rows()}
    got = [json.loads(by_shard[i]["utterances"]) for i in range(len(shards))]
    by_intent: dict[str, list[Utterance]] = {i: [] for i in chosen}
    for part in got:
        for d in part:
            u = Utterance.from_dict(d)
            by_intent[u.intent].append(u)
    utts = [u for i in chosen for u in by_intent[i]]
    summary = merge_summaries(
        [json.loads(by_shard[i]["summary"]) for i in range(len(shards))], chosen
    )
    return utts, summary
