"""Slot-context filter: values forced into frames no seed has are rejected, with the contexts."""

from __future__ import annotations

import pytest

from tests.lm.conftest import parsed
from textsynth import markup
from textsynth.errors import ConfigError
from textsynth.lm.chain import build_filters
from textsynth.lm.config import SampleConfig
from textsynth.lm.filters import FilterChain
from textsynth.lm.slot_context import SlotContextFilter, slot_contexts, template

SEEDS = [
    markup.parse("book a table [close](spatial_relation) to [union square](poi)", "Book"),
    markup.parse("book a [pub](restaurant_type) for [4](party_size)", "Book"),
    markup.parse("I need a table for [two](party_size) at a [bistro](restaurant_type)", "Book"),
    markup.parse("what is the weather in [paris](city)?", "Weather"),
    markup.parse("will it rain in [oslo](city) [tomorrow](date)", "Weather"),
]


def test_the_template_writes_each_value_as_its_label_between_start_and_end():
    u = markup.parse("Will it rain in [Oslo](city), [tomorrow](date)?", "Weather")
    assert template(u) == ["<s>", "will", "it", "rain", "in", "<city>", ",", "<date>", "</s>"]
    assert slot_contexts(u) == [
        ("in", "<city>"),
        ("<city>", ","),
        (",", "<date>"),
        ("<date>", "</s>"),
    ]


@pytest.mark.parametrize(
    ("raw", "intent", "unseen"),
    [
        # new values and new words away from the values: every slot context is a seed's
        ("please book a table close to [the pier](poi)", "Book", []),
        (
            "can I get a [cafe](restaurant_type) for [9](party_size) tonight",
            "Book",
            ["<party_size> tonight"],
        ),
        # a value forced into a frame that fits it nowhere
        (
            "book a table for [union square](poi) at a [close](spatial_relation) party",
            "Book",
            ["for <poi>", "<poi> at", "a <spatial_relation>", "<spatial_relation> party"],
        ),
        # contexts are the intent's own: 'in <city>' is a Weather context, not a Book one
        (
            "book a [pub](restaurant_type) in [paris](city)",
            "Book",
            ["<restaurant_type> in", "in <city>", "<city> </s>"],
        ),
        ("what is the weather in [Rome](city).", "Weather", []),  # case and final punctuation
    ],
)
def test_unseen_slot_contexts_are_those_no_seed_of_the_intent_has(raw, intent, unseen):
    f = SlotContextFilter(SEEDS)
    assert [" ".join(p) for p in f.unseen(markup.parse(raw, intent))] == unseen


def test_more_than_max_unseen_rejects_with_the_contexts_in_the_reason():
    chain = FilterChain([SlotContextFilter(SEEDS, max_unseen=2)])
    forced = parsed(
        "book a table for [union square](poi) at a [close](spatial_relation) party", "Book"
    )
    three = parsed("book a [pub](restaurant_type) in [paris](city)", "Book")
    fine = parsed("can I get a [cafe](restaurant_type) for [9](party_size) tonight", "Book")
    kept = chain.run([forced, three, fine])
    assert [c.text for c in kept] == ["can I get a cafe for 9 tonight"]
    assert chain.summary.rejected == {"slot-context": 2}
    reason = chain.summary.events[0]["reason"]
    assert reason.startswith("new slot contexts: 4 (at most 2) that no seed of 'Book' has")
    assert chain.summary.reasons() == {"slot-context": {"rejected: new slot contexts": 2}}
    assert "'a <spatial_relation>'" in reason and "'<spatial_relation> party'" in reason
    assert fine.scores["unseen_slot_contexts"] == 1 and forced.scores["unseen_slot_contexts"] == 4
    strict = SlotContextFilter(SEEDS, max_unseen=0)
    assert strict.keep(
        [parsed("can I get a [cafe](restaurant_type) for [9](party_size) tonight", "Book")]
    ) == [False]


def test_an_intent_without_seeds_has_no_seen_context():
    f = SlotContextFilter(SEEDS, max_unseen=1)
    assert f.keep([parsed("play [jazz](genre)", "Play")]) == [
        False
    ]  # 'play <genre>', '<genre> </s>'


def test_the_filter_runs_after_the_slot_checks_and_can_be_turned_off():
    def names(config: SampleConfig) -> tuple[list[str], list[str]]:
        filters, disabled = build_filters(SEEDS, config, None, intents=["Book", "Weather"])
        return [f.name for f in filters], disabled

    quick = {"fidelity_threshold": 0.0, "slot_verify": False}
    on, _ = names(SampleConfig(**quick, fluency_percentile=0))
    assert on.index("slot-context") > on.index("slot-rules")
    off, disabled = names(SampleConfig(**quick, fluency_percentile=0, slot_context=False))
    assert "slot-context" not in off and "slot-context" in disabled
    with pytest.raises(ConfigError, match="slot_context_max_unseen"):
        SampleConfig(slot_context_max_unseen=-1)


def test_seeds_without_slots_disable_it():
    plain = [
        markup.parse(t, i) for t, i in [("hi there", "greet"), ("hello", "greet"), ("bye", "bye")]
    ]
    filters, disabled = build_filters(
        plain, SampleConfig(fidelity_threshold=0.0, fluency_percentile=0), None
    )
    assert "slot-context" not in [f.name for f in filters] and "slot-context" in disabled


def test_prompt_mode_leaves_it_off_unless_asked():
    from tests.lm.test_plans import PlanWriter
    from textsynth.lm import prompt_sample
    from textsynth.lm.sample import RunOptions

    quick = {
        "per_intent": 2,
        "value_plans": 1.0,
        "completions_per_prompt": 1,
        "max_rounds": 1,
        "fidelity_threshold": 0.0,
        "fluency_percentile": 0,
        "slot_verify": False,
    }

    def seen(**settings: object) -> dict[str, int]:
        opts = RunOptions(backend=PlanWriter(model="w"))
        _, summary = prompt_sample(SEEDS, SampleConfig(**quick, **settings), options=opts)
        return summary.seen

    assert "slot-context" not in seen()  # None: off in prompt mode
    assert "slot-context" in seen(slot_context=True)
