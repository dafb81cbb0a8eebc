"""``textsynth pii detect`` and ``scrub`` through the CLI (patterns only: --ner none)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from textsynth.cli import cli, main


def test_detect_and_scrub(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TEXTSYNTH_PII_KEY", "cli-test-key-0123456789")
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        json.dumps({"id": "a", "text": "mail me at a.b@example.org, card 4111 1111 1111 1111"})
        + "\n"
    )
    runner = CliRunner()
    spans = tmp_path / "spans.jsonl"
    r = runner.invoke(cli, ["pii", "detect", str(inp), "-o", str(spans), "--ner", "none"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in spans.read_text().splitlines()]
    assert [(x["record"], x["type"]) for x in rows] == [("a", "EMAIL"), ("a", "CREDIT_CARD")]
    assert "a.b@example.org" not in spans.read_text()
    out, vault = tmp_path / "out.jsonl", tmp_path / "v.vault"
    r = runner.invoke(
        cli,
        [
            "pii",
            "scrub",
            str(inp),
            "-o",
            str(out),
            "--ner",
            "none",
            "--vault",
            str(vault),
            "--report",
            str(tmp_path / "r.json"),
        ],
    )
    assert r.exit_code == 0, r.output
    text = json.loads(out.read_text())["text"]
    assert "a.b@example.org" not in text and text.startswith("mail me at ")
    email = text.split()[3].rstrip(",")
    r = runner.invoke(cli, ["pii", "reveal", email, "--type", "email", "--vault", str(vault)])
    assert r.output.strip() == "a.b@example.org"
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["by_type"] == {"EMAIL": 1, "CREDIT_CARD": 1} and report["records_out"] == 1


def test_bad_input_exits_2_with_location(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("TEXTSYNTH_PII_KEY", "cli-test-key-0123456789")
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"text": "ok"}\n{"text": \n')
    try:
        main(["pii", "scrub", str(inp), "-o", str(tmp_path / "o.jsonl"), "--ner", "none"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert "in.jsonl:2:" in err and "malformed JSON" in err
    assert not (tmp_path / "o.jsonl").exists()
