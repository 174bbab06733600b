"""The web app served for real (``python app.py`` in a subprocess), driven with gradio_client.

The reader is the server's default (the trained reader; the sentence baseline when it is missing) unless
QA_READER is set, e.g. ``QA_READER=sentence pytest -m slow tests/test_web.py``. Assertions hold for both readers:
they check where the answer was read (its citation), not its exact wording.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SAMPLE_DOCUMENTS, alternative, answered, browser_call, citing, start_server, stop_server

pytestmark = pytest.mark.slow

LAVROV = "The plans of the US, as well as NATO to place weapons in outer space are taking shape"
AUSTIN = "Meanwhile, US Secretary of Defense Lloyd Austin called Russia a key adversary."
ZORBLAT_FACT = "The Zorblat bridge was opened in 1987 by mayor Elna Kvist."
ZORBLAT_TEXT = f"""Zorblat town notes

Zorblat is a small river town known for its wooden boats and its autumn fair.
{ZORBLAT_FACT} It crosses the Vell river at its narrowest point.
The town library keeps a photograph of the opening ceremony.
"""


@pytest.fixture(scope="session")
def reader_kind() -> str | None:
    """QA_READER when set (the server reads it too), else None: the server's default reader."""
    return os.environ.get("QA_READER") or None


def ask(client, question: str, history=None, reader=None, **options) -> dict:
    return client.predict(
        question,
        json.dumps(history) if history else "",
        options.get("top_k"),
        options.get("mode"),
        reader,
        options.get("threshold"),
        options.get("min_confidence"),
        options.get("collection"),
        api_name="/ask",
    )


def chat(client, message: str, **inputs):
    """The chat's own endpoint (what pressing Enter calls); unset inputs keep the page's defaults."""
    return client.predict(message=message, **{k: v for k, v in inputs.items() if v is not None}, api_name="/chat")


def overlaps_sentence(citation: dict, sentence: str) -> bool:
    """The citation's span overlaps ``sentence`` inside its passage, and its offsets hold the quote."""
    passage, offset = citation["passage_text"], citation["passage_start"]
    assert passage[citation["start"] - offset : citation["end"] - offset] == citation["quote"]
    where = passage.find(sentence)
    if where < 0:
        return False
    start, end = offset + where, offset + where + len(sentence)
    return citation["start"] < end and citation["end"] > start


def assert_offsets_match_file(citation: dict, documents: Path) -> None:
    """``document text[start:end] == quote``, with the text read from the cited file as the app reads it (the API
    gives its path relative to the documents folder)."""
    from qa.documents.loading import load_document

    assert not Path(citation["source"]).is_absolute()
    text = load_document(documents / citation["source"]).text
    assert text[citation["start"] : citation["end"]] == citation["quote"]


def test_ask_about_the_sample(client, reader_kind, documents):
    result = ask(client, "What did Lavrov warn about?", reader=reader_kind)
    assert result["answer"], result.get("no_answer_reason")
    assert isinstance(result["score"], float)
    citation = result["citations"][0]
    assert citation["source"].endswith("russia-space-militarisation.txt")
    assert overlaps_sentence(citation, LAVROV), citation["quote"]
    assert_offsets_match_file(citation, documents)


def test_follow_up_uses_the_history(client, reader_kind):
    history = [{"question": "Who is the US Secretary of Defense?", "answer": "Lloyd Austin"}]
    result = ask(client, "What did he call Russia?", history=history, reader=reader_kind)
    if result["history_turns_read"]:  # the question read with the last turn
        assert result["resolved_question"] == "What did he call Russia?" and result["history_turns_read"] == 1
    else:  # the rules' rewrite
        assert result["resolved_question"] == "What did Lloyd Austin call Russia?"
    assert result["answer"], result.get("no_answer_reason")
    assert overlaps_sentence(result["citations"][0], AUSTIN), result["citations"][0]["quote"]


def test_chat_endpoint_renders_answer_and_sources(client, reader_kind):
    _, messages = chat(client, "What did Lavrov warn about?", reader=reader_kind)
    roles = [m["role"] for m in messages]
    assert roles[0] == "user" and "assistant" in roles
    texts = ["".join(part.get("text", "") for part in m["content"]) for m in messages]
    sources = [
        t
        for m, t in zip(messages, texts, strict=True)
        if (m.get("metadata") or {}).get("title", "").startswith("Sources")
    ]
    assert sources and "<mark>" in sources[0] and "place weapons in outer space" in sources[0]
    assert "confidence" in texts[1]


def test_no_answer_says_so_and_shows_closest_passages(client):
    result = ask(client, "What did Lavrov warn about?", min_confidence=1.0)
    assert result["answer"] is None and result["no_answer_reason"]
    assert result["passages"] and 0 < result["alternatives"][0]["confidence"] < 1
    _, messages = chat(client, "What did Lavrov warn about?", min_confidence="1")
    texts = ["".join(part.get("text", "") for part in m["content"]) for m in messages]
    assert "The documents do not say." in texts[1] and texts[1].count("do not say") == 1
    assert (messages[2].get("metadata") or {}).get("title") == "Closest passages"


def test_bad_questions_get_a_clear_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        ask(client, "   ")
    with pytest.raises(AppError, match="too long"):
        ask(client, "why " * 2000)
    _, messages = chat(client, "")
    assert "The question is empty." in messages[-1]["content"][0]["text"]


def test_upload_then_ask_about_it(client, reader_kind, tmp_path, documents):
    from gradio_client import handle_file

    path = tmp_path / "zorblat-notes.txt"
    path.write_text(ZORBLAT_TEXT)
    status, table, _ = client.predict([handle_file(str(path))], api_name="/upload")
    assert "zorblat-notes.txt: indexed" in status, status
    assert any(row[1] == "zorblat-notes.txt" and row[3] >= 1 for row in table["data"])
    assert any(d["file"] == "zorblat-notes.txt" for d in client.predict(api_name="/documents"))
    result = ask(client, "Who opened the Zorblat bridge?", reader=reader_kind)
    assert result["answer"], result.get("no_answer_reason")
    citation = result["citations"][0]
    assert Path(citation["source"]).name == "zorblat-notes.txt"
    assert overlaps_sentence(citation, ZORBLAT_FACT), citation["quote"]
    assert_offsets_match_file(citation, documents)


