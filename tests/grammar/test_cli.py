"""``textsynth grammar check|count|generate`` in-process, and every output format read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from textsynth import formats
from textsynth.cli import cli, main
from textsynth.grammar import count, expand, generate_to_file, load_grammar

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = sorted(Path("grammars").glob("*.tsg"))


def _exit_code(fn, argv) -> int:
    """Return the exit code whether ``main`` returns it or exits with it."""
    try:
        return fn(argv)
    except SystemExit as exc:
        return exc.code


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_check_reports_ok(runner):
    res = runner.invoke(cli, ["grammar", "check", str(GOLDEN / "modifiers.tsg")])
    assert res.exit_code == 0, res.output
    assert "ok" in res.output and "18 combinations" in res.output


def test_check_reports_every_error_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.tsg"
    bad.write_text("%[a]\n    hello ~[name\n    go to ~[citys]\n~[city]\n    x\n", encoding="utf-8")
    assert _exit_code(main, ["grammar", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2:11: unclosed '~['" in err
    assert f"{bad}:3:11: undefined alias '~[citys]' (did you mean '~[city]'?)" in err
    assert "2 errors found." in err and "Traceback" not in err


def test_count_json(runner):
    res = runner.invoke(
        cli, ["grammar", "count", str(GOLDEN / "chatette_basics.chatette"), "--json"]
    )
    data = json.loads(res.output)
    assert data["intents"]["greet"] == {"combinations": "16", "distinct": "16", "exact": True}


def test_count_table_marks_upper_bounds(runner):
    res = runner.invoke(cli, ["grammar", "count", "grammars/bench/bench.chatette"])
    big = count(load_grammar("grammars/bench/bench.chatette"))["transfer_money"]
    assert big > 10**30 and f"{big:,}" in res.output
    assert "upper bound" in res.output


def test_generate_writes_jsonl_with_seed(runner, tmp_path):
    out = tmp_path / "o.jsonl"
    res = runner.invoke(
        cli,
        ["grammar", "generate", "grammars/banking.tsg", "--n", "40", "--seed", "7", "-o", str(out)],
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 40 and all(r["meta"]["seed"] == 7 for r in rows)
    assert {r["intent"] for r in rows} == {
        "check_balance",
        "transfer_money",
        "block_card",
        "report_fraud",
    }


def test_generate_all_refuses_big_space_with_the_count(tmp_path, capsys):
    assert (
        _exit_code(
            main,
            [
                "grammar",
                "generate",
                "grammars/bench/bench.chatette",
                "--all",
                "-o",
                str(tmp_path / "x.jsonl"),
            ],
        )
        == 2
    )
    err = capsys.readouterr().err
    total = sum(count(load_grammar("grammars/bench/bench.chatette")).values())
    assert f"{total:,} combinations" in err and "--n" in err
    assert not (tmp_path / "x.jsonl").exists()


def test_generate_split_and_intents(runner, tmp_path):
    res = runner.invoke(
        cli,
        [
            "grammar",
            "generate",
            "grammars/travel.tsg",
            "--n",
            "20",
            "--split",
            "0.25",
            "--intents",
            "book_flight,book_hotel",
            "-o",
            str(tmp_path / "t.jsonl"),
        ],
    )
    assert res.exit_code == 0, res.output
    train = (tmp_path / "t.train.jsonl").read_text().splitlines()
    test = (tmp_path / "t.test.jsonl").read_text().splitlines()
    assert (len(train), len(test)) == (16, 4)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_grammars_load_and_generate(path):
    g = load_grammar(path)
    utts = list(expand(g, n=200, seed=0))
    assert len(utts) == 200 and len({u.text for u in utts}) == 200
    assert sum(bool(u.spans) for u in utts) > 100
    if "fr" in path.name:
        assert g.language == "fr"


FORMATS = {
    "jsonl": "o.jsonl",
    "rasa-yaml": "o.yml",
    "rasa-json": "o.json",
    "snips-json": "o.json",
    "conll": "o.conll",
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_reads_back_text_intent_and_spans(tmp_path, fmt):
    g = load_grammar(GOLDEN / "modifiers.tsg")
    path = tmp_path / FORMATS[fmt]
    generate_to_file(g, path, fmt=fmt, all=True)
    expected = sorted(
        (u.text, u.intent, tuple((s.start, s.end, s.label) for s in u.spans)) for u in expand(g)
    )
    back = sorted(
        (u.text, u.intent, tuple((s.start, s.end, s.label) for s in u.spans))
        for u in formats.read(path, fmt)
    )
    assert back == expected


def test_hf_dataset_reads_back(tmp_path):
    g = load_grammar(GOLDEN / "modifiers.tsg")
    generate_to_file(g, tmp_path / "ds", fmt="hf-dataset", all=True)
    back = sorted(u.text for u in formats.read(tmp_path / "ds", "hf-dataset"))
    assert back == sorted(u.text for u in expand(g))


def test_generate_coverage_covers_every_slot_value(runner, tmp_path):
    out = tmp_path / "c.jsonl"
    res = runner.invoke(
        cli,
        [
            "grammar",
            "generate",
            "grammars/banking.tsg",
            "--n",
            "8",
            "--coverage",
            "--intents",
            "block_card",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    cards = {r["text"][e["start"] : e["end"]] for r in rows for e in r["entities"]}
    assert {"card", "credit card", "debit card", "visa", "mastercard", "bank card"} <= cards
    assert len({r["text"] for r in rows}) == len(rows) >= 8
