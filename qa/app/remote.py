"""A running ``qa serve`` found through the file it writes beside the index, and asked over HTTP (standard library)."""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import socket
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from qa.config import Settings
from qa.errors import RemoteError
from qa.store.protocol import location_setting

log = logging.getLogger(__name__)

SERVE_FILE = "serve.json"
CONNECT_TIMEOUT_S = 2.0  # a server that does not accept a connection in this time is not asked
ANSWER_TIMEOUT_S = 60.0  # nor one that does not answer in this time (it may be queueing other questions)
# Settings a question carries to the server (the API's options); every other setting must be the server's own.
PER_QUESTION = ("top_k", "retrieval_mode", "reader", "min_confidence")
# Settings compared as places (the folders as absolute paths, the database by a digest of its URL).
PLACES = ("documents_dir", "index_dir", "store", "store_url")


class ServeRecord(BaseModel):
    """What a running ``qa serve`` writes to ``<index_dir>/serve.json`` while it serves, so that ``qa ask`` can ask it."""

    pid: int
    machine: str
    url: str
    documents_dir: str
    store: str
    store_location: str
    auth: bool
    settings: dict[str, Any]


def store_location(settings: Settings) -> str:
    """Where the store is: the index folder, absolute; for a store located by URL (PostgreSQL) a digest of the URL
    (which may hold a password)."""
    if location_setting(settings.store) == "store_url":
        return "sha256:" + hashlib.sha256(settings.store_url.encode()).hexdigest()
    return os.path.abspath(settings.index_dir)


def answer_settings(settings: Settings) -> dict[str, Any]:
    """The settings that shape an answer and that a question cannot carry: a server answers as this command would
    when they are equal."""
    return settings.model_dump(mode="json", exclude=set(PER_QUESTION + PLACES))


def serve_record(settings: Settings, url: str, auth: bool, pid: int | None = None) -> ServeRecord:
    """The record of a server of ``settings`` listening on ``url``."""
    return ServeRecord(
        pid=os.getpid() if pid is None else pid,
        machine=socket.gethostname(),
        url=url,
        documents_dir=os.path.abspath(settings.documents_dir),
        store=settings.store,
        store_location=store_location(settings),
        auth=auth,
        settings=answer_settings(settings),
    )


def mismatch(
    record: ServeRecord, settings: Settings, credentials: tuple[str, str] | None, alive: Callable[[int], bool]
) -> str | None:
    """Why the server of ``record`` cannot answer for ``settings`` (None when it can): another machine, a process
    that is gone, other documents, another store, other settings, or a sign-in without ``credentials``."""
    if record.machine != socket.gethostname():
        return f"it runs on {record.machine}"
    if not alive(record.pid):
        return f"its process {record.pid} is gone"
    if record.documents_dir != os.path.abspath(settings.documents_dir):
        return f"it serves {record.documents_dir}"
    if (record.store, record.store_location) != (settings.store, store_location(settings)):
        return "it answers from another store"
    differ = sorted(k for k, v in answer_settings(settings).items() if record.settings.get(k, v) != v)
    differ += sorted(set(record.settings) - set(answer_settings(settings)))
    if differ:
        return f"its {differ[0]} is not this command's"
    if record.auth and credentials is None:
        return "it asks for a sign-in and QA_AUTH gives none"
    return None


def process_alive(pid: int) -> bool:
    """Whether a process of that id is running (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, OSError):
        return False
    return True


def write_record(record: ServeRecord, index_dir: Path) -> Path:
    """Write the record to ``index_dir/serve.json`` at once (a reader sees the old file or the new one)."""
    path = Path(index_dir) / SERVE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{SERVE_FILE}.{record.pid}")
    temporary.write_text(record.model_dump_json(indent=2), encoding="utf-8")
    os.replace(temporary, path)
    return path


def remove_record(index_dir: Path, pid: int | None = None) -> None:
    """Remove ``index_dir/serve.json`` if it is this process's (another server may have written its own since)."""
    path = Path(index_dir) / SERVE_FILE
    record = read_record(path)
    if record is not None and record.pid == (os.getpid() if pid is None else pid):
        path.unlink(missing_ok=True)


def read_record(path: Path) -> ServeRecord | None:
    """The record in ``path``; None when there is none or it cannot be read."""
    try:
        return ServeRecord.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


