"""Gradio web app: chat with the documents, see the cited sources, upload and remove documents, tune the settings.

``build_app(engine)`` makes the page for a shared ``QA`` engine and ``build_api(...)`` its JSON API (``/api/ask``,
``/api/documents``, ``/api/collections``, described at ``/api/docs``); ``serve(...)`` loads the models once and serves
both on one port (``python app.py`` and ``qa serve`` call it). Everything taken from documents or typed by users is
HTML-escaped (and Markdown-neutralised) before the page's own tags are added, so a document holding
``<script>`` shows it as text. Visitors see their own errors (a bad question or option) and one generic line for the
store's and the server's, whose details go to the log; an upload is its uploader's to delete; sign-ins are throttled
per client address.
"""

from __future__ import annotations

import base64
import hmac
import html
import json
import logging
import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from qa.app.shown import shown_alternatives
from qa.config import ReaderKind, RetrievalMode, Settings
from qa.documents.loading import page_at
from qa.models import Answer, AskResult, Citation, LoadFailure, RetrievedPassage
from qa.reading.calibration import percentage, shown_confidence
from qa.retrieval import section_name
from qa.store.protocol import StoreError
from qa.validation import (
    SURROGATES,
    CollectionError,
    FolderError,
    HistoryError,
    OptionError,
    QAError,
    QuestionError,
    RemovalError,
)

if TYPE_CHECKING:
    import gradio as gr

    from qa.pipeline import QA

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
UNSURE_BELOW = 0.5  # an answer shown less likely right than wrong is one the reader was unsure of
MAX_ALTERNATIVES = 3
CLOSEST_PASSAGES = 3
PASSAGE_PREVIEW_CHARS = 700
# What a visitor is told of a failure that is not theirs: the store's and internal errors name the database URI,
# socket and file paths or internals, which only the server log shows.
STORE_UNAVAILABLE = "The document store is unavailable right now; try again shortly."
INTERNAL_ERROR = "Something went wrong on the server; try again shortly."
INDEX_FROZEN = "The index cannot be updated right now: answers come from the documents indexed so far."
INDEX_READ_ONLY = "This index is read-only: answers come from the documents indexed in it, and none can be added."
# The errors about what a visitor sent (a question, a history, an option, a document id): their message is theirs.
USER_ERRORS = (QuestionError, HistoryError, OptionError, RemovalError, CollectionError, FolderError)
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

