"""Chunking: sentence splitting, passages within the model's token limit, overlap, and exact offsets on Unicode text."""

from __future__ import annotations

import itertools

import pytest

from qa.documents.chunking import Chunker, joined_passages, sentence_spans, tokenizer_counter
from qa.documents.loading import document_id
from qa.models import Document

UNICODE_TEXT = (
    "Zoë’s café in Zürich served crème brûlée. 東京は日本の首都です。 The menu said “naïve” 🙂 twice!\n"
    "Straße und Fluß — ein Beispiel. Dr. Müller arrived at 5 p.m. on Monday. Was it raining? Yes…\n\n"
    "Ελληνικά κείμενα εδώ. Русский текст тоже здесь. 👩‍👩‍👧 families count as one grapheme."
)


@pytest.fixture(scope="module")
def count_tokens():
    from transformers import AutoTokenizer

    from qa.embedding import resolve_embedding_model

    return tokenizer_counter(AutoTokenizer.from_pretrained(resolve_embedding_model("")))


def make_document(text: str) -> Document:
    return Document(id=document_id(text), title="t", source="t.txt", text=text)


def test_sentences_split_on_ends_and_lines_but_not_abbreviations():
    text = "Dr. Smith went home. He slept!  Then what?\nA heading without a stop\n\nLast one."
    sentences = [text[s.start : s.end] for s in sentence_spans(text)]
    assert sentences == ["Dr. Smith went home.", "He slept!", "Then what?", "A heading without a stop", "Last one."]


def test_sentence_offsets_are_exact_on_unicode():
    for span in sentence_spans(UNICODE_TEXT):
        piece = UNICODE_TEXT[span.start : span.end]
        assert piece == piece.strip() and piece


@pytest.mark.parametrize("max_tokens", [16, 40, 200])
def test_passages_are_exact_slices_within_the_token_limit(count_tokens, max_tokens):
    document = make_document(UNICODE_TEXT * 3)
    passages = Chunker(count_tokens, max_tokens=max_tokens, overlap_sentences=1).chunk(document)
    assert passages
    for number, passage in enumerate(passages):
        assert document.text[passage.start : passage.end] == passage.text
        assert count_tokens([passage.text])[0] <= max_tokens
        assert passage.id == f"{document.id}:{number}" and passage.document_id == document.id
    covered = set()
    for passage in passages:
        covered.update(range(passage.start, passage.end))
    assert all(i in covered for i, ch in enumerate(document.text) if not ch.isspace())


def test_consecutive_passages_share_one_sentence(count_tokens):
    text = " ".join(f"Sentence number {i} talks about topic {i}." for i in range(30))
    passages = Chunker(count_tokens, max_tokens=40, overlap_sentences=1).chunk(make_document(text))
    assert len(passages) > 3
    for before, after in itertools.pairwise(passages):
        assert before.start < after.start < before.end
        last_sentence = before.text[before.text.rindex("Sentence") :]
        assert after.text.startswith(last_sentence)


def test_a_sentence_longer_than_the_limit_is_split_on_words(count_tokens):
    text = "word " * 300 + "end."
    passages = Chunker(count_tokens, max_tokens=50, overlap_sentences=0).chunk(make_document(text.strip()))
    assert len(passages) >= 6
    assert all(count_tokens([p.text])[0] <= 50 for p in passages)
    assert all(not p.text.startswith(" ") and not p.text.endswith(" ") for p in passages)


def test_empty_and_whitespace_documents_give_no_passages(count_tokens):
    chunker = Chunker(count_tokens)
    assert chunker.chunk(make_document("   \n ")) == []


def test_a_line_without_spaces_is_cut_to_the_passage_cap():
    from qa.documents.chunking import CHARS_PER_TOKEN

    text = "x" * 1_000_000
    chunker = Chunker(lambda texts: [1 for _ in texts], max_tokens=200, overlap_sentences=0)  # one [UNK] token
    passages = chunker.chunk(Document(id="d", title="t", source="s", text=text))
    assert max(p.end - p.start for p in passages) == CHARS_PER_TOKEN * 200
    assert "".join(p.text for p in passages) == text and all(text[p.start : p.end] == p.text for p in passages)


def test_joined_pieces_become_passages_with_exact_offsets():
    pieces = ["Zoë’s café.", "東京 🙂 is far.", "Tea."]
    text = " | ".join(pieces)
    passages = joined_passages("d", pieces, " | ")
    assert [p.id for p in passages] == ["d:0", "d:1", "d:2"]
    assert all(text[p.start : p.end] == p.text == piece for p, piece in zip(passages, pieces, strict=True))