def running_server(
    settings: Settings, credentials: tuple[str, str] | None, alive: Callable[[int], bool] = process_alive
) -> ServeRecord | None:
    """The record of a running server that answers as a local engine of ``settings`` would; None when there is none
    (the reason is logged)."""
    path = Path(settings.index_dir) / SERVE_FILE
    record = read_record(path)
    if record is None:
        return None
    reason = mismatch(record, settings, credentials, alive)
    if reason:
        log.info("not asking the server in %s: %s", path, reason)
        return None
    return record


class Client:
    """Asks a server's ``/ask`` API through Gradio's queue, as its own page does (signed in when it asks for it)."""

    def __init__(self, url: str, credentials: tuple[str, str] | None = None):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise RemoteError(f"{url} is not an http:// address")
        self.url = url
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.credentials = credentials
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = "application/json"
    ) -> tuple[int, dict[str, list[str]], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=CONNECT_TIMEOUT_S)
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(ANSWER_TIMEOUT_S)
            headers = {"Content-Type": content_type} if body is not None else {}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            found: dict[str, list[str]] = {}
            for name, value in response.getheaders():
                found.setdefault(name.lower(), []).append(value)
            return response.status, found, response.read()
        except (OSError, http.client.HTTPException) as error:
            raise RemoteError(f"{self.url} did not answer ({error or type(error).__name__})") from None
        finally:
            connection.close()

    def sign_in(self) -> None:
        if self.credentials is None:
            return
        user, password = self.credentials
        form = urllib.parse.urlencode({"username": user, "password": password}).encode()
        status, headers, _ = self.request("POST", "/login", form, "application/x-www-form-urlencoded")
        if status != 200:
            raise RemoteError(f"{self.url} refused the sign-in of QA_AUTH's {user!r} (HTTP {status})")
        for line in headers.get("set-cookie", []):
            name, _, value = line.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()

    def ask(self, question: str, options: dict[str, Any]) -> dict[str, Any]:
        """The server's answer to ``question`` (its AskResult as JSON, sources relative to its documents folder)."""
        data = [
            question,
            "",
            options.get("top_k"),
            options.get("mode"),
            options.get("reader"),
            None,
            options.get("min_confidence"),
            None,  # the server's own collection (its settings equal this command's: see ``mismatch``)
        ]
        status, _, body = self.request("POST", "/gradio_api/call/ask", json.dumps({"data": data}).encode())
        if status != 200:
            raise RemoteError(f"{self.url} refused the question (HTTP {status})")
        try:
            event_id = json.loads(body)["event_id"]
        except (ValueError, KeyError, TypeError):
            raise RemoteError(f"{self.url} gave no event id for the question") from None
        status, _, body = self.request("GET", f"/gradio_api/call/ask/{urllib.parse.quote(str(event_id))}")
        if status != 200:
            raise RemoteError(f"{self.url} gave no answer (HTTP {status})")
        return completed(body.decode("utf-8", errors="replace"), self.url)


def completed(stream: str, url: str = "the server") -> dict[str, Any]:
    """The result in a Gradio event stream (``event: complete`` then ``data: [result]``); RemoteError otherwise."""
    event = None
    for line in stream.splitlines():
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:") and event in ("complete", "error"):
            payload = line.removeprefix("data:").strip()
            if event == "error":
                raise RemoteError(f"{url} could not answer: {payload[:200]}")
            try:
                outputs = json.loads(payload)
            except ValueError:
                raise RemoteError(f"{url} sent an answer that is not JSON") from None
            if isinstance(outputs, list) and outputs and isinstance(outputs[0], dict):
                return outputs[0]
            raise RemoteError(f"{url} sent an answer of another shape")
    raise RemoteError(f"{url} ended without an answer")


def local_sources(result: dict[str, Any], documents_dir: str | Path) -> dict[str, Any]:
    """The server's result with each "source" (relative to its documents folder, which is this command's) made the
    path a local engine shows: below the folder as this command names it."""

    def rebuilt(value: Any) -> Any:
        if isinstance(value, list):
            return [rebuilt(item) for item in value]
        if not isinstance(value, dict):
            return value
        shown = {key: rebuilt(item) for key, item in value.items()}
        if isinstance(value.get("source"), str) and not os.path.isabs(value["source"]):
            shown["source"] = str(Path(documents_dir) / value["source"])
        return shown

    return rebuilt(result)
