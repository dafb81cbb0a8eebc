from __future__ import annotations

import pytest

from textsynth.errors import InputError, RecordError
from textsynth.io import atomic_write, read_text, read_utterances


def test_malformed_jsonl_line_names_file_line_and_column(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "ok", "intent": "a"}\n{"text": "bad" "intent"}\n')
    with pytest.raises(RecordError) as exc:
        list(read_utterances(p))
    assert f"{p}:2:" in str(exc.value)
    assert "malformed JSON" in str(exc.value)


def test_record_without_text_names_the_line(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "ok", "intent": "a"}\n\n{"intent": "b"}\n')
    with pytest.raises(
        RecordError, match=r"in.jsonl:3: record 3: record has no string field 'text'"
    ):
        list(read_utterances(p))


def test_on_error_collects_bad_lines_and_keeps_going(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "ok", "intent": "a"}\nnot json\n{"text": "fine", "intent": "b"}\n')
    bad = []
    good = list(read_utterances(p, on_error=lambda n, line, e: bad.append(n)))
    assert [u.text for u in good] == ["ok", "fine"] and bad == [2]


def test_non_utf8_bytes_are_located(tmp_path):
    p = tmp_path / "g.txt"
    p.write_bytes(b"line one\nab\xffc\n")
    with pytest.raises(InputError, match=r"g.txt:2:3: byte 0xff is not valid UTF-8"):
        read_text(p)


def test_atomic_write_leaves_old_file_on_crash(tmp_path):
    p = tmp_path / "out.txt"
    p.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(p) as fh:
        fh.write("half")
        raise RuntimeError("crash")
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_gives_the_usual_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "f.txt") as fh:
            fh.write("x")
    finally:
        os.umask(umask)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o644


def test_private_atomic_write_is_owner_only(tmp_path):
    import stat

    from textsynth.io import atomic_write

    with atomic_write(tmp_path / "secret", private=True) as fh:
        fh.write("x")
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600


def test_atomic_write_into_a_directory_names_it(tmp_path):
    from textsynth.errors import FileError
    from textsynth.io import atomic_write

    (tmp_path / "d").mkdir()
    with pytest.raises(FileError, match="d: is a directory") as info:
        with atomic_write(tmp_path / "d") as fh:
            fh.write("x")
    assert info.value.exit_code == 2 and info.value.hint
    assert list(tmp_path.iterdir()) == [tmp_path / "d"]


def test_a_failing_write_names_the_file_and_leaves_no_temp(tmp_path):
    import errno

    from textsynth.errors import FileError
    from textsynth.io import atomic_write

    with pytest.raises(FileError, match=r"out.txt: no space left on device") as info:
        with atomic_write(tmp_path / "out.txt") as fh:
            fh.write("x")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert info.value.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_check_distinct_refuses_the_same_file_under_two_names(tmp_path):
    from textsynth.errors import ConfigError
    from textsynth.io import check_distinct

    (tmp_path / "a").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "a")
    check_distinct(input=tmp_path / "a", output=tmp_path / "b", spans=None)
    with pytest.raises(ConfigError, match="input and output are the same file"):
        check_distinct(input=tmp_path / "a", output=tmp_path / "link")
