"""Gradio web app: chat with the documents, see the cited sources, upload and remove documents, tune the settings.

``build_app(engine)`` makes the page for a shared ``QA`` engine; ``serve(...)`` loads the models once, builds the
page and serves it (``python app.py`` and ``qa serve`` call it). Everything taken from documents or typed by users is
HTML-escaped (and Markdown-neutralised) before the page's own tags are added, so a document holding
``<script>`` shows it as text. Visitors see their own errors (a bad question or option) and one generic line for the
store's and the server's, whose details go to the log; an upload is its uploader's to delete; sign-ins are throttled
per client address.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.calibration import percentage, shown_confidence
from qa.config import ReaderKind, Settings
from qa.documents import page_at
from qa.models import AskResult, Citation, LoadFailure
from qa.store import StoreError
from qa.validation import SURROGATES, HistoryError, OptionError, QAError, QuestionError, RemovalError

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
DEFAULT_CONCURRENCY = 4
EXAMPLE_QUESTIONS = [
    "What did Lavrov warn about?",
    "Who heads Roscosmos?",
    "What did Lloyd Austin call Russia?",
    "What did Rogozin say on Twitter?",
]
READER_CHOICES = [("Trained span reader", "trained"), ("Sentence baseline", "sentence")]
MODE_CHOICES = [("Hybrid (dense + BM25)", "hybrid"), ("Dense", "dense"), ("BM25", "bm25")]
NO_ANSWER = "The documents do not say."
# Score gap under which the next candidate is close enough to call the reader unsure (per reader's score scale).
UNSURE_MARGIN = {"trained": 1.0, "sentence": 0.05}
MAX_ALTERNATIVES = 3
CLOSEST_PASSAGES = 3
PASSAGE_PREVIEW_CHARS = 700
# What a visitor is told of a failure that is not theirs: the store's and internal errors name the database URI,
# socket and file paths or internals, which only the server log shows.
STORE_UNAVAILABLE = "The document store is unavailable right now; try again shortly."
INTERNAL_ERROR = "Something went wrong on the server; try again shortly."
INDEX_FROZEN = "The index cannot be updated right now: answers come from the documents indexed so far."
# The errors about what a visitor sent (a question, a history, an option, a document id): their message is theirs.
USER_ERRORS = (QuestionError, HistoryError, OptionError, RemovalError)
UPLOAD_OWNERS_FILE = "uploads.json"  # in the index folder: who uploaded which file of the documents folder
# Sign-in throttling per client address: failures allowed in a row, then lockouts doubling from the first to the last.
FREE_SIGN_IN_FAILURES = 5
FIRST_LOCKOUT_S = 1.0
LAST_LOCKOUT_S = 60.0
FORGET_FAILURES_S = 900.0  # failures this old no longer count
MAX_THROTTLED_CLIENTS = 10_000  # beyond this many remembered clients, those whose failures are forgotten are dropped

# Characters that HTML or Markdown (or Gradio's LaTeX) would interpret, written as character references so the
# browser shows them verbatim.
_REFERENCES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    **{c: f"&#{ord(c)};" for c in "'*_`[](){}\\#~|$!:=+-"},
}
# Newlines become <br> so a text never ends the surrounding HTML block.
_SAFE = str.maketrans({**_REFERENCES, "\n": "<br>", "\r": "", "\t": " "})
# Lighter escaping for one-line status messages (upload results): HTML and the Markdown that could format or link.
_SAFE_INLINE = str.maketrans({**{c: _REFERENCES[c] for c in "&<>\"'*_`[]\\#~|$"}, "\n": " ", "\r": " "})

CSS = """
.qa-answer .qa-text { font-size: 1.05em; }
.qa-meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
.qa-source { margin: 0 0 0.8em 0; }
.qa-passage { border-left: 3px solid var(--border-color-primary); padding-left: 0.6em; margin: 0.3em 0; }
mark { background: #ffe58f; color: #000; padding: 0 2px; border-radius: 2px; }
"""


def esc(text: Any) -> str:
    """Text made safe to put inside the chat's HTML/Markdown: shown exactly, never interpreted."""
    return "" if text is None else str(text).translate(_SAFE)


def esc_inline(text: Any) -> str:
    """Text made safe for a one-line Markdown status message (readable through the API: fewer references)."""
    return "" if text is None else str(text).translate(_SAFE_INLINE)


def highlighted_passage(citation: Citation, radius: int = PASSAGE_PREVIEW_CHARS) -> str:
    """The cited passage, escaped, with the answer span inside <mark>; cut around the span when very long."""
    text, offset = citation.passage_text, citation.passage_start
    start, end = citation.start - offset, citation.end - offset
    if not (0 <= start <= end <= len(text)):  # the span is not inside this passage: show the quote alone
        return f"<mark>{esc(citation.quote)}</mark>"
    left, right = max(0, start - radius // 2), min(len(text), end + radius // 2)
    before = ("…" if left > 0 else "") + esc(text[left:start])
    after = esc(text[end:right]) + ("…" if right < len(text) else "")
    return f"{before}<mark>{esc(text[start:end])}</mark>{after}"


def file_name(source: str) -> str:
    return Path(source).name


def page_label(page: int | None) -> str:
    """The page after a file name (" · p. 4"), or nothing when the file has no pages."""
    return f" · p. {page}" if page else ""


def citation_html(number: int, citation: Citation) -> str:
    return (
        f'<div class="qa-source"><b>[{number}] {esc(citation.title)}</b><br>'
        f'<span class="qa-meta">file {esc(file_name(citation.source))}{page_label(citation.page)} · '
        f"document {esc(citation.document_id)} · characters {citation.start}–{citation.end}</span>"
        f'<div class="qa-passage">{highlighted_passage(citation)}</div></div>'
    )


# Reader scores (trained: span logit minus no-answer logit; sentence: cosine) at and above which an answer is shown
# as of high or medium confidence, until the reader gives a calibrated probability.
CONFIDENCE_LEVELS = {"trained": (8.0, 5.0), "sentence": (0.6, 0.45)}


def confidence_label(score: float | None, reader: str, unsure: bool, confidence: float | None = None) -> str:
    """The confidence a person can read: a percentage from a calibrated reader, else 'high', 'medium' or 'low' from
    the score (an unsure answer is never high)."""
    if confidence is not None:
        return percentage(confidence)
    high, medium = CONFIDENCE_LEVELS.get(reader, CONFIDENCE_LEVELS["trained"])
    if score is None:
        return "low"
    label = "high" if score >= high else "medium" if score >= medium else "low"
    return "medium" if unsure and label == "high" else label


def is_unsure(result: AskResult, reader: str) -> bool:
    if result.score is None or not result.alternatives:
        return False
    return result.score - result.alternatives[0].score < UNSURE_MARGIN.get(reader, 0.05)


def render_answer(result: AskResult, reader: str) -> list[dict]:
    """Chat messages for one result: the answer with its score, then a collapsible "Sources" message."""
    seconds = result.timings_ms.get("total", 0.0) / 1000
    reader_label = {v: k for k, v in READER_CHOICES}.get(reader, reader)
    if result.answer is None:
        reason = (result.no_answer_reason or "").removeprefix(NO_ANSWER).strip()  # said once, not twice
        text = (
            f'<div class="qa-answer qa-no-answer"><b>{esc(NO_ANSWER)}</b> {esc(reason)}<br>'
            f'<span class="qa-meta">{esc(reader_label)} · {seconds:.2f} s</span></div>'
        )
        messages: list[dict[str, Any]] = [{"role": "assistant", "content": text}]
        if result.passages:
            parts = []
            for number, found in enumerate(result.passages[:CLOSEST_PASSAGES], 1):
                passage = found.passage
                preview = passage.text[:PASSAGE_PREVIEW_CHARS] + (
                    "…" if len(passage.text) > PASSAGE_PREVIEW_CHARS else ""
                )
                parts.append(
                    f'<div class="qa-source"><b>[{number}] {esc(found.title)}</b><br>'
                    f'<span class="qa-meta">file {esc(file_name(found.source))}'
                    f"{page_label(page_at(found.page_starts, passage.start))} · characters "
                    f"{passage.start}–{passage.end} · retrieval score {found.score:.3f}</span>"
                    f'<div class="qa-passage">{esc(preview)}</div></div>'
                )
            messages.append({"role": "assistant", "content": "".join(parts), "metadata": {"title": "Closest passages"}})
        return with_notice(messages, result)
    unsure = is_unsure(result, reader)
    resolved = ""
    if result.resolved_question != result.question:
        resolved = f" · read as “{esc(result.resolved_question)}”"
    elif result.history_turns_read:
        turns = "turn" if result.history_turns_read == 1 else f"{result.history_turns_read} turns"
        resolved = f" · read with the last {turns}"
    text = (
        f'<div class="qa-answer"><span class="qa-text"><b>{esc(result.answer)}</b></span><br>'
        f'<span class="qa-meta">confidence: {confidence_label(result.score, reader, unsure, result.confidence)} · '
        f"{esc(reader_label)} · {seconds:.2f} s{resolved}</span></div>"
    )
    sources = [citation_html(n, c) for n, c in enumerate(result.citations, 1)]
    if result.alternatives:
        items = []
        for answer in result.alternatives[:MAX_ALTERNATIVES]:
            where = answer.citations[0]
            items.append(
                f'<li>{esc(answer.text)} <span class="qa-meta">({shown_confidence(answer.confidence, answer.score)}; '
                f"{esc(where.title)}{page_label(where.page)}, characters {where.start}–{where.end})</span></li>"
            )
        heading = "The reader was unsure; other candidates" if unsure else "Other candidates"
        sources.append(f'<div class="qa-alternatives"><b>{heading}:</b><ul>{"".join(items)}</ul></div>')
    count = len(result.citations)
    return with_notice(
        [
            {"role": "assistant", "content": text},
            {
                "role": "assistant",
                "content": "".join(sources),
                "metadata": {"title": f"Sources ({count} citation{'s' if count != 1 else ''})"},
            },
        ],
        result,
    )


def with_notice(messages: list[dict], result: AskResult) -> list[dict]:
    """The messages, followed by the result's notice (for example that the index is catching up) when it has one."""
    if result.notice:
        messages.append(
            {"role": "assistant", "content": f'<div class="qa-notice qa-meta">ℹ️ {esc(result.notice)}</div>'}
        )
    return messages


def collapsed(message: dict) -> dict:
    """An earlier chat message with its Sources accordion closed."""
    metadata = message.get("metadata") if isinstance(message, dict) else None
    if metadata and metadata.get("title"):
        return {**message, "metadata": {**metadata, "status": "done"}}
    return message


def relative_sources(value: Any, folder: Path) -> Any:
    """``value`` (JSON-like) with every "source" path made relative to the documents folder: the API never shows
    where the server keeps its files."""
    if isinstance(value, list):
        return [relative_sources(item, folder) for item in value]
    if not isinstance(value, dict):
        return value
    shown = {key: relative_sources(item, folder) for key, item in value.items()}
    if isinstance(value.get("source"), str):
        source, root = os.path.abspath(value["source"]), os.path.abspath(folder)
        shown["source"] = os.path.relpath(source, root) if Path(source).is_relative_to(root) else Path(source).name
    return shown


def parse_history(history_json: str | list | None) -> list | None:
    """Earlier turns from a JSON string (or a list already parsed); empty means none. ``QA.ask`` checks them."""
    from qa.validation import HistoryError

    if history_json in (None, "", "null"):
        return []
    if not isinstance(history_json, str):
        return history_json
    try:
        return json.loads(history_json)
    except json.JSONDecodeError as error:
        raise HistoryError(f"history_json is not valid JSON ({error.msg} at character {error.pos}).") from None


def one_line(error: BaseException) -> str:
    """An error's text on one line (its type when it has none), for the server log."""
    return " ".join(str(error).split()) or type(error).__name__


def public_error(error: BaseException) -> str:
    """What a visitor is shown of ``error``: a user error's own one-line message, else one generic line."""
    if isinstance(error, USER_ERRORS):
        return one_line(error)
    return STORE_UNAVAILABLE if isinstance(error, StoreError) else INTERNAL_ERROR


def reported(what: str, error: BaseException) -> str:
    """``public_error(error)``, once the server log has it in one line (a bug, not a store, OS or QA error: with its
    traceback too)."""
    if isinstance(error, USER_ERRORS):
        log.info("%s refused: %s", what, error)
    elif isinstance(error, StoreError | OSError | QAError):
        log.error("%s failed: %s: %s", what, type(error).__name__, one_line(error))
    else:
        log.error("%s failed: %s: %s", what, type(error).__name__, one_line(error), exc_info=error)
    return public_error(error)


def public_notice(notice: str | None, engine_notice: str | None) -> str | None:
    """The notice a visitor sees: the engine's own (why the index cannot be updated, from the store, which names
    where it is) becomes one generic line; the others (a changed file being read again) are shown as they are."""
    return INDEX_FROZEN if notice and notice == engine_notice else notice


def printable(text: str) -> str:
    """``text`` with lone surrogates (which cannot be sent as JSON) shown as U+FFFD."""
    return SURROGATES.sub("\ufffd", text)


def owner_of(request: Any) -> str | None:
    """Who acts in a Gradio request: the signed-in user, else the browser session; None when neither is known."""
    username, session = getattr(request, "username", None), getattr(request, "session_hash", None)
    return f"user:{username}" if username else f"session:{session}" if session else None


def duplicate_line(name: str, failure: LoadFailure) -> str | None:
    """The status line of an upload that indexing skipped as a copy of an indexed file; None for other failures."""
    if not failure.reason.startswith("same text as "):
        return None
    original = failure.reason.removeprefix("same text as ").removesuffix("; skipped")
    return f"ℹ️ {esc_inline(name)}: same text as {esc_inline(original)}, which is indexed; the upload is not kept"


class UploadOwners:
    """Who uploaded which file of the documents folder (a user, or a browser session without sign-in), kept in a
    JSON file (written whole: a temporary file, then renamed over it) so that a restart forgets no one."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._owners = self._read()

    def _read(self) -> dict[str, str]:
        """The recorded owners of the files still there; none when the file is missing or unreadable (logged)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("upload owners unreadable (%s): %s; no upload is anyone's", self.path, one_line(error))
            return {}
        pairs = data.items() if isinstance(data, dict) else []
        return {k: v for k, v in pairs if isinstance(k, str) and isinstance(v, str) and os.path.lexists(k)}

    def owns(self, owner: str | None, source: str) -> bool:
        """Whether ``owner`` uploaded the file ``source``."""
        return owner is not None and self._owners.get(os.path.abspath(source)) == owner

    def add(self, source: str, owner: str) -> None:
        """Record that ``owner`` uploaded ``source``."""
        with self._lock:
            self._owners[os.path.abspath(source)] = owner
            self._save()

    def discard(self, source: str) -> None:
        """Forget who uploaded ``source`` (its file was deleted)."""
        with self._lock:
            if self._owners.pop(os.path.abspath(source), None) is not None:
                self._save()

    def _save(self) -> None:
        """Write the record whole (a reader finds the old one or the new one); a failure is logged, not raised."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(self._owners, indent=1), encoding="utf-8")  # (ASCII: any file name)
            os.replace(temporary, self.path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            log.warning("cannot record upload owners in %s (%s); a restart forgets them", self.path, one_line(error))


class SignInThrottle:
    """Failed sign-ins per client: after FREE_SIGN_IN_FAILURES in a row, each further failure locks the client out for
    twice as long as the one before (FIRST_LOCKOUT_S up to LAST_LOCKOUT_S); a success forgets its failures."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[int, float, float]] = {}  # client: (failures, last failure, locked until)

    def wait(self, client: str) -> float:
        """Seconds ``client`` must still wait before it may try again (0: it may)."""
        with self._lock:
            _, _, until = self._clients.get(client, (0, 0.0, 0.0))
            return max(0.0, until - self.clock())

    def failed(self, client: str) -> float:
        """Count a failed sign-in of ``client``; the lockout it starts in seconds (0: none), logged once."""
        now = self.clock()
        with self._lock:
            failures, last, _ = self._clients.get(client, (0, 0.0, 0.0))
            failures = 1 if now - last > FORGET_FAILURES_S else failures + 1
            excess = failures - FREE_SIGN_IN_FAILURES
            delay = 0.0 if excess < 0 else min(LAST_LOCKOUT_S, FIRST_LOCKOUT_S * 2 ** min(excess, 32))
            self._clients[client] = (failures, now, now + delay)
            if len(self._clients) > MAX_THROTTLED_CLIENTS:
                self._clients = {c: e for c, e in self._clients.items() if now - e[1] <= FORGET_FAILURES_S}
        if delay:
            log.warning(
                "sign-in: %d failures in a row from %s; refusing its sign-ins for %g s", failures, client, delay
            )
        return delay

    def succeeded(self, client: str) -> None:
        """Forget the failures of ``client``, which signed in."""
        with self._lock:
            self._clients.pop(client, None)


class SignInGuard:
    """ASGI middleware in front of Gradio's ``POST /login``, throttling sign-ins by client address.

    Gradio calls an ``auth=`` callable with the user name and password only, never the request, so it cannot tell
    one client from another; this middleware sees the address, refuses a locked-out client (HTTP 429 with
    Retry-After, the password unchecked) and tells the throttle how each attempt ended (200 or 400). Behind a proxy
    every client has the proxy's address: they are throttled together.
    """

    def __init__(self, app: Any, throttle: SignInThrottle):
        self.app = app
        self.throttle = throttle

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        signing_in = scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/") == "/login"
        if not signing_in:
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.throttle.wait(client)
        if wait > 0:
            return await refuse_sign_in(send, wait)
        status = 0

        async def watched(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watched)
        if status == 200:
            self.throttle.succeeded(client)
        elif status == 400:
            self.throttle.failed(client)


async def refuse_sign_in(send: Callable, wait: float) -> None:
    """Answer a sign-in attempt made while locked out: HTTP 429, saying when to try again."""
    seconds = math.ceil(wait)
    body = json.dumps({"detail": f"Too many failed sign-ins; try again in {seconds} s."}).encode()
    headers = [(b"content-type", b"application/json"), (b"retry-after", str(seconds).encode())]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Engines:
    """The engine of each collection the page switches to, made on first use from the served one (sharing its
    models) and kept; the served engine answers its own collection."""

    def __init__(self, served: Any):
        self.served = served
        self._engines = {served.collection.name: served}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """The store's collections, the served one among them."""
        return sorted({*(c.name for c in self.served.collections()), self.served.collection.name})

    def get(self, name: str | None) -> Any:
        """The engine of collection ``name`` (None or "": the served one); an unknown name raises CollectionError."""
        if not name:
            return self.served
        with self._lock:
            if name not in self._engines:
                self._engines[name] = self.served.for_collection(name)
            return self._engines[name]


def build_app(engine, concurrency_limit: int = DEFAULT_CONCURRENCY, title: str = "Ask your documents"):
    """The Gradio page for a shared, warmed-up ``QA`` engine (thread-safe: every session asks the same one)."""
    import gradio as gr

    default_reader = engine.settings.reader
    settings = engine.settings
    owners = UploadOwners(engine.index_dir / UPLOAD_OWNERS_FILE)  # removing an upload deletes its file: its owner's
    engines = Engines(engine)

    def documents_table(collection: str | None = None) -> list[list]:
        return [[d.title, file_name(d.source), d.id, d.passage_count] for d in engines.get(collection).documents()]

    def document_choices(collection: str | None = None) -> list[tuple[str, str]]:
        documents = engines.get(collection).documents()
        return [(f"{d.title[:60]} — {file_name(d.source)} ({d.id})", d.id) for d in documents]

    def skipped_note(collection: str | None) -> str:
        failures = [f for f in engines.get(collection).failures if os.path.lexists(f.source)]  # (not deleted since)
        if not failures:
            return ""
        lines = "".join(f"<li>{esc_inline(file_name(f.source))}: {esc_inline(f.reason)}</li>" for f in failures)
        return f"<b>Files in the folder that were skipped:</b><ul>{lines}</ul>"

    def documents_view(collection: str | None = None, status: str = ""):
        try:
            note = skipped_note(collection)
            table, choices = documents_table(collection), document_choices(collection)
        except Exception as error:  # noqa: BLE001 - the page keeps working; reported() logs it
            status += ("<br>" if status else "") + f"❌ {esc_inline(reported('listing the documents', error))}"
            return status, gr.update(), gr.update()
        return status + ("<br>" if status and note else "") + note, table, gr.update(choices=choices, value=None)

    def answer(question, turns, top_k, mode, reader, threshold, min_confidence=None, collection=None) -> AskResult:
        """``engine.ask`` (of the chosen collection), empty inputs (the page's blank fields) meaning the defaults; it
        checks the rest."""
        blank = (None, "")
        engine = engines.get(None if collection in blank else collection)
        result = engine.ask(
            question,
            history=turns,
            top_k=None if top_k in blank else top_k,
            mode=None if mode in blank else mode,
            reader=None if reader in blank else reader,
            threshold=None if threshold is None or str(threshold).strip() == "" else threshold,
            min_confidence=None if min_confidence in blank else min_confidence,
        )
        result.notice = public_notice(result.notice, engine.notice)
        return result

    def respond(message, messages, turns, top_k, mode, reader, threshold, min_confidence=None, collection=None):
        """Chat turn: show the question at once, then the answer and its sources; remember the turn for follow-ups."""
        messages = [collapsed(m) for m in messages or []]  # only the newest answer's sources start open
        turns = list(turns or [])
        shown = printable(message.strip()) if isinstance(message, str) else ""
        messages.append({"role": "user", "content": esc(shown) if shown else "<i>(empty question)</i>"})
        yield "", messages, turns
        reader = reader or default_reader
        try:
            result = answer(message or "", turns, top_k, mode, reader, threshold, min_confidence, collection)
        except Exception as error:  # noqa: BLE001 - the page keeps working; reported() logs it
            messages.append(
                {"role": "assistant", "content": f'<div class="qa-error">⚠️ {esc(reported("question", error))}</div>'}
            )
            yield "", messages, turns
            return
        messages.extend(render_answer(result, reader))
        turns.append({"question": result.question, "answer": result.answer})
        yield "", messages, turns

    def ask_api(
        question: str,
        history_json: str = "",
        top_k: int | None = None,
        mode: str | None = None,
        reader: str | None = None,
        threshold: float | None = None,
        min_confidence: float | None = None,
        collection: str | None = None,
    ) -> dict:
        """Answer ``question`` from the documents. ``history_json``: optional JSON list of earlier
        {"question", "answer"} turns for follow-ups. Returns the AskResult as a dict: answer (null when the
        documents do not say), score, confidence (the estimated probability that it is right; an answer is given
        when it reaches ``min_confidence``), no_answer_reason, citations (document_id, title, source, start, end, quote,
        passage_text...), alternatives, passages, timings_ms. ``collection``: the collection to ask (default: the
        server's)."""
        try:
            history = parse_history(history_json)
            result = answer(question, history, top_k, mode, reader, threshold, min_confidence, collection)
        except Exception as error:  # noqa: BLE001 - reported() logs it (a user error in one line, the whole entry)
            raise gr.Error(reported("question", error), print_exception=False) from None
        return relative_sources(result.model_dump(mode="json"), engines.get(collection or None).documents_dir)

    def upload(files, collection, request, progress=gr.Progress()):  # noqa: B008 - Gradio injects the progress bar
        """Index uploaded files one by one; each is answerable as soon as its step ends, and is its uploader's."""
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in (files or [])]
        if not paths:
            return documents_view(collection, "No file was uploaded.")
        lines = []
        for number, path in enumerate(paths):
            progress(number / len(paths), desc=f"Indexing {path.name} ({number + 1}/{len(paths)})")
            lines += upload_one(engines.get(collection), path, owner_of(request))
        progress(1.0, desc="Done")
        return documents_view(collection, "<br>".join(lines))

    def upload_one(engine, path: Path, owner: str | None) -> list[str]:
        """Index one uploaded file, recorded as ``owner``'s when it made a new file; its status lines."""
        folder = engine.documents_dir
        try:
            there = set(os.listdir(folder)) if folder.is_dir() else set()  # (a new file is the uploader's)
            before = {d.id for d in engine.documents()}
            report, failures = engine.add_documents([path])
            now = {d.id: d for d in engine.documents()}
        except Exception as error:  # noqa: BLE001 - the page keeps working; reported() logs it
            return [f"❌ {esc_inline(path.name)}: not indexed: {esc_inline(reported(f'indexing {path.name}', error))}"]
        if failures:
            log.info("upload refused: %s: %s", path.name, failures[0].reason)
            line = duplicate_line(path.name, failures[0])
            if line and failures[0].source not in there:  # the copy this upload made: not kept
                (folder / failures[0].source).unlink(missing_ok=True)
            return [line or f"❌ {esc_inline(path.name)}: not indexed: {esc_inline(failures[0].reason)}"]
        added = [now[i] for i in report.added if i not in before and i in now]
        for document in added:
            source = os.path.abspath(document.source)
            if owner and os.path.dirname(source) == os.path.abspath(folder) and file_name(source) not in there:
                owners.add(source, owner)
        lines = [
            f"✅ {esc_inline(path.name)}: indexed “{esc_inline(document.title)}” "
            f"({document.passage_count} passages, {report.seconds:.1f} s)"
            for document in added
        ]
        return lines or [f"ℹ️ {esc_inline(path.name)}: already indexed"]

    def remove(document_id, collection, request):
        """Remove a document from the index; its file too when the one who removes it uploaded it."""
        if not document_id:
            return documents_view(collection, "Pick a document to remove.")
        owner = owner_of(request)
        try:
            engine = engines.get(collection)
            document = next((d for d in engine.documents() if d.id == document_id), None)
            delete_file = document is not None and owners.owns(owner, document.source)
            engine.remove_document(document_id, delete_file=delete_file)
        except Exception as error:  # noqa: BLE001 - the page keeps working; reported() logs it
            return documents_view(collection, f"❌ {esc_inline(reported('removal', error))}")
        assert document is not None  # remove_document refuses an id it does not hold
        if delete_file:
            owners.discard(document.source)
        where = (
            "its file, uploaded by you, was deleted"
            if delete_file
            else f"its file {esc_inline(file_name(document.source))} stays in the documents folder"
        )
        return documents_view(collection, f"🗑️ Removed “{esc_inline(document.title)}” from the index; {where}.")

    # Gradio hands the request to a parameter annotated gr.Request; the annotations of this module are strings, which
    # it cannot resolve here (gradio is imported inside this function), so they are given as the class itself.
    upload.__annotations__ = {"request": gr.Request}
    remove.__annotations__ = {"request": gr.Request}

    def list_documents(collection: str | None = None) -> list[dict]:
        """The indexed documents (of ``collection``; default: the server's): id, title, source file and passage count."""
        try:
            rows = documents_table(collection or None)
        except Exception as error:  # noqa: BLE001 - reported() logs it
            raise gr.Error(reported("listing the documents", error), print_exception=False) from None
        return [{"id": i, "title": t, "file": f, "passages": n} for t, f, i, n in rows]

    with gr.Blocks(title=title, analytics_enabled=False, fill_height=True) as demo:
        turns = gr.State([])
        gr.Markdown(
            f"## {esc(title)}\nAnswers are copied word for word from your documents, with their sources. "
            "Everything runs on this machine."
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat",
                    height="70vh",
                    sanitize_html=True,
                    render_markdown=True,
                    latex_delimiters=[],
                    feedback_options=None,
                    allow_tags=False,
                    elem_id="qa-chat",
                    buttons=["copy"],
                    placeholder="Ask a question about the documents, or click an example below.",
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Ask a question and press Enter",
                        show_label=False,
                        scale=5,
                        max_lines=4,
                        elem_id="qa-question",
                        autofocus=True,
                        max_length=settings.max_question_chars + 1000,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=80)
                with gr.Row():
                    examples = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLE_QUESTIONS]
                clear = gr.Button("New conversation", size="sm")
            with gr.Column(scale=2):
                with gr.Accordion("Settings", open=True):
                    top_k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages to read (top-k)")
                    mode = gr.Radio(MODE_CHOICES, value=settings.retrieval_mode, label="Retrieval")
                    reader = gr.Radio(READER_CHOICES, value=default_reader, label="Reader")
                    min_confidence = gr.Textbox(
                        value="",
                        label="Minimum confidence (0 to 1)",
                        max_lines=1,
                        placeholder=f"empty: {settings.min_confidence:g}; answers below it are withheld",
                    )
                    threshold = gr.Textbox(
                        value="",
                        label="Score threshold (a reader without calibration)",
                        max_lines=1,
                        placeholder=f"empty: the reader's default ({settings.answer_threshold:g} "
                        f"span score, {settings.sentence_threshold:g} baseline)",
                    )
                with gr.Accordion("Documents", open=True):
                    collection = gr.Dropdown(
                        choices=engines.names(),
                        value=engine.collection.name,
                        label="Collection",
                        elem_id="qa-collection",
                        interactive=True,
                    )
                    files = gr.File(
                        label="Upload .txt, .md, .html, .pdf or .docx",
                        file_count="multiple",
                        elem_id="qa-upload",
                        height=140,
                    )
                    status = gr.Markdown(elem_id="qa-upload-status")
                    table = gr.Dataframe(
                        headers=["Title", "File", "ID", "Passages"],
                        value=documents_table(None),
                        interactive=False,
                        wrap=True,
                        elem_id="qa-documents",
                        max_chars=80,
                        datatype=["str", "str", "str", "number"],
                        max_height=320,
                        column_widths=["40%", "25%", "22%", "13%"],
                    )
                    with gr.Row():
                        chosen = gr.Dropdown(
                            choices=document_choices(None), label="Document", scale=3, allow_custom_value=True
                        )
                        remove_button = gr.Button("Remove", variant="stop", scale=1, min_width=80)

        chat_inputs = [question, chatbot, turns, top_k, mode, reader, threshold, min_confidence, collection]
        chat_outputs = [question, chatbot, turns]
        question.submit(respond, chat_inputs, chat_outputs, api_name="chat")
        send.click(respond, chat_inputs, chat_outputs, api_visibility="private")
        for button in examples:
            button.click(lambda q: q, button, question, queue=False, api_visibility="private").then(
                respond, chat_inputs, chat_outputs, api_visibility="private"
            )
        clear.click(lambda: ([], [], ""), None, [chatbot, turns, question], queue=False, api_visibility="private")
        chatbot.clear(list, None, turns, queue=False, api_visibility="private")  # the chat's own trash button
        files.upload(upload, [files, collection], [status, table, chosen], api_name="upload").then(
            lambda: None, None, files, queue=False, api_visibility="private"
        )
        remove_button.click(remove, [chosen, collection], [status, table, chosen], api_name="remove_document")
        collection.change(documents_view, collection, [status, table, chosen], api_visibility="private").then(
            lambda: ([], [], ""), None, [chatbot, turns, question], queue=False, api_visibility="private"
        )  # another collection: a new conversation
        demo.load(lambda: gr.update(choices=engines.names()), None, collection, api_visibility="private")
        demo.load(documents_view, collection, [status, table, chosen], api_visibility="private")
        gr.api(ask_api, api_name="ask")
        gr.api(list_documents, api_name="documents")
    demo.queue(default_concurrency_limit=concurrency_limit, max_size=512)
    return demo