# Gradio labels each chat message for screen readers with its content, which is HTML here: the page rewrites such
# labels as their text (DOMParser's documents are inert: nothing in them runs or loads).
PLAIN_ARIA_LABELS = """
() => {
  const done = new WeakMap();
  const plain = (label) => {
    const markup = label.replace(/<br\\s*\\/?>|<\\/?(?:div|li|p|ul)\\b/gi, " $&");
    const text = new DOMParser().parseFromString(markup, "text/html").body.textContent || "";
    return text.replace(/\\s+/g, " ").trim();
  };
  const fix = (element) => {
    const label = element.getAttribute("aria-label");
    if (!label || done.get(element) === label || !/[<&]/.test(label)) return;
    const text = plain(label);
    done.set(element, text);
    if (text !== label) element.setAttribute("aria-label", text);
  };
  const scan = (root) => root.querySelectorAll("[aria-label]").forEach(fix);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes") fix(change.target);
      else change.addedNodes.forEach((node) => node.nodeType === 1 && (fix(node), scan(node)));
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
  scan(document.body);
}
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


def place_label(page: int | None, section: str | None = None) -> str:
    """The section and page after a file name (" · § 3.2 Methods · p. 4"), either left out when the file has none."""
    return (f" · § {esc(section)}" if section else "") + (f" · p. {page}" if page else "")


def passage_place(found: RetrievedPassage) -> str:
    """The section and page in which a retrieved passage begins (see ``place_label``)."""
    start = found.passage.start
    return place_label(page_at(found.page_starts, start), section_name(found.sections, start))


def citation_html(number: int, citation: Citation) -> str:
    place = place_label(citation.page, citation.section)
    return (
        f'<div class="qa-source"><b>[{number}] {esc(citation.title)}</b><br>'
        f'<span class="qa-meta">file {esc(file_name(citation.source))}{place} · '
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
    """Whether the chat calls the reader unsure of its answer: by the probability it shows, when the answer has one
    (below UNSURE_BELOW: "82%" is never called unsure, for a near variant scored close to it); else when the best
    shown alternative comes within the reader's margin of the answer's score."""
    if result.confidence is not None:
        return result.confidence < UNSURE_BELOW
    alternatives = shown_alternatives(result)
    if result.score is None or not alternatives:
        return False
    return result.score - alternatives[0].score < UNSURE_MARGIN.get(reader, 0.05)


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
            closest = closest_passages_html(result.passages[:CLOSEST_PASSAGES])
            messages.append({"role": "assistant", "content": closest, "metadata": {"title": "Closest passages"}})
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
    if result.supporting:  # a second-hop answer: where another document names what led to it
        sources.append("<b>It rests on these too (they name what led to the answer):</b>")
        sources += [citation_html(n, c) for n, c in enumerate(result.supporting, len(result.citations) + 1)]
    alternatives = shown_alternatives(result)
    if alternatives:
        sources.append(alternatives_html(alternatives[:MAX_ALTERNATIVES], unsure))
    count = len(result.citations) + len(result.supporting)
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


def closest_passages_html(passages: list[RetrievedPassage]) -> str:
    """The passages retrieved closest to an unanswered question, numbered, each with its place and a preview."""
    parts = []
    for number, found in enumerate(passages, 1):
        passage = found.passage
        preview = passage.text[:PASSAGE_PREVIEW_CHARS] + ("…" if len(passage.text) > PASSAGE_PREVIEW_CHARS else "")
        parts.append(
            f'<div class="qa-source"><b>[{number}] {esc(found.title)}</b><br>'
            f'<span class="qa-meta">file {esc(file_name(found.source))}{passage_place(found)} · characters '
            f"{passage.start}–{passage.end} · retrieval score {found.score:.3f}</span>"
            f'<div class="qa-passage">{esc(preview)}</div></div>'
        )
    return "".join(parts)


def alternatives_html(alternatives: list[Answer], unsure: bool) -> str:
    """The other candidate answers, each with its confidence and where it was read."""
    items = []
    for answer in alternatives:
        where = answer.citations[0]
        items.append(
            f'<li>{esc(answer.text)} <span class="qa-meta">({shown_confidence(answer.confidence, answer.score)}; '
            f"{esc(where.title)}{place_label(where.page, where.section)}, "
            f"characters {where.start}–{where.end})</span></li>"
        )
    heading = "The reader was unsure; other candidates" if unsure else "Other candidates"
    return f'<div class="qa-alternatives"><b>{heading}:</b><ul>{"".join(items)}</ul></div>'


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


def public_notice(notice: str | None, engine_notice: str | None, read_only: bool = False) -> str | None:
    """The notice a visitor sees: the engine's own (why the index cannot be updated, from the store, which names
    where it is) becomes one line that says why without where (read-only, or busy); the others (a changed file being
    read again) are shown as they are."""
    if notice and notice == engine_notice:
        return INDEX_READ_ONLY if read_only else INDEX_FROZEN
    return notice


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


def answer_with(
    engines: Engines,
    question: Any,
    turns: Any,
    top_k: Any = None,
    mode: Any = None,
    reader: Any = None,
    threshold: Any = None,
    min_confidence: Any = None,
    collection: Any = None,
) -> AskResult:
    """``engine.ask`` of the chosen collection, empty inputs (the page's blank fields) meaning the defaults; it checks
    the rest. The engine's own notice is made public (see ``public_notice``)."""
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
    result.notice = public_notice(result.notice, engine.notice, engine.read_only)
    return result


def api_result(engines: Engines, result: AskResult, collection: str | None = None) -> dict:
    """The result as the APIs send it: JSON, with its sources relative to the asked collection's documents folder."""
    return relative_sources(result.model_dump(mode="json"), engines.get(collection or None).documents_dir)


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
        if not isinstance(name, str):
            raise CollectionError(f"A collection is named by text, not {type(name).__name__}.")
        with self._lock:
            if name not in self._engines:
                self._engines[name] = self.served.for_collection(name)
            return self._engines[name]


def malformed_call(error: BaseException) -> str | None:
    """The one line a caller is told of a Gradio call whose inputs do not fit its endpoint (too few, or of a type
    its components cannot take); None for any other error."""
    from pydantic import ValidationError

    text = str(error)
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
        return f"An input of this call does not fit its endpoint: {where or 'the value'}: {first['msg']}."
    counted = re.search(r"didn't receive enough input values \(needed: (\d+), got: (\d+)\)", text)
    if isinstance(error, ValueError) and counted:
        return f"This endpoint takes {counted[1]} inputs; the call gave {counted[2]}."
    if type(error).__name__ == "ComponentProcessingError" and text.startswith("Could not preprocess"):
        index = re.search(r"at index (\d+) \(a `([^`]+)` component\)", text)
        expected = re.search(r"Expected an? `([^`]+)`", text)
        got = re.search(r"\(of type `([^`]+)`\)", text)
        where = f"Input {int(index[1]) + 1} ({index[2]})" if index else "An input"
        takes = f" takes {expected[1]}" + (f", not {got[1]}" if got else "") if expected else " cannot take that value"
        return f"{where} of this endpoint{takes}."
    return None


def quiet_blocks() -> type:
    """``gr.Blocks`` whose failed calls log one line (a bug: with its traceback, see ``reported``) instead of the
    traceback Gradio prints, and answer with one line: a malformed call says what does not fit."""
    import gradio as gr

    class QuietBlocks(gr.Blocks):
        async def process_api(self, *args, **kwargs):
            try:
                return await super().process_api(*args, **kwargs)
            except gr.Error as error:
                if error.print_exception:  # Gradio's own (a value outside a component's choices)
                    log.info("call refused: %s", one_line(Exception(error.message)))
                    error.print_exception = False
                raise
            except Exception as error:  # noqa: BLE001 - told in one line, logged by reported() when not malformed
                line = malformed_call(error)
                if line is None:
                    line = reported("call", error)
                else:
                    log.info("call refused: %s", line)
                raise gr.Error(line, print_exception=False) from None

    return QuietBlocks


class ChatPage:
    """What the chat page's handlers share: the engines of its collections, who uploaded which file (removing an
    upload deletes its file: its owner's) and the reader answering when none is chosen."""

    def __init__(self, engines: Engines, owners: UploadOwners, default_reader: str) -> None:
        self.engines = engines
        self.owners = owners
        self.default_reader = default_reader


def documents_table(engines: Engines, collection: str | None = None) -> list[list]:
    """The rows of the documents table of ``collection``: title, file, id and passage count."""
    return [[d.title, file_name(d.source), d.id, d.passage_count] for d in engines.get(collection).documents()]


def document_choices(engines: Engines, collection: str | None = None) -> list[tuple[str, str]]:
    """The documents of ``collection`` to pick from for removal: (label, id)."""
    documents = engines.get(collection).documents()
    return [(f"{d.title[:60]} — {file_name(d.source)} ({d.id})", d.id) for d in documents]


def skipped_note(engines: Engines, collection: str | None) -> str:
    """The files of the folder of ``collection`` that were skipped (and are still there), with why; "" if none."""
    failures = [f for f in engines.get(collection).failures if os.path.lexists(f.source)]  # (not deleted since)
    if not failures:
        return ""
    lines = "".join(f"<li>{esc_inline(file_name(f.source))}: {esc_inline(f.reason)}</li>" for f in failures)
    return f"<b>Files in the folder that were skipped:</b><ul>{lines}</ul>"


def documents_listing(
    engines: Engines, collection: str | None = None, status: str = ""
) -> tuple[str, list[list] | None, list[tuple[str, str]] | None]:
    """The status shown above the documents of ``collection`` (``status`` and the skipped files), their table and
    the choices to remove; table and choices None when they could not be listed (the status says why)."""
    try:
        note = skipped_note(engines, collection)
        table, choices = documents_table(engines, collection), document_choices(engines, collection)
    except Exception as error:  # noqa: BLE001 - the page keeps working; reported() logs it
        status += ("<br>" if status else "") + f"❌ {esc_inline(reported('listing the documents', error))}"
        return status, None, None
    return status + ("<br>" if status and note else "") + note, table, choices


def chat_turn(
    page: ChatPage,
    message: Any,
    messages: list[dict] | None,
    turns: list[dict] | None,
    top_k: Any,
    mode: Any,
    reader: Any,
    threshold: Any,
    min_confidence: Any = None,
    collection: Any = None,
) -> Iterator[tuple[str, list[dict], list[dict]]]:
    """Chat turn: show the question at once, then the answer and its sources; remember the turn for follow-ups.
    Yields the question box's text, the chat's messages and the turns so far."""
    messages = [collapsed(m) for m in messages or []]  # only the newest answer's sources start open
    turns = list(turns or [])
    shown = printable(message.strip()) if isinstance(message, str) else ""
    messages.append({"role": "user", "content": esc(shown) if shown else "<i>(empty question)</i>"})
    yield "", messages, turns
    reader = reader or page.default_reader
    try:
        result = answer_with(
            page.engines, message or "", turns, top_k, mode, reader, threshold, min_confidence, collection
        )
    except Exception as error:  # noqa: BLE001 - the page keeps working; reported() logs it
        messages.append(
            {"role": "assistant", "content": f'<div class="qa-error">⚠️ {esc(reported("question", error))}</div>'}
        )
        yield "", messages, turns
        return
    messages.extend(render_answer(result, reader))
    turns.append({"question": result.question, "answer": result.answer})
    yield "", messages, turns


def uploaded_paths(files: Any) -> list[Path]:
    """The paths of the files Gradio received (paths, or objects naming them)."""
    return [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in (files or [])]


def upload_files(
    page: ChatPage, paths: list[Path], collection: str | None, owner: str | None, progress: Callable[..., Any]
) -> str:
    """Index uploaded files one by one into ``collection``, telling ``progress``; each is answerable as soon as its
    step ends, and is ``owner``'s. The status lines, one per file."""
    if not paths:
        return "No file was uploaded."
    lines = []
    for number, path in enumerate(paths):
        progress(number / len(paths), desc=f"Indexing {path.name} ({number + 1}/{len(paths)})")
        lines += upload_one(page, page.engines.get(collection), path, owner)
    progress(1.0, desc="Done")
    return "<br>".join(lines)


def upload_one(page: ChatPage, engine: Any, path: Path, owner: str | None) -> list[str]:
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
            page.owners.add(source, owner)
    lines = [
        f"✅ {esc_inline(path.name)}: indexed “{esc_inline(document.title)}” "
        f"({document.passage_count} passages, {report.seconds:.1f} s)"
        for document in added
    ]
    return lines or [f"ℹ️ {esc_inline(path.name)}: already indexed"]


def remove_document(page: ChatPage, document_id: Any, collection: str | None, owner: str | None) -> str:
    """Remove a document of ``collection`` from the index, its file too when ``owner`` uploaded it; the status."""
    if not document_id:
        return "Pick a document to remove."
    try:
        engine = page.engines.get(collection)
        document = next((d for d in engine.documents() if d.id == document_id), None)
        delete_file = document is not None and page.owners.owns(owner, document.source)
        engine.remove_document(document_id, delete_file=delete_file)
    except Exception as error:  # noqa: BLE001 - the page keeps working; reported() logs it
        return f"❌ {esc_inline(reported('removal', error))}"
    assert document is not None  # remove_document refuses an id it does not hold
    if delete_file:
        page.owners.discard(document.source)
    where = (
        "its file, uploaded by you, was deleted"
        if delete_file
        else f"its file {esc_inline(file_name(document.source))} stays in the documents folder"
    )
    return f"🗑️ Removed “{esc_inline(document.title)}” from the index; {where}."


def document_entries(engines: Engines, collection: str | None = None) -> list[dict]:
    """The indexed documents of ``collection`` (default: the served one): id, title, source file and passages."""
    return [
        {"id": i, "title": t, "file": f, "passages": n} for t, f, i, n in documents_table(engines, collection or None)
    ]


def gradio_handlers(page: ChatPage) -> dict[str, Callable[..., Any]]:
    """The chat page's handlers in the shapes Gradio calls them (its request, its component updates, its errors);
    what they do is in the plain functions they call."""
    import gradio as gr

    engines = page.engines

    def documents_view(collection: str | None = None, status: str = "") -> tuple:
        """``documents_listing`` for the page: table and choices left as they were when they could not be listed."""
        text, table, choices = documents_listing(engines, collection, status)
        if table is None:
            return text, gr.update(), gr.update()
        return text, table, gr.update(choices=choices, value=None)

    def respond(message, messages, turns, top_k, mode, reader, threshold, min_confidence=None, collection=None):
        """Chat turn: show the question at once, then the answer and its sources; remember the turn for follow-ups."""
        yield from chat_turn(page, message, messages, turns, top_k, mode, reader, threshold, min_confidence, collection)

    def upload(files, collection, request, progress=gr.Progress()):  # noqa: B008 - Gradio injects the progress bar
        """Index uploaded files one by one; each is answerable as soon as its step ends, and is its uploader's."""
        status = upload_files(page, uploaded_paths(files), collection, owner_of(request), progress)
        return documents_view(collection, status)

    def remove(document_id, collection, request):
        """Remove a document from the index; its file too when the one who removes it uploaded it."""
        return documents_view(collection, remove_document(page, document_id, collection, owner_of(request)))

    # Gradio hands the request to a parameter annotated gr.Request; the annotations of this module are strings, which
    # it cannot resolve here (gradio is imported inside this function), so they are given as the class itself.
    upload.__annotations__ = {"request": gr.Request}
    remove.__annotations__ = {"request": gr.Request}
    return {"documents_view": documents_view, "respond": respond, "upload": upload, "remove": remove}


def gradio_api(engines: Engines) -> dict[str, Callable[..., Any]]:
    """The page's functions for Gradio's API (``ask`` and ``documents``): failures raised as one-line gr.Error."""
    import gradio as gr

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
            result = answer_with(engines, question, history, top_k, mode, reader, threshold, min_confidence, collection)
        except Exception as error:  # noqa: BLE001 - reported() logs it (a user error in one line, the whole entry)
            raise gr.Error(reported("question", error), print_exception=False) from None
        return api_result(engines, result, collection)

    def list_documents(collection: str | None = None) -> list[dict]:
        """The indexed documents (of ``collection``; default: the server's): id, title, source file and passage count."""
        try:
            return document_entries(engines, collection)
        except Exception as error:  # noqa: BLE001 - reported() logs it
            raise gr.Error(reported("listing the documents", error), print_exception=False) from None

    return {"ask": ask_api, "documents": list_documents}


def chat_column(settings: Settings) -> tuple:
    """The chat, the question box, its button, the example questions and "New conversation" (in a Blocks)."""
    import gradio as gr

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
    return chatbot, question, send, examples, clear


def documents_accordion(engines: Engines, collection_name: str) -> tuple:
    """The collection picker, the upload box, its status, the documents table and the removal controls."""
    import gradio as gr

    with gr.Accordion("Documents", open=True):
        collection = gr.Dropdown(
            choices=engines.names(),
            value=collection_name,
            label="Collection",
            elem_id="qa-collection",
            interactive=True,
        )
        files = gr.File(
            label="Upload .txt, .md, .html, .mhtml, .pdf, .docx, .doc, .odt, .rtf, .epub, .pptx, .ppt, .odp, .csv, "
            ".tsv, .xlsx, .xls, .ods, .eml, .msg, .mbox, .vtt, .srt, .zip, or scans as .tif",
            file_count="multiple",
            elem_id="qa-upload",
            height=140,
        )
        status = gr.Markdown(elem_id="qa-upload-status")
        table = gr.Dataframe(
            headers=["Title", "File", "ID", "Passages"],
            value=documents_table(engines, None),
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
                choices=document_choices(engines, None), label="Document", scale=3, allow_custom_value=True
            )
            remove_button = gr.Button("Remove", variant="stop", scale=1, min_width=80)
    return collection, files, status, table, chosen, remove_button


def advanced_accordion(settings: Settings, default_reader: str) -> tuple:
    """The controls of "Advanced": top-k, retrieval mode, reader, minimum confidence and score threshold."""
    import gradio as gr

    with gr.Accordion("Advanced", open=False, elem_id="qa-advanced"):
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
    return top_k, mode, reader, min_confidence, threshold


def build_app(
    engine,
    concurrency_limit: int = DEFAULT_CONCURRENCY,
    title: str = "Ask your documents",
    engines: Engines | None = None,
):
    """The Gradio page for a shared, warmed-up ``QA`` engine (thread-safe: every session asks the same one);
    ``engines``: the engines of its collections, when the JSON API shares them."""
    import gradio as gr

    engines = engines or Engines(engine)
    page = ChatPage(engines, UploadOwners(engine.index_dir / UPLOAD_OWNERS_FILE), engine.settings.reader)
    on = gradio_handlers(page)
    with quiet_blocks()(title=title, analytics_enabled=False, fill_height=True) as demo:
        turns = gr.State([])
        gr.Markdown(
            f"## {esc(title)}\nAnswers are copied word for word from your documents, with their sources. "
            "Everything runs on this machine."
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot, question, send, examples, clear = chat_column(engine.settings)
            with gr.Column(scale=2):
                collection, files, status, table, chosen, remove_button = documents_accordion(
                    engines, engine.collection.name
                )
                top_k, mode, reader, min_confidence, threshold = advanced_accordion(
                    engine.settings, page.default_reader
                )

        chat_inputs = [question, chatbot, turns, top_k, mode, reader, threshold, min_confidence, collection]
        chat_outputs = [question, chatbot, turns]
        listing = [status, table, chosen]
        question.submit(on["respond"], chat_inputs, chat_outputs, api_name="chat")
        send.click(on["respond"], chat_inputs, chat_outputs, api_visibility="private")
        for button in examples:
            button.click(lambda q: q, button, question, queue=False, api_visibility="private").then(
                on["respond"], chat_inputs, chat_outputs, api_visibility="private"
            )
        clear.click(lambda: ([], [], ""), None, [chatbot, turns, question], queue=False, api_visibility="private")
        chatbot.clear(list, None, turns, queue=False, api_visibility="private")  # the chat's own trash button
        files.upload(on["upload"], [files, collection], listing, api_name="upload").then(
            lambda: None, None, files, queue=False, api_visibility="private"
        )
        remove_button.click(on["remove"], [chosen, collection], listing, api_name="remove_document")
        collection.change(on["documents_view"], collection, listing, api_visibility="private").then(
            lambda: ([], [], ""), None, [chatbot, turns, question], queue=False, api_visibility="private"
        )  # another collection: a new conversation
        demo.load(lambda: gr.update(choices=engines.names()), None, collection, api_visibility="private")
        demo.load(on["documents_view"], collection, listing, api_visibility="private")
        for api_name, function in gradio_api(engines).items():
            gr.api(function, api_name=api_name)
    demo.queue(default_concurrency_limit=concurrency_limit, max_size=512)
    return demo


# ------------------------------------------------------------------------------------------------ the JSON API

API_PREFIX = "/api"  # beside the chat, on the same server: POST /api/ask, GET /api/documents, GET /api/collections
API_DESCRIPTION = (
    "Ask the documents this server answers from. Answers are exact spans copied out of the documents, with citations "
    "(document, passage, character offsets; sources relative to the documents folder). With sign-in (--auth), send "
    "HTTP Basic credentials (curl -u USER:PASSWORD) or the chat's session cookie. Every error is JSON with one line: "
    '{"error": "..."}.'
)
SIGN_IN_NEEDED = "Sign in first: HTTP Basic credentials (curl -u USER:PASSWORD) or the chat's session cookie."
WRONG_SIGN_IN = "Wrong user name or password."
AUTH_CHALLENGE = 'Basic realm="qa", charset="UTF-8"'
_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


class HistoryTurn(BaseModel):
    """An earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str | None = Field(None, description="What was answered (null: nothing).")


class AskRequest(BaseModel):
    """A question, with the conversation so far and options; all but the question may be left out."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": "Who heads Roscosmos?"}]})

    question: str = Field(description="The question, as plain text.")
    history: list[HistoryTurn] = Field([], description="Earlier turns, oldest first, for a follow-up question.")
    top_k: int | None = Field(None, description="Passages to read, 1 to 100 (null: the server's setting).")
    mode: RetrievalMode | None = Field(None, description="How passages are retrieved (null: the server's setting).")
    reader: ReaderKind | None = Field(
        None, description="The trained span reader or the sentence baseline (null: the server's setting)."
    )
    min_confidence: float | None = Field(
        None, description="Answer only when at least this sure, 0 to 1 (null: the server's setting, 0.2 by default)."
    )
    threshold: float | None = Field(
        None, description="The score a reader without calibration needs to answer (null: the reader's default)."
    )
    collection: str | None = Field(
        None, description="The collection to ask (null: the server's own; see GET /api/collections)."
    )


