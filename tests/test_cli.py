"""The qa command: help on every subcommand, indexing a folder, asking with citations and the start-up time printed,
and asking a running server instead."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import REPO, alternative, answered, citing, run_qa

from qa.app import cli
from qa.app.cli import main
from qa.errors import MissingError, OptionError, RemoteError, StoreBusy
from qa.models import AskResult


@pytest.mark.parametrize(
    "command",
    ["index", "add", "remove", "list", "ask", "collections", "cache", "eval", "train-reader", "serve", "postgres"],
)
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
    assert "1 document, 1 passage in " in captured.out and "empty.md: no text" in captured.err

    assert main(["ask", "Who opened the Zorblat bridge?", "--documents", str(documents), "--index", index]) == 0
    out = capsys.readouterr().out
    assert "Answer: " in out and "Elna Kvist" in out and "bridge.txt" in out and "characters" in out

    assert main(["ask", "  ", "--documents", str(documents), "--index", index]) == 2
    assert "empty" in capsys.readouterr().err

    # the flag reaches the sync (what a reread reads and embeds: tests/test_index.py); the same text embeds nothing
    assert main(["index", str(documents), "--index", index, "--reread"]) == 0
    assert "(0 added, 0 removed, 1 unchanged;" in capsys.readouterr().out


@pytest.mark.slow
def test_a_pdf_answer_is_cited_with_its_page(tmp_path, capsys, write_pdf):
    from qa.documents.loading import load_document

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
    shown = capsys.readouterr().out
    result = AskResult.model_validate_json(shown)
    assert set(json.loads(shown)["startup_ms"]) == {"imports", "embedder", "reader", "index"}
    citation = result.citations[0]
    assert "Ragna Thorsen" in result.answer and citation.page == 3 and citation.source == str(pdf)
    assert load_document(pdf).text[citation.start : citation.end] == citation.quote == result.answer


def test_a_citation_is_printed_with_its_section_and_page(tmp_path, monkeypatch, capsys):
    text = "2 Staff\n2.1 The lighthouse\nThe keeper is Ragna Thorsen."
    citation = citing(
        "Ragna Thorsen", text, title="Harbour report", source="/docs/report.pdf", page=4, section="2.1 The lighthouse"
    )
    result = AskResult(
        question="Who?", resolved_question="Who?", answer="Ragna Thorsen", score=9.0, citations=[citation]
    )
    monkeypatch.setattr("qa.app.cli.ask_locally", lambda *args: result)
    assert main(["ask", "Who?", "--local", "--documents", str(tmp_path), "--index", str(tmp_path / "index")]) == 0
    out = capsys.readouterr().out
    assert "from 'Harbour report' (/docs/report.pdf, § 2.1 The lighthouse, p. 4), passage d:0, characters 41-54" in out
    assert "[[Ragna Thorsen]]" in out
    plain = citation.model_copy(update={"section": None, "page": None, "source": "/docs/report.txt"})
    monkeypatch.setattr("qa.app.cli.ask_locally", lambda *args: result.model_copy(update={"citations": [plain]}))
    assert main(["ask", "Who?", "--local", "--documents", str(tmp_path), "--index", str(tmp_path / "index")]) == 0
    assert "from 'Harbour report' (/docs/report.txt), passage d:0" in capsys.readouterr().out


def test_ask_prints_the_alternatives_the_chat_shows(tmp_path, monkeypatch, capsys):
    text = "The budget for the garden party is 300 pounds."
    near = [alternative("300 pounds.", 8.5, 0.86), alternative("300", 4.0, 0.59)]
    result = answered("300 pounds", 9.0, 0.92, *near, citations=[citing("300 pounds", text)])
    monkeypatch.setattr("qa.app.cli.ask_locally", lambda *args: result)
    assert main(["ask", "What is the budget?", "--local", "--documents", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "alternative: 300    (confidence 59%)" in out and "alternative: 300 pounds." not in out


@pytest.mark.slow
def test_ask_without_a_documents_folder_uses_the_packaged_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "Who heads Roscosmos?"]) == 0
    out = capsys.readouterr().out
    assert "Rogozin" in out and "sample_documents" in out
    assert list((tmp_path / "index").rglob("store.sqlite")) and not (tmp_path / "documents").exists()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["local", "postgres"])
def test_asking_from_a_folder_without_documents_never_replaces_an_index(
    tmp_path, monkeypatch, capsys, backend, request
):
    papers, elsewhere = tmp_path / "papers", tmp_path / "elsewhere"
    for folder, name, text in [
        (papers, "bridge.txt", "The Zorblat bridge was opened in 1987 by mayor Elna Kvist."),
        (papers, "harbour.txt", "The harbour of Veltrup handles 12,000 ships a year."),
        (tmp_path / "other", "note.txt", "The Quorn lighthouse is painted green."),
    ]:
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    place = ["--index", str(tmp_path / "index")]
    if backend == "postgres":
        monkeypatch.setenv("QA_STORE", "postgres")
        monkeypatch.setenv("QA_STORE_URL", request.getfixturevalue("postgres_database"))
        place = []
    assert main(["index", str(papers), *place]) == 0
    assert main(["ask", "Who opened the Zorblat bridge?", "--local", *place]) == 0
    out = capsys.readouterr().out
    assert "Elna Kvist" in out and "sample_documents" not in out
    assert main(["ask", "What colour is the Quorn lighthouse?", "--documents", str(tmp_path / "other"), *place]) == 0
    assert "green" in capsys.readouterr().out
    assert main(["collections", *place]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'other'}: 1 document, 1 passage",
        f"{papers}: 2 documents, 2 passages",
    ]
    assert main(["ask", "Who opened the Zorblat bridge?", "--local", *place]) == 2
    assert "holds 2 collections" in capsys.readouterr().err
    assert not (elsewhere / "documents").exists() and not (elsewhere / "index").exists()


@pytest.mark.slow
def test_index_refuses_to_empty_a_collection_unless_pruned_and_names_what_it_removed(tmp_path, capsys):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "bridge.txt").write_text("The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8")
    (papers / "harbour.txt").write_text("The harbour of Veltrup handles 12,000 ships a year.", encoding="utf-8")
    index = ["--index", str(tmp_path / "index")]
    assert main(["index", str(papers), *index]) == 0
    (papers / "harbour.txt").unlink()
    assert main(["index", str(papers), *index]) == 0
    assert f"removed {papers / 'harbour.txt'}: its file was deleted or can no longer be read" in capsys.readouterr().out
    (papers / "bridge.txt").unlink()
    assert main(["index", str(papers), *index]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {papers} is empty but its collection holds 1 document; pass --prune to remove them"
    )
    assert main(["index", str(papers), "--prune", *index]) == 0
    assert "0 documents, 0 passages" in capsys.readouterr().out


# ------------------------------------------------------------------------- start-up time and a running server

START_LINE = re.compile(
    r"^\(start \d+ ms: python \d+, imports \d+, embedder \d+, reader \d+, index \d+; "
    r"resolve \d+ ms, retrieve \d+ ms, read \d+ ms, total \d+ ms\)$"
)


@pytest.mark.slow
def test_ask_prints_its_start_up_time_in_parts(tmp_path):
    done = run_qa("ask", "Who heads Roscosmos?", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert START_LINE.match(last), last
    parts = [int(n) for n in re.findall(r"(?:python|imports|embedder|reader|index) (\d+)", last)]
    assert sum(parts) - 5 <= int(re.search(r"start (\d+) ms", last)[1]) <= sum(parts) + 5


def answer_json(source: str) -> dict:
    """An AskResult as a server's /ask gives it (its source relative to the documents folder)."""
    passage = "The Zorblat bridge was opened in 1987 by mayor Elna Kvist."
    citation = {
        "document_id": "d1",
        "title": "Zorblat",
        "source": source,
        "passage_id": "d1:0",
        "start": 47,
        "end": 57,
        "quote": "Elna Kvist",
        "passage_text": passage,
        "passage_start": 0,
        "passage_end": len(passage),
    }
    return {
        "question": "Who opened the Zorblat bridge?",
        "resolved_question": "Who opened the Zorblat bridge?",
        "answer": "Elna Kvist",
        "score": 9.5,
        "confidence": 0.91,
        "citations": [citation],
        "timings_ms": {"resolve": 0.1, "retrieve": 12.0, "read": 40.0, "total": 52.1},
    }


