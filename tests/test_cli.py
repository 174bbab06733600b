"""The qa command: help on every subcommand, indexing a folder and asking with citations printed."""

from __future__ import annotations

import pytest

from qa.cli import main


@pytest.mark.parametrize("command", ["index", "ask", "eval", "train-reader", "serve"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        main([command, "--help"])
    assert stopped.value.code == 0
    assert f"usage: qa {command}" in capsys.readouterr().out


@pytest.mark.slow
def test_index_then_ask(tmp_path, capsys):
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "bridge.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    (documents / "empty.md").write_text("", encoding="utf-8")
    index = str(tmp_path / "index")
    assert main(["index", str(documents), "--index", index]) == 0
    captured = capsys.readouterr()
    assert "1 documents, 1 passages" in captured.out and "empty.md: no text" in captured.err

    assert main(["ask", "Who opened the Zorblat bridge?", "--documents", str(documents), "--index", index]) == 0
    out = capsys.readouterr().out
    assert "Answer: " in out and "Elna Kvist" in out and "bridge.txt" in out and "characters" in out

    assert main(["ask", "  ", "--documents", str(documents), "--index", index]) == 2
    assert "empty" in capsys.readouterr().err


@pytest.mark.slow
def test_ask_without_a_documents_folder_uses_the_packaged_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "Who heads Roscosmos?"]) == 0
    out = capsys.readouterr().out
    assert "Rogozin" in out and "sample_documents" in out
    assert (tmp_path / "index" / "store.sqlite").exists() and not (tmp_path / "documents").exists()