def theme():
    import gradio as gr

    # Local fonts only: the default theme would fetch Google Fonts, which an offline browser cannot reach.
    return gr.themes.Soft(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "SFMono-Regular", "monospace"]
    )


def parse_auth(spec: str) -> list[tuple[str, str]]:
    """Sign-in pairs from ``USER:PASSWORD`` (several separated by commas) or from a file of such lines."""
    from qa.validation import OptionError

    path = Path(spec).expanduser()
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else spec.split(",")
    pairs = []
    for line in (line.strip() for line in lines):
        if not line or line.startswith("#"):
            continue
        user, colon, password = line.partition(":")
        if not (user and colon and password):
            raise OptionError(
                "--auth / QA_AUTH must be USER:PASSWORD (several separated by commas) or a file of USER:PASSWORD lines"
            )
        pairs.append((user, password))
    if not pairs:
        raise OptionError(f"--auth / QA_AUTH names no USER:PASSWORD ({'an empty file' if path.is_file() else 'empty'})")
    return pairs


def serve(
    host: str | None = None,
    port: int | None = None,
    documents_dir: str | Path | None = None,
    index_dir: str | Path | None = None,
    reader: ReaderKind | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    settings: Settings | None = None,
    block: bool = True,
    open_browser: bool = False,
    auth: list[tuple[str, str]] | None = None,
):
    """Load the models and the index once, then serve the chat page on http://host:port.

    Unset arguments come from the environment: QA_HOST, QA_PORT, and the QA_* settings (QA_DOCUMENTS_DIR,
    QA_INDEX_DIR, QA_READER...). With ``block=False`` it returns the running ``gr.Blocks`` (call ``.close()``). While
    it blocks, ``<index>/serve.json`` says where it listens (see ``qa.remote``), until it stops (Ctrl-C or SIGTERM).
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    began = time.perf_counter()
    host = host or os.environ.get("QA_HOST") or DEFAULT_HOST
    port = int(port or os.environ.get("QA_PORT") or DEFAULT_PORT)

    from qa.pipeline import QA
    from qa.validation import default_settings

    engine = QA(
        documents_dir=documents_dir, index_dir=index_dir, settings=settings or default_settings(), reader=reader
    )
    if "documents_dir" in engine.settings.model_fields_set:  # a folder named to upload into; else the index's own
        engine.documents_dir.mkdir(parents=True, exist_ok=True)
    log.info(
        "loading models (%s reader) and the index of %s into %s ...",
        engine.settings.reader,
        engine.documents_dir,
        engine.index_dir,
    )
    try:
        engine.warm_up()
    except FileNotFoundError as error:
        if engine.settings.reader != "trained":
            raise
        log.warning("%s; answering with the sentence baseline instead", error)
        engine.settings = engine.settings.model_copy(update={"reader": "sentence"})
        engine.warm_up()
    manifest = engine.store.manifest()
    log.info(
        "models loaded: %d documents, %d passages indexed (%.1f s)",
        manifest.document_count,
        manifest.passage_count,
        time.perf_counter() - began,
    )

    from starlette.middleware import Middleware

    demo = build_app(engine, concurrency_limit=concurrency)
    if not auth and host not in ("127.0.0.1", "localhost", "::1"):
        log.warning(
            "serving on %s without sign-in (--auth / QA_AUTH): anyone who reaches it can ask questions, "
            "upload documents and remove them",
            host,
        )
    demo.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=True,
        show_error=False,  # an error's text reaches visitors only through gr.Error: see public_error()
        ssr_mode=False,
        auth=auth,
        app_kwargs={"middleware": [Middleware(SignInGuard, throttle=SignInThrottle())]} if auth else None,
        auth_message="Sign in to ask your documents." if auth else None,
        max_file_size=engine.settings.max_document_bytes,
        theme=theme(),
        css=CSS,
        inbrowser=open_browser,
        quiet=True,
        footer_links=["api"],
    )
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    message = f"ready: {url} (start-up {time.perf_counter() - began:.1f} s)"
    log.info(message)
    print(message, flush=True)
    if block:
        announced = announce(engine, url, auth=bool(auth))
        stop = signal.signal(signal.SIGTERM, stopped) if threading.current_thread() is threading.main_thread() else None
        try:
            demo.block_thread()
        finally:
            if announced:
                from qa.remote import remove_record

                remove_record(engine.index_dir)
            if stop is not None:
                signal.signal(signal.SIGTERM, stop)
            demo.close()
    return demo


def announce(engine, url: str, auth: bool) -> bool:
    """Write ``<index>/serve.json``, which tells ``qa ask`` of the same documents, store and settings that it may ask
    this server at ``url`` instead of loading the models; False when it cannot be written (a read-only folder)."""
    from qa.remote import serve_record, write_record

    try:
        path = write_record(serve_record(engine.settings, url, auth), engine.index_dir)
    except OSError as error:
        log.warning("qa ask will not find this server: cannot write %s (%s)", engine.index_dir, error.strerror)
        return False
    log.info("qa ask of these documents asks this server (%s)", path)
    return True


def stopped(signum, frame) -> None:
    """SIGTERM ends the server as Ctrl-C does: what it announced is taken back."""
    raise SystemExit(128 + signum)
