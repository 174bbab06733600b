"""Span decoding with a tiny randomly initialised QA model built here: windows, edges, merging, Unicode, empty input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa.models import Passage
from qa.reading.reader import (
    ReaderSpan,
    SpanReader,
    best_spans,
    merge_spans,
)

FILLER = "apple"


class SteeredReader(SpanReader):
    """The tiny model's windows and offsets, with logits that point at chosen words (0 at [CLS] = no answer)."""

    start_word, end_word = "zebra", "zebra"

    def logits(self, encoded):
        start_id, end_id = self.tokenizer.convert_tokens_to_ids([self.start_word, self.end_word])
        starts, ends = [], []
        for ids in encoded["input_ids"]:
            ids = np.array(ids)
            start, end = np.where(ids == start_id, 10.0, -10.0), np.where(ids == end_id, 10.0, -10.0)
            start[0] = end[0] = 0.0
            starts.append(start)
            ends.append(end)
        return starts, ends


def passage_of(text: str, start: int = 0, document_text: str | None = None) -> Passage:
    return Passage(id="d:0", document_id="d", start=start, end=start + len(text), text=text)


def test_random_model_spans_are_exact_slices(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16, max_answer_tokens=5)
    text = "Zoë’s café in Zürich 🙂 serves crème brûlée to naïve tourists every day. " * 6
    spans = reader.read("What does the café serve?", [passage_of(text)], top_n=5)
    assert 1 <= len(spans) <= 5
    for span in spans:
        assert text[span.start : span.end] == span.text and np.isfinite(span.score)
        assert len(reader.tokenizer.tokenize(span.text)) <= 5
    assert [s.score for s in spans] == sorted((s.score for s in spans), reverse=True)


def test_answer_at_the_window_edge_is_found_once(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    question = "where?"
    capacity = 64 - len(reader.tokenizer.tokenize(question)) - 3
    words = [FILLER] * 150
    words[capacity - 1] = "zebra"  # the last context token of the first window, also inside the second
    text = " ".join(words)
    encoded = reader.tokenizer(
        question, text, truncation="only_second", max_length=64, stride=16, return_overflowing_tokens=True
    )
    assert len(encoded["input_ids"]) >= 3
    spans = reader.read(question, [passage_of(text)])
    assert spans[0].text == "zebra" and spans[0].score == pytest.approx(20.0)
    assert text[spans[0].start : spans[0].end] == "zebra"
    assert sum(s.text == "zebra" for s in spans) == 1


def test_the_reader_counts_the_windows_it_reads(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16)
    question, text = "What does the café serve?", " ".join([FILLER] * 150)
    encoded = reader.tokenizer(
        question, text, truncation="only_second", max_length=64, stride=16, return_overflowing_tokens=True
    )
    assert reader.windows_read == 0
    reader.read(question, [passage_of(text), passage_of("A short one.")])
    assert reader.windows_read == len(encoded["input_ids"]) + 1


def test_questions_read_at_once_from_threads_all_count(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16)
    passages = [passage_of("Zoë’s café serves crêpes."), passage_of("Kraków has a market.")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: reader.read(f"What does café {n} serve?", passages), range(12)))
    assert reader.windows_read == 12 * len(passages)


