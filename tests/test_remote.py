"""Finding a running server through its serve file, and asking it: which server may answer, and what it says."""

from __future__ import annotations

import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from qa.app import remote
from qa.app.remote import Client, RemoteError, completed, local_sources, mismatch, serve_record
from qa.config import Settings


def alive(pid: int) -> bool:
    return True


def gone(pid: int) -> bool:
    return False


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(documents_dir=tmp_path / "documents", index_dir=tmp_path / "index")


def test_a_server_of_the_same_documents_store_and_settings_matches(settings, monkeypatch):
    record = serve_record(settings, "http://127.0.0.1:7860", auth=False)
    assert record.pid == os.getpid() and record.documents_dir == str(settings.documents_dir)
    assert mismatch(record, settings, None, alive) is None
    # what a question carries to the server may differ
    carried = settings.model_copy(update={"top_k": 9, "retrieval_mode": "bm25", "reader": "sentence"})
    assert mismatch(record, carried.model_copy(update={"min_confidence": 0.9}), None, alive) is None
    # the same folders named by relative paths
    monkeypatch.chdir(settings.documents_dir.parent)
    relative = settings.model_copy(update={"documents_dir": "documents", "index_dir": "index"})
    assert mismatch(record, relative, None, alive) is None


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        ({"documents_dir": "elsewhere"}, "it serves "),
        ({"index_dir": "other-index"}, "it answers from another store"),
        ({"store": "postgres", "store_url": "postgresql:///qa"}, "it answers from another store"),
        ({"answer_threshold": 1.5}, "its answer_threshold is not this command's"),
        ({"reader_model": "/my/reader"}, "its reader_model is not this command's"),
        ({"chunk_tokens": 100}, "its chunk_tokens is not this command's"),
    ],
)
def test_a_server_of_other_documents_store_or_settings_does_not(settings, update, reason):
    record = serve_record(settings, "http://127.0.0.1:7860", auth=False)
    assert reason in (mismatch(record, settings.model_copy(update=update), None, alive) or "")


def test_a_gone_process_another_machine_or_a_missing_sign_in_do_not_match(settings):
    record = serve_record(settings, "http://127.0.0.1:7860", auth=True, pid=4242)
    assert mismatch(record, settings, ("ada", "pw"), alive) is None
    assert mismatch(record, settings, ("ada", "pw"), gone) == "its process 4242 is gone"
    assert mismatch(record, settings, None, alive) == "it asks for a sign-in and QA_AUTH gives none"
    elsewhere = record.model_copy(update={"machine": "not-" + socket.gethostname()})
    assert mismatch(elsewhere, settings, ("ada", "pw"), alive).startswith("it runs on ")


def test_a_postgres_url_is_recorded_as_a_digest(settings):
    secret = settings.model_copy(update={"store": "postgres", "store_url": "postgresql://qa:secret@db/qa"})
    record = serve_record(secret, "http://127.0.0.1:7860", auth=False)
    assert "secret" not in record.model_dump_json() and record.store_location.startswith("sha256:")
    assert mismatch(record, secret, None, alive) is None


def test_the_file_is_written_read_and_removed_by_its_own_server_only(settings):
    record = serve_record(settings, "http://127.0.0.1:7860", auth=False)
    path = remote.write_record(record, settings.index_dir)
    assert remote.read_record(path) == record
    assert remote.running_server(settings, None) == record
    remote.remove_record(settings.index_dir, pid=record.pid + 1)  # another server's: kept
    assert path.exists()
    remote.remove_record(settings.index_dir)
    assert not path.exists() and remote.running_server(settings, None) is None
    path.write_text("{not json", encoding="utf-8")
    assert remote.read_record(path) is None and remote.running_server(settings, None) is None


def test_a_stale_file_names_a_process_that_is_gone(settings):
    remote.write_record(serve_record(settings, "http://127.0.0.1:1", auth=False, pid=2**22 + 1), settings.index_dir)
    assert not remote.process_alive(2**22 + 1) and remote.process_alive(os.getpid())
    assert remote.running_server(settings, None) is None


def test_the_answer_is_read_from_the_event_stream():
    stream = 'event: heartbeat\ndata: null\n\nevent: complete\ndata: [{"answer": "x"}]\n\n'
    assert completed(stream) == {"answer": "x"}
    with pytest.raises(RemoteError, match="could not answer"):
        completed('event: error\ndata: {"error": "empty"}\n\n')
    with pytest.raises(RemoteError, match="without an answer"):
        completed("event: heartbeat\ndata: null\n\n")


def test_sources_are_made_local_paths_below_the_documents_folder():
    result = {"citations": [{"source": "sub/a.txt"}], "passages": [{"source": "b.pdf", "passage": {}}], "x": 1}
    shown = local_sources(result, "docs")
    assert shown["citations"][0]["source"] == os.path.join("docs", "sub", "a.txt")
    assert shown["passages"][0]["source"] == os.path.join("docs", "b.pdf") and shown["x"] == 1


class FakeGradio(BaseHTTPRequestHandler):
    """Gradio's sign-in and queued API as ``Client`` uses them: a cookie, then /call/ask and its event stream."""

    seen: ClassVar[list[tuple[str, str, str]]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.seen.append(("POST", self.path, body))
        if self.path == "/login":
            ok = "password=pw" in body
            self.send_response(200 if ok else 400)
            if ok:
                self.send_header("Set-Cookie", "access-token-unsecure-x=t0k; HttpOnly; Path=/")
            self.end_headers()
        elif self.headers.get("Cookie") != "access-token-unsecure-x=t0k":
            self.send_response(401)
            self.end_headers()
        else:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"event_id": "e1"}')

    def do_GET(self):
        self.seen.append(("GET", self.path, ""))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b'event: complete\ndata: [{"answer": "Elna Kvist"}]\n\n')

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGradio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGradio.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_client_signs_in_then_asks_through_the_queue(fake_server):
    client = Client(fake_server, ("ada", "pw"))
    client.sign_in()
    assert client.ask("Who?", {"top_k": 5, "mode": "hybrid", "reader": "trained", "min_confidence": 0.2}) == {
        "answer": "Elna Kvist"
    }
    (_, _, login), (_, call, body), (_, stream, _) = FakeGradio.seen
    assert "username=ada" in login and call == "/gradio_api/call/ask" and stream == "/gradio_api/call/ask/e1"
    assert json.loads(body) == {"data": ["Who?", "", 5, "hybrid", "trained", None, 0.2, None]}
    with pytest.raises(RemoteError, match="refused the sign-in"):
        Client(fake_server, ("ada", "wrong")).sign_in()


def test_a_server_that_is_not_there_is_an_error_at_once():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RemoteError, match="did not answer"):
        Client(f"http://127.0.0.1:{port}").ask("Who?", {})