class RecordingServer(BaseHTTPRequestHandler):
    """Answers Gradio's queued /ask as the served app does, with one fixed answer; remembers every request."""

    requests: ClassVar[list[str]] = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"event_id": "e1"}')

    def do_GET(self):
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(f"event: complete\ndata: {json.dumps([answer_json('bridge.txt')])}\n\n".encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def recording_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    RecordingServer.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def bridge(tmp_path):
    """A documents folder with one file, and the flags that name it and an index beside it."""
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "bridge.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    return ["--documents", str(documents), "--index", str(tmp_path / "index")]


def announce(flags: list[str], url: str, pid: int) -> None:
    """Write the serve file a server of these flags' settings writes, as process ``pid``, listening on ``url``."""
    from qa.app.cli import build_parser, settings_from
    from qa.app.remote import serve_record, write_record

    settings = settings_from(build_parser().parse_args(["ask", "?", *flags]))
    write_record(serve_record(settings, url, auth=False, pid=pid), settings.index_dir)


def test_ask_asks_a_running_server_of_the_same_documents(bridge, recording_server, capsys):
    announce(bridge, recording_server, os.getpid())
    assert main(["ask", "Who opened the Zorblat bridge?", *bridge]) == 0
    out = capsys.readouterr().out
    assert RecordingServer.requests == ["/gradio_api/call/ask", "/gradio_api/call/ask/e1"]
    assert "Answer: Elna Kvist    (confidence 91%)" in out
    assert f"({Path(bridge[1]) / 'bridge.txt'}), passage d1:0, characters 47-57" in out
    assert f"; asked the running server at {recording_server} in " in out
    assert out.rstrip().endswith("ms: resolve 0 ms, retrieve 12 ms, read 40 ms, total 52 ms)")
    assert "embedder" not in out  # no model was loaded

    assert main(["ask", "Who opened the Zorblat bridge?", *bridge, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["server"] == recording_server and set(shown["startup_ms"]) == {"imports"}
    assert AskResult.model_validate(shown).citations[0].source == str(Path(bridge[1]) / "bridge.txt")


@pytest.mark.slow
def test_a_stale_serve_file_is_not_asked(bridge, recording_server, capsys):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    announce(bridge, recording_server, gone.pid)
    assert main(["ask", "Who opened the Zorblat bridge?", *bridge]) == 0
    out = capsys.readouterr().out
    assert RecordingServer.requests == [] and "asked the running server" not in out
    assert "Elna Kvist" in out and "embedder" in out.splitlines()[-1]


@pytest.mark.slow
def test_ask_delegates_to_the_served_app_with_the_same_answer(server, documents, web_users):
    flags = ["--documents", documents, "--index", documents.parent / "index"]
    question = "What did Lavrov warn about?"
    user, password = next(iter(web_users.items()))
    asked = run_qa("ask", question, *flags, cwd=documents.parent, env={"QA_AUTH": f"{user}:{password}"})
    here = run_qa("ask", question, *flags, "--local", cwd=documents.parent)
    assert asked.returncode == here.returncode == 0, asked.stderr[-2000:] + here.stderr[-2000:]
    assert f"; asked the running server at {server} in " in asked.stdout.splitlines()[-1]
    assert "asked the running server" not in here.stdout

    def answer_and_citations(out: str) -> list[str]:
        return out.split("\n\n  alternative:")[0].strip().splitlines()

    assert answer_and_citations(asked.stdout) == answer_and_citations(here.stdout)
    assert answer_and_citations(asked.stdout)[0].startswith("Answer: ")


def answer_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("Answer: "))


@pytest.mark.slow
def test_a_backup_restored_into_a_new_index_answers_the_same_and_embeds_only_what_changed(tmp_path, capsys):
    import shutil

    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "bridge.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    (documents / "tower.txt").write_text("The Quillon tower was built in 1902 by Bram Osk.", encoding="utf-8")
    index, restored, backup = tmp_path / "index", tmp_path / "restored", tmp_path / "index.backup"
    ask = ["ask", "Who opened the Zorblat bridge?", "--documents", str(documents), "--local", "--index"]
    assert main(["index", str(documents), "--index", str(index)]) == 0
    assert main([*ask, str(index)]) == 0
    answered = answer_line(capsys.readouterr().out)
    assert main(["index", str(documents), "--index", str(index), "--backup", str(backup)]) == 0
    done = capsys.readouterr().out.strip()
    assert done.startswith(f"backed up {index}") and done.endswith(f" to {backup}")
    assert main(["index", str(documents), "--index", str(index), "--backup", str(backup)]) == 3
    assert capsys.readouterr().err.strip() == f"error: {backup} exists already: remove it or choose another backup file"
    (documents / "tower.txt").write_text("The Quillon tower was built in 1903 by Bram Osk.", encoding="utf-8")
    shutil.rmtree(index)

    assert main(["index", str(documents), "--index", str(restored), "--restore", str(backup)]) == 0
    done = capsys.readouterr().out.strip()
    assert done.startswith(f"restored {backup} into {restored}")
    assert done.endswith(": 2 documents, 2 passages; 'qa index' embeds what changed since the backup")
    assert main(["index", str(documents), "--index", str(restored)]) == 0
    assert "(1 added, 1 removed, 1 unchanged; 1 passage embedded in " in capsys.readouterr().out
    assert main([*ask, str(restored)]) == 0
    assert answer_line(capsys.readouterr().out) == answered


@pytest.mark.slow
def test_index_verify_finds_vectors_of_another_model_and_repair_re_embeds_them(tmp_path, capsys):
    import numpy as np

    from qa.pipeline import QA
    from qa.store.protocol import DocumentWrite

    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "bridge.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    place = [str(documents), "--index", str(tmp_path / "index")]
    assert main(["index", *place]) == 0
    store = QA(documents_dir=documents, index_dir=tmp_path / "index").store
    [stored] = store.documents()
    document = store.get_documents([stored.id])[stored.id]
    passages = list(store.get_passages([f"{stored.id}:0"]).values())
    other = np.random.default_rng(0).normal(size=(1, 384)).astype(np.float32)
    store.write([DocumentWrite(document, passages, other / np.linalg.norm(other), stored.size, stored.mtime)])
    capsys.readouterr()
    assert main(["index", *place, "--verify"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"damaged: document {stored.id} ({documents / 'bridge.txt'}): 1 of 1 sampled vectors do not match the "
        "embedding model; 'qa index --repair' re-embeds it",
        "1 problem; 'qa index --repair' rebuilds what is damaged",
    ]
    assert main(["index", *place, "--repair"]) == 0
    out = capsys.readouterr().out
    assert (
        "repaired: dropped 1 document whose vectors do not match the embedding model; indexing the folder embeds "
        "them again"
    ) in out.splitlines()
    assert "(1 added, 0 removed, 0 unchanged; 1 passage embedded in " in out
    assert main(["index", *place, "--verify"]) == 0


# ------------------------------------------------------------------------- documents: qa add, qa remove, qa list


@pytest.fixture
def qa_here(monkeypatch, capsys, embedder):
    """``qa ARGS`` in this process, its engines on the session's embedding model: (exit code, stdout, stderr)."""
    from qa.app.cli import settings_from
    from qa.pipeline import QA

    def engine_from(args):
        return QA(settings=settings_from(args), embedder=embedder, index_embedder=embedder)

    monkeypatch.setattr("qa.app.cli.engine_from", engine_from)

    def run(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def broken_pdf(path: Path, write_pdf) -> Path:
    """A PDF cut in the middle (as a download that stopped)."""
    whole = write_pdf(path.with_suffix(".whole"), [["The Plimbo lighthouse stands on the cape."]] * 3)
    data = whole.read_bytes()
    whole.unlink()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.slow
def test_index_says_each_skipped_file_once_and_its_summary_once_in_the_singular(tmp_path, qa_here, caplog, write_pdf):
    documents = tmp_path / "docs"
    (documents / "bad").mkdir(parents=True)
    (documents / "bridge.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    (documents / "bad" / "program.bin").write_bytes(b"\x7fELF\x00")
    broken_pdf(documents / "cut.pdf", write_pdf)
    caplog.set_level(logging.INFO)
    code, out, err = qa_here("index", documents, "--index", tmp_path / "index")
    assert code == 0, err
    [summary] = out.splitlines()  # printed once, not logged too
    assert summary.startswith(f"{documents}: 1 document, 1 passage in {tmp_path / 'index'}")
    assert " (1 added, 0 removed, 0 unchanged; 1 passage embedded in " in summary
    assert re.findall(r"skipped [^\r\n]*", err) == [  # each once (the progress bar may share their line)
        f"skipped {documents / 'bad' / 'program.bin'}: unsupported file type '.bin'",
        f"skipped {documents / 'cut.pdf'}: broken PDF (Stream has ended unexpectedly)",
    ]
    assert not [r for r in caplog.records if r.name == "pypdf" or "index updated" in r.getMessage()]


@pytest.mark.slow
def test_add_list_and_remove_documents(tmp_path, qa_here, monkeypatch, write_pdf):
    monkeypatch.chdir(tmp_path)
    documents, elsewhere = tmp_path / "docs", tmp_path / "downloads"
    documents.mkdir()
    elsewhere.mkdir()
    (documents / "bridge.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    (documents / "notes.bin").write_bytes(b"\x00\x01")
    (elsewhere / "tower.txt").write_text("The Quillon tower was built in 1902 by Bram Osk.", encoding="utf-8")
    (elsewhere / "bridge-copy.txt").write_text(
        "The Zorblat bridge was opened in 1987 by mayor Elna Kvist.", encoding="utf-8"
    )
    (elsewhere / "photo.png").write_bytes(b"\x89PNG")
    place = ["--documents", "docs", "--index", "index"]

    code, out, err = qa_here("add", elsewhere / "tower.txt", elsewhere / "bridge-copy.txt", *place)
    assert code == 0, err
    assert out.splitlines() == [
        "added tower.txt: “The Quillon tower was built in 1902 by Bram Osk.” (1 passage)",
        f"already indexed: {elsewhere / 'bridge-copy.txt'} has the same text as bridge.txt",
    ]
    assert sorted(p.name for p in documents.iterdir()) == ["bridge.txt", "notes.bin", "tower.txt"]  # no copy kept
    code, out, err = qa_here("add", elsewhere / "tower.txt", elsewhere / "photo.png", *place)
    assert code == 1
    assert out.splitlines() == ["already indexed tower.txt: “The Quillon tower was built in 1902 by Bram Osk.”"]
    assert err.startswith(f"skipped {elsewhere / 'photo.png'}: unsupported file type '.png' (supported: ")

    code, out, err = qa_here("remove", "docs/bridge.txt", *place)
    assert (code, err) == (0, "")
    assert out.strip() == (
        "removed bridge.txt (“The Zorblat bridge was opened in 1987 by mayor Elna Kvist.”) from the index; its file "
        "stays in docs and stays out of the index (qa add docs/bridge.txt to index it again)"
    )
    assert (documents / "bridge.txt").exists()
    code, out, err = qa_here("list", *place)
    assert code == 0, err
    tower = next(line for line in out.splitlines() if "tower.txt" in line).split()[0]
    assert [line.split() for line in out.splitlines()] == [
        ["ID", "TITLE", "FILE", "PASSAGES", "STATUS"],
        ["-", "-", "bridge.txt", "-", "removed", "by", "you"],
        ["-", "-", "notes.bin", "-", "skipped:", "unsupported", "file", "type", "'.bin'"],
        [tower, *"The Quillon tower was built in 1902 by Bram Osk. tower.txt 1 indexed".split()],
        [*"docs: 1 document indexed (1 passage), 1 removed by you, 1 skipped".split()],
    ]
    code, out, err = qa_here("index", *place)
    assert (
        f"skipped {Path('docs') / 'bridge.txt'}: removed from the index by you (qa add FILE to index it again)" in err
    )

    code, out, err = qa_here("add", "docs/bridge.txt", *place)  # back in place, not copied
    assert (code, err) == (0, "")
    assert out.strip() == "added bridge.txt: “The Zorblat bridge was opened in 1987 by mayor Elna Kvist.” (1 passage)"
    assert sorted(p.name for p in documents.iterdir()) == ["bridge.txt", "notes.bin", "tower.txt"]

    (documents / "tower.txt").write_text("The Quillon tower was built in 1903 by Bram Osk.", encoding="utf-8")
    monkeypatch.setenv("QA_STORE_READ_ONLY", "1")
    code, out, err = qa_here("list", *place)
    assert code == 0 and "the list is the index as it is" in err
    assert next(line for line in out.splitlines() if "tower.txt" in line).endswith("1         changed since indexed")
    monkeypatch.delenv("QA_STORE_READ_ONLY")

    assert qa_here("remove", tower, "--delete-file", *place)[:2] == (
        0,
        "removed tower.txt (“The Quillon tower was built in 1902 by Bram Osk.”) from the index and deleted its file\n",
    )
    assert not (documents / "tower.txt").exists()
    assert qa_here("remove", "docs/tower.txt", *place)[::2] == (
        2,
        "error: No indexed document has the id or file 'docs/tower.txt'.\n",
    )
    assert qa_here("remove", "docs/notes.bin", *place)[::2] == (
        2,
        "error: No indexed document has the id or file 'docs/notes.bin'.\n",
    )


def test_a_failed_index_of_a_missing_folder_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["index", str(tmp_path / "nonexistent"), "--index", "x-index"]) == 2
    assert capsys.readouterr().err == f"error: documents folder not found: {tmp_path / 'nonexistent'}\n"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------ qa postgres


def test_stopping_a_postgres_server_that_is_not_running_says_so_and_starts_nothing(tmp_path, capsys):
    assert main(["postgres", "stop", "--data", str(tmp_path / "pg")]) == 0
    assert capsys.readouterr().out == f"the PostgreSQL server of {tmp_path / 'pg'} was not running\n"
    assert not (tmp_path / "pg").exists()


@pytest.mark.slow
def test_postgres_start_stop_and_stop_again(capsys):
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="qa-postgres-"))  # (not under pytest's folders: see postgres_server)
    data = folder / "data"
    try:
        assert main(["postgres", "start", "--data", str(data), "--quiet"]) == 0
        assert capsys.readouterr().out.startswith("postgresql://")
        assert main(["postgres", "stop", "--data", str(data)]) == 0
        assert capsys.readouterr().out == f"stopped the PostgreSQL server of {data}\n"
        assert main(["postgres", "stop", "--data", str(data)]) == 0
        assert capsys.readouterr().out == f"the PostgreSQL server of {data} was not running\n"
        url = f"postgresql://postgres:@/postgres?host={data}"
        assert main(["collections", "--store", "postgres", "--store-url", url]) == 3
        assert capsys.readouterr().err.strip().endswith(f"; is the server running? (qa postgres start --data {data})")
    finally:
        from qa.store.postgres.server import stop_embedded

        stop_embedded(data)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("embedded", [True, False], ids=["embedded-data-folder", "another-socket-folder"])
def test_a_postgres_server_that_is_not_running_is_said_so(tmp_path, capsys, monkeypatch, embedded):
    from qa.store.protocol import StoreUnavailable, open_store

    socket_folder = tmp_path / "pg"
    socket_folder.mkdir()
    if embedded:
        (socket_folder / "PG_VERSION").write_text("18\n")
    url = f"postgresql://postgres:@/postgres?host={socket_folder}"
    hint = (
        f"; is the server running? (qa postgres start --data {socket_folder})"
        if embedded
        else "; is the server running?"
    )
    monkeypatch.setenv("QA_STORE", "postgres")
    monkeypatch.setenv("QA_STORE_URL", url)
    for command in (["collections"], ["list"]):
        assert main(command) == 3
        error = capsys.readouterr().err
        assert error.startswith("error: cannot open the store at ") and error.endswith(
            f"No such file or directory{hint}\n"
        )
    with pytest.raises(StoreUnavailable) as raised:
        open_store("postgres", url)
    assert str(raised.value).endswith(hint)


def broken_engine(error: Exception):
    """An engine factory for the commands that raises ``error`` (as a bug, or a refusal, inside a command would)."""

    def engine_from(args):
        raise error

    return engine_from


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OptionError("top_k must be an integer from 1 to 100, not 0."), 2),
        (StoreBusy("the index in idx is busy"), 3),
        (RemoteError("http://127.0.0.1:1 did not answer"), 2),
        (MissingError("documents folder not found: docs"), 2),
        (FileNotFoundError("no such file: questions.jsonl"), 2),
    ],
    ids=["request", "store", "remote", "missing", "file"],
)
def test_a_refusal_of_qa_is_one_line_without_a_traceback(monkeypatch, capsys, error, status):
    monkeypatch.setattr(cli, "engine_from", broken_engine(error))
    assert main(["list"]) == status
    assert capsys.readouterr().err == f"error: {error}\n"
    assert main(["-v", "list"]) == status  # the same with -v: it is no bug
    assert capsys.readouterr().err.endswith(f"error: {error}\n")


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (KeyError("passage_id"), "KeyError: 'passage_id'"),
        (ValueError("too many values to unpack\n(expected 2)"), "ValueError: too many values to unpack"),
        (AttributeError(), "AttributeError: "),
    ],
    ids=["key", "value", "no-message"],
)
def test_a_bug_is_one_line_that_says_so_and_its_traceback_comes_with_v(monkeypatch, capsys, error, line):
    monkeypatch.setattr(cli, "engine_from", broken_engine(error))
    assert main(["list"]) == 2
    assert capsys.readouterr().err == f"internal error: {line} (run with -v for the traceback)\n"
    assert main(["-v", "list"]) == 2
    shown = capsys.readouterr().err
    assert shown.startswith("Traceback (most recent call last):\n") and "in command_list\n" in shown
    assert f"\n{type(error).__name__}" in shown and "internal error" not in shown


