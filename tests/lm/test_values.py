"""Value proposals: new plan values from the base model, kept only when shaped and agreed on."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest

from textsynth import markup
from textsynth.errors import ConfigError
from textsynth.lm import backends
from textsynth.lm.config import SampleConfig
from textsynth.lm.plans import ValuePlanner
from textsynth.lm.values import _Shape, proposal_prompt, propose_values, split_proposals

SEEDS = [
    markup.parse("find the [movie](object_type) [Heat](object_name)", "SearchCreativeWork"),
    markup.parse("show me the [novel](object_type) [Dune](object_name)", "SearchCreativeWork"),
    markup.parse("look up the [video game](object_type) [Halo](object_name)", "SearchCreativeWork"),
    markup.parse("find [this](object_select) [tv show](object_type)", "SearchCreativeWork"),
    markup.parse("rate [this](object_select) book [4](rating_value) stars", "RateBook"),
    markup.parse("give it [three](rating_value) stars", "RateBook"),
    markup.parse("rate [current](object_select) novel [5](rating_value)", "RateBook"),
    markup.parse("i give [Dune](object_name) a [two](rating_value)", "RateBook"),
]


@dataclasses.dataclass
class Lists(backends.Backend):
    """A model that continues each label's list with scripted values (in turn per request)."""

    name = "lists"
    script: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    asked: list[str] = dataclasses.field(default_factory=list)

    def _generate(self, requests, params, on_result):
        out = []
        for i, r in enumerate(requests):
            label = re.match(r"Examples of (.+?) in requests", r.prompt).group(1)
            turn = sum(p.startswith(f"Examples of {label} in") for p in self.asked)
            self.asked.append(r.prompt)
            options = self.script.get(label, [" nothing useful here, sorry."])
            c = backends.Completion(options[turn % len(options)])
            out.append(c)
            on_result(i, c)
        return out


SHAPE = _Shape.of(["movie", "tv show", "video game"])


@pytest.mark.parametrize(
    ("text", "values"),
    [
        (" film, anime, manga\nmore text, here", ["film", "anime", "manga"]),
        (" film, and the rest of the story is told here, game", ["film"]),
        (" film, game 2, anime", ["film"]),  # no seed value has a digit
        (" film, anime. The end, game", ["film"]),  # punctuation no seed value uses
        (" board game , comic book,", ["board game", "comic book"]),
        ("\nfilm, anime", []),
    ],
)
def test_a_completion_is_read_up_to_the_first_item_not_shaped_like_the_seeds(text, values):
    assert split_proposals(text, SHAPE) == values


def test_the_prompt_names_the_label_and_intent_in_words_and_ends_the_list_open():
    prompt = proposal_prompt("SearchCreativeWork", "object_type", ["movie", "novel"])
    assert prompt == "Examples of object type in requests to search creative work: movie, novel,"


def test_proposals_keep_only_values_several_completions_agree_on_and_no_seed_value():
    model = Lists(
        script={
            "object type": [
                " film, anime, board game",
                " anime, film, movie, halo",  # movie: a seed value; halo: another label's
                " comic, anime, poster",
                " film, Anime",
            ],
            "object name": [" Alien, Solaris", " Solaris, Alien", " Alien"],
        }
    )
    got = propose_values(model, SEEDS, ["SearchCreativeWork"], completions=4)
    # anime (4 completions), then film (3); board game, comic, poster once only
    assert got.values["SearchCreativeWork"]["object_type"] == ["anime", "film"]
    assert got.values["SearchCreativeWork"]["object_name"] == ["Alien", "Solaris"]
    # object_select has two seed values (this, current): too few to continue, never asked
    assert not any("object select" in p for p in model.asked)
    assert got.requests == 8 == len(model.asked)
    assert got.to_dict()["kept"] == 4
    model.asked.clear()
    capped = propose_values(model, SEEDS, ["SearchCreativeWork"], completions=4, per_label=1)
    assert capped.values["SearchCreativeWork"] == {
        "object_type": ["anime"],
        "object_name": ["Alien"],
    }


def test_a_typed_labels_proposals_must_parse_as_its_type():
    model = Lists(script={"rating value": [" seven, banana, 9", " 9, banana, seven"]})
    got = propose_values(model, SEEDS, ["RateBook"], completions=2)
    assert sorted(got.values["RateBook"]["rating_value"]) == ["9", "seven"]


