"""Fault sweep: commands x malformed inputs, signals, full disks, read-only mounts, collisions.

Each case runs the real CLI in a fresh folder and is classed:

- ``clean``: the expected outcome (success, or an error exit 1/2 -- 130/143 for signals -- with a
  message), no traceback, inputs unchanged, no partial output and no temporary file left, and
  the message names the offending path when there is one;
- ``partial``: handled without damage, but the message or exit code is not what it should be
  (e.g. the path is not named);
- ``failed``: a traceback or "internal error", a hang, a changed input, a partial output or a
  leftover temporary file.

Run from the repository root: ``python -m eval.fault_sweep [--jobs 2] [--only GROUP]``. Mount
cases need root (a 64 KiB tmpfs and a read-only tmpfs); without it they are reported as skipped.
Writes ``eval/results/fault_sweep.json``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "eval" / "results" / "fault_sweep.json"
KEY = "k" * 32

GRAMMAR = """\
%[check_balance]
    ~[greet?] what is my @[account] balance
    how much is in my @[account] account

%[transfer]
    send @[amount] to @[account]

~[greet]
    hi
    hello

@[account]
    checking
    savings

@[amount]
    10 euros
    20 dollars
"""
UTT = {
    "text": "I am Anna Smith, anna.smith@example.com, send 10 euros to savings",
    "intent": "transfer",
    "entities": [
        {"start": 46, "end": 54, "label": "amount", "value": "10 euros"},
        {"start": 58, "end": 65, "label": "account", "value": "savings"},
    ],
}
UTT2 = {"text": "what is my checking balance", "intent": "check_balance", "entities": []}
GOOD_JSONL = json.dumps(UTT) + "\n" + json.dumps(UTT2) + "\n"
PIPELINE = (
    "name: sweep\nseed: 1\nseeds: {path: seeds.jsonl}\nscrub: {ner: none}\n"
    "grammar: {path: g.chatette, n: 0}\nlm: {mode: off}\nevaluate: {enabled: false}\n"
    "export: {formats: [jsonl, rasa-yaml]}\n"
)

# malformed record files: name -> bytes (what a JSONL reader must survive)
MALFORMED: dict[str, bytes] = {
    "empty": b"",
    "blank-lines": b"\n\n   \n",
    "binary": bytes(range(256)) * 4,
    "invalid-utf8": b'{"text": "caf\xe9", "intent": "a"}\n',
    "truncated-json": b'{"text": "hello", "intent": \n',
    "array-not-object": b'["text", "intent"]\n',
    "number-line": b"42\n",
    "text-not-string": b'{"text": 5, "intent": "a"}\n',
    "intent-missing": b'{"text": "hello"}\n',
    "span-out-of-bounds": b'{"text": "hi", "intent": "a", "entities": '
    b'[{"start": 0, "end": 9, "label": "x"}]}\n',
    "span-negative": b'{"text": "hi", "intent": "a", "entities": '
    b'[{"start": -1, "end": 1, "label": "x"}]}\n',
    "spans-overlap": b'{"text": "hello", "intent": "a", "entities": [{"start": 0, "end": 3, '
    b'"label": "x"}, {"start": 2, "end": 4, "label": "y"}]}\n',
    "entities-not-list": b'{"text": "hi", "intent": "a", "entities": "x"}\n',
    "nan-and-huge-numbers": b'{"text": "hi anna@example.com", "intent": "a", "n": NaN, '
    b'"m": 1e400}\n',
    "duplicate-keys": b'{"text": "a", "text": "b anna@example.com", "intent": "a"}\n',
    "deep-nesting": b'{"text": "x", "intent": "a", "meta": ' + b"[" * 5000 + b"]" * 5000 + b"}\n",
    "crlf-bom": b'\xef\xbb\xbf{"text": "hi anna@example.com", "intent": "a"}\r\n',
    "nul-bytes": b'{"text": "hi\x00there", "intent": "a"}\n',
    "lone-surrogate": b'{"text": "x \\ud800 y anna@example.com", "intent": "a"}\n',
    "very-long-line": b'{"text": "' + b"word " * 300_000 + b'", "intent": "a"}\n',
    "mixed-good-bad": GOOD_JSONL.encode() + b"not json\n" + GOOD_JSONL.encode(),
}


@dataclass
class Case:
    """One sweep case: ``argv`` run in a folder that ``setup`` filled."""

    id: str
    group: str
    argv: list[str]
    setup: Callable[[Path], None]
    expect: str = "error"  # "ok", "error" or "any" (a clean success or a clean error)
    outputs: list[str] = field(default_factory=list)  # must not exist after an error
    names: str = ""  # the message must name this
    signal: str = ""  # "TERM" or "INT": sent once work is under way
    mount: str = ""  # "ro" or "full": a tmpfs at ./mnt
    env: dict[str, str | None] = field(default_factory=dict)
    fsize: int = 0


def files(**content: str | bytes) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        for name, data in content.items():
            p = d / name.replace("__", "/").replace("_DOT_", ".")
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                p.write_bytes(data)
            else:
                p.write_text(data)

    return setup


def then(*fns: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        for f in fns:
            f(d)

    return setup


def mkdir(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).mkdir(parents=True, exist_ok=True)


def base(d: Path) -> None:
    (d / "in.jsonl").write_text(GOOD_JSONL)
    (d / "g.chatette").write_text(GRAMMAR)
    (d / "seeds.jsonl").write_text(GOOD_JSONL)
    (d / "p.yaml").write_text(PIPELINE)
    (d / "t.txt").write_text("Call Anna Smith on +44 20 7946 0958\n")


def pipeline(text: str) -> Callable[[Path], None]:
    return then(base, lambda d: (d / "p.yaml").write_text(text))


def big_inputs(d: Path) -> None:
    base(d)
    line = json.dumps({"text": "mail anna.smith@example.com or +44 20 7946 0958", "intent": "a"})
    (d / "big.jsonl").write_text((line + "\n") * 60_000)
    words = "".join(f"~[{c}]\n" + "".join(f"    {c}{i}\n" for i in range(300)) for c in "abc")
    (d / "big.chatette").write_text("%[slow]\n    ~[a] ~[b] ~[c]\n" + words)
    (d / "slow.yaml").write_text(PIPELINE.replace("g.chatette, n: 0", "big.chatette, n: 150000"))


SCRUB = ["pii", "scrub", "in.jsonl", "-o", "out.jsonl", "--ner", "none"]
DETECT = ["pii", "detect", "in.jsonl", "-o", "spans.jsonl", "--ner", "none"]
EVAL = ["evaluate", "-s", "in.jsonl", "--seeds", "seeds.jsonl", "-o", "rep", "--no-embeddings"]


def build_cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append
    # --- happy paths (the sweep must not break them) ---
    for cid, argv, outs in [
        ("grammar-count", ["grammar", "count", "g.chatette"], []),
        (
            "grammar-generate",
            ["grammar", "generate", "g.chatette", "--n", "20", "-o", "o.jsonl"],
            [],
        ),
        (
            "grammar-generate-yaml",
            ["grammar", "generate", "g.chatette", "--n", "20", "-o", "nlu.yml"],
            [],
        ),
        ("convert", ["convert", "in.jsonl", "o.yml"], []),
        ("convert-snips", ["convert", "in.jsonl", "o.snips.json"], []),
        ("pii-scrub", SCRUB, []),
        ("pii-detect", DETECT, []),
        ("pii-scrub-text", ["pii", "scrub", "t.txt", "-o", "t.out.txt", "--ner", "none"], []),
        ("evaluate", EVAL, []),
        ("run", ["run", "p.yaml", "--run-dir", "run"], []),
    ]:
        add(Case(f"ok-{cid}", "happy", argv, base, "ok", outs, env={"TEXTSYNTH_PII_KEY": KEY}))
    # --- malformed record files through every reader ---
    readers = {
        "convert": (["convert", "bad.jsonl", "o.yml"], ["o.yml"]),
        "scrub-utterances": (
            ["pii", "scrub", "bad.jsonl", "-o", "o.jsonl", "--ner", "none"],
            ["o.jsonl"],
        ),
        "scrub-skip": (
            ["pii", "scrub", "bad.jsonl", "-o", "o.jsonl", "--ner", "none", "--on-error", "skip"],
            [],
        ),
        "evaluate": (
            ["evaluate", "-s", "in.jsonl", "--seeds", "bad.jsonl", "-o", "rep", "--no-embeddings"],
            ["rep/metrics.json"],
        ),
        "run-seeds": (["run", "p.yaml", "--run-dir", "run"], ["run/stages/05-export"]),
    }
    for rname, (argv, outs) in readers.items():
        for mname, data in MALFORMED.items():
            if rname == "run-seeds":
                setup = then(base, files(seeds_DOT_jsonl=data))
            else:
                setup = then(base, files(bad_DOT_jsonl=data))
            add(
                Case(
                    f"malformed-{rname}-{mname}",
                    "malformed",
                    argv,
                    setup,
                    "any",
                    outs,
                    env={"TEXTSYNTH_PII_KEY": KEY},
                )
            )
    # --- missing inputs / directories where files are expected ---
    for cid, argv, name in [
        ("convert-missing", ["convert", "nope.jsonl", "o.yml"], "nope.jsonl"),
        ("convert-in-dir", ["convert", "d.jsonl", "o.yml"], "d.jsonl"),
        ("convert-out-dir", ["convert", "in.jsonl", "d.jsonl"], "d.jsonl"),
        ("convert-out-under-file", ["convert", "in.jsonl", "in.jsonl/x.yml"], "in.jsonl"),
        ("grammar-missing", ["grammar", "count", "nope.chatette"], "nope.chatette"),
        ("grammar-dir", ["grammar", "count", "d.jsonl"], "d.jsonl"),
        (
            "grammar-out-dir",
            ["grammar", "generate", "g.chatette", "--n", "20", "-o", "d.jsonl"],
            "d.jsonl",
        ),
        ("scrub-missing", ["pii", "scrub", "nope.jsonl", "-o", "o.jsonl"], "nope.jsonl"),
        ("scrub-out-dir", [*SCRUB[:4], "d.jsonl", "--ner", "none"], "d.jsonl"),
        ("scrub-report-dir", [*SCRUB, "--report", "d.jsonl"], "d.jsonl"),
        ("scrub-spans-dir", [*SCRUB, "--spans", "d.jsonl"], "d.jsonl"),
        ("evaluate-missing", [*EVAL[:2], "nope.jsonl", *EVAL[3:]], "nope.jsonl"),
        ("evaluate-out-file", [*EVAL[:6], "in.jsonl", "--no-embeddings"], "in.jsonl"),
        ("run-missing", ["run", "nope.yaml"], "nope.yaml"),
        ("run-yaml-dir", ["run", "d.jsonl"], "d.jsonl"),
        ("run-seeds-dir", ["run", "p.yaml", "--run-dir", "run"], "seeds.jsonl"),
        ("run-grammar-missing", ["run", "p.yaml", "--run-dir", "run"], "g.chatette"),
        ("run-dir-file", ["run", "p.yaml", "--run-dir", "in.jsonl"], "in.jsonl"),
        ("lm-sample-missing-model", ["lm", "sample", "--model", "nope", "-o", "o.jsonl"], "nope"),
        (
            "lm-finetune-missing-seeds",
            ["lm", "finetune", "--seeds", "nope.jsonl", "--out", "m"],
            "nope.jsonl",
        ),
    ]:
        setup = then(base, mkdir("d.jsonl"))
        if cid == "run-seeds-dir":
            setup = then(
                base, lambda d: ((d / "seeds.jsonl").unlink(), (d / "seeds.jsonl").mkdir())
            )
        if cid == "run-grammar-missing":
            setup = then(base, lambda d: (d / "g.chatette").unlink())
        add(
            Case(
                f"path-{cid}",
                "paths",
                argv,
                setup,
                "error",
                [],
                name,
                env={"TEXTSYNTH_PII_KEY": KEY},
            )
        )
    # --- keys ---
    for cid, argv, setup, env, expect, name in [
        ("scrub-key-missing", [*SCRUB, "--key-file", "k.key"], base, {}, "error", "k.key"),
        ("scrub-key-dir", [*SCRUB, "--key-file", "d"], then(base, mkdir("d")), {}, "error", "d"),
        (
            "scrub-key-short",
            [*SCRUB, "--key-file", "k.key"],
            then(base, files(k_DOT_key="ab")),
            {},
            "error",
            "k.key",
        ),
        (
            "scrub-key-empty-file",
            [*SCRUB, "--key-file", "k.key"],
            then(base, files(k_DOT_key="")),
            {},
            "error",
            "k.key",
        ),
        ("scrub-env-short", SCRUB, base, {"TEXTSYNTH_PII_KEY": "short"}, "error", ""),
        ("scrub-no-key", SCRUB, base, {"TEXTSYNTH_PII_KEY": None}, "ok", ""),
        ("scrub-env-empty", SCRUB, base, {"TEXTSYNTH_PII_KEY": ""}, "ok", ""),
        (
            "run-no-key",
            ["run", "p.yaml", "--run-dir", "run"],
            base,
            {"TEXTSYNTH_PII_KEY": None},
            "ok",
            "run.pii.key",
        ),
        (
            "run-key-file-missing",
            ["run", "p.yaml", "--run-dir", "run"],
            pipeline(PIPELINE.replace("{ner: none}", "{ner: none, key_file: k.key}")),
            {},
            "error",
            "k.key",
        ),
        (
            "run-key-file-dir",
            ["run", "p.yaml", "--run-dir", "run"],
            then(
                pipeline(PIPELINE.replace("{ner: none}", "{ner: none, key_file: kd}")), mkdir("kd")
            ),
            {},
            "error",
            "kd",
        ),
        (
            "run-env-short",
            ["run", "p.yaml", "--run-dir", "run"],
            base,
            {"TEXTSYNTH_PII_KEY": "tiny"},
            "error",
            "",
        ),
        (
            "reveal-no-key",
            ["pii", "reveal", "x", "--type", "PERSON", "--vault", "in.jsonl"],
            base,
            {"TEXTSYNTH_PII_KEY": None},
            "error",
            "",
        ),
        (
            "reveal-bad-vault",
            ["pii", "reveal", "x", "--type", "PERSON", "--vault", "in.jsonl"],
            base,
            {"TEXTSYNTH_PII_KEY": KEY},
            "error",
            "",
        ),
    ]:
        add(Case(f"key-{cid}", "keys", argv, setup, expect, [], name, env=env))
    # --- entity names and options ---
    for cid, argv, setup in [
        ("cli-entity-typo", [*SCRUB, "--entity", "EMAILL"], base),
        ("cli-entity-lower", [*SCRUB, "--entity", "email"], base),
        ("cli-entity-empty", [*SCRUB, "--entity", ","], base),
        (
            "reveal-type-typo",
            ["pii", "reveal", "x", "--type", "PERSN", "--vault", "in.jsonl"],
            base,
        ),
        (
            "pipeline-entity-typo",
            ["run", "p.yaml", "--run-dir", "run"],
            pipeline(PIPELINE.replace("{ner: none}", "{ner: none, entities: [PERSONN]}")),
        ),
        (
            "pipeline-entity-number",
            ["run", "p.yaml", "--run-dir", "run"],
            pipeline(PIPELINE.replace("{ner: none}", "{ner: none, entities: [1]}")),
        ),
        ("scrub-threshold", [*SCRUB, "--threshold", "2"], base),
        ("scrub-workers", [*SCRUB, "--workers", "0"], base),
        ("scrub-vault-irreversible", [*SCRUB, "--operator", "redact", "--vault", "v.vault"], base),
        ("scrub-shape-bad", [*SCRUB, "--shape", "xml"], base),
        ("scrub-text-field-missing", [*SCRUB, "--shape", "jsonl", "--text-field", "body"], base),
        ("scrub-recognizers-missing", [*SCRUB, "--recognizers", "r.yaml"], base),
        (
            "scrub-recognizers-bad",
            [*SCRUB, "--recognizers", "r.yaml"],
            then(base, files(r_DOT_yaml="recognizers: [{name: x}]\n")),
        ),
        ("scrub-ner-missing-model", [*SCRUB[:5], "no_such_model"], base),
        ("convert-from-bad", ["convert", "in.jsonl", "o.yml", "--from", "xml"], base),
        (
            "convert-unknown-ext",
            ["convert", "in.weird", "o.yml"],
            then(base, files(in_DOT_weird="x")),
        ),
        ("convert-unknown-out-ext", ["convert", "in.jsonl", "o.weird"], base),
        (
            "grammar-n-negative",
            ["grammar", "generate", "g.chatette", "--n", "-5", "-o", "o.jsonl"],
            base,
        ),
        (
            "grammar-n-and-all",
            ["grammar", "generate", "g.chatette", "--n", "5", "--all", "-o", "o.jsonl"],
            base,
        ),
        (
            "grammar-format-stdout",
            ["grammar", "generate", "g.chatette", "--format", "rasa-yaml", "--n", "5"],
            base,
        ),
        ("evaluate-classifier-embeddings", [*EVAL, "--classifier", "embeddings"], base),
        ("evaluate-metric-unknown", [*EVAL, "-m", "no-such-metric"], base),
        (
            "lm-sample-bad-ext",
            ["lm", "sample", "--model", "m", "-o", "o.weird"],
            then(base, mkdir("m")),
        ),
        (
            "lm-finetune-epochs-0",
            ["lm", "finetune", "--seeds", "seeds.jsonl", "--out", "m", "--epochs", "0"],
            base,
        ),
        ("unknown-command", ["frobnicate"], base),
        ("unknown-option", ["convert", "--frobnicate", "in.jsonl", "o.yml"], base),
    ]:
        expect = "any" if cid in ("cli-entity-lower", "cli-entity-empty") else "error"
        add(
            Case(
                f"opt-{cid}",
                "options",
                argv,
                setup,
                expect,
                ["out.jsonl"] if expect == "error" and "scrub" in cid else [],
                env={"TEXTSYNTH_PII_KEY": KEY},
            )
        )
    # --- collisions ---
    for cid, argv in [
        ("scrub-out-is-in", [*SCRUB[:4], "in.jsonl", "--ner", "none"]),
        ("scrub-rejects-is-in", [*SCRUB, "--rejects", "in.jsonl"]),
        ("scrub-rejects-is-out", [*SCRUB, "--rejects", "out.jsonl"]),
        ("scrub-spans-is-out", [*SCRUB, "--spans", "out.jsonl"]),
        ("scrub-spans-is-in", [*SCRUB, "--spans", "in.jsonl"]),
        ("scrub-report-is-in", [*SCRUB, "--report", "in.jsonl"]),
        ("scrub-vault-is-out", [*SCRUB, "--vault", "out.jsonl"]),
        ("scrub-out-via-dotdot", [*SCRUB[:4], "d/../in.jsonl", "--ner", "none"]),
        ("scrub-out-via-symlink", [*SCRUB[:4], "link.jsonl", "--ner", "none"]),
        ("detect-out-is-in", [*DETECT[:4], "in.jsonl", "--ner", "none"]),
        ("convert-onto-itself", ["convert", "in.jsonl", "in.jsonl"]),
        ("convert-via-symlink", ["convert", "in.jsonl", "link.jsonl"]),
        (
            "grammar-onto-grammar",
            [
                "grammar",
                "generate",
                "g.chatette",
                "--format",
                "jsonl",
                "--n",
                "5",
                "-o",
                "g.chatette",
            ],
        ),
        (
            "evaluate-out-over-inputs",
            [
                "evaluate",
                "-s",
                "rep/metrics.json",
                "--seeds",
                "seeds.jsonl",
                "-o",
                "rep",
                "--no-embeddings",
            ],
        ),
    ]:
        setup = then(
            base,
            mkdir("d"),
            lambda d: (d / "link.jsonl").symlink_to("in.jsonl"),
            lambda d: (d / "rep").mkdir(),
            lambda d: (d / "rep" / "metrics.json").write_text(GOOD_JSONL),
        )
        add(
            Case(
                f"collide-{cid}",
                "collisions",
                argv,
                setup,
                "error",
                [],
                env={"TEXTSYNTH_PII_KEY": KEY},
            )
        )
    # --- pipeline YAML values ---
    yaml_bad = {
        "n-string": PIPELINE.replace("n: 0", "n: lots"),
        "n-negative": PIPELINE.replace("n: 0", "n: -3"),
        "n-float": PIPELINE.replace("n: 0", "n: 2.5"),
        "n-bool": PIPELINE.replace("n: 0", "n: true"),
        "enabled-string": PIPELINE.replace("{enabled: false}", '{enabled: "no"}'),
        "enabled-number": PIPELINE.replace("{enabled: false}", "{enabled: 0}"),
        "formats-string": PIPELINE.replace("[jsonl, rasa-yaml]", "rasa-yaml"),
        "formats-unknown": PIPELINE.replace("[jsonl, rasa-yaml]", "[rasa-yml]"),
        "formats-number": PIPELINE.replace("[jsonl, rasa-yaml]", "[1]"),
        "operator-unknown": PIPELINE.replace("{ner: none}", "{ner: none, operator: blur}"),
        "slots-unknown": PIPELINE.replace("{ner: none}", "{ner: none, slots: some}"),
        "mode-unknown": PIPELINE.replace("{mode: off}", "{mode: sometimes}"),
        "lm-old-key": PIPELINE.replace("{mode: off}", "{mode: off, epochs: 3}"),
        "lm-extra": PIPELINE.replace("{mode: off}", "{mode: off, extra: {}}"),
        "lm-finetune-typo": PIPELINE.replace("{mode: off}", "{mode: off, finetune: {epoch: 3}}"),
        "lm-finetune-zero": PIPELINE.replace("{mode: off}", "{mode: off, finetune: {epochs: 0}}"),
        "lm-sample-type": PIPELINE.replace(
            "{mode: off}", "{mode: off, sample: {per_intent: many}}"
        ),
        "lm-sample-range": PIPELINE.replace("{mode: off}", "{mode: off, sample: {top_p: 2}}"),
        "train-on-bad": PIPELINE.replace("{mode: off}", "{mode: off, train_on: [web]}"),
        "section-list": PIPELINE.replace("scrub: {ner: none}", "scrub: [ner]"),
        "section-scalar": PIPELINE.replace("scrub: {ner: none}", "scrub: yes"),
        "top-level-typo": PIPELINE + "grammer: {}\n",
        "top-level-list": "- a\n- b\n",
        "no-sources": "name: x\nlm: {mode: off}\n",
        "seed-string": PIPELINE.replace("seed: 1", "seed: one"),
        "name-list": PIPELINE.replace("name: sweep", "name: [a]"),
        "yaml-syntax": PIPELINE + "export: {formats: [jsonl\n",
        "yaml-tab": PIPELINE.replace("seed: 1", "seed:\t1\n\tx: 2"),
        "yaml-binary": "\x00\x01\x02",
        "yaml-empty": "",
        "yaml-duplicate-section": PIPELINE + "seeds: {path: other.jsonl}\n",
        "lm-needs-seeds": "name: x\ngrammar: {path: g.chatette}\nlm: {mode: finetune}\n",
    }
    for cid, text in yaml_bad.items():
        expect = "error"
        add(
            Case(
                f"yaml-{cid}",
                "pipeline-yaml",
                ["run", "p.yaml", "--run-dir", "run"],
                pipeline(text),
                expect,
                ["run/stages"],
                env={"TEXTSYNTH_PII_KEY": KEY},
            )
        )
    # --- malformed grammars ---
    grammars = {
        "unclosed": "%[a]\n    hi ~[x\n",
        "undefined": "%[a]\n    hi ~[nope]\n",
        "no-intent": "~[x]\n    hi\n",
        "empty": "",
        "binary": "\x00\xff",
        "recursive": "%[a]\n    ~[x]\n~[x]\n    ~[x] y\n",
    }
    for cid, text in grammars.items():
        for cmd in (
            ["grammar", "count", "bad.chatette"],
            ["grammar", "generate", "bad.chatette", "--n", "5", "-o", "o.jsonl"],
        ):
            add(
                Case(
                    f"grammar-{cmd[1]}-{cid}",
                    "grammar",
                    cmd,
                    then(base, files(bad_DOT_chatette=text)),
                    "error",
                    ["o.jsonl"],
                )
            )
    # --- signals ---
    for sig in ("TERM", "INT"):
        for cid, argv, outs in [
            (
                "pii-scrub",
                ["pii", "scrub", "big.jsonl", "-o", "o.jsonl", "--ner", "none"],
                ["o.jsonl"],
            ),
            (
                "pii-scrub-workers",
                ["pii", "scrub", "big.jsonl", "-o", "o.jsonl", "--ner", "none", "--workers", "2"],
                ["o.jsonl"],
            ),
            (
                "pii-detect",
                ["pii", "detect", "big.jsonl", "-o", "o.jsonl", "--ner", "none"],
                ["o.jsonl"],
            ),
            (
                "grammar-generate",
                ["grammar", "generate", "big.chatette", "--n", "2000000", "-o", "o.jsonl"],
                ["o.jsonl"],
            ),
            ("run", ["run", "slow.yaml", "--run-dir", "run"], ["run/stages/02-grammar"]),
        ]:
            add(
                Case(
                    f"signal-{sig}-{cid}",
                    "signals",
                    argv,
                    big_inputs,
                    "error",
                    outs,
                    signal=sig,
                    env={"TEXTSYNTH_PII_KEY": KEY},
                )
            )
    # --- a full disk and a read-only mount ---
    for kind in ("full", "ro"):
        for cid, argv in [
            ("convert", ["convert", "big.jsonl", "mnt/o.jsonl"]),
            ("pii-scrub", ["pii", "scrub", "big.jsonl", "-o", "mnt/o.jsonl", "--ner", "none"]),
            ("pii-detect", ["pii", "detect", "big.jsonl", "-o", "mnt/o.jsonl", "--ner", "none"]),
            (
                "grammar",
                ["grammar", "generate", "big.chatette", "--n", "20000", "-o", "mnt/o.jsonl"],
            ),
            ("run", ["run", "p.yaml", "--run-dir", "mnt/run"]),
            (
                "evaluate",
                [
                    "evaluate",
                    "-s",
                    "big.jsonl",
                    "--seeds",
                    "seeds.jsonl",
                    "-o",
                    "mnt/rep",
                    "--no-embeddings",
                    "--max-embed",
                    "100",
                ],
            ),
        ]:
            # small outputs may fit in the 64 KiB tmpfs: success is fine there, damage is not
            expect = "any" if kind == "full" and cid in ("run", "evaluate") else "error"
            add(
                Case(
                    f"disk-{kind}-{cid}",
                    "disk",
                    argv,
                    big_inputs,
                    expect,
                    ["mnt/o.jsonl"],
                    "mnt",
                    mount=kind,
                    env={"TEXTSYNTH_PII_KEY": KEY},
                )
            )
    # a full disk without root: RLIMIT_FSIZE (writes past it fail with EFBIG)
    for cid, argv in [
        ("convert", ["convert", "big.jsonl", "o.jsonl"]),
        ("pii-scrub", ["pii", "scrub", "big.jsonl", "-o", "o.jsonl", "--ner", "none"]),
        ("grammar", ["grammar", "generate", "big.chatette", "--n", "50000", "-o", "o.jsonl"]),
    ]:
        add(
            Case(
                f"fsize-{cid}",
                "disk",
                argv,
                big_inputs,
                "error",
                ["o.jsonl"],
                "o.jsonl",
                fsize=500_000,
                env={"TEXTSYNTH_PII_KEY": KEY},
            )
        )
    return cases


def _digest(d: Path) -> dict[str, str]:
    out = {}
    for p in sorted(d.rglob("*")):
        if p.is_file() and not p.is_symlink() and "mnt" not in p.parts:
            out[str(p.relative_to(d))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _mount(d: Path, kind: str) -> bool:
    mnt = d / "mnt"
    mnt.mkdir()
    size = "64k" if kind == "full" else "1m"
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True
    )
    if r.returncode != 0:
        return False
    if kind == "ro":
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    return True


def run_case(case: Case, timeout: float = 120.0) -> dict:
    """Run one case in a fresh folder; return its record with the class and the reason."""
    with tempfile.TemporaryDirectory(prefix="sweep-") as tmp:
        d = Path(tmp)
        case.setup(d)
        mounted = False
        if case.mount:
            mounted = _mount(d, case.mount)
            if not mounted:
                return {
                    "id": case.id,
                    "group": case.group,
                    "class": "skipped",
                    "why": "cannot mount a tmpfs (needs root)",
                }
        before = _digest(d)
        env = {**os.environ, "PYTHONPATH": str(REPO), "TEXTSYNTH_PROGRESS": "0"}
        for k, v in case.env.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        inputs = set(before) - {"run.pii.key"}

        def limits() -> None:
            # a background shell starts children with SIGINT ignored: give them the default
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            if case.fsize:
                import resource

                resource.setrlimit(resource.RLIMIT_FSIZE, (case.fsize, case.fsize))

        cmd = [
            sys.executable,
            "-c",
            "import sys; from textsynth.cli import main; sys.exit(main())",
            *case.argv,
        ]
        t0 = time.time()
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=d,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=limits,
            )
            if case.signal:
                deadline = time.time() + 60
                while time.time() < deadline and proc.poll() is None:
                    if any(".tmp" in p.name for p in d.rglob("*")):
                        break
                    time.sleep(0.05)
                time.sleep(1.0)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM if case.signal == "TERM" else signal.SIGINT)
            try:
                out, _ = proc.communicate(timeout=timeout)
                code = proc.returncode
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
                code = None
            text = out.decode("utf-8", "replace")
            after = _digest(d)
            leftovers = [str(p.relative_to(d)) for p in d.rglob("*") if ".tmp" in p.name]
        finally:
            if mounted:
                subprocess.run(["umount", "-l", str(d / "mnt")], capture_output=True)
        rec = {
            "id": case.id,
            "group": case.group,
            "argv": case.argv,
            "exit": code,
            "signalled": bool(case.signal) and code != 0,
            "seconds": round(time.time() - t0, 2),
            "message": text.strip()[-400:],
        }
        problems: list[str] = []
        partial: list[str] = []
        if code is None:
            problems.append("hang (timeout)")
        if "Traceback" in text or "internal error" in text:
            problems.append("traceback / internal error")
        changed = [p for p in inputs if after.get(p) != before[p]]
        if changed:
            problems.append(f"input changed or removed: {changed}")
        if leftovers:
            problems.append(f"temporary files left: {leftovers}")
        signalled = bool(case.signal) and code in (130, 143)
        ok = code == 0
        if case.expect == "ok" and not ok:
            problems.append(f"expected success, exit {code}")
        if case.expect == "error" and ok and not case.signal:
            problems.append("expected an error, exit 0")
        if case.signal and code == 0:
            partial.append("finished before the signal (not a signal test)")
        if case.signal and code not in (130, 143, 0):
            partial.append(f"signal: exit {code}")
        if not ok and code is not None:
            if code not in (1, 2) and not signalled:
                partial.append(f"error exit {code} (want 1 or 2)")
            if not text.strip():
                partial.append("no message")
            elif case.names and case.names not in text:
                partial.append(f"message does not name {case.names!r}")
            for o in case.outputs:
                if (d / o).exists() and o not in before:
                    problems.append(f"partial output left: {o}")
        rec["class"] = "failed" if problems else "partial" if partial else "clean"
        rec["why"] = "; ".join(problems + partial)
        return rec


def main() -> None:
    """Run the sweep and write ``eval/results/fault_sweep.json``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default=None, help="run only this group (or case id prefix)")
    args = ap.parse_args()
    cases = build_cases()
    if args.only:
        cases = [c for c in cases if c.group == args.only or c.id.startswith(args.only)]
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        records = list(pool.map(run_case, cases))
    counts = {
        k: sum(r["class"] == k for r in records) for k in ("clean", "partial", "failed", "skipped")
    }
    by_group: dict[str, dict[str, int]] = {}
    for r in records:
        g = by_group.setdefault(
            r["group"], {"tried": 0, "clean": 0, "partial": 0, "failed": 0, "skipped": 0}
        )
        g["tried"] += 1
        g[r["class"]] += 1
    tried = len(records) - counts["skipped"]
    result = {
        "tried": tried,
        **counts,
        "seconds": round(time.time() - t0, 1),
        "by_group": by_group,
        "cases": records,
        "note": f"load average {os.getloadavg()[0]:.2f} at the end, 2 cores",
        "readme_rows": [
            {
                "benchmark": "fault sweep",
                "measure": "cases handled cleanly",
                "textsynth": f"{counts['clean']}/{tried}",
                "peer": "",
                "peer_value": "",
                "ratio": "",
                "note": f"{counts['partial']} partial, {counts['failed']} failed",
            },
        ],
    }
    if not args.only:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"tried {tried}: {counts['clean']} clean, {counts['partial']} partial, "
        f"{counts['failed']} failed, {counts['skipped']} skipped "
        f"({result['seconds']}s)"
    )
    for r in records:
        if r["class"] in ("partial", "failed"):
            print(
                f"  {r['class']:<8} {r['id']}: {r['why']} | exit {r.get('exit')} | "
                f"{r.get('message', '')[-160:]!r}"
            )


if __name__ == "__main__":
    main()