def test_a_pdf_answer_shows_its_page(client, reader_kind, tmp_path, documents, write_pdf):
    from gradio_client import handle_file

    path = write_pdf(
        tmp_path / "vellmark-report.pdf",
        [
            ["Vellmark harbour report", "The harbour was dredged in the spring."],
            ["Fishing catches rose by a tenth over the year."],
            ["The Vellmark lighthouse keeper is Ragna Thorsen.", "She has kept the light since 2011."],
        ],
    )
    status, _table, _ = client.predict([handle_file(str(path))], api_name="/upload")
    assert "vellmark-report.pdf: indexed" in status, status
    result = ask(client, "Who is the Vellmark lighthouse keeper?", reader=reader_kind)
    citation = result["citations"][0]
    assert "Ragna Thorsen" in result["answer"] and citation["page"] == 3
    assert_offsets_match_file(citation, documents)
    assert "page_starts" not in json.dumps(result)
    _, messages = chat(client, "Who is the Vellmark lighthouse keeper?", reader=reader_kind)
    sources = [
        "".join(part.get("text", "") for part in m["content"])
        for m in messages
        if (m.get("metadata") or {}).get("title", "").startswith("Sources")
    ]
    assert "file vellmark-report.pdf · p. 3 · document" in html.unescape(sources[0])


def test_bad_uploads_are_reported_and_break_nothing(client, tmp_path):
    from gradio_client import handle_file

    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02garbage\x00" * 100)
    empty = tmp_path / "empty.md"
    empty.write_text("   \n")
    unsupported = tmp_path / "program.exe"
    unsupported.write_bytes(b"MZ\x90\x00")
    fake_pdf = tmp_path / "fake.pdf"
    fake_pdf.write_text("this is not a pdf")
    files = [handle_file(str(p)) for p in (binary, empty, unsupported, fake_pdf)]
    status, table, _ = client.predict(files, api_name="/upload")
    assert "binary.txt: not indexed: binary file" in status
    assert "empty.md: not indexed: no text" in status
    assert "program.exe: not indexed: unsupported file type" in status
    assert "fake.pdf: not indexed: not a PDF" in status
    assert not any(row[1] in ("binary.txt", "empty.md", "program.exe", "fake.pdf") for row in table["data"])
    assert ask(client, "What did Lavrov warn about?")["answer"]


def test_remove_document(client, tmp_path, documents):
    from gradio_client import handle_file

    path = tmp_path / "plimbo.md"
    path.write_text("# Plimbo facts\n\nThe Plimbo lighthouse is exactly 77 metres tall.\n")
    client.predict([handle_file(str(path))], api_name="/upload")
    document = next(d for d in client.predict(api_name="/documents") if d["file"] == "plimbo.md")
    status, _table, _ = client.predict(document["id"], api_name="/remove_document")
    assert "Removed “Plimbo facts” from the index; its file, uploaded by you, was deleted." in status
    assert not any(d["file"] == "plimbo.md" for d in client.predict(api_name="/documents"))
    result = ask(client, "How tall is the Plimbo lighthouse?")
    assert all(Path(c["source"]).name != "plimbo.md" for c in result["citations"])
    sample = next(d for d in client.predict(api_name="/documents") if d["file"] == "russia-space-militarisation.txt")
    status, _, _ = client.predict(sample["id"], api_name="/remove_document")
    assert "its file russia-space-militarisation.txt stays in the documents folder" in status, status
    assert (documents / "russia-space-militarisation.txt").exists()
    assert not any(d["id"] == sample["id"] for d in client.predict(api_name="/documents"))
    client.predict([handle_file(str(documents / "russia-space-militarisation.txt"))], api_name="/upload")
    assert any(d["id"] == sample["id"] for d in client.predict(api_name="/documents"))  # added again: back


def test_twenty_concurrent_users(server, web_users, reader_kind):
    from gradio_client import Client

    questions = [("What did Lavrov warn about?", LAVROV), ("What did Lloyd Austin call Russia?", AUSTIN)] * 10
    users = list(web_users.items())

    def one_user(item):
        question, sentence = item
        result = ask(Client(server, auth=users[len(question) % 2], verbose=False), question, reader=reader_kind)
        return question, result, sentence

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one_user, questions))
    seconds = time.perf_counter() - began
    for question, result, sentence in results:
        assert result["question"] == question
        assert result["answer"], (question, result.get("no_answer_reason"))
        assert overlaps_sentence(result["citations"][0], sentence), (question, result["citations"][0]["quote"])
    print(f"20 concurrent questions answered in {seconds:.1f} s")


def test_the_chat_says_when_it_catches_up_with_a_changed_file(client, documents, tmp_path):
    from gradio_client import handle_file

    path = tmp_path / "quillon-notes.txt"
    path.write_text("Quillon notes\n\nThe Quillon ferry leaves the harbour at 7:40 every morning.\n")
    client.predict([handle_file(str(path))], api_name="/upload")
    stored = next(d for d in client.predict(api_name="/documents") if d["file"] == "quillon-notes.txt")
    source = next(c["source"] for c in ask(client, "When does the Quillon ferry leave?")["citations"])
    assert Path(source).name == "quillon-notes.txt" and stored["passages"] >= 1
    (documents / source).write_text("Quillon notes\n\nSince May the Quillon ferry leaves the harbour at 9:15 sharp.\n")
    _, messages = chat(client, "When does the Quillon ferry leave?")
    texts = [html.unescape("".join(part.get("text", "") for part in m["content"])) for m in messages]
    assert any("Catching up: quillon-notes.txt changed since it was indexed" in t for t in texts), texts
    assert not any("7:40" in t for t in texts)
    deadline = time.monotonic() + 60
    while "9:15" not in (ask(client, "When does the Quillon ferry leave?")["answer"] or ""):
        assert time.monotonic() < deadline, "the changed file was not indexed again"
        time.sleep(0.5)