def test_no_label_with_enough_seed_values_asks_nothing():
    model = Lists()
    seeds = [markup.parse("play [jazz](genre)", "Play"), markup.parse("play [pop](genre)", "Play")]
    got = propose_values(model, seeds, ["Play"])
    assert got.requests == 0 and model.asked == [] and got.values == {}


def test_the_planner_draws_proposed_values_beside_the_seeds():
    planner = ValuePlanner(SEEDS)
    added = planner.extend(
        {
            "SearchCreativeWork": {"object_type": ["anime", "MOVIE"], "colour": ["red"]},
            "Unknown": {"object_type": ["film"]},
        }
    )
    assert added == 1  # MOVIE is a seed value; colour and Unknown have no plans to join
    rng = random.Random(0)
    values = {
        v
        for _ in range(300)
        for label, v in planner.draw("SearchCreativeWork", rng).slots
        if label == "object_type"
    }
    assert "anime" in values and {"movie", "novel"} <= values


def test_a_negative_proposal_count_or_no_vote_is_refused():
    with pytest.raises(ConfigError, match="propose_values"):
        SampleConfig(propose_values=-1)
    with pytest.raises(ConfigError, match="propose_min_votes"):
        SampleConfig(propose_min_votes=0)


def quick(**settings: object) -> SampleConfig:
    """Return a one-round SampleConfig without the checks that need a trained model."""
    off: dict[str, object] = {
        "per_intent": 1,
        "fidelity_threshold": 0.0,
        "max_rounds": 1,
        "max_new_tokens": 8,
        "slot_verify": False,
        "fluency_percentile": 0,
    }
    return SampleConfig(**{**off, **settings})


def test_sampling_asks_the_base_model_for_proposals_and_reports_them(
    tiny_model, seeds, tmp_path, hf_asked
):
    from textsynth.lm import FinetuneConfig, finetune, sample

    finetune(seeds, tmp_path / "run", FinetuneConfig(base_model=tiny_model, epochs=1))
    _, summary = sample(tmp_path / "run", quick(propose_values=3))
    lists = [(m, p) for m, p in hf_asked if p.startswith("Examples of ")]
    values: dict[str, set[str]] = {}
    for u in seeds:
        for s in u.spans:
            values.setdefault(s.label.replace("_", " "), set()).add(u.text[s.start : s.end])
    open_class = {label for label, v in values.items() if len(v) >= 3}
    assert open_class and open_class != set(values)  # the seeds have both kinds of label
    # every label with at least 3 seed values, 8 lists each, asked of the base model
    assert {p.split(" in requests")[0].removeprefix("Examples of ") for _, p in lists} == open_class
    assert {m for m, _ in lists} == {tiny_model}
    assert summary.proposed_values["requests"] == len(lists) == 8 * len(open_class)
    assert "proposed_values" in summary.to_dict()


@pytest.mark.slow
def test_the_embedded_model_proposes_new_values_shaped_like_the_seeds():
    from textsynth.lm.backends.hf import HfBackend

    cities = ["Paris", "London", "Berlin", "Madrid", "Rome", "Vienna"]
    seeds = [markup.parse(f"what is the weather in [{c}](city)", "GetWeather") for c in cities]
    got = propose_values(HfBackend(model="embedded:smollm2-135m"), seeds, ["GetWeather"])
    new = got.values["GetWeather"]["city"]
    assert len(new) >= 3, got.to_dict()
    shape = _Shape.of(cities)
    assert all(shape.fits(v) and v not in cities for v in new)


def test_prompt_mode_asks_the_prompted_model_for_proposals(tiny_model, seeds, hf_asked, caplog):
    from textsynth.lm import prompt_sample

    config = quick(value_plans=1.0, propose_values=3)
    _, summary = prompt_sample(seeds, config, base_model=tiny_model)
    lists = [p for _, p in hf_asked if p.startswith("Examples of ")]
    assert lists and summary.proposed_values["requests"] == len(lists)
    # without plans there is nothing to widen: no list is asked
    hf_asked.clear()
    _, summary = prompt_sample(
        seeds, dataclasses.replace(config, value_plans=0.0), base_model=tiny_model
    )
    assert not [p for _, p in hf_asked if p.startswith("Examples of ")]
    assert "proposed_values" not in summary.to_dict()
    assert "propose_values=3 has no effect: value plans are off" in caplog.text
