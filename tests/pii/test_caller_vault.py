"""Scrubbing a file leaves the caller's ``Pseudonymiser.vault`` alone; the file's vault holds
exactly that file's replacements."""

from __future__ import annotations

import pytest

from textsynth.pii import FakeNer, Pseudonymiser
from textsynth.pii.runner import FileJob, run_file
from textsynth.pii.vault import Vault

from .conftest import KEY, LEXICON


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("with_vault", [True, False])
def test_run_file_does_not_touch_the_callers_vault(tmp_path, workers, with_vault) -> None:
    ps = Pseudonymiser(key=KEY, ner=FakeNer(LEXICON), vault=with_vault)
    before = ps.scrub_text("write to m.okonkwo@gmail.com")
    own = ps.vault
    own_items = own.items() if own is not None else None
    inp = tmp_path / "in.txt"
    inp.write_text("call +44 20 7946 0958\nmail j.doe@example.org\n", encoding="utf-8")
    vault_path = tmp_path / "file.vault"
    run_file(
        FileJob(str(inp), str(tmp_path / "out.txt"), vault=str(vault_path), workers=workers),
        ps,
    )
    assert ps.vault is own  # not replaced
    assert (own.items() if own is not None else None) == own_items  # nor filled
    saved = Vault.load(vault_path, KEY).items()
    originals = sorted(o for _, _, o in saved)
    assert originals == ["+44 20 7946 0958", "j.doe@example.org"]  # the file's, not the caller's
    assert ps.scrub_text("write to m.okonkwo@gmail.com") == before