def test_sign_in_takes_the_right_password(server, web_users):
    """The session's server is served with --auth (every other test signs in; tests/test_hostile.py checks that
    nothing is served without it)."""
    import httpx

    user, password = next(iter(web_users.items()))
    refused = httpx.post(f"{server}/login", data={"username": user, "password": "wrong"}, timeout=10)
    assert refused.status_code == 400
    for user, password in web_users.items():
        assert (
            httpx.post(f"{server}/login", data={"username": user, "password": password}, timeout=10).status_code == 200
        )


def test_auth_specs_parse_or_fail_in_one_line(tmp_path):
    from qa.app.web import parse_auth
    from qa.validation import OptionError

    assert parse_auth("ada:pw1,grace:p:w2") == [("ada", "pw1"), ("grace", "p:w2")]
    for bad in ("ada", "ada:", ":pw", ""):
        with pytest.raises(OptionError, match="USER:PASSWORD"):
            parse_auth(bad)


def test_every_example_question_gets_an_answer(client):
    from qa.app.web import EXAMPLE_QUESTIONS

    for question in EXAMPLE_QUESTIONS:
        result = ask(client, question)
        assert result["answer"], (question, result["no_answer_reason"])


def test_confidence_reads_as_words():
    from qa.app.web import confidence_label

    assert [confidence_label(s, "trained", False) for s in (10.77, 6.0, 3.5)] == ["high", "medium", "low"]
    assert confidence_label(10.77, "trained", True) == "medium"
    assert confidence_label(0.7, "sentence", False) == "high"
    assert confidence_label(10.77, "trained", True, confidence=0.834) == "83%"  # a calibrated reader's probability


def test_pages_are_shown_beside_the_file():
    from qa.app.web import render_answer
    from qa.models import AskResult, Passage, RetrievedPassage

    passage = Passage(id="d:0", document_id="d", start=40, end=70, text="The keeper is Ragna Thorsen now.")
    found = RetrievedPassage(passage=passage, title="Report", source="/docs/r.pdf", score=0.5, page_starts=[0, 30, 60])
    citation = citing("Ragna Thorsen", passage.text, passage_start=40, page=2)
    answered = AskResult(
        question="q", resolved_question="q", answer="Ragna Thorsen", score=9.0, citations=[citation], passages=[found]
    )
    assert "file r.pdf · p. 2 · document d" in render_answer(answered, "trained")[1]["content"]
    unanswered = AskResult(question="q", resolved_question="q", answer=None, score=None, passages=[found])
    assert "file r.pdf · p. 2 · characters 40–70" in render_answer(unanswered, "trained")[1]["content"]
    assert "page_starts" not in unanswered.model_dump_json()
    plain = found.model_copy(update={"page_starts": None, "source": "/docs/r.txt"})
    assert (
        "file r.txt · characters"
        in render_answer(unanswered.model_copy(update={"passages": [plain]}), "x")[1]["content"]
    )


def test_sections_are_shown_beside_the_page():
    from qa.app.web import esc, render_answer
    from qa.models import AskResult, Passage, RetrievedPassage, Section
    from qa.retrieval import section_name

    text = "Intro. <b>2.1</b> The lighthouse: The keeper is Ragna Thorsen now."
    sections = [Section(start=7, title="<b>2.1</b> The lighthouse", level=2)]
    passage = Passage(id="d:0", document_id="d", start=0, end=len(text), text=text)
    found = RetrievedPassage(
        passage=passage, title="Report", source="/docs/r.pdf", score=0.5, page_starts=[0, 30], sections=sections
    )
    citation = citing("Ragna Thorsen", text, page=2, section=section_name(sections, text.index("Ragna Thorsen")))
    answered = AskResult(
        question="q", resolved_question="q", answer="Ragna Thorsen", score=9.0, citations=[citation], passages=[found]
    )
    label = f"§ {esc(citation.section)}"  # a heading is the document's text: escaped
    assert "&lt;b&gt;2.1&lt;/b&gt; The lighthouse" in label
    sources = render_answer(answered, "trained")[1]["content"]
    assert f"file r.pdf · {label} · p. 2 · document d" in sources and "<b>2.1" not in sources
    unanswered = AskResult(question="q", resolved_question="q", answer=None, score=None, passages=[found])
    assert "file r.pdf · p. 1 · characters 0–" in render_answer(unanswered, "trained")[1]["content"]  # before it
    later = found.model_copy(update={"passage": passage.model_copy(update={"start": 8})})
    shown = render_answer(unanswered.model_copy(update={"passages": [later]}), "trained")[1]["content"]
    assert f"file r.pdf · {label} · p. 1 · characters 8–" in shown


def test_a_second_hop_answer_shows_the_document_that_led_to_it():
    from qa.app.web import render_answer
    from qa.models import AskResult, Citation

    def cited(title: str, quote: str, text: str) -> Citation:
        return citing(
            quote, text, document_id=title[:1], title=title, source=f"/docs/{title}.txt", passage_id=f"{title[:1]}:0"
        )

    result = AskResult(
        question="Who founded the company that built the Vell bridge?",
        resolved_question="q",
        answer="Elna Kvist",
        score=7.0,
        citations=[cited("company", "Elna Kvist", "Kvist & Sons was founded by Elna Kvist.")],
        supporting=[cited("bridge", "Kvist & Sons", "The Vell bridge was built by Kvist & Sons.")],
    )
    messages = render_answer(result, "trained")
    assert messages[1]["metadata"]["title"] == "Sources (2 citations)"
    assert "It rests on these too" in messages[1]["content"] and "[2] bridge" in messages[1]["content"]
    assert "<mark>Kvist &amp; Sons</mark>" in messages[1]["content"]


def test_the_answer_says_how_a_follow_up_was_read():
    from qa.app.web import render_answer
    from qa.models import AskResult

    def meta(**read) -> str:
        result = AskResult(question="What did he call it?", answer="Zoë’s “plan”", score=9.0, **read)
        return render_answer(result, "trained")[0]["content"]

    assert "read as “What did Trump call it?”" in meta(resolved_question="What did Trump call it?")
    assert "read with the last turn<" in meta(resolved_question="What did he call it?", history_turns_read=1)
    assert "read with the last 2 turns" in meta(resolved_question="What did he call it?", history_turns_read=2)
    assert "read " not in meta(resolved_question="What did he call it?")