class DocumentEntry(BaseModel):
    """An indexed document."""

    id: str
    title: str
    file: str = Field(description="Its file, relative to the documents folder.")
    passages: int = Field(description="How many passages it was cut into.")


class CollectionEntry(BaseModel):
    """A collection of the server's store."""

    name: str = Field(description="What the collection parameters take.")
    default: bool = Field(description="Whether it is the one asked when no collection is named.")


class ErrorReply(BaseModel):
    """What went wrong, in one line."""

    error: str


class ApiError(Exception):
    """An API request refused or failed: its HTTP status, one-line message and extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def relative_source(source: str, folder: Path) -> str:
    """A document's file relative to the documents folder (its name alone when it lies elsewhere)."""
    return relative_sources({"source": source}, folder)["source"]


def basic_credentials(header: str | None) -> tuple[bytes, bytes] | None:
    """The user name and password of an HTTP Basic ``Authorization`` header; None when it holds none."""
    scheme, _, encoded = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except ValueError:  # (binascii.Error is one)
        return None
    user, colon, password = decoded.partition(b":")
    return (user, password) if colon else None


def credentials_user(credentials: tuple[bytes, bytes], auth: list[tuple[str, str]]) -> str | None:
    """The user whose name and password ``credentials`` are (compared in constant time); None for no one."""
    user, password = credentials
    found = None
    for name, secret in auth:
        if hmac.compare_digest(user, name.encode()) & hmac.compare_digest(password, secret.encode()):
            found = found or name
    return found


