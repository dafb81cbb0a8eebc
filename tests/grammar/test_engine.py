"""The engine: exact counts, sampling without giving up, weights, dedupe, coverage, splits."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from textsynth.errors import SpaceTooLargeError
from textsynth.grammar import (
    GenerateConfig,
    count,
    count_report,
    expand,
    generate_to_file,
    load_grammar,
    split,
)
from textsynth.grammar import sample as sample_mod
from textsynth.grammar.generate import records
from textsynth.grammar.permute import Permutation
from textsynth.grammar.render import finish

GOLDEN = Path(__file__).parent / "golden"
BIG = (
    "%[big]\n    "
    + " ".join(f"@[s{i}]" for i in range(40))
    + "\n"
    + "".join(f"@[s{i}]\n" + "".join(f"    v{i}x{j}\n" for j in range(10)) for i in range(40))
)


def test_count_is_exact_for_10_to_the_40():
    g = load_grammar(BIG)
    assert count(g) == {"big": 10**40}


def test_sampling_a_huge_space_gives_distinct_valid_utterances():
    g = load_grammar(BIG)
    utts = list(expand(g, n=2000, seed=3))
    assert len(utts) == 2000 and len({u.text for u in utts}) == 2000
    for u in utts[:50]:
        assert len(u.spans) == 40
        assert all(
            u.text[s.start : s.end] == f"v{i}x{u.text[s.start : s.end].split('x')[1]}"
            for i, s in enumerate(u.spans)
        )
        assert u.meta == {"seed": 3, "rule": "<string>:2"}


def test_same_seed_same_bytes_other_seed_other_output(tmp_path):
    g = load_grammar(GOLDEN / "chatette_basics.chatette")
    a, b, c = (tmp_path / n for n in ("a.jsonl", "b.jsonl", "c.jsonl"))
    generate_to_file(g, a, n=10, seed=1)
    generate_to_file(g, b, n=10, seed=1)
    generate_to_file(g, c, n=10, seed=2)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert all(json.loads(line)["meta"]["seed"] == 1 for line in a.read_text().splitlines())


def test_fast_jsonl_writes_the_same_bytes_as_the_utterance_path(tmp_path):
    from textsynth.io import write_utterances_jsonl

    g = load_grammar(GOLDEN / "modifiers.tsg")
    generate_to_file(g, tmp_path / "fast.jsonl", n=12, seed=4)
    write_utterances_jsonl(expand(g, n=12, seed=4), tmp_path / "slow.jsonl")
    assert (tmp_path / "fast.jsonl").read_bytes() == (tmp_path / "slow.jsonl").read_bytes()


def test_asking_for_more_than_exist_returns_all_distinct(caplog):
    g = load_grammar("%[a]\n    [x|y|z] [1|2]\n")
    utts = list(expand(g, n=50, seed=0))
    assert sorted(u.text for u in utts) == sorted(f"{a} {b}" for a in "xyz" for b in "12")
    assert "only 6" in caplog.text


def test_two_rules_with_the_same_text_count_once():
    g = load_grammar("%[a]\n    hello world\n    hello [world|there]\n")
    rep = count_report(g)["a"]
    assert (rep["combinations"], rep["distinct"], rep["exact"]) == (3, 2, True)
    assert sorted(u.text for u in expand(g)) == ["hello there", "hello world"]
    assert sorted(u.text for u in expand(g, n=10)) == ["hello there", "hello world"]


def test_casefold_dedupe_removes_case_only_duplicates():
    g = load_grammar("%[a]\n    [&hello] [World|world]\n")
    assert len(list(expand(g, n=10))) == 4
    assert len(list(expand(g, n=10, dedupe="casefold"))) == 1


def test_declared_percentages_shape_sampling():
    g = load_grammar(
        "%[a]\n    "
        + " ".join(f"~[w{i}]" for i in range(6))
        + " [tail?/90]\n"
        + "".join(f"~[w{i}]\n" + "".join(f"    a{i}{j}\n" for j in range(20)) for i in range(6))
    )
    utts = list(expand(g, n=4000, seed=1))
    share = sum(u.text.endswith("tail") for u in utts) / len(utts)
    assert 0.86 < share < 0.94  # uniform over combinations would give 0.5


def test_rule_weights_and_even_distribution():
    src = "%[a]\n    *[80%] alpha ~[x] ~[x] ~[x]\n    beta ~[x] ~[x] ~[x] ~[x]\n~[x]\n" + "".join(
        f"    x{i}\n" for i in range(30)
    )
    utts = list(expand(load_grammar(src), n=3000, seed=2))
    alpha = sum(u.text.startswith("alpha") for u in utts) / len(utts)
    assert 0.76 < alpha < 0.84  # without weights: 27000 / 837000 = 0.03
    even = (
        "%[a]('distribution': 'even')\n    alpha ~[x] ~[x] ~[x]\n    beta ~[x] ~[x] ~[x] ~[x]\n"
        "~[x]\n" + "".join(f"    x{i}\n" for i in range(30))
    )
    utts = list(expand(load_grammar(even, dialect="chatito"), n=3000, seed=2))
    alpha = sum(u.text.startswith("alpha") for u in utts) / len(utts)
    assert 0.45 < alpha < 0.55


def test_weighted_sampling_still_reaches_every_text():
    g = load_grammar("%[a]\n    *[99%] [a|b]\n    *[1%] [c|d|e]\n")
    assert sorted(u.text for u in expand(g, n=10, seed=0)) == ["a", "b", "c", "d", "e"]


def test_coverage_puts_every_value_and_rule_in_the_output():
    src = (
        "%[a]\n    send @[amount] to @[name] ~[tail?]\n    pay @[name]\n"
        "@[amount]\n"
        + "".join(f"    {i}\n" for i in range(1, 26))
        + "@[name]\n"
        + "".join(f"    N{i}\n" for i in range(17))
        + "~[tail]\n    now\n"
    )
    g = load_grammar(src)
    utts = list(expand(g, n=3, seed=0, coverage=True))
    values = Counter((s.label, u.text[s.start : s.end]) for u in utts for s in u.spans)
    assert {v for (lab, v) in values if lab == "amount"} == {str(i) for i in range(1, 26)}
    assert {v for (lab, v) in values if lab == "name"} == {f"N{i}" for i in range(17)}
    assert {u.meta["rule"] for u in utts} == {"<string>:2", "<string>:3"}
    assert any(u.text.endswith("now") for u in utts)
    assert len({u.text for u in utts}) == len(utts)


def test_split_is_stratified_and_never_overlaps(tmp_path):
    g = load_grammar("%[a]\n    a [1|2|3|4|5|6|7|8|9|10]\n%[b]\n    b [1|2|3|4|5|6|7|8|9|10]\n")
    summary = generate_to_file(g, tmp_path / "out.jsonl", n=16, seed=0, split=0.25)
    train = [json.loads(x) for x in (tmp_path / "out.train.jsonl").read_text().splitlines()]
    test = [json.loads(x) for x in (tmp_path / "out.test.jsonl").read_text().splitlines()]
    assert Counter(r["intent"] for r in train) == {"a": 6, "b": 6}
    assert Counter(r["intent"] for r in test) == {"a": 2, "b": 2}
    assert not {r["text"] for r in train} & {r["text"] for r in test}
    assert summary["counts"] == {"a": {"train": 6, "test": 2}, "b": {"train": 6, "test": 2}}
    # declared training/testing counts
    g = load_grammar("%[a]('training': '5', 'testing': '2')\n    a [1|2|3|4|5|6|7|8|9|10]\n")
    generate_to_file(g, tmp_path / "d.jsonl", seed=0)
    assert len((tmp_path / "d.train.jsonl").read_text().splitlines()) == 5
    assert len((tmp_path / "d.test.jsonl").read_text().splitlines()) == 2


def test_split_helper_on_utterances():
    g = load_grammar("%[a]\n    a [1|2|3|4|5|6|7|8|9|10]\n%[b]\n    b [1|2|3|4]\n")
    train, test = split(expand(g), test=0.5, seed=1)
    assert Counter(u.intent for u in test) == {"a": 5, "b": 2}
    assert not {u.text for u in train} & {u.text for u in test}


def test_all_refuses_a_space_over_the_limit_and_says_its_size():
    with pytest.raises(
        SpaceTooLargeError,
        match="10,000,000,000,000,000,000,000,000,000,000,000,000,000 combinations",
    ):
        list(records(load_grammar(BIG), GenerateConfig(all=True, all_limit=10**6)))


def test_quotas_follow_declared_counts_and_cap_at_the_space():
    g = load_grammar(
        "%[a](30)\n    a [1|2|3]\n%[b](10)\n    b ~[n]\n~[n]\n"
        + "".join(f"    {i}\n" for i in range(100))
    )
    got = Counter(u.intent for u in expand(g, n=40, seed=0))
    assert got == {"a": 3, "b": 37}  # a has only 3, b takes the rest


def test_sampling_that_only_finds_repeats_says_so(monkeypatch):
    monkeypatch.setattr(sample_mod, "_STALL", 50)
    g = load_grammar("%[a]\n    " + "".join("[&1]" for _ in range(40)) + "\n")
    with pytest.raises(sample_mod.SamplingStalledError, match="upper bound"):
        list(expand(g, n=2, seed=0))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 10, 64, 99, 1000, 1001])
def test_permutation_is_a_bijection(n):
    p = Permutation(n, "k")
    assert sorted(p(i) for i in range(n)) == list(range(n))


def test_permutation_depends_on_the_seed():
    assert [Permutation(1000, 1)(i) for i in range(10)] != [
        Permutation(1000, 2)(i) for i in range(10)
    ]


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in sorted(GOLDEN.iterdir())
        if p.stem != "common" and p.suffix in (".tsg", ".chatette", ".chatito")
    ]
    + [Path("grammars/bench/bench.chatette")],
)
def test_generated_code_agrees_with_the_closures(path):
    g = load_grammar(path)
    rng = random.Random(0)
    for name in g.intents:
        eng = g.engine(name)
        for virtual in [False, True] if eng.weighted else [False]:
            space = eng.vtotal if virtual else eng.total
            tab = eng._virt if virtual else eng._real
            for _ in range(min(space, 300)):
                idx = rng.randrange(space)
                k, text, ents = eng.render(idx, virtual)
                start, size, fn = tab.rules[k]
                out, spans = [], []
                fn((idx - start) % size, out, spans)
                assert (text, list(ents)) == finish(out, spans)


def test_faker_slots_are_fixed_lists_in_the_locale():
    src = "%locale fr_FR\n%faker_count 12\n%[a]\n    je vais à @[ville]\n@[ville]\n    faker:city\n"
    g = load_grammar(src)
    assert g.language == "fr" and count(g) == {"a": 12}
    first = [u.text for u in expand(g)]
    assert first == [u.text for u in expand(load_grammar(src))]  # same values every load
    assert len(set(first)) == 12
    g2 = load_grammar(src.replace("faker:city", "faker:city(5)"))
    assert count(g2) == {"a": 5}


def test_output_bytes_do_not_depend_on_the_process_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    outs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"o{hash_seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from textsynth.cli import main; sys.exit(main(sys.argv[1:]))",
                "grammar",
                "generate",
                "grammars/banking.tsg",
                "--n",
                "300",
                "--seed",
                "5",
                "-o",
                str(out),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") == 300


def test_dedupe_none_keeps_same_text_from_different_combinations():
    g = load_grammar("%[a]\n    hello world\n    hello [world|there]\n")
    assert sorted(u.text for u in expand(g, dedupe="none")) == [
        "hello there",
        "hello world",
        "hello world",
    ]


def test_each_file_uses_its_own_locale_for_faker(tmp_path):
    (tmp_path / "fr.tsg").write_text(
        "%locale fr_FR\n@[ville]\n    faker:city(20)\n", encoding="utf-8"
    )
    (tmp_path / "main.tsg").write_text(
        "%locale en_US\n|fr.tsg\n%[a]\n    to @[ville] or @[town]\n@[town]\n    faker:city(20)\n",
        encoding="utf-8",
    )
    g = load_grammar(tmp_path / "main.tsg")
    assert g.language == "en"
    fr = {u.text.split(" or ")[0][3:] for u in expand(g, n=400, seed=0)}
    en = {u.text.split(" or ")[1] for u in expand(g, n=400, seed=0)}
    assert fr != en and len(fr) == len(en) == 20


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in sorted(GOLDEN.iterdir())
        if p.stem != "common" and p.suffix in (".tsg", ".chatette", ".chatito")
    ]
    + sorted(Path("grammars").glob("*.tsg"))
    + sorted(Path("grammars/bench").glob("*.chatette")),
)
def test_jsonl_fast_path_agrees_with_span_records(path):
    from textsynth.grammar.emitter import entity_json

    g = load_grammar(path)
    rng = random.Random(1)
    for name in g.intents:
        eng = g.engine(name)
        for virtual in [False, True] if eng.weighted else [False]:
            space = eng.vtotal if virtual else eng.total
            for _ in range(min(space, 300)):
                idx = rng.randrange(space)
                k, text, ents = eng.render(idx, virtual)
                assert eng.render_json(idx, virtual) == (
                    k,
                    text,
                    ", ".join(entity_json(e) for e in ents),
                )