def message_texts(messages: list[dict]) -> list[str]:
    """The text of each chat message, as a person reads it (without tags, character references resolved)."""
    return [html.unescape(re.sub("<[^>]*>", "", "".join(p.get("text", "") for p in m["content"]))) for m in messages]


def test_only_the_uploader_deletes_an_uploaded_file(server, web_users, tmp_path, documents):
    from gradio_client import Client, handle_file

    (ada, ada_password), (grace, grace_password) = web_users.items()
    as_ada = Client(server, auth=(ada, ada_password), verbose=False)
    as_grace = Client(server, auth=(grace, grace_password), verbose=False)
    path = tmp_path / "trennor-notes.md"
    path.write_text("# Trennor notes\n\nThe Trennor mill grinds rye on Tuesdays.\n")
    as_ada.predict([handle_file(str(path))], api_name="/upload")
    owners = json.loads((documents.parent / "index" / "uploads.json").read_text(encoding="utf-8"))
    assert owners[str(documents / path.name)] == f"user:{ada}"  # recorded on disk: a restart keeps it
    document = next(d for d in as_grace.predict(api_name="/documents") if d["file"] == path.name)
    status, _, _ = as_grace.predict(document["id"], api_name="/remove_document")
    assert "its file trennor-notes.md stays in the documents folder" in status, status
    assert (documents / path.name).exists()
    as_ada.predict([handle_file(str(path))], api_name="/upload")  # the same file: indexed again, still ada's
    status, _, _ = as_ada.predict(document["id"], api_name="/remove_document")
    assert "Removed “Trennor notes” from the index; its file, uploaded by you, was deleted." in status, status
    assert not (documents / path.name).exists()


def test_a_duplicate_upload_leaves_the_original_its_entry(client, tmp_path, documents):
    from gradio_client import handle_file

    copy = tmp_path / "a-copy-of-the-article.txt"  # listed before the original
    shutil.copy(documents / "russia-space-militarisation.txt", copy)
    before = client.predict(api_name="/documents")
    status, _, _ = client.predict([handle_file(str(copy))], api_name="/upload")
    assert status.split("<br>")[0] == (
        "ℹ️ a-copy-of-the-article.txt: same text as russia-space-militarisation.txt, which is indexed; "
        "the upload is not kept"
    )
    assert client.predict(api_name="/documents") == before and not (documents / copy.name).exists()
    assert ask(client, "What did Lavrov warn about?")["citations"][0]["source"] == "russia-space-militarisation.txt"


def test_the_chat_refuses_a_lone_surrogate_in_one_line(server, web_users):
    """A browser can send a lone surrogate (JSON.stringify writes it as an escape): refused, and shown."""
    data = ["Who\ud800 heads Roscosmos?", [], 5, "hybrid", None, "", "", None]
    event, outputs = browser_call(server, "chat", data, next(iter(web_users.items())))
    assert event == "complete", outputs
    question, refused = message_texts(outputs[1])
    assert question == "Who\ufffd heads Roscosmos?"
    assert refused == "⚠️ The question is not plain text: it holds a lone surrogate (U+D800) at character 4."


def test_wrong_passwords_are_throttled_by_client(server, web_users, documents):
    import httpx

    user, password = next(iter(web_users.items()))
    logged = len((documents.parent / "server.log").read_text(encoding="utf-8"))  # (other tests' lockouts before)
    with httpx.Client(base_url=server, timeout=10) as http:
        responses = [http.post("/login", data={"username": user, "password": f"guess-{n}"}) for n in range(20)]
    codes = [response.status_code for response in responses]
    assert codes[:6] == [400] * 5 + [429] and codes.count(429) >= 10, codes  # 5 tries, then a growing wait
    refused = responses[-1] if codes[-1] == 429 else next(r for r in reversed(responses) if r.status_code == 429)
    wait = int(refused.headers["retry-after"])
    assert refused.json() == {"detail": f"Too many failed sign-ins; try again in {wait} s."} and 1 <= wait <= 60
    time.sleep(wait)
    assert httpx.post(f"{server}/login", data={"username": user, "password": password}, timeout=10).status_code == 200
    log = (documents.parent / "server.log").read_text(encoding="utf-8")[logged:]
    lockouts = [line for line in log.splitlines() if "refusing its sign-ins" in line]
    assert len(lockouts) == codes.count(400) - 4, lockouts  # one line per lockout, none per refused attempt
    assert lockouts[0].endswith(
        "qa.app.web: sign-in: 5 failures in a row from 127.0.0.1; refusing its sign-ins for 1 s"
    )


def test_a_store_that_went_down_shows_visitors_one_generic_line(postgres_server, tmp_path):
    """PostgreSQL gone under a running chat: every visitor sees one line without the URI or the socket path, and the
    server log has the error, in one line per failure."""
    import psycopg
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError
    from psycopg import sql

    from qa.app.web import STORE_UNAVAILABLE

    name = f"test_{uuid.uuid4().hex}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    uri = postgres_server.replace("/postgres?", f"/{name}?", 1)
    documents, log_path = tmp_path / "documents", tmp_path / "server.log"
    shutil.copytree(SAMPLE_DOCUMENTS, documents)
    process, url = start_server(documents, tmp_path / "index", log_path, "--store", "postgres", "--store-url", uri)
    try:
        client = Client(url, verbose=False)
        sample = client.predict(api_name="/documents")[0]["id"]
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        shown = []
        for call in (lambda: ask(client, "What did Lavrov warn about?"), lambda: client.predict(api_name="/documents")):
            with pytest.raises(AppError) as raised:
                call()
            shown.append(str(raised.value))
        assert shown == [STORE_UNAVAILABLE, STORE_UNAVAILABLE]
        for method, path, body in (("POST", "/api/ask", {"question": "Who?"}), ("GET", "/api/documents", None)):
            response = api_call(url, method, path, json=body)
            assert (response.status_code, response.json()) == (503, {"error": STORE_UNAVAILABLE})
        _, messages = chat(client, "What did Lavrov warn about?")
        shown.append(message_texts(messages)[-1])
        assert shown[-1] == f"⚠️ {STORE_UNAVAILABLE}"
        note = tmp_path / "note.txt"
        note.write_text("The Zorblat bridge was opened in 1987.")
        shown.append(client.predict([handle_file(str(note))], api_name="/upload")[0])
        assert shown[-1].split("<br>")[0] == f"❌ note.txt: not indexed: {STORE_UNAVAILABLE}"
        shown.append(client.predict(sample, api_name="/remove_document")[0])
        assert shown[-1].split("<br>")[0] == f"❌ {STORE_UNAVAILABLE}"
        host = uri.split("host=", 1)[1].split("&")[0]
        assert not [text for text in shown if "postgres" in text or name in text or host in text], shown
    finally:
        stop_server(process)
    log = log_path.read_text(encoding="utf-8")
    failures = [line for line in log.splitlines() if " ERROR qa.app.web: " in line]
    assert failures and all("failed: StoreUnavailable: " in line and name in line for line in failures), failures
    assert "Traceback" not in log


