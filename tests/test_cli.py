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
def test_a_pdf_answer_is_cited_with_its_page(tmp_path, capsys, write_pdf):
    from qa.documents import load_document
    from qa.models import AskResult

    documents = tmp_path / "docs"
    documents.mkdir()
    pdf = write_pdf(
        documents / "harbour-report.pdf",
        [
            ["Vellmark harbour report", "The harbour was dredged in the spring."],
            ["Fishing catches rose by a tenth over the year."],
            ["The Vellmark lighthouse keeper is Ragna Thorsen.", "She has kept the light since 2011."],
        ],
        title="Vellmark harbour report",
    )
    index = str(tmp_path / "index")
    assert main(["index", str(documents), "--index", index]) == 0
    capsys.readouterr()
    question = ["Who is the Vellmark lighthouse keeper?", "--documents", str(documents), "--index", index]
    assert main(["ask", *question]) == 0
    out = capsys.readouterr().out
    assert "Ragna Thorsen" in out and f"({pdf}, p. 3)" in out

    assert main(["ask", *question, "--json"]) == 0
    result = AskResult.model_validate_json(capsys.readouterr().out)
    citation = result.citations[0]
    assert "Ragna Thorsen" in result.answer and citation.page == 3 and citation.source == str(pdf)
    assert load_document(pdf).text[citation.start : citation.end] == citation.quote == result.answer


@pytest.mark.slow
def test_ask_without_a_documents_folder_uses_the_packaged_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "Who heads Roscosmos?"]) == 0
    out = capsys.readouterr().out
    assert "Rogozin" in out and "sample_documents" in out
    assert (tmp_path / "index" / "store.sqlite").exists() and not (tmp_path / "documents").exists()
