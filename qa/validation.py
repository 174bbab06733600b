"""One validation path for what users pass in: questions, histories, per-question options and settings overrides."""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from qa.config import SAMPLE_DOCUMENTS_DIR, ReaderKind, RetrievalMode, Settings
from qa.errors import (  # noqa: F401 - defined in qa.errors, importable from here as before
    ClosedError,
    CollectionError,
    FolderError,
    HistoryError,
    OptionError,
    QAError,
    QuestionError,
    RemovalError,
)
from qa.models import Turn
from qa.store.protocol import location_setting

MAX_HISTORY_TURNS = 20  # the turns a follow-up may look back on; older ones are dropped
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What no typed text holds: control characters other than tab and line breaks, and lone surrogates (which are not
# characters at all: no encoding can write them).
TYPED_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SURROGATES = re.compile(r"[\ud800-\udfff]")


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
    answerability: bool


def clean_text(text: str) -> str:
    """Text with control characters (other than tab and newline) replaced by spaces, trimmed."""
    return CONTROL_CHARACTERS.sub(" ", text).strip()


def text_problem(text: str, controls: bool = True) -> str | None:
    """What makes ``text`` not plain text (a lone surrogate, or with ``controls`` a control character other than tab
    and line breaks), with where it is; None when it is plain text."""
    found = SURROGATES.search(text) or (TYPED_CONTROLS.search(text) if controls else None)
    if found is None:
        return None
    kind = "a lone surrogate" if SURROGATES.match(found.group()) else "a control character"
    return f"{kind} (U+{ord(found.group()):04X}) at character {found.start() + 1}"


def check_question(question: Any, max_chars: int) -> str:
    """The question, trimmed; raises QuestionError when it is not plain text, empty, too long or has no words."""
    if not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    if (problem := text_problem(question)) is not None:
        raise QuestionError(f"The question is not plain text: it holds {problem}.")
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
        check_turn_text(number, question, answer)
        question, answer = clean_text(question), None if answer is None else clean_text(answer)
        if len(question) > max_chars or (answer is not None and len(answer) > max_chars):
            raise HistoryError(
                f"Turn {number} of the history is too long (the limit is {max_chars:,} characters "
                f"each for its question and answer)."
            )
        turns.append(Turn(question=question, answer=answer))
    return turns


def check_turn_text(number: int, question: str, answer: str | None) -> None:
    """Raises HistoryError when a turn's question is not plain text or its answer holds a lone surrogate (an answer
    is a span of a document, which may hold control characters: they are cleaned, not refused)."""
    for part, text, controls in (("question", question, True), ("answer", answer or "", False)):
        if (problem := text_problem(text, controls)) is not None:
            raise HistoryError(f"Turn {number} of the history is not plain text: its {part} holds {problem}.")


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


def default_settings(settings: Settings | None = None) -> Settings:
    """``settings`` (default: the environment's), with the packaged sample article when no documents folder, index,
    collection or database was named and ./documents does not exist: a named index is never synced with the sample."""
    settings = settings or environment_settings()
    in_database = location_setting(settings.store) == "store_url"
    named = {"documents_dir", "index_dir", "collection"} & settings.model_fields_set or in_database
    if not named and not Path(settings.documents_dir).is_dir():
        settings = settings.model_copy(update={"documents_dir": SAMPLE_DOCUMENTS_DIR})
    return settings


_bars_lock = threading.Lock()
_bars_hidden = 0  # calls of no_progress_bars under way
_bars_were_on = (False, False)  # transformers' and huggingface_hub's progress bars before the first of them


@contextmanager
def no_progress_bars() -> Iterator[None]:
    """transformers' progress bars (a "Loading weights" bar for every model loaded) off meanwhile; once the last of
    overlapping calls ends, they are as they were (the process's other uses of transformers keep theirs)."""
    global _bars_hidden, _bars_were_on
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars
    from transformers.utils import logging as transformers_logging

    with _bars_lock:
        if _bars_hidden == 0:
            _bars_were_on = (transformers_logging.is_progress_bar_enabled(), not are_progress_bars_disabled())
            if _bars_were_on[0]:
                transformers_logging.disable_progress_bar()
        _bars_hidden += 1
    try:
        yield
    finally:
        with _bars_lock:
            _bars_hidden -= 1
            if _bars_hidden == 0 and _bars_were_on[0]:
                with warnings.catch_warnings():  # (huggingface_hub warns when its variable keeps its bars off)
                    warnings.simplefilter("ignore")
                    transformers_logging.enable_progress_bar()  # (and huggingface_hub's)
                if not _bars_were_on[1]:
                    disable_progress_bars()


@contextmanager
def loading_model(setting: str, name: str) -> Iterator[None]:
    """Turns the failure to load the model that ``setting`` names into a one-line OptionError (a failure of the
    packaged models, named by an empty setting, is raised as it is); no progress bar is shown meanwhile."""
    try:
        with no_progress_bars():
            yield
    except (OSError, ValueError) as error:
        if not name or isinstance(error, QAError):
            raise
        if not Path(name).expanduser().exists():
            reason = "no such folder, nor a model of that name in the Hugging Face cache"
        else:
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0].rstrip(".: ")
        raise OptionError(f"{setting} {name!r} cannot be loaded: {reason}.") from None


def local_model(name: str) -> str:
    """``name`` when it is a folder, else the folder of the model of that name in the Hugging Face cache; models are
    never downloaded and the network is never asked (FileNotFoundError when it is in neither place)."""
    if Path(name).is_dir():
        return name
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(name, "config.json")  # the cache's folders only; HFValidationError for a bad name
    if not isinstance(found, str):
        raise FileNotFoundError(f"{name} is neither a folder nor a model in the Hugging Face cache")
    return str(Path(found).parent)


def counted(number: int, noun: str) -> str:
    """``number`` with ``noun``, plural unless one: "1 document", "412 documents", "0 passages"."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


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
    pattern = next((m.pattern for m in field.metadata if getattr(m, "pattern", None)), None)
    if field.annotation in (str, Path):
        return f"text matching {pattern}" if pattern else "text"
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
        answerability=settings.answerability,
    )


def settings_with(settings: Settings, updates: dict[str, Any]) -> Settings:
    """``settings`` with ``updates``, each checked like the settings themselves (unknown names refused)."""
    unknown = sorted(set(updates) - set(Settings.model_fields))
    if unknown:
        raise OptionError(f"Unknown setting {unknown[0]!r}; the settings are {', '.join(Settings.model_fields)}.")
    return settings.model_copy(update={name: check_setting(name, value) for name, value in updates.items()})
