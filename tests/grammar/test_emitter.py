"""The fast path (generated code) against the plain interpreter, its off-switch and its dump."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from textsynth.grammar import expand, load_grammar
from textsynth.grammar.emitter import SpanRecord, dump_source
from textsynth.grammar.sample import IntentEngine

GRAMMAR_PKG = Path(__file__).resolve().parents[2] / "textsynth" / "grammar"


def test_interpreter_alone_gives_the_same_utterances():
    g = load_grammar("grammars/travel.tsg")
    for name, ci in g.intents.items():
        fast, plain = g.engine(name), IntentEngine(ci, codegen=False)
        assert fast.codegen and not plain.codegen
        for idx in range(0, fast.total, max(1, fast.total // 200)):
            assert fast.render(idx) == plain.render(idx)
            assert fast.render_json(idx) == plain.render_json(idx)
        assert not any(plain._real.fast.values())  # nothing was generated
    off = load_grammar("grammars/travel.tsg", codegen=False)
    name = next(iter(off.intents))
    assert not off.engine(name).codegen
    assert [u.text for u in expand(off, n=50, seed=2)] == [u.text for u in expand(g, n=50, seed=2)]


def test_env_switch_turns_generated_code_off_with_the_same_bytes(tmp_path):
    outs = []
    for switch in ("1", "0"):
        out = tmp_path / f"o{switch}.jsonl"
        env = {**os.environ, "TEXTSYNTH_GRAMMAR_CODEGEN": switch}
        code = (
            "import sys; from textsynth.grammar import load_grammar, generate_to_file;"
            "g = load_grammar('grammars/banking.tsg'); e = g.engine(next(iter(g.intents)));"
            "assert e.codegen == (sys.argv[2] == '1');"
            "generate_to_file(g, sys.argv[1], n=500, seed=3)"
        )
        subprocess.run([sys.executable, "-c", code, str(out), switch], check=True, env=env)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") == 500


def test_dump_shows_the_generated_function_of_each_rule():
    g = load_grammar("%[a]\n    hi @[who] there\n@[who]\n    Ann\n    Bob\n")
    src = dump_source(g)
    assert "# intent 'a', rule 0" in src and "def rule(i):" in src and "sp.append" in src
    compile(src.split("# K")[0], "<dump>", "exec")  # the dump is valid Python
    cli = subprocess.run(
        [sys.executable, "-m", "textsynth.grammar.dump", "grammars/travel.tsg"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert cli.stdout.count("def rule(i):") >= len(load_grammar("grammars/travel.tsg").intents)


def test_span_records_have_one_shape():
    g = load_grammar("%[a]\n    to @[c] now\n@[c]\n    [new york|paris]\n    x = y\n")
    eng = g.engine("a")
    for idx in range(eng.total):
        _, text, ents = eng.render(idx)
        assert all(isinstance(r, tuple) and len(r) == len(SpanRecord._fields) for r in ents)
    assert [(u.text, u.spans[0].value) for u in expand(g)][-1] == ("to x now", "y")


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
    return out


def test_grammar_modules_have_no_cycles_and_share_no_private_names():
    mods = {
        f"textsynth.grammar.{p.stem}": p for p in GRAMMAR_PKG.glob("*.py") if p.stem != "__init__"
    }
    graph: dict[str, set[str]] = {}
    for mod, path in mods.items():
        graph[mod] = set()
        for target, names in _imports(path):
            if target in mods:
                graph[mod].add(target)
                private = [n for n in names if n.startswith("_")]
                assert not private, f"{mod} imports private {private} from {target}"
            elif target == "textsynth.grammar":
                for n in names:
                    if f"textsynth.grammar.{n}" in mods:
                        graph[mod].add(f"textsynth.grammar.{n}")
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for t in graph[m]:
            assert state.get(t) != 1, "import cycle: " + " -> ".join([*stack, t])
            if t not in state:
                visit(t, [*stack, t])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [m])
    assert "textsynth.grammar.emitter" in graph and "textsynth.grammar.codegen" not in graph
