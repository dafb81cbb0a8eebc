"""The CLI shell: exit codes, messages without tracebacks, convert."""

from __future__ import annotations

from textsynth.cli import main


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_commands(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "convert" in out


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run(["frobnicate"], capsys)
    assert code == 2 and "No such command" in err


def test_convert_jsonl_to_rasa_yaml(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"text": "fly to Paris", "intent": "book", '
        '"entities": [{"start": 7, "end": 12, "label": "city", "value": "Paris"}]}\n'
    )
    code, _, err = run(["convert", str(src), str(tmp_path / "nlu.yml")], capsys)
    assert code == 0, err
    assert "[Paris](city)" in (tmp_path / "nlu.yml").read_text()


def test_bad_record_exits_2_with_location_and_no_traceback(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "x", "intent": "a"}\n{"text": 5}\n')
    code, _, err = run(["convert", str(src), str(tmp_path / "out.yml")], capsys)
    assert code == 2
    assert f"{src}:2: record 2: record has no string field 'text'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.yml").exists()  # atomic: nothing half-written