def test_a_value_read_in_a_field_item_is_cited_at_its_own_place(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    document = "## Café Zoë\n\n- **Pump pressure:** zebra\n- Weight: 7.2 kg"  # read as "- Pump pressure is zebra."
    spans = reader.read("What is the pump pressure?", [passage_of(document[5:], start=5)])
    assert spans and spans[0].text == "zebra"
    assert document[spans[0].start : spans[0].end] == "zebra"


def test_overlapping_passages_merge_into_one_span(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    document = "Intro words here. The zebra runs fast. Closing words."
    first = Passage(id="d:0", document_id="d", start=0, end=38, text=document[:38])
    second = Passage(id="d:1", document_id="d", start=18, end=len(document), text=document[18:])
    spans = reader.read("who runs?", [first, second])
    zebras = [s for s in spans if s.text == "zebra"]
    assert len(zebras) == 1 and document[zebras[0].start : zebras[0].end] == "zebra"


def test_unicode_offsets_map_to_the_document(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    reader.end_word = "horse"
    document = "Préface — 東京 🙂. Zoë’s naïve café: the zebra and the horse ate crème brûlée."
    start = document.index("Zoë")
    spans = reader.read("which animals?", [passage_of(document[start:], start=start)])
    assert document[spans[0].start : spans[0].end] == spans[0].text == "zebra and the horse"


def test_answers_longer_than_the_limit_are_not_taken(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16, max_answer_tokens=3)
    reader.end_word = "horse"
    spans = reader.read("which?", [passage_of("the zebra apple apple apple the horse")])
    assert all(s.text != "zebra apple apple apple the horse" for s in spans)
    assert all(len(reader.tokenizer.tokenize(s.text)) <= 3 for s in spans)


def test_empty_passages_and_questions_give_nothing(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16)
    assert reader.read("anything?", [passage_of(""), passage_of("   \n")]) == []
    assert reader.read("   ", [passage_of("Some text.")]) == []
    assert reader.read("anything?", []) == []


def test_long_questions_are_cut_to_fit(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16, max_question_tokens=10)
    spans = reader.read("why " * 100, [passage_of("the zebra sleeps")])
    assert spans[0].text == "zebra"


def test_best_spans_scores_against_no_answer():
    start = np.array([5.0, 0.0, 1.0, 3.0, 0.0, 0.0])
    end = np.array([5.0, 0.0, 0.0, 0.0, 4.0, 1.0])
    context = np.array([False, False, True, True, True, True])
    spans = best_spans(start, end, context, max_answer_tokens=2, top_n=3)
    assert spans[0] == (3, 4, pytest.approx(-3.0))
    assert all(0 <= j - i < 2 and i >= 2 for i, j, _ in spans)
    assert best_spans(start, end, np.zeros(6, dtype=bool), 2, 3) == []


def every_span(start, end, context, max_answer_tokens):
    """Each (start token, end token, score) a span of the context may have, scored as ``best_spans`` scores them."""
    null = start[0] + end[0]
    places = np.flatnonzero(context)
    return [(i, j, start[i] + end[j] - null) for i in places for j in places if 0 <= j - i < max_answer_tokens]


def test_best_spans_are_the_best_of_every_span_ties_by_start_then_length():
    rng = np.random.default_rng(7)
    for _ in range(200):
        length = int(rng.integers(3, 80))
        start = np.round(rng.normal(size=length) * 2).astype(np.float32) / 2  # coarse logits: many ties
        end = np.round(rng.normal(size=length) * 2).astype(np.float32) / 2
        context = rng.random(length) < 0.8  # gaps too: a context token left out is never inside a span's count
        context[0] = False
        longest, top_n = int(rng.integers(1, 12)), int(rng.integers(1, 9))
        ranked = sorted(every_span(start, end, context, longest), key=lambda s: (-s[2], s[0], s[1]))
        expected = [(int(i), int(j), pytest.approx(float(score))) for i, j, score in ranked[:top_n]]
        assert best_spans(start, end, context, longest, top_n) == expected


def test_best_spans_of_a_long_window_reach_the_answers_longest():
    start, end = np.full(256, -9.0, dtype=np.float32), np.zeros(256, dtype=np.float32)
    start[0], end[0] = 0.0, 0.0  # no answer scores 0
    start[200], end[229], end[230] = 4.0, 3.0, 9.0  # 200 to 230 would be 31 tokens
    context = np.ones(256, dtype=bool)
    context[0] = False
    assert best_spans(start, end, context, max_answer_tokens=30, top_n=1) == [(200, 229, pytest.approx(7.0))]


def test_merge_keeps_the_best_score_per_position():
    spans = [
        ReaderSpan("d", "d:0", 3, 8, "zebra", 1.0),
        ReaderSpan("d", "d:1", 3, 8, "zebra", 2.5),
        ReaderSpan("d", "d:1", 10, 15, "horse", 2.0),
    ]
    merged = merge_spans(spans)
    assert [(s.text, s.score, s.passage_id) for s in merged] == [("zebra", 2.5, "d:1"), ("horse", 2.0, "d:1")]


def test_a_passage_that_never_names_the_role_asked_is_not_read_for_its_holder(tiny_model_dir):
    reader = SteeredReader(tiny_model_dir, max_length=64, stride=16)
    other = Passage(id="d:0", document_id="d", start=0, end=34, text="Our security officer is zebra Day.")
    titled = Passage(id="e:0", document_id="e", start=0, end=15, text="It is zebra Ng.", headings=((-1, "Treasurer"),))
    assert reader.read("Who is the treasurer?", [other]) == [] and reader.windows_read == 0  # not even read
    spans = reader.read("Who is the treasurer?", [other, titled])
    assert spans[0].text == "zebra" and {s.document_id for s in spans} == {"e"}
    assert reader.read("Who is the security officer?", [other])[0].text == "zebra"


def test_windows_batched_by_length_give_each_window_its_own_logits(tiny_model_dir):
    texts = ["short passage.", " ".join(["a much longer passage about nothing"] * 12), "mid sized passage here."] * 3
    batched, alone = SpanReader(tiny_model_dir, batch_size=3), SpanReader(tiny_model_dir, batch_size=1)
    encoded = batched.tokenizer(["what?"] * len(texts), texts, truncation="only_second", max_length=64)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    assert len(set(lengths)) == 3  # three windows of each of three lengths, interleaved: one batch each
    for (start_a, end_a), (start_b, end_b), length in zip(
        zip(*batched.logits(encoded), strict=True), zip(*alone.logits(encoded), strict=True), lengths, strict=True
    ):
        assert len(start_a) == length  # batched with the windows of its own length: no padding
        assert np.allclose(start_a[:length], start_b[:length], atol=1e-4)
        assert np.allclose(end_a[:length], end_b[:length], atol=1e-4)


def test_pytorch_pads_each_batch_to_a_step_and_each_window_keeps_its_own_logits(tiny_model_dir):
    from qa.reading.reader import LENGTH_STEP

    reader = SpanReader(tiny_model_dir, max_length=96, stride=16, batch_size=2, runtime="torch", precision="fp32")
    texts = ["short passage.", " ".join(["a longer passage about nothing"] * 5), "mid sized passage here, a bit."]
    encoded = reader.tokenizer(["what?"] * 3, texts, truncation="only_second", max_length=96)
    rows = {name: [list(ids) for ids in encoded[name]] for name in ("input_ids", "token_type_ids", "attention_mask")}
    widths, run_batch = [], reader.run_batch
    reader.__dict__["run_batch"] = lambda batch: widths.append(batch["input_ids"].shape[1]) or run_batch(batch)
    starts, ends = reader.forward(rows)
    assert widths and all(w % LENGTH_STEP == 0 or w == reader.max_length for w in widths)
    assert not set(widths) <= {len(ids) for ids in rows["input_ids"]}  # padded past a batch's longest window
    for window, ids in enumerate(rows["input_ids"]):
        alone = run_batch({name: np.array([rows[name][window]]) for name in rows})
        assert len(starts[window]) == len(ids)
        assert np.allclose(starts[window], alone[0][0], atol=1e-4)
        assert np.allclose(ends[window], alone[1][0], atol=1e-4)


def test_questions_asked_together_share_forward_passes_and_get_their_own_logits(tiny_model_dir):
    import threading
    import time

    from qa.batching import SharedBatches

    reader = SpanReader(tiny_model_dir, batch_size=8)
    reader.warm_up()

    def slow_forward(windows):  # a pass as slow as a real model's: the questions arriving meanwhile queue up
        time.sleep(0.05)
        return reader.forward_windows(windows)

    reader.__dict__["batcher"] = SharedBatches(slow_forward)
    questions = [f"question number {n}?" for n in range(12)]
    texts = ["a passage about apples and pears. " * (1 + n % 4) for n in range(12)]
    encoded = [
        reader.tokenizer([q], [t], truncation="only_second", max_length=64)
        for q, t in zip(questions, texts, strict=True)
    ]
    alone = [
        reader.forward({n: list(e[n]) for n in ("input_ids", "token_type_ids", "attention_mask")}) for e in encoded
    ]
    release, together = threading.Barrier(len(encoded)), [None] * len(encoded)

    def ask(number: int) -> None:
        release.wait()
        together[number] = reader.logits(encoded[number])

    calls_before = reader.batcher.calls
    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(encoded))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert reader.batcher.calls - calls_before <= 3  # twelve questions, read together in a few passes
    for (starts, ends), (starts_alone, ends_alone) in zip(together, alone, strict=True):
        assert len(starts) == len(starts_alone) == 1
        length = len(starts_alone[0])
        assert np.allclose(starts[0][:length], starts_alone[0], atol=1e-4)
        assert np.allclose(ends[0][:length], ends_alone[0], atol=1e-4)


def test_candidates_by_text_keep_each_texts_best_score_best_first():
    from qa.reading.reader import candidates_by_text

    def span(text, score):
        return ReaderSpan(document_id="d", passage_id="d:0", start=0, end=len(text), text=text, score=score)

    spans = [span("Lavrov", 10.0), span("NATO", 8.0), span("Lavrov", 5.0), span("Rogozin", 2.0)]
    assert candidates_by_text(spans) == [("Lavrov", 10.0), ("NATO", 8.0), ("Rogozin", 2.0)]


def test_a_hub_name_in_the_cache_loads_from_it_without_the_network(tiny_model_dir, tmp_path, monkeypatch, no_network):
    import shutil

    import huggingface_hub.constants

    repo = tmp_path / "hub" / "models--someone--tiny-reader"
    shutil.copytree(tiny_model_dir, repo / "snapshots" / "abc123")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123", encoding="utf-8")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    cached, local = SpanReader("someone/tiny-reader"), SpanReader(tiny_model_dir)
    assert cached.model.config.name_or_path == str(repo / "snapshots" / "abc123")
    assert all(
        (mine == theirs).all() for mine, theirs in zip(cached.model.parameters(), local.model.parameters(), strict=True)
    )
    assert cached.tokenizer("a question?")["input_ids"] == local.tokenizer("a question?")["input_ids"]
    assert no_network == []


def test_a_reader_warmed_up_runs_as_it_is_until_its_passes_are_traced(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16, runtime="torch", precision="fp32")
    reader.warm_up()  # what a one-question qa ask does: the trace would cost more than it saves
    before = reader.read("Who won?", [passage_of("Marie Curie won the Nobel Prize.")])
    assert not reader.torch_passes.is_traced
    reader.trace_passes()  # what QA.warm_up does
    assert reader.torch_passes.is_traced
    after = reader.read("Who won?", [passage_of("Marie Curie won the Nobel Prize.")])
    assert [(s.text, s.start, s.end) for s in after] == [(s.text, s.start, s.end) for s in before]
    assert [s.score for s in after] == pytest.approx([s.score for s in before], abs=1e-4)