ENVIRONMENT_WRITES = ("setdefault", "update", "pop", "popitem", "clear", "__setitem__", "__delitem__")


def writes_environment(node) -> bool:
    """Whether an AST node writes ``os.environ`` (a method that changes it, an item set or deleted) or calls
    ``os.putenv``/``os.unsetenv``."""
    import ast

    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.putenv", "os.unsetenv"):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ENVIRONMENT_WRITES:
        return ast.unparse(node.func.value) == "os.environ"
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Store | ast.Del)
        and (ast.unparse(node.value) == "os.environ")
    )


def test_only_the_command_line_writes_the_process_environment():
    import ast

    writers = []
    for path in sorted((REPO / "qa").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for node in filter(writes_environment, ast.walk(tree)):
            around = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
            innermost = max(around, key=lambda f: f.lineno, default=None)
            writers.append(f"{path.stem}.{innermost.name if innermost else '<module>'}")
    assert writers == ["cli.main"] * 3, writers  # the entry point, which owns its process


def test_a_command_closes_the_engine_it_opened(tmp_path, monkeypatch, capsys):
    from qa.pipeline import QA

    closed = []
    close = QA.close

    def recorded(engine: QA) -> None:
        closed.append(engine)
        close(engine)

    monkeypatch.setattr(QA, "close", recorded)
    (tmp_path / "documents").mkdir()
    assert main(["list", "--documents", str(tmp_path / "documents"), "--index", str(tmp_path / "index")]) == 0
    assert len(closed) == 1 and closed[0]._closed