def cookie_user(gradio_app: Any, cookies: Mapping[str, str]) -> str | None:
    """The user signed in to the chat (Gradio's app) whose session cookie is among ``cookies``; None for none."""
    cookie_id = getattr(gradio_app, "cookie_id", None)
    if cookie_id is None:
        return None
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return gradio_app.tokens.get(token) if token else None


def field_path(location: Sequence[Any]) -> str:
    """Where a field is in a request ("history[0].question"), without the part of the request it is in."""
    parts = list(location)[1:] if location and location[0] in ("body", "query", "path", "header") else list(location)
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".") or "body"


def validation_message(errors: Sequence[Any]) -> str:
    """One line for a request that could not be read: a body that is not JSON or not an object, or fields of the
    wrong type."""
    first = errors[0] if errors else {}
    location, kind = tuple(first.get("loc", ())), first.get("type")
    if kind == "json_invalid":
        where = f" at character {location[1]}" if len(location) > 1 else ""
        return f"The request body is not valid JSON ({first.get('ctx', {}).get('error', 'cannot be decoded')}{where})."
    if location == ("body",):
        sent = first.get("input")
        if kind == "missing":
            return 'The request body is empty: send a JSON object, e.g. {"question": "Who heads Roscosmos?"}.'
        if isinstance(sent, bytes):
            return "The request body must be a JSON object, sent with Content-Type: application/json."
        return f"The request body must be a JSON object, not {_JSON_TYPES.get(type(sent), 'null')}."
    problems = "; ".join(f"{field_path(e.get('loc', ()))}: {e.get('msg')}" for e in errors)
    return one_line(Exception(f"Invalid request: {problems}."))


