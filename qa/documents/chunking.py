"""Split documents into sentence-aware passages sized in embedding-model tokens, with exact character offsets."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.models import Document, Passage, Span, passage_id

# A sentence ends at . ! ? or … (optionally followed by closing quotes or brackets) before white space.
SENTENCE_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s)""")
ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "no",
    "jr",
    "sr",
    "u.s",
    "inc",
    "ltd",
}

TokenCounter = Callable[[Sequence[str]], list[int]]
COUNT_BATCH = 2_000
# Characters a passage may hold per token of its budget, whatever the tokenizer says (a 1 MB word is one token).
CHARS_PER_TOKEN = 12


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]`` as spans without surrounding white space; lines are never joined."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start = start + line.start()
        cursor = line_start
        for match in SENTENCE_END.finditer(line.group()):
            boundary = line_start + match.end()
            word = re.search(r"(\S+)$", text[cursor : line_start + match.start()])
            if match.group().startswith(".") and word and word.group(1).lower().strip('("“') in ABBREVIATIONS:
                continue
            spans.append(Span(start=cursor, end=boundary))
            cursor = boundary
        spans.append(Span(start=cursor, end=line_start + len(line.group())))
    return [trimmed for span in spans if (trimmed := strip_span(text, span))]


def strip_span(text: str, span: Span) -> Span | None:
    """The span without leading or trailing white space; None when nothing is left."""
    piece = text[span.start : span.end]
    if not piece.strip():
        return None
    start = span.start + len(piece) - len(piece.lstrip())
    return Span(start=start, end=span.end - (len(piece) - len(piece.rstrip())))


def split_long_sentence(text: str, span: Span, tokens: int, max_tokens: int) -> list[Span]:
    """Cut a sentence longer than ``max_tokens`` into word-aligned pieces of about equal token counts."""
    words = [
        Span(start=span.start + m.start(), end=span.start + m.end())
        for m in re.finditer(r"\S+", text[span.start : span.end])
    ]
    pieces = -(-tokens // max_tokens) + 1
    per_piece = -(-len(words) // pieces)
    return [
        Span(start=words[i].start, end=words[min(i + per_piece, len(words)) - 1].end)
        for i in range(0, len(words), per_piece)
    ]


@dataclass
class Chunker:
    """Packs whole sentences into passages of at most ``max_tokens`` tokens, sharing ``overlap_sentences``."""

    count_tokens: TokenCounter
    max_tokens: int = 200
    overlap_sentences: int = 1

    def sentences(self, text: str) -> list[tuple[Span, int]]:
        """Sentences with their token counts, long ones split until each fits in a passage (counted in batches,
        so that a very large document never has all its sentences tokenised at once)."""
        spans = sentence_spans(text)
        counts = [
            n
            for first in range(0, len(spans), COUNT_BATCH)
            for n in self.count_tokens([text[s.start : s.end] for s in spans[first : first + COUNT_BATCH]])
        ]
        fitted: list[tuple[Span, int]] = []
        for span, count in zip(spans, counts, strict=True):
            if count <= self.max_tokens:
                fitted.append((span, count))
                continue
            pieces = split_long_sentence(text, span, count, self.max_tokens)
            piece_counts = self.count_tokens([text[p.start : p.end] for p in pieces])
            for piece, piece_count in zip(pieces, piece_counts, strict=True):
                if piece_count > self.max_tokens:  # a run of very long words: fall back to characters
                    step = max(1, (piece.end - piece.start) * self.max_tokens // (piece_count + 1))
                    fitted += [
                        (Span(start=s, end=min(s + step, piece.end)), self.max_tokens)
                        for s in range(piece.start, piece.end, step)
                    ]
                else:
                    fitted.append((piece, piece_count))
        limit = CHARS_PER_TOKEN * self.max_tokens
        capped: list[tuple[Span, int]] = []
        for span, count in fitted:
            if span.end - span.start <= limit:
                capped.append((span, count))
            else:  # cut at the limit, each piece a passage of its own
                capped += [
                    (Span(start=s, end=min(s + limit, span.end)), self.max_tokens)
                    for s in range(span.start, span.end, limit)
                ]
        return capped

    def chunk(self, document: Document) -> list[Passage]:
        """Passages covering the whole document, in order; each is an exact slice of ``document.text``."""
        sentences = self.sentences(document.text)
        passages: list[Passage] = []
        first = 0
        while first < len(sentences):
            last, total = first, sentences[first][1]
            while last + 1 < len(sentences) and total + sentences[last + 1][1] <= self.max_tokens:
                last += 1
                total += sentences[last][1]
            start, end = sentences[first][0].start, sentences[last][0].end
            passages.append(
                Passage(
                    id=passage_id(document.id, len(passages)),
                    document_id=document.id,
                    start=start,
                    end=end,
                    text=document.text[start:end],
                )
            )
            if last + 1 >= len(sentences):
                break
            first = max(first + 1, last + 1 - self.overlap_sentences)
        return passages


def joined_passages(document_id: str, pieces: list[str], separator: str) -> list[Passage]:
    """One passage per piece of the text ``separator.join(pieces)``, with exact offsets into it."""
    passages, start = [], 0
    for number, piece in enumerate(pieces):
        passages.append(
            Passage(
                id=passage_id(document_id, number),
                document_id=document_id,
                start=start,
                end=start + len(piece),
                text=piece,
            )
        )
        start += len(piece) + len(separator)
    return passages


def tokenizer_counter(tokenizer) -> TokenCounter:
    """Count word pieces (without special tokens) with a Hugging Face tokenizer."""

    def count(texts: Sequence[str]) -> list[int]:
        encoded = tokenizer(
            list(texts), add_special_tokens=False, return_attention_mask=False, return_token_type_ids=False
        )
        return [len(ids) for ids in encoded["input_ids"]]

    return count
