"""Whole files: every input shape keeps count, order, ids and outside text; bad input; workers."""

from __future__ import annotations

import json

import pytest

from textsynth.errors import InputError, RecordError
from textsynth.pii import FakeNer, Pseudonymiser
from textsynth.pii.runner import FileJob, run_file

from .conftest import KEY, LEXICON

TURNS = [
    {"speaker": "customer", "text": "Hi, this is Margaret Okonkwo, card 4111 1111 1111 1111."},
    {"speaker": "agent", "text": "Thanks margaret. Your email?"},
    {"speaker": "customer", "text": "m.okonkwo@gmail.com or call +44 20 7946 0958"},
]


def make_ps(**kw) -> Pseudonymiser:
    return Pseudonymiser(key=KEY, ner=FakeNer(LEXICON), **kw)


def write(path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def inputs(tmp_path) -> dict[str, str]:
    return {
        "text": write(
            tmp_path / "in.txt", ["Margaret Okonkwo wrote:", "", "  call John Smith  ", "nothing"]
        ),
        "jsonl": write(
            tmp_path / "in.jsonl",
            [json.dumps({"id": i, "body": t["text"], "n": i}) for i, t in enumerate(TURNS)],
        ),
        "transcript": write(
            tmp_path / "tr.jsonl",
            [json.dumps({"id": "c1", "turns": TURNS}), json.dumps({"id": "c2", "turns": []})],
        ),
        "utterances": write(
            tmp_path / "u.jsonl",
            [
                json.dumps(
                    {
                        "text": "book for John Smith in Paris",
                        "intent": "book",
                        "entities": [
                            {"start": 9, "end": 19, "label": "name"},
                            {"start": 23, "end": 28, "label": "city"},
                        ],
                    }
                )
            ],
        ),
    }


def outside_unchanged(before: str, after: str, rows: list[dict]) -> bool:
    pos_in = pos_out = 0
    for r in sorted(rows, key=lambda r: r["in_start"]):
        if before[pos_in : r["in_start"]] != after[pos_out : r["start"]]:
            return False
        pos_in, pos_out = r["in_end"], r["end"]
    return before[pos_in:] == after[pos_out:]


@pytest.mark.parametrize("shape", ["text", "jsonl", "transcript", "utterances"])
def test_every_shape_preserves_records_and_outside_text(tmp_path, shape: str) -> None:
    inp = inputs(tmp_path)[shape]
    out, spans = str(tmp_path / f"out.{shape}"), str(tmp_path / "spans.jsonl")
    audit = run_file(
        FileJob(
            inp,
            out,
            text_field="body" if shape == "jsonl" else "text",
            spans=spans,
            shape=shape if shape != "utterances" else "auto",
        ),
        make_ps(),
    )
    before = open(inp, encoding="utf-8").read().splitlines()
    after = open(out, encoding="utf-8").read().splitlines()
    assert len(before) == len(after) and audit.records_in == audit.records_out
    rows = [json.loads(line) for line in open(spans, encoding="utf-8")]
    assert rows and audit.spans == len(rows)
    for b, a in zip(before, after, strict=False):
        if shape == "text":
            texts = [(b, a, str(before.index(b) + 1))]
        elif not b.strip():
            assert a == b
            continue
        else:
            ob, oa = json.loads(b), json.loads(a)
            if shape == "transcript":
                assert oa["id"] == ob["id"] and [t["speaker"] for t in oa["turns"]] == [
                    t["speaker"] for t in ob["turns"]
                ]
                texts = [
                    (tb["text"], ta["text"], (ob["id"], i))
                    for i, (tb, ta) in enumerate(zip(ob["turns"], oa["turns"], strict=False))
                ]
            elif shape == "jsonl":
                assert {k: v for k, v in oa.items() if k != "body"} == {
                    k: v for k, v in ob.items() if k != "body"
                }
                texts = [(ob["body"], oa["body"], str(ob["id"]))]
            else:
                assert oa["intent"] == ob["intent"]
                for e in oa["entities"]:  # entries keep their own fields (value optional)
                    if "value" in e:
                        assert oa["text"][e["start"] : e["end"]] == e["value"]
                texts = [(ob["text"], oa["text"], None)]
        for tb, ta, _ in texts:
            mine = [r for r in rows if shape != "transcript" or (r["record"], r["turn"]) == _]
            if shape == "text":
                mine = [r for r in rows if r["record"].endswith(f":{_}")]
            if shape in ("jsonl",):
                mine = [r for r in rows if r["record"] == _]
            assert outside_unchanged(tb, ta, mine)
    for secret in ("Okonkwo", "4111 1111", "m.okonkwo", "John Smith"):
        assert secret not in open(out, encoding="utf-8").read()
        assert secret not in open(spans, encoding="utf-8").read()


def test_malformed_line_stops_without_output(tmp_path) -> None:
    inp = write(tmp_path / "in.jsonl", [json.dumps({"text": "John Smith"}), "{not json", "{}"])
    out = tmp_path / "out.jsonl"
    with pytest.raises(RecordError, match=r"in\.jsonl:2:2: malformed JSON"):
        run_file(FileJob(inp, str(out)), make_ps())
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "in.jsonl"]


def test_missing_field_and_bad_bytes_are_located(tmp_path) -> None:
    inp = write(tmp_path / "in.jsonl", [json.dumps({"body": "x"})])
    with pytest.raises(RecordError, match=r"in\.jsonl:1: record has no string field 'text'"):
        run_file(FileJob(inp, str(tmp_path / "o")), make_ps())
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\nbad \xff byte\n")
    with pytest.raises(InputError, match=r"bad\.txt:2:5: byte 0xff"):
        run_file(FileJob(str(bad), str(tmp_path / "o2")), make_ps())


def test_skip_sends_bad_records_to_rejects(tmp_path) -> None:
    raw = [
        json.dumps({"text": "John Smith"}),
        "{not json",
        json.dumps({"text": 3}),
        json.dumps({"text": "Paris"}),
    ]
    inp = write(tmp_path / "in.jsonl", raw)
    out = tmp_path / "out.jsonl"
    audit = run_file(FileJob(inp, str(out), on_error="skip"), make_ps())
    rejects = (tmp_path / "out.jsonl.rejects").read_text().splitlines()
    assert rejects == [raw[1], raw[2]]
    assert audit.records_in == 2 and audit.rejects == 2
    assert len(out.read_text().splitlines()) + len(rejects) == len(raw)


def test_two_workers_give_the_same_output(tmp_path) -> None:
    lines = [json.dumps({"id": f"c{i}", "turns": TURNS}) for i in range(40)]
    inp = write(tmp_path / "in.jsonl", lines)
    outs = []
    for w in (1, 2):
        out = tmp_path / f"out{w}.jsonl"
        run_file(FileJob(inp, str(out), workers=w, chunk=7), make_ps())
        outs.append(out.read_text())
    assert outs[0] == outs[1]
    assert [json.loads(x)["id"] for x in outs[1].splitlines()] == [f"c{i}" for i in range(40)]


def test_vault_needs_a_reversible_operator(tmp_path) -> None:
    from textsynth.errors import ConfigError

    inp = write(tmp_path / "in.txt", ["John Smith"])
    with pytest.raises(ConfigError, match="cannot be reversed"):
        run_file(
            FileJob(inp, str(tmp_path / "o"), vault=str(tmp_path / "v")), make_ps(operator="mask")
        )