def error_status(error: BaseException) -> int:
    """The HTTP status of an API request that failed with ``error``: 404 for an unknown collection, 422 for another
    error in what was sent, 503 when the store is unavailable, else 500."""
    if isinstance(error, CollectionError):
        return 404
    if isinstance(error, USER_ERRORS):
        return 422
    return 503 if isinstance(error, StoreError) else 500


def api_schema(api: Any, auth: bool) -> dict:
    """The API's OpenAPI description, its paths as they are served (under API_PREFIX), with HTTP Basic sign-in when
    the server asks for it."""
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=api.title, version=api.version, description=api.description, routes=api.routes)
    schema["paths"] = {API_PREFIX + path: item for path, item in schema.get("paths", {}).items()}
    for item in schema["paths"].values():  # FastAPI's own 422 for what it cannot read: answered 400 here
        for operation in item.values():
            if "HTTPValidationError" in json.dumps(operation.get("responses", {}).get("422", {})):
                del operation["responses"]["422"]
    if "HTTPValidationError" not in json.dumps(schema["paths"]):
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
    if auth:
        schema.setdefault("components", {})["securitySchemes"] = {"basic": {"type": "http", "scheme": "basic"}}
        schema["security"] = [{"basic": []}]
    return schema


def schema_type(field: dict) -> str:
    """A field's type as a person reads it ("array of HistoryTurn", "integer | null")."""
    if "$ref" in field:
        return str(field["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in field:
        return " | ".join(schema_type(option) for option in field["anyOf"])
    if "enum" in field:
        return " | ".join(json.dumps(value) for value in field["enum"])
    if field.get("type") == "array":
        return f"array of {schema_type(field.get('items', {}))}"
    if field.get("type") == "object" and isinstance(field.get("additionalProperties"), dict):
        return f"object of {schema_type(field['additionalProperties'])}"
    return str(field.get("type", "any"))


def docs_html(schema: dict) -> str:
    """The API's documentation page, read from its OpenAPI description: plain HTML that fetches nothing (offline)."""
    e = html.escape

    def fields(rows: list[tuple[str, str, bool, str]]) -> str:
        body = "".join(
            f"<tr><td><code>{e(n)}</code></td><td>{e(t)}</td><td>{'yes' if r else ''}</td><td>{e(d)}</td></tr>"
            for n, t, r, d in rows
        )
        return f"<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>{body}</table>"

    parts = [
        f"<h1>{e(schema['info']['title'])}</h1><p>{e(schema['info'].get('description', ''))}</p>",
        '<p>The same as OpenAPI: <a href="openapi.json">openapi.json</a>.</p>',
    ]
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            parts.append(
                f"<h2><code>{e(method.upper())} {e(path)}</code></h2><p><b>{e(operation.get('summary', ''))}</b>"
            )
            parts.append(f"</p><p>{e(operation.get('description', ''))}</p>")
            parameters = operation.get("parameters", [])
            if parameters:
                rows = [
                    (p["name"], schema_type(p.get("schema", {})), p.get("required", False), p.get("description", ""))
                    for p in parameters
                ]
                parts.append(f"<h3>Query parameters</h3>{fields(rows)}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                parts.append(f"<h3>Request body: {e(schema_type(body))} (JSON)</h3>")
            answers = "".join(
                f"<li>{e(code)}: {e(reply.get('description', ''))} "
                f"({e(schema_type(reply.get('content', {}).get('application/json', {}).get('schema', {})))})</li>"
                for code, reply in operation.get("responses", {}).items()
            )
            parts.append(f"<h3>Responses</h3><ul>{answers}</ul>")
    parts.append("<h2>Models</h2>")
    for name, model in schema.get("components", {}).get("schemas", {}).items():
        required = set(model.get("required", []))
        rows = [
            (field, schema_type(spec), field in required, spec.get("description", ""))
            for field, spec in model.get("properties", {}).items()
        ]
        parts.append(f'<h3 id="{e(name)}">{e(name)}</h3><p>{e(model.get("description", ""))}</p>{fields(rows)}')
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(schema["info"]["title"])}</title>'
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )


API_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorReply, "description": "The body is not JSON, or a field has the wrong type"},
    401: {"model": ErrorReply, "description": "Not signed in"},
    404: {"model": ErrorReply, "description": "No such collection"},
    422: {"model": ErrorReply, "description": "A bad question, history or option"},
    429: {"model": ErrorReply, "description": "Too many failed sign-ins from this client"},
    503: {"model": ErrorReply, "description": "The document store is unavailable"},
}


