"""``textsynth evaluate``: files in, metrics.json + report.html out, a table on the terminal."""

from __future__ import annotations

import json

from textsynth.cli import main
from textsynth.io import write_utterances_jsonl


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_evaluate_writes_report_and_prints_table(toy_sets, tmp_path, capsys):
    seeds, holdout = tmp_path / "seeds.jsonl", tmp_path / "holdout.jsonl"
    write_utterances_jsonl(toy_sets["seeds"], seeds)
    write_utterances_jsonl(toy_sets["holdout"], holdout)
    syn = tmp_path / "syn.jsonl"
    lines = seeds.read_text().splitlines()[:5]
    lines.append(
        '{"text": "fly", "intent": "book", "entities": [{"start": 0, "end": 40, "label": "city"}]}'
    )  # unreadable span
    syn.write_text("\n".join(lines) + "\n")
    out_dir = tmp_path / "rep"
    code, out, err = run(
        [
            "evaluate",
            "--synthetic",
            str(syn),
            "--seeds",
            str(seeds),
            "--holdout",
            str(holdout),
            "-o",
            str(out_dir),
            "--no-embeddings",
        ],
        capsys,
    )
    assert code == 0, err
    assert "exact-match" in out and "self-bleu" in out
    data = json.loads((out_dir / "metrics.json").read_text())
    assert data["metrics"]["exact-match"]["value"] == 1.0
    assert data["metrics"]["span-validity"]["value"] == 5 / 6  # the unreadable record counts
    assert (out_dir / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert f"wrote {out_dir / 'metrics.json'}" in err


def test_evaluate_one_metric_without_html(toy_sets, tmp_path, capsys):
    seeds = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(toy_sets["seeds"], seeds)
    code, out, err = run(
        [
            "evaluate",
            "-s",
            str(seeds),
            "--seeds",
            str(seeds),
            "-o",
            str(tmp_path / "r"),
            "--no-embeddings",
            "-m",
            "distinct-2",
            "--no-html",
        ],
        capsys,
    )
    assert code == 0, err
    data = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert list(data["metrics"]) == ["distinct-2"]
    assert not (tmp_path / "r" / "report.html").exists()


def test_missing_file_and_unknown_metric_are_usage_errors(toy_sets, tmp_path, capsys):
    seeds = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(toy_sets["seeds"], seeds)
    code, _, err = run(
        [
            "evaluate",
            "-s",
            str(tmp_path / "nope.jsonl"),
            "--seeds",
            str(seeds),
            "-o",
            str(tmp_path / "r"),
            "--no-embeddings",
        ],
        capsys,
    )
    assert code == 2 and "no such file" in err and "Traceback" not in err
    code, _, err = run(
        [
            "evaluate",
            "-s",
            str(seeds),
            "--seeds",
            str(seeds),
            "-o",
            str(tmp_path / "r"),
            "--no-embeddings",
            "-m",
            "self-bleux",
        ],
        capsys,
    )
    assert code == 2 and "did you mean 'self-bleu'" in err


def test_evaluate_judges_slots_with_the_oracle_and_names_the_files(tmp_path, capsys):
    from ..slots.helpers import slot_set

    files = {}
    for name, utts in (
        ("syn", slot_set(30, seed=4)),
        ("seeds", slot_set(12)),
        ("train", slot_set(160, seed=1)),
        ("test", slot_set(40, seed=2)),
    ):
        files[name] = tmp_path / f"{name}.jsonl"
        write_utterances_jsonl(utts, files[name])
    out_dir = tmp_path / "rep"
    code, out, err = run(
        [
            "evaluate", "-s", str(files["syn"]), "--seeds", str(files["seeds"]),
            "--reference", str(files["train"]), "--test", str(files["test"]),
            "--slot-tagger", "reference", "--no-embeddings", "--no-fluency",
            "-m", "slot-fidelity", "-m", "span-validity", "-o", str(out_dir),
        ],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "slot-fidelity" in out
    d = json.loads((out_dir / "metrics.json").read_text())
    sf = d["metrics"]["slot-fidelity"]
    assert sf["breakdown"]["tagger"]["kind"] == "reference" and sf["value"] > 0.9
    assert d["summary"]["inputs"]["reference"] == str(files["train"])
    assert str(files["syn"]) in (out_dir / "report.html").read_text()


def test_a_missing_tagger_file_is_a_clear_error(tmp_path, capsys):
    from ..slots.helpers import slot_set

    f = tmp_path / "s.jsonl"
    write_utterances_jsonl(slot_set(10), f)
    code, out, err = run(
        ["evaluate", "-s", str(f), "--seeds", str(f), "--no-embeddings",
         "--slot-tagger", str(tmp_path / "nope.json"), "-o", str(tmp_path / "r")],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert "no slot tagger file" in err and "Traceback" not in err