def test_visitors_see_their_own_errors_and_one_generic_line_for_the_others(caplog):
    from qa.app.web import INTERNAL_ERROR, STORE_UNAVAILABLE, public_notice, reported
    from qa.store.protocol import StoreUnavailable
    from qa.validation import QAError, QuestionError

    with caplog.at_level("INFO", logger="qa.app.web"):
        assert reported("question", QuestionError("The question is empty.")) == "The question is empty."
        store_down = StoreUnavailable("lost the store at postgresql:///qa?host=/run/pg while searching: gone")
        assert reported("question", store_down) == STORE_UNAVAILABLE
        assert reported("indexing x", QAError("/srv/documents is missing; pass --prune")) == INTERNAL_ERROR
        assert reported("question", OSError(13, "Permission denied", "/srv/index/store.sqlite")) == INTERNAL_ERROR
    assert [r.getMessage() for r in caplog.records] == [
        "question refused: The question is empty.",
        f"question failed: StoreUnavailable: {store_down}",
        "indexing x failed: QAError: /srv/documents is missing; pass --prune",
        "question failed: PermissionError: [Errno 13] Permission denied: '/srv/index/store.sqlite'",
    ]
    assert public_notice("the index in /srv/index is read-only", "the index in /srv/index is read-only") == (
        "The index cannot be updated right now: answers come from the documents indexed so far."
    )
    assert public_notice("the index in /srv/index is read-only", "the index in /srv/index is read-only", True) == (
        "This index is read-only: answers come from the documents indexed in it, and none can be added."
    )
    assert public_notice("Catching up: a.txt changed since it was indexed.", None).startswith("Catching up: a.txt")


def test_only_an_upload_skipped_as_a_copy_is_called_one():
    from qa.app.web import duplicate_line
    from qa.models import LoadFailure

    copy = LoadFailure(source="a-1.txt", reason="same text as notes/a.txt; skipped")
    assert (
        duplicate_line("a.txt", copy) == "ℹ️ a.txt: same text as notes/a.txt, which is indexed; the upload is not kept"
    )
    assert duplicate_line(".a.txt", LoadFailure(source=".a.txt", reason="hidden file; skipped")) is None