def refused_with(auth: bool, *statuses: int) -> dict[int | str, dict[str, Any]]:
    """The refusals an API route documents among ``statuses`` (those of signing in only with ``auth``)."""
    return {status: API_REFUSALS[status] for status in statuses if auth or status not in (401, 429)}


def signed_in_user(
    request: Any,
    auth: list[tuple[str, str]] | None,
    throttle: SignInThrottle,
    session_user: Callable[[Any], str | None] | None,
) -> str | None:
    """The signed-in user (None without sign-in); raises ApiError 401, or 429 while the client is locked out."""
    if not auth:
        return None
    user = session_user(request) if session_user else None
    if user:
        return user
    header = request.headers.get("authorization")
    if header is None:
        raise ApiError(401, SIGN_IN_NEEDED, {"WWW-Authenticate": AUTH_CHALLENGE})
    client = request.client.host if request.client else "unknown"
    wait = throttle.wait(client)
    if wait > 0:
        seconds = math.ceil(wait)
        raise ApiError(429, f"Too many failed sign-ins; try again in {seconds} s.", {"Retry-After": str(seconds)})
    credentials = basic_credentials(header)
    user = credentials_user(credentials, auth) if credentials else None
    if user is None:
        throttle.failed(client)
        raise ApiError(401, WRONG_SIGN_IN, {"WWW-Authenticate": AUTH_CHALLENGE})
    throttle.succeeded(client)
    return user


