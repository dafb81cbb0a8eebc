"""The judge is checked on seeds before its verdicts are used: a judge that gets the seeds' own
intents and labels wrong would reject good text, so it is set aside, with a warning and counts."""

from __future__ import annotations

import logging

import pytest

from textsynth.errors import ConfigError
from textsynth.lm.filters import Candidate
from textsynth.lm.judge import Judge


class ScriptedJudge(Judge):
    """A judge whose verdict is a function of the utterance (no model)."""

    def __init__(self, answer, **kw):
        super().__init__("openai/scripted", **kw)
        self.answer = answer
        self.asked = 0

    def ask(self, utt, intents, labels_by_intent):
        self.asked += 1
        return self.answer(utt, intents)


def right(utt, intents):
    return {"intent": utt.intent, "labels": [s.label for s in utt.spans]}


def wrong_intent(utt, intents):
    return {"intent": next(i for i in intents if i != utt.intent), "labels": []}


def candidates(seeds, n=6):
    out = []
    for u in seeds[:n]:
        c = Candidate(raw="", intent=u.intent)
        c.utterance = u
        out.append(c)
    return out


def test_a_judge_that_agrees_with_the_seeds_is_used(seeds):
    judge = ScriptedJudge(right)
    f = judge.filter(seeds)
    assert f.keep(candidates(seeds)) == [True] * 6
    n_intents = len({u.intent for u in seeds})
    c = judge.counts
    assert c["judge_seed_checked"] == c["judge_seed_agreed"] == 2 * n_intents
    assert c["judge_disabled"] == 0 and c["judged"] == 6
    f.keep(candidates(seeds))  # checked once, not per batch
    assert judge.asked == 2 * n_intents + 12


def test_a_judge_that_gets_the_seeds_wrong_is_set_aside(seeds, caplog):
    judge = ScriptedJudge(wrong_intent)
    f = judge.filter(seeds)
    with caplog.at_level(logging.WARNING, logger="textsynth.lm.judge"):
        kept = f.keep(candidates(seeds))
    assert kept == [True] * 6  # nothing rejected by a judge that fails on known-good text
    c = judge.counts
    assert c["judge_disabled"] == 1 and c["judge_seed_agreed"] == 0 and c["judged"] == 0
    assert "verdicts are not used" in caplog.text and "--judge-min-agreement" in caplog.text


def test_agreement_zero_uses_any_judge(seeds):
    judge = ScriptedJudge(wrong_intent, min_seed_agreement=0.0)
    kept = judge.filter(seeds).keep(candidates(seeds))
    assert kept == [False] * 6 and judge.counts["judge_rejected_intent"] == 6


def test_a_failed_verdict_counts_as_wrong_on_the_seeds(seeds):
    judge = ScriptedJudge(lambda u, i: None)
    judge.filter(seeds).keep(candidates(seeds))
    assert judge.counts["judge_disabled"] == 1


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_agreement_outside_0_1_is_refused(bad):
    with pytest.raises(ConfigError, match="not a share"):
        Judge("openai/x", min_seed_agreement=bad)
