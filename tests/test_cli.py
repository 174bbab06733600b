"""The qa command: help on every subcommand, indexing a folder, asking with citations and the start-up time printed,
and asking a running server instead."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import run_qa

from qa.cli import main
from qa.models import AskResult


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


@pytest.mark.slow
def test_ask_without_a_documents_folder_uses_the_packaged_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "Who heads Roscosmos?"]) == 0
    out = capsys.readouterr().out
    assert "Rogozin" in out and "sample_documents" in out
    assert (tmp_path / "index" / "store.sqlite").exists() and not (tmp_path / "documents").exists()


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
    from qa.cli import build_parser, settings_from
    from qa.remote import serve_record, write_record

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