def test_sign_in_lockouts_double_up_to_a_minute_and_a_success_forgets_them(caplog):
    from qa.app.web import FORGET_FAILURES_S, SignInThrottle

    now = [0.0]
    throttle = SignInThrottle(clock=lambda: now[0])
    with caplog.at_level("WARNING", logger="qa.app.web"):
        assert [throttle.failed("10.0.0.1") for _ in range(4)] == [0, 0, 0, 0] and throttle.wait("10.0.0.1") == 0
        assert [throttle.failed("10.0.0.1") for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert len(caplog.records) == 8  # one line per lockout
    assert throttle.wait("10.0.0.1") == 60 and throttle.wait("10.0.0.2") == 0  # by client
    now[0] += 60
    assert throttle.wait("10.0.0.1") == 0
    throttle.succeeded("10.0.0.1")
    assert throttle.failed("10.0.0.1") == 0  # forgotten on success
    for _ in range(3):
        throttle.failed("10.0.0.1")
    now[0] += FORGET_FAILURES_S + 1
    assert throttle.failed("10.0.0.1") == 0  # and after a quiet while


def test_uploads_belong_to_a_user_or_a_session_and_survive_a_restart(tmp_path, caplog):
    from types import SimpleNamespace

    from qa.app.web import UploadOwners, owner_of

    assert owner_of(SimpleNamespace(username="ada", session_hash="f00")) == "user:ada"
    assert owner_of(SimpleNamespace(username=None, session_hash="f00")) == "session:f00"
    assert owner_of(None) is None
    note, record = tmp_path / "documents" / "note.txt", tmp_path / "index" / "uploads.json"
    note.parent.mkdir()
    note.write_text("A note.")
    UploadOwners(record).add(str(note), "user:ada")
    again = UploadOwners(record)  # a restart
    assert again.owns("user:ada", str(note)) and not again.owns("user:grace", str(note)) and not again.owns(None, "")
    assert [p.name for p in record.parent.iterdir()] == ["uploads.json"]  # written whole: no temporary file left
    again.discard(str(note))
    assert not UploadOwners(record).owns("user:ada", str(note))
    UploadOwners(record).add(str(note), "session:f00")
    note.unlink()
    assert json.loads(record.read_text(encoding="utf-8")) and UploadOwners(record)._owners == {}  # (file gone)
    record.write_text("{not json", encoding="utf-8")
    assert not UploadOwners(record).owns("session:f00", str(note)) and "upload owners unreadable" in caplog.text


def test_the_chat_switches_to_another_collection_of_its_store(client, documents, embedder, tmp_path):
    from qa.pipeline import QA

    town = tmp_path / "town"
    town.mkdir()
    (town / "quorn.txt").write_text("Quorn harbour notes\n\nThe Quorn lighthouse is painted green.", encoding="utf-8")
    QA(documents_dir=town, index_dir=documents.parent / "index", embedder=embedder).refresh_index(progress=False)
    served = ask(client, "What colour is the Quorn lighthouse?")
    assert all(c["source"] != "quorn.txt" for c in served["citations"])
    other = ask(client, "What colour is the Quorn lighthouse?", collection=str(town.resolve()))
    assert other["answer"] == "green" and other["citations"][0]["source"] == "quorn.txt"
    assert [d["file"] for d in client.predict(str(town.resolve()), api_name="/documents")] == ["quorn.txt"]
    assert "quorn.txt" not in {d["file"] for d in client.predict(None, api_name="/documents")}


# ------------------------------------------------------------------------------------------- the JSON API


def api_call(server: str, method: str, path: str, auth: tuple[str, str] | None = None, **options):
    """An HTTP request to the session's server (``auth``: HTTP Basic credentials)."""
    import httpx

    return httpx.request(method, f"{server}{path}", auth=auth, timeout=120, **options)


def test_the_api_answers_a_question_alone(server, web_users, documents):
    signed_in = next(iter(web_users.items()))
    response = api_call(server, "POST", "/api/ask", signed_in, json={"question": "What did Lavrov warn about?"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["question"] == "What did Lavrov warn about?" and result["answer"], result["no_answer_reason"]
    assert isinstance(result["confidence"], float) and result["timings_ms"]["total"] > 0
    citation = result["citations"][0]
    assert citation["source"] == "russia-space-militarisation.txt"  # relative to the documents folder
    assert overlaps_sentence(citation, LAVROV), citation["quote"]
    assert_offsets_match_file(citation, documents)
    assert "page_starts" not in response.text


def test_the_api_takes_the_history_and_options(server, web_users, reader_kind):
    body = {
        "question": "What did he call Russia?",
        "history": [{"question": "Who is the US Secretary of Defense?", "answer": "Lloyd Austin"}],
        "top_k": 3,
        "mode": "hybrid",
        "reader": reader_kind,
        "min_confidence": 0.2,
        "threshold": None,
        "collection": None,
    }
    response = api_call(server, "POST", "/api/ask", next(iter(web_users.items())), json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["history_turns_read"] == 1 or result["resolved_question"] == "What did Lloyd Austin call Russia?"
    assert result["answer"] and overlaps_sentence(result["citations"][0], AUSTIN), result["citations"][0]["quote"]
    assert len(result["passages"]) <= 3
    declined = api_call(
        server, "POST", "/api/ask", next(iter(web_users.items())), json={**body, "min_confidence": 1}
    ).json()
    assert declined["answer"] is None and declined["no_answer_reason"]


def test_the_api_refuses_what_it_cannot_answer_in_one_line_of_json(server, web_users, documents):
    signed_in = next(iter(web_users.items()))
    log_path = documents.parent / "server.log"
    logged = len(log_path.read_text(encoding="utf-8"))
    json_type = {"content-type": "application/json"}
    cases = [
        ({"json": {"question": "   "}}, 422, "The question is empty."),
        ({"json": {"question": "Who?", "top_k": 4242}}, 422, "top_k must be an integer from 1 to 100, not 4242."),
        (
            {"json": {"question": "Who?", "history": "Who?"}},
            400,
            "Invalid request: history: Input should be a valid list.",
        ),
        (
            {"json": {"question": 5, "mode": "fast", "topk": 3}},
            400,
            "Invalid request: question: Input should be a valid string; mode: Input should be 'hybrid', 'dense' or "
            "'bm25'; topk: Extra inputs are not permitted.",
        ),
        (
            {"content": '{"question": ', "headers": json_type},
            400,
            "The request body is not valid JSON (Expecting value at character 13).",
        ),
        ({"content": "[1]", "headers": json_type}, 400, "The request body must be a JSON object, not an array."),
        (
            {"content": '{"question": "Who?"}', "headers": {"content-type": "text/plain"}},
            400,
            "The request body must be a JSON object, sent with Content-Type: application/json.",
        ),
        (
            {"json": {"question": "Who?", "collection": "nowhere"}},
            404,
            "No collection is named 'nowhere'; there are: ",  # (the names of the others after it)
        ),
    ]
    for options, status, message in cases:
        response = api_call(server, "POST", "/api/ask", signed_in, **options)
        assert (response.status_code, response.headers["content-type"]) == (status, "application/json"), response.text
        assert list(response.json()) == ["error"] and "\n" not in response.json()["error"]
        assert response.json()["error"].startswith(message), (options, response.json())
    unknown = api_call(server, "GET", "/api/nowhere", signed_in)
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "No such route: GET /api/nowhere; the API is described at /api/docs."}
    log = log_path.read_text(encoding="utf-8")[logged:]
    assert "Traceback" not in log
    assert "INFO qa.app.web: question refused: The question is empty." in log
    assert (
        "INFO qa.app.web: API request refused: POST /api/ask: The request body must be a JSON object, not an array."
        in log
    )


def test_the_api_needs_a_sign_in_and_counts_failed_ones(server, web_users, documents):
    import httpx

    user, password = next(iter(web_users.items()))
    anonymous = api_call(server, "POST", "/api/ask", json={"question": "Who heads Roscosmos?"})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Basic")
    assert anonymous.json() == {
        "error": "Sign in first: HTTP Basic credentials (curl -u USER:PASSWORD) or the chat's session cookie."
    }
    assert api_call(server, "GET", "/api/documents").status_code == 401
    assert api_call(server, "GET", "/api/openapi.json").status_code == 401
    basic = api_call(server, "POST", "/api/ask", (user, password), json={"question": "Who heads Roscosmos?"})
    assert basic.status_code == 200 and basic.json()["answer"]
    with httpx.Client(base_url=server, timeout=120) as browser:  # the chat's session cookie
        browser.post("/login", data={"username": user, "password": password}).raise_for_status()
        assert browser.get("/api/collections").status_code == 200
    codes = [api_call(server, "GET", "/api/collections", (user, f"guess-{n}")).status_code for n in range(5)]
    locked = api_call(server, "GET", "/api/collections", (user, password))  # the password is not even checked
    assert codes == [401] * 5 and locked.status_code == 429, (codes, locked.text)
    wait = int(locked.headers["retry-after"])
    assert locked.json() == {"error": f"Too many failed sign-ins; try again in {wait} s."}
    time.sleep(wait)
    assert api_call(server, "GET", "/api/collections", (user, password)).status_code == 200  # forgets the failures


def test_the_api_lists_the_documents_and_collections(server, web_users, documents):
    signed_in = next(iter(web_users.items()))
    listed = api_call(server, "GET", "/api/documents", signed_in).json()
    sample = next(d for d in listed if d["file"] == "russia-space-militarisation.txt")
    assert set(sample) == {"id", "title", "file", "passages"} and sample["passages"] >= 1
    collections = api_call(server, "GET", "/api/collections", signed_in).json()
    assert {"name": str(documents.resolve()), "default": True} in collections
    assert [c["default"] for c in collections].count(True) == 1
    named = api_call(server, "GET", "/api/documents", signed_in, params={"collection": str(documents.resolve())})
    assert named.json() == listed
    unknown = api_call(server, "GET", "/api/documents", signed_in, params={"collection": "nowhere"})
    assert unknown.status_code == 404 and unknown.json()["error"].startswith("No collection is named 'nowhere'")


def test_the_api_is_described_with_named_fields(server, web_users):
    signed_in = next(iter(web_users.items()))
    schema = api_call(server, "GET", "/api/openapi.json", signed_in).json()
    assert {(path, method) for path, item in schema["paths"].items() for method in item} == {
        ("/api/ask", "post"),
        ("/api/documents", "get"),
        ("/api/collections", "get"),
    }
    models = schema["components"]["schemas"]
    ask = schema["paths"]["/api/ask"]["post"]
    assert ask["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/AskRequest")
    assert ask["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/AskResult")
    assert ask["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorReply")
    assert list(models["AskRequest"]["properties"]) == [
        "question",
        "history",
        "top_k",
        "mode",
        "reader",
        "min_confidence",
        "threshold",
        "collection",
    ]
    assert models["AskRequest"]["required"] == ["question"]
    assert {"answer", "confidence", "citations", "alternatives"} <= set(models["AskResult"]["properties"])
    assert set(models["DocumentEntry"]["properties"]) == {"id", "title", "file", "passages"}
    assert "value_" not in json.dumps(schema) and schema["security"] == [{"basic": []}]
    assert api_call(server, "GET", "/openapi.json").status_code == 404  # no description of Gradio's own routes
    page = api_call(server, "GET", "/api/docs", signed_in)
    assert page.status_code == 200 and "<code>POST /api/ask</code>" in page.text and "<script" not in page.text


def test_a_malformed_gradio_call_is_told_and_logged_in_one_line(server, web_users, documents):
    signed_in = next(iter(web_users.items()))
    log_path = documents.parent / "server.log"
    logged = len(log_path.read_text(encoding="utf-8"))
    assert browser_call(server, "ask", ["Who?"], signed_in) == (
        "error",
        "This endpoint takes 8 inputs; the call gave 1.",
    )
    listed = ["Who?", "", None, None, None, None, None, ["a list"]]
    assert browser_call(server, "ask", listed, signed_in) == ("error", "A collection is named by text, not list.")
    wrong = ["Who?", [], [], [], "hybrid", None, "", ""]
    assert browser_call(server, "chat", wrong, signed_in) == (
        "error",
        "Input 4 (slider) of this endpoint takes float, not list.",
    )
    log = log_path.read_text(encoding="utf-8")[logged:]
    assert "Traceback" not in log, log
    assert [line.split(" ", 2)[2] for line in log.splitlines() if "refused" in line] == [
        "INFO qa.app.web: call refused: This endpoint takes 8 inputs; the call gave 1.",
        "INFO qa.app.web: question refused: A collection is named by text, not list.",
        "INFO qa.app.web: call refused: Input 4 (slider) of this endpoint takes float, not list.",
    ]


def test_api_helpers_read_credentials_errors_and_the_description():
    import base64
    from types import SimpleNamespace

    from qa.app.web import (
        basic_credentials,
        cookie_user,
        credentials_user,
        docs_html,
        error_status,
        schema_type,
        validation_message,
    )
    from qa.store.protocol import StoreUnavailable
    from qa.validation import CollectionError, QuestionError

    header = "Basic " + base64.b64encode(b"ada:pass:word").decode()
    assert basic_credentials(header) == (b"ada", b"pass:word")
    assert basic_credentials("Bearer abc") is None and basic_credentials("Basic !!") is None
    assert basic_credentials(None) is None
    users = [("ada", "pass:word"), ("grace", "cobol!")]
    assert credentials_user((b"ada", b"pass:word"), users) == "ada"
    assert credentials_user((b"grace", b"pass:word"), users) is None
    app = SimpleNamespace(cookie_id="c1", tokens={"t": "grace"})
    assert cookie_user(app, {"access-token-c1": "t"}) == "grace"
    assert cookie_user(app, {"access-token-unsecure-c1": "t"}) == "grace"
    assert cookie_user(app, {"access-token-c1": "forged"}) is None and cookie_user(None, {}) is None
    assert validation_message([{"type": "missing", "loc": ("body",), "msg": "Field required"}]).startswith(
        "The request body is empty"
    )
    assert (
        validation_message(
            [
                {
                    "type": "string_type",
                    "loc": ("body", "history", 0, "question"),
                    "msg": "Input should be a valid string",
                }
            ]
        )
        == "Invalid request: history[0].question: Input should be a valid string."
    )
    assert [error_status(e) for e in (CollectionError("x"), QuestionError("x"), StoreUnavailable("x"), OSError())] == [
        404,
        422,
        503,
        500,
    ]
    assert schema_type({"anyOf": [{"type": "integer"}, {"type": "null"}]}) == "integer | null"
    assert (
        schema_type({"type": "array", "items": {"$ref": "#/components/schemas/HistoryTurn"}}) == "array of HistoryTurn"
    )
    page = docs_html(
        {
            "info": {"title": "<t>", "description": "d"},
            "paths": {"/api/x": {"get": {"summary": "S", "responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {"M": {"properties": {"f": {"type": "string", "description": "<b>"}}}}},
        }
    )
    assert "<h1>&lt;t&gt;</h1>" in page and "<code>GET /api/x</code>" in page and "&lt;b&gt;" in page


def test_malformed_gradio_calls_are_named_in_one_line():
    from gradio.exceptions import ComponentProcessingError
    from pydantic import BaseModel, ValidationError

    from qa.app.web import malformed_call

    too_few = ValueError(
        "An event handler (ask_api) didn't receive enough input values (needed: 8, got: 1).\nCheck if the event ..."
    )
    assert malformed_call(too_few) == "This endpoint takes 8 inputs; the call gave 1."
    processing = ComponentProcessingError(
        'Could not preprocess input component at index 3 (a `slider` component) of the event handler (named "respond") '
        "with input components: [textbox, chatbot, state, slider].\n\nExpected a `float`, but the value passed to the "
        "event handler was: [] (of type `list`).\n\nOriginal error: TypeError: '<' not supported"
    )
    assert malformed_call(processing) == "Input 4 (slider) of this endpoint takes float, not list."

    class Messages(BaseModel):
        role: str

    with pytest.raises(ValidationError) as invalid:
        Messages.model_validate({"role": 5})
    assert malformed_call(invalid.value) == (
        "An input of this call does not fit its endpoint: role: Input should be a valid string."
    )
    assert malformed_call(ValueError("a bug")) is None and malformed_call(TypeError("a bug")) is None


def test_no_alternative_shows_more_confidence_than_its_answer():
    from qa.app.shown import shown_alternatives
    from qa.app.web import is_unsure, render_answer
    from qa.models import AskResult

    def result(confidence, *alternatives, **fields):
        return AskResult(
            question="q",
            resolved_question="q",
            answer="Navan",
            score=6.0,
            confidence=confidence,
            alternatives=list(alternatives),
            **fields,
        )

    duplicate = result(0.62, alternative("Navan, the booking tool", 5.9, 0.61))
    assert shown_alternatives(duplicate) == [] and not is_unsure(duplicate, "trained")
    assert "candidates" not in "".join(m["content"] for m in render_answer(duplicate, "trained"))
    two_parts = result(
        0.41,
        alternative("Workday", 7.0, 0.70),  # surer than the weaker part of the answer: not shown under it
        alternative("Okta", 5.5, 0.30),
        parts=[alternative("Navan", 6.0, 0.41), alternative("MFA", 8.0, 0.9)],
    )
    assert [a.text for a in shown_alternatives(two_parts)] == ["Okta"]
    shown = "".join(m["content"] for m in render_answer(two_parts, "trained"))
    assert "confidence: 41%" in shown and "confidence 30%" in shown and "70%" not in shown
    assert "The reader was unsure; other candidates" in shown  # Okta scored within the margin
    uncalibrated = result(None, alternative("Workday", 6.5), alternative("Okta", 2.0))
    assert [a.text for a in shown_alternatives(uncalibrated)] == ["Okta"] and not is_unsure(uncalibrated, "trained")
    assert is_unsure(result(None, alternative("Okta", 5.5)), "trained")  # without a probability: by the score margin


def test_the_chat_calls_the_reader_unsure_by_the_probability_it_shows():
    from qa.app.web import is_unsure, render_answer

    def result(confidence):
        near = alternative("three days", 12.6, confidence - 0.07)  # scored within the margin of the answer's 12.7
        return answered("three", 12.7, confidence, near)

    sure = "".join(m["content"] for m in render_answer(result(0.82), "trained"))
    assert not is_unsure(result(0.82), "trained") and "Other candidates" in sure and "unsure" not in sure
    assert is_unsure(result(0.47), "trained")
    assert "The reader was unsure" in "".join(m["content"] for m in render_answer(result(0.47), "trained"))


def test_the_chat_handlers_answer_and_list_without_gradio(sample_engine, tmp_path):
    from qa.app.web import ChatPage, Engines, UploadOwners, chat_turn, document_entries, documents_listing

    page = ChatPage(Engines(sample_engine), UploadOwners(tmp_path / "owners.json"), sample_engine.settings.reader)
    question = "What did Lavrov warn about?"
    steps = chat_turn(page, question, [], [], None, "", "", "", "", "")
    box, shown, none_yet = next(steps)  # the question, shown at once
    assert box == "" and none_yet == [] and shown == [{"role": "user", "content": question}]
    cleared, messages, turns = next(steps)
    assert cleared == "" and next(steps, None) is None
    assert turns == [{"question": question, "answer": turns[0]["answer"]}] and turns[0]["answer"]
    assert 'class="qa-answer"' in messages[1]["content"] and messages[2]["metadata"]["title"].startswith("Sources")

    status, table, choices = documents_listing(page.engines, None, "Done.")
    files = {path.name for path in sample_engine.documents_dir.iterdir()}
    assert status.startswith("Done.") and table and {row[1] for row in table} <= files
    assert [entry["id"] for entry in document_entries(page.engines)] == [row[2] for row in table]
    assert [document_id for _, document_id in choices or []] == [row[2] for row in table]
    status, table, choices = documents_listing(page.engines, 5, "")  # not a name: listed as a failure
    assert table is None and choices is None and status.startswith("❌") and "named by text" in status


def test_the_upload_and_removal_handlers_say_what_they_did_without_gradio(sample_engine, tmp_path):
    from qa.app.web import ChatPage, Engines, UploadOwners, remove_document, upload_files

    page = ChatPage(Engines(sample_engine), UploadOwners(tmp_path / "owners.json"), sample_engine.settings.reader)
    steps: list[float] = []
    assert upload_files(page, [], None, "ada", lambda done, desc: steps.append(done)) == "No file was uploaded."
    assert steps == []
    assert remove_document(page, "", None, "ada") == "Pick a document to remove."
    before = len(sample_engine.documents())
    refused = remove_document(page, "no-such-document", None, "ada")
    assert refused.startswith("❌") and len(sample_engine.documents()) == before


def test_the_api_handlers_sign_in_and_list_without_fastapi_routes(sample_engine):
    from types import SimpleNamespace

    from qa.app.web import ApiError, Engines, SignInThrottle, api_collections, signed_in_user

    request = SimpleNamespace(headers={}, client=SimpleNamespace(host="10.0.0.9"))
    throttle = SignInThrottle()
    assert signed_in_user(request, None, throttle, None) is None
    assert signed_in_user(request, [("ada", "secret")], throttle, lambda _: "ada") == "ada"
    with pytest.raises(ApiError) as refused:
        signed_in_user(request, [("ada", "secret")], throttle, None)
    assert refused.value.status == 401 and "WWW-Authenticate" in refused.value.headers
    collections = api_collections(Engines(sample_engine))
    assert [c.name for c in collections if c.default] == [sample_engine.collection.name]