def api_answer(engines: Engines, body: AskRequest) -> dict:
    """The answer to an API question as the API sends it; a failure raised as ApiError with one line."""
    history = [turn.model_dump() for turn in body.history]
    try:
        result = answer_with(
            engines,
            body.question,
            history,
            body.top_k,
            body.mode,
            body.reader,
            body.threshold,
            body.min_confidence,
            body.collection,
        )
        return api_result(engines, result, body.collection)
    except Exception as error:  # noqa: BLE001 - reported() logs it; the caller gets one line
        raise ApiError(error_status(error), reported("question", error)) from None


def api_documents(engines: Engines, collection: str | None) -> list[DocumentEntry]:
    """The documents of ``collection`` (None or "": the served one) for the API; a failure raised as ApiError."""
    try:
        engine = engines.get(collection or None)
        return [
            DocumentEntry(
                id=d.id, title=d.title, file=relative_source(d.source, engine.documents_dir), passages=d.passage_count
            )
            for d in engine.documents()
        ]
    except Exception as error:  # noqa: BLE001 - reported() logs it; the caller gets one line
        raise ApiError(error_status(error), reported("listing the documents", error)) from None


def api_collections(engines: Engines) -> list[CollectionEntry]:
    """The collections of the served store, the default one marked; a failure raised as ApiError."""
    try:
        names, served = engines.names(), engines.served.collection.name
    except Exception as error:  # noqa: BLE001 - reported() logs it; the caller gets one line
        raise ApiError(error_status(error), reported("listing the collections", error)) from None
    return [CollectionEntry(name=name, default=name == served) for name in names]


async def api_refused(request: Any, error: Exception) -> Any:
    """The reply to an ApiError: its one line, status and headers."""
    from fastapi.responses import JSONResponse

    assert isinstance(error, ApiError)
    return JSONResponse({"error": error.message}, error.status, headers=error.headers)


async def api_unreadable(request: Any, error: Exception) -> Any:
    """The reply to a request whose body does not fit: 400 with one line saying what does not."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    assert isinstance(error, RequestValidationError)
    line = validation_message(error.errors())
    log.info("API request refused: %s %s: %s", request.method, request.url.path, line)
    return JSONResponse({"error": line}, 400)


async def api_not_served(request: Any, error: Exception) -> Any:
    """The reply to a request for no route (or with the wrong method): one line pointing at the API's docs."""
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    assert isinstance(error, HTTPException)
    where = f"{request.method} {request.url.path}"
    line = {
        404: f"No such route: {where}; the API is described at {API_PREFIX}/docs.",
        405: f"Method not allowed: {where}; the API is described at {API_PREFIX}/docs.",
    }.get(error.status_code, one_line(Exception(str(error.detail))))
    return JSONResponse({"error": line}, error.status_code, headers=getattr(error, "headers", None))


def add_question_routes(api: Any, engines: Engines, guarded: list, auth: bool, concurrency: int) -> None:
    """POST /ask, GET /documents and GET /collections, each behind ``guarded``."""
    from fastapi import Query
    from fastapi.responses import JSONResponse

    slots = threading.BoundedSemaphore(concurrency)  # questions read at once, as the chat's queue allows

    @api.post(
        "/ask",
        response_model=AskResult,
        responses=refused_with(auth, 400, 401, 404, 422, 429, 503),
        dependencies=guarded,
        summary="Ask a question",
        response_description="The answer, or why there is none",
    )
    def ask(body: AskRequest):
        """Answer the question from the documents: the answer (null when the documents do not say, with the reason),
        its confidence (the estimated probability that it is right), citations, alternatives, the passages read and
        timings."""
        with slots:
            return JSONResponse(api_answer(engines, body))

    @api.get(
        "/documents",
        response_model=list[DocumentEntry],
        responses=refused_with(auth, 401, 404, 429, 503),
        response_description="The documents",
        dependencies=guarded,
        summary="List the documents",
    )
    def documents(collection: str | None = Query(None, description="The collection (default: the server's own).")):
        """The indexed documents of a collection, ordered by file."""
        return api_documents(engines, collection)

    @api.get(
        "/collections",
        response_model=list[CollectionEntry],
        responses=refused_with(auth, 401, 429, 503),
        response_description="The collections",
        dependencies=guarded,
        summary="List the collections",
    )
    def collections():
        """The collections of the server's store; questions ask the default one unless they name another."""
        return api_collections(engines)


