"""Reader training: no-answer pairings, window labels, and a short real run that exports, resumes and reloads."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
import torch

from qa.questions.conversation import HISTORY_TURNS
from qa.training.fine_tune import (
    WORD,
    TrainConfig,
    answerless_paragraphs,
    collect_examples,
    encode_windows,
    hardest_negative,
    history_turns,
    train_reader,
)

CONTEXTS = [
    "The Volga flows into the Caspian Sea. Its delta near Astrakhan is a nature reserve.",
    "The Caspian Sea is the largest lake on Earth. Its water is brackish and the Volga feeds it.",
    "Moscow lies on the Moskva river. The Kremlin was built in the fifteenth century.",
    "Pelicans and flamingos nest in the Volga delta reserve every spring.",
]
QUESTIONS = [
    (0, "Where does the Volga flow into?", "the Caspian Sea"),
    (0, "Which city sits by the Volga delta?", "Astrakhan"),
    (1, "What is the largest lake on Earth?", "The Caspian Sea"),
    (2, "When was the Kremlin built?", "the fifteenth century"),
    (3, "Which birds nest in the Volga delta?", "Pelicans and flamingos"),
]


@pytest.fixture()
def squad_file(tmp_path):
    paragraphs = [{"context": context, "qas": []} for context in CONTEXTS]
    for number, (index, question, answer) in enumerate(QUESTIONS):
        start = CONTEXTS[index].index(answer)
        paragraphs[index]["qas"].append(
            {"id": f"q{number}", "question": question, "answers": [{"text": answer, "answer_start": start}]}
        )
    paragraphs[2]["qas"].append(
        {"id": "impossible", "question": "Who founded Moscow?", "answers": [], "is_impossible": True}
    )
    path = tmp_path / "train.json"
    path.write_text(json.dumps({"data": [{"title": "Rivers", "paragraphs": paragraphs}]}), encoding="utf-8")
    return path


def test_hardest_negative_shares_the_question_words_but_not_the_answer():
    lowered = [c.lower() for c in CONTEXTS]
    words = [set(WORD.findall(c)) for c in lowered]
    frequency = Counter(w for paragraph in words for w in paragraph)

    def hardest(question: str, answer: str) -> int | None:
        return hardest_negative(question, answerless_paragraphs(answer, lowered, 0), words, frequency)

    # Paragraph 3 shares the rarer "delta" as well as "volga" with the question, paragraph 1 only "volga".
    assert hardest("Which city sits by the Volga delta?", "Astrakhan") == 3
    # Paragraph 1 shares the most words but holds the answer text, so it is no negative.
    assert answerless_paragraphs("the Caspian Sea", lowered, 0) == [2, 3]
    assert hardest("Where does the Volga flow into?", "the Caspian Sea") == 3
    assert hardest("Nothing shared here?", "x") is None


def test_collect_examples_adds_answerless_pairings(squad_file):
    config = TrainConfig(
        train_files=[str(squad_file)], output_dir="unused", negative_fraction=1.0, hard_negative_fraction=1.0
    )
    examples = collect_examples(config, random.Random(0))
    positives = [e for e in examples if e[2] >= 0]
    negatives = [e for e in examples if e[2] < 0]
    assert len(positives) == len(QUESTIONS)
    for _, context, start, answer in positives:
        assert context[start : start + len(answer)] == answer
    assert ("Who founded Moscow?", CONTEXTS[2], -1, "") in negatives
    answers = {question: answer for _, question, answer in QUESTIONS}
    for question, context, _, _ in negatives:
        if question in answers:
            assert answers[question].lower() not in context.lower()
    assert len(negatives) > len(QUESTIONS)


def test_encode_windows_label_answer_tokens_and_no_answer_at_cls(tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    context = "Préface: " + "filler words here. " * 40 + "The café opened in 1887 on the Nevsky Prospekt."
    answer = "1887"
    examples = [
        ("When did the café open?", context, context.index(answer), answer),
        ("When did the café open?", CONTEXTS[2], -1, ""),
    ]
    config = TrainConfig(train_files=[], output_dir="unused", max_length=64, stride=32)
    windows = encode_windows(tokenizer, examples, config)
    labelled = [w for w in windows if w.start > 0]
    assert labelled, "some window must hold the answer"
    for window in labelled:
        assert tokenizer.decode(window.input_ids[window.start : window.end + 1]) == answer
    assert len(windows) > len(labelled)
    assert all(len(w.input_ids) <= 64 for w in windows)


def test_short_training_run_exports_a_loadable_fp16_reader_and_resumes(tiny_model_dir, squad_file, tmp_path):
    import torch
    from transformers import AutoModelForQuestionAnswering

    config = TrainConfig(
        train_files=[str(squad_file)],
        output_dir=str(tmp_path / "run"),
        base_model=tiny_model_dir,
        epochs=2,
        batch_size=2,
        learning_rate=1e-3,
        max_length=64,
        stride=32,
        device="cpu",
    )
    exported = train_reader(config)
    model = AutoModelForQuestionAnswering.from_pretrained(exported)
    assert model.dtype == torch.float16
    summary = json.loads((exported / "training.json").read_text())
    assert summary["steps"] == summary["planned_steps"] > 0
    assert summary["history_turns"] == 0  # no file of follow-ups among its training data

    # Resuming reads the checkpoint: its step count and the time it records carry over (the time is set to 10
    # minutes here so a run that ignored the checkpoint and trained afresh would show).
    checkpoint_path = tmp_path / "run" / "checkpoint.pt"
    state = torch.load(checkpoint_path, weights_only=False)
    state["elapsed"] = 600.0
    torch.save(state, checkpoint_path)
    resumed = json.loads((train_reader(config, resume=True) / "training.json").read_text())
    assert resumed["steps"] == summary["steps"] and resumed["minutes"] >= 10


def test_collect_examples_adds_near_miss_questions_at_the_asked_fraction(squad_file, tmp_path):
    def near_misses(fraction: float, path) -> tuple[list, Counter]:
        config = TrainConfig(
            train_files=[str(path)],
            output_dir="unused",
            negative_fraction=0.0,
            hard_negative_fraction=0.0,
            near_miss_fraction=fraction,
        )
        kinds: Counter = Counter()
        examples = collect_examples(config, random.Random(0), kinds)
        originals = {question for _, question, _ in QUESTIONS} | {"Who founded Moscow?"}
        made = []
        for before, example in pairwise(examples):
            if example[0] not in originals:  # a near miss follows its question, on the same paragraph
                assert example[1:] == (before[1], -1, "") and example[0] != before[0]
                made.append(example)
        return made, kinds

    assert near_misses(0.0, squad_file) == ([], Counter())
    made, kinds = near_misses(1.0, squad_file)
    assert len(made) == sum(kinds.values()) == len(QUESTIONS)  # a rule applies to every question here
    # The same article 40 times: 200 answerable questions, about half of them get a near miss.
    data = json.loads(squad_file.read_text(encoding="utf-8"))
    data["data"] *= 40
    many = tmp_path / "many.json"
    many.write_text(json.dumps(data), encoding="utf-8")
    made, kinds = near_misses(0.5, many)
    assert 70 <= len(made) == sum(kinds.values()) <= 130


def test_averaging_readers_takes_the_weighted_mean_of_every_parameter(tiny_model_dir, tmp_path):
    from safetensors.torch import load_file, save_file

    from qa.training.fine_tune import average_readers

    first = Path(tiny_model_dir)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    state = load_file(str(first / "model.safetensors"))
    shifted = {name: tensor + 1.0 for name, tensor in state.items()}
    save_file(shifted, str(second / "model.safetensors"), metadata={"format": "pt"})
    averaged = average_readers([first, second], tmp_path / "mean", weights=[3.0, 1.0])
    mean = load_file(str(averaged / "model.safetensors"))
    for name, tensor in state.items():
        assert torch.allclose(mean[name].float(), tensor.float() + 0.25, atol=1e-3), name
    assert (averaged / "config.json").read_text() == (first / "config.json").read_text()
    from transformers import AutoModelForQuestionAnswering

    AutoModelForQuestionAnswering.from_pretrained(averaged)  # a reader the product can load

    save_file({"other": torch.zeros(2)}, str(second / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(ValueError, match="does not have the parameters of .*: not the same architecture$"):
        average_readers([first, second], tmp_path / "bad")
    with pytest.raises(ValueError, match=r"^averaging needs at least two readers, got 1$"):
        average_readers([first], tmp_path / "bad")
    with pytest.raises(ValueError, match=r"^need one non-negative weight per reader"):
        average_readers([first, first], tmp_path / "bad", weights=[1.0, -1.0])


def test_a_reader_trained_on_follow_ups_reads_history_and_says_so(squad_file, tmp_path):
    from qa.evaluation.squad import load_squad
    from qa.reading.reader import SpanReader
    from qa.training.follow_ups import synthesise

    follow_ups, _ = synthesise(load_squad(squad_file))
    made = tmp_path / "follow-ups.json"
    made.write_text(json.dumps(follow_ups), encoding="utf-8")
    assert history_turns([str(squad_file)]) == 0
    assert history_turns([str(squad_file), str(made)]) == HISTORY_TURNS
    folder = tmp_path / "reader"
    folder.mkdir()
    assert SpanReader(model=str(folder)).history_turns == 0
    (folder / "training.json").write_text(json.dumps({"history_turns": 2}), encoding="utf-8")
    assert SpanReader(model=str(folder)).history_turns == 2
