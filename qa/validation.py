"""One validation path for what users pass in: questions, histories, per-question options and settings overrides."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from qa.config import SAMPLE_DOCUMENTS_DIR, ReaderKind, RetrievalMode, Settings
from qa.models import Turn


class QAError(ValueError):
    """Something a user asked for that cannot be done; the message is one line that says what to change."""


class QuestionError(QAError):
    """A question that cannot be asked: not text, empty, too long, or without words."""


class HistoryError(QAError):
    """A conversation history that is not a list of earlier turns, or holds a turn that is too long."""


class OptionError(QAError):
    """An option or setting outside what it may be (top_k, retrieval mode, reader, threshold, a model name...)."""


class RemovalError(QAError):
    """A document that cannot be removed: no document has that id, or its file is outside the documents folder."""


MAX_HISTORY_TURNS = 20  # the turns a follow-up may look back on; older ones are dropped
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class AskOptions(BaseModel):
    """The options of one question, every one within its setting's bounds."""

    top_k: int
    mode: RetrievalMode
    reader: ReaderKind
    threshold: float | None
    min_confidence: float
    stop_confidence: float
    stop_probability: float
    joint_reading: bool


def clean_text(text: str) -> str:
    """Text with control characters (other than tab and newline) replaced by spaces, trimmed."""
    return CONTROL_CHARACTERS.sub(" ", text).strip()


def check_question(question: Any, max_chars: int) -> str:
    """The question, cleaned; raises QuestionError when it is not text, empty, too long or has no words."""
    if not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    question = clean_text(question)
    if not question:
        raise QuestionError("The question is empty.")
    if len(question) > max_chars:
        raise QuestionError(f"The question is too long ({len(question):,} characters; the limit is {max_chars:,}).")
    if not re.search(r"\w", question):
        raise QuestionError("The question has no words in it.")
    return question


def check_history(history: Any, max_chars: int, max_turns: int = MAX_HISTORY_TURNS) -> list[Turn]:
    """Earlier turns as Turn objects, the last ``max_turns`` of them: Turn objects, {"question", "answer"} dicts
    or (question, answer) pairs. Raises HistoryError for anything else or a turn longer than ``max_chars``."""
    if history is None:
        return []
    if not isinstance(history, list | tuple):
        raise HistoryError(f"The history must be a list of earlier turns, not {type(history).__name__}.")
    turns = []
    for number, item in enumerate(history[-max_turns:], start=1):
        if isinstance(item, Turn):
            question, answer = item.question, item.answer
        elif isinstance(item, dict) and "question" in item and set(item) <= {"question", "answer"}:
            question, answer = item["question"], item.get("answer")
        elif isinstance(item, list | tuple) and len(item) == 2:
            question, answer = item
        else:
            raise HistoryError(
                f'Turn {number} of the history must be a {{"question", "answer"}} object or a '
                f"(question, answer) pair, not {type(item).__name__}."
            )
        if not isinstance(question, str) or not (answer is None or isinstance(answer, str)):
            raise HistoryError(f"Turn {number} of the history: the question must be text and the answer text or null.")
        question, answer = clean_text(question), None if answer is None else clean_text(answer)
        if len(question) > max_chars or (answer is not None and len(answer) > max_chars):
            raise HistoryError(
                f"Turn {number} of the history is too long (the limit is {max_chars:,} characters "
                f"each for its question and answer)."
            )
        turns.append(Turn(question=question, answer=answer))
    return turns


@cache
def _field(name: str) -> TypeAdapter:
    field = Settings.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation)


def check_setting(name: str, value: Any) -> Any:
    """``value`` checked against the bounds of setting ``name``; raises OptionError with the bounds."""
    if isinstance(value, bool) and Settings.model_fields[name].annotation is not bool:
        raise OptionError(f"{name} must be {describe(name)}, not {shown(value)}.")
    try:
        return _field(name).validate_python(value)
    except ValidationError:
        raise OptionError(f"{name} must be {describe(name)}, not {shown(value)}.") from None


def environment_settings() -> Settings:
    """The settings read from the QA_* environment variables; raises OptionError naming each variable out of bounds."""
    try:
        return Settings()
    except ValidationError as error:
        problems = [(str(problem["loc"][0]), problem["input"]) for problem in error.errors()]
        raise OptionError(
            " ".join(f"QA_{name.upper()} must be {describe(name)}, not {shown(value)}." for name, value in problems)
        ) from None


def default_settings() -> Settings:
    """Settings from the environment, with the packaged sample article when the documents folder does not exist."""
    settings = environment_settings()
    if not Path(settings.documents_dir).is_dir():
        settings = settings.model_copy(update={"documents_dir": SAMPLE_DOCUMENTS_DIR})
    return settings


@contextmanager
def loading_model(setting: str, name: str) -> Iterator[None]:
    """Turns the failure to load the model that ``setting`` names into a one-line OptionError (a failure of the
    packaged models, named by an empty setting, is raised as it is)."""
    try:
        yield
    except (OSError, ValueError) as error:
        if not name or isinstance(error, QAError):
            raise
        if not Path(name).expanduser().exists():
            reason = "no such folder, nor a model of that name in the Hugging Face cache"
        else:
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0].rstrip(".: ")
        raise OptionError(f"{setting} {name!r} cannot be loaded: {reason}.") from None


def shown(value: Any) -> str:
    """A value as a message shows it: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def describe(name: str) -> str:
    """What setting ``name`` may be, in words: its choices or its range."""
    field = Settings.model_fields[name]
    choices = getattr(field.annotation, "__args__", None)
    if choices and all(isinstance(c, str) for c in choices):
        return "one of " + ", ".join(choices)
    if field.annotation is bool:
        return "true or false"
    if field.annotation in (str, Path):
        return "text"
    kind = "an integer" if field.annotation is int else "a finite number"
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}"
    if low is not None:
        return f"{kind} of at least {low}"
    return kind


def ask_options(
    settings: Settings,
    top_k: Any = None,
    mode: Any = None,
    reader: Any = None,
    threshold: Any = None,
    min_confidence: Any = None,
) -> AskOptions:
    """The options of one question: each given one checked against its setting, the others from ``settings``."""
    return AskOptions(
        top_k=settings.top_k if top_k is None else check_setting("top_k", top_k),
        mode=settings.retrieval_mode if mode is None else check_setting("retrieval_mode", mode),
        reader=settings.reader if reader is None else check_setting("reader", reader),
        threshold=None if threshold is None else check_setting("answer_threshold", threshold),
        min_confidence=settings.min_confidence
        if min_confidence is None
        else check_setting("min_confidence", min_confidence),
        stop_confidence=settings.stop_confidence,
        stop_probability=settings.stop_probability,
        joint_reading=settings.joint_reading,
    )


def settings_with(settings: Settings, updates: dict[str, Any]) -> Settings:
    """``settings`` with ``updates``, each checked like the settings themselves (unknown names refused)."""
    unknown = sorted(set(updates) - set(Settings.model_fields))
    if unknown:
        raise OptionError(f"Unknown setting {unknown[0]!r}; the settings are {', '.join(Settings.model_fields)}.")
    return settings.model_copy(update={name: check_setting(name, value) for name, value in updates.items()})