def add_description_routes(api: Any, guarded: list, auth: bool) -> None:
    """GET /openapi.json and /docs (the API's description, made on first use), each behind ``guarded``."""
    from fastapi.responses import HTMLResponse, JSONResponse

    described: dict[str, dict] = {}

    def description() -> dict:
        if "schema" not in described:
            described["schema"] = api_schema(api, auth)
        return described["schema"]

    @api.get("/openapi.json", include_in_schema=False, dependencies=guarded)
    def openapi():
        return JSONResponse(description())

    @api.get("/docs", include_in_schema=False, dependencies=guarded)
    def docs():
        return HTMLResponse(docs_html(description()))


def build_api(
    engines: Engines,
    auth: list[tuple[str, str]] | None = None,
    throttle: SignInThrottle | None = None,
    session_user: Callable[[Any], str | None] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
):
    """The JSON API (a FastAPI app, mounted at API_PREFIX beside the chat) over the engines the chat asks.

    With ``auth`` it takes the chat's session cookie (``session_user`` reads it from a request) or HTTP Basic
    credentials, whose failures count in the chat's sign-in ``throttle``. Errors are ``{"error": one line}``.
    """
    from fastapi import Depends, FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    from qa import __version__

    sign_ins = throttle or SignInThrottle()
    api = FastAPI(
        title="qa: ask your documents",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    def signed_in(request) -> str | None:
        """The signed-in user (None without sign-in); raises ApiError 401, or 429 while the client is locked out."""
        return signed_in_user(request, auth, sign_ins, session_user)

    signed_in.__annotations__ = {"request": Request}  # (this module's annotations are strings: see gradio_handlers)
    guarded = [Depends(signed_in)]
    add_question_routes(api, engines, guarded, bool(auth), concurrency)
    add_description_routes(api, guarded, bool(auth))
    api.add_exception_handler(ApiError, api_refused)
    api.add_exception_handler(RequestValidationError, api_unreadable)
    api.add_exception_handler(HTTPException, api_not_served)
    return api


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
    """Load the models and the index once, then serve the chat page on http://host:port and its JSON API under /api.

    Unset arguments come from the environment: QA_HOST, QA_PORT, and the QA_* settings (QA_DOCUMENTS_DIR,
    QA_INDEX_DIR, QA_READER...). With ``block=False`` it returns the running ``gr.Blocks`` (call ``.close()``). While
    it blocks, ``<index>/serve.json`` says where it listens (see ``qa.app.remote``), until it stops (Ctrl-C or SIGTERM).
    """
    began = time.perf_counter()
    host = host or os.environ.get("QA_HOST") or DEFAULT_HOST
    port = int(port or os.environ.get("QA_PORT") or DEFAULT_PORT)

    engine = warmed_engine(documents_dir, index_dir, reader, settings, began)

    demo, app_kwargs = chat_and_api(engine, concurrency, auth)
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
        app_kwargs=app_kwargs,
        auth_message="Sign in to ask your documents." if auth else None,
        max_file_size=engine.settings.max_document_bytes,
        theme=theme(),
        css=CSS,
        js=PLAIN_ARIA_LABELS,
        inbrowser=open_browser,
        quiet=True,
        footer_links=["api"],
    )
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    message = f"ready: {url} (start-up {time.perf_counter() - began:.1f} s)"
    log.info(message)
    print(message, flush=True)
    if block:
        serve_until_stopped(demo, engine, url, bool(auth))
    return demo


def chat_and_api(engine: QA, concurrency: int, auth: list[tuple[str, str]] | None) -> tuple[Any, dict[str, Any]]:
    """The chat page over ``engine`` and the ``app_kwargs`` that serve the JSON API beside it (sharing its engines
    and, with ``auth``, its sign-in)."""
    from starlette.middleware import Middleware
    from starlette.routing import Mount

    engines, throttle = Engines(engine), SignInThrottle()
    demo = build_app(engine, concurrency_limit=concurrency, engines=engines)
    api = build_api(
        engines,
        auth=auth,
        throttle=throttle,
        session_user=lambda request: cookie_user(getattr(demo, "server_app", None), request.cookies),
        concurrency=concurrency,
    )
    # The API first, then Gradio's routes; FastAPI's own description of Gradio's routes is not served.
    app_kwargs: dict[str, Any] = {"routes": [Mount(API_PREFIX, app=api)], "openapi_url": None}
    if auth:
        app_kwargs["middleware"] = [Middleware(SignInGuard, throttle=throttle)]
    return demo, app_kwargs


def warmed_engine(
    documents_dir: str | Path | None,
    index_dir: str | Path | None,
    reader: ReaderKind | None,
    settings: Settings | None,
    began: float,
) -> QA:
    """The engine to serve, its models and index loaded (the sentence reader when the trained one is missing); the
    log tells how long since ``began`` (a ``time.perf_counter()``) that took."""
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
    return engine


def serve_until_stopped(demo: gr.Blocks, engine: QA, url: str, signed_in: bool) -> None:
    """Block while ``demo`` serves, ``<index>/serve.json`` saying where, until Ctrl-C or SIGTERM; then close it."""
    announced = announce(engine, url, auth=signed_in)
    stop = signal.signal(signal.SIGTERM, stopped) if threading.current_thread() is threading.main_thread() else None
    try:
        demo.block_thread()
    finally:
        if announced:
            from qa.app.remote import remove_record

            remove_record(engine.index_dir)
        if stop is not None:
            signal.signal(signal.SIGTERM, stop)
        demo.close()
        engine.close()


def announce(engine, url: str, auth: bool) -> bool:
    """Write ``<index>/serve.json``, which tells ``qa ask`` of the same documents, store and settings that it may ask
    this server at ``url`` instead of loading the models; False when it cannot be written (a read-only folder)."""
    from qa.app.remote import serve_record, write_record

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
