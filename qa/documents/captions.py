"""Transcripts and subtitles (.vtt: Teams', Zoom's and YouTube's; .srt) as text: each speaker's turn a line, timed."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from qa.documents.markup import collapsed
from qa.errors import DocumentError

# A cue's timing line: "00:01:02.500 --> 00:01:05.000 align:start" (an .srt writes "00:01:02,500"); hours may be left
# out of a WebVTT time ("01:02.500").
TIME = r"(?:(\d{1,5}):)?(\d{1,2}):(\d{2})[.,]\d{1,3}"
TIMING = re.compile(rf"^[ \t]*{TIME}[ \t]+-->[ \t]+{TIME}.*$", re.MULTILINE)
VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]+)>")  # a WebVTT voice tag: "<v Priya Raman>", "<v.loud Tom>"
TAG = re.compile(r"<[^>]*>")  # a cue's other tags: <i>, <b>, <c.yellow>, </v>, a karaoke timestamp <00:00:01.000>
# A speaker named at a cue's start, as Zoom and many .srt files write one: "Priya Raman: ", "TOM: " (a few words, each
# opening with a capital; not a time "10:30"). Taken as a speaker when two cues or more open with it.
SPEAKER = re.compile(r"^((?:[A-Z][\w'.-]*)(?:[ \t][A-Z][\w'.-]*){0,3}):[ \t]+(?=\S)")
NOT_CUES = ("NOTE", "STYLE", "REGION")  # WebVTT blocks that are no cue: a comment, a style sheet, a region
MAX_TURN_CHARS = 1200  # a turn longer than this ends at the next cue that ends a sentence
PAUSE_SECONDS = 10  # a pause this long between two cues of one speaker (or of none) starts a new turn
SENTENCE_END = (".", "!", "?", "…", '"', "”")


@dataclass
class Cue:
    """One cue: when it starts and ends (seconds), who speaks (None when it does not say) and its lines as the
    player shows them."""

    start: int
    end: int
    speaker: str | None
    lines: list[str]

    @property
    def words(self) -> str:
        return " ".join(self.lines)


def captions_to_text(text: str, srt: bool) -> str:
    """The text of a transcript or subtitles file (WebVTT, or ``srt`` SubRip), one line per turn: a speaker's cues in
    a row (or, where cues name no speaker, those without a long pause between them) joined, opened with its start
    time and its speaker ("[1:02:05] Priya Raman: We can cut the venue budget by 5%."); tags and entities read as the
    player shows them, a line a cue repeats from the cue before (YouTube's rolling captions) once. Raises
    DocumentError when it is no such file."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not srt and not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise DocumentError("not a WebVTT file (it does not begin with WEBVTT)")
    cues = [cue for block in re.split(r"\n[ \t]*\n", text) if (cue := block_cue(block)) is not None]
    cues = [cue for cue in named_speakers(unrepeated(cues)) if cue.lines]
    if not cues:
        raise DocumentError(f"no captions in it (no cue with a timing line, as {'SubRip' if srt else 'WebVTT'} writes)")
    return "\n".join(turn_lines(cues))


def block_cue(block: str) -> Cue | None:
    """The cue a block of the file holds (None for the header, a note, a style or a region): its times, its speaker
    (a voice tag's) and its lines without tags."""
    timing = TIMING.search(block)
    if timing is None or block.lstrip().startswith(NOT_CUES):
        return None
    parts = [int(part or 0) for part in timing.groups()]
    start, end = (h * 3600 + m * 60 + s for h, m, s in (parts[:3], parts[3:]))
    payload = block[timing.end() :]
    voice = VOICE.search(payload)
    shown = html.unescape(TAG.sub("", payload)).replace("\u200e", "").replace("\u200f", "")
    lines = [line for line in (collapsed(line) for line in shown.split("\n")) if line]
    return Cue(start, end, collapsed(voice[1]) if voice else None, lines)


def unrepeated(cues: list[Cue]) -> list[Cue]:
    """The cues, each without the lines it opens with that the cue before it ended with (rolling captions show the
    last line again above the new one)."""
    previous: list[str] = []
    for cue in cues:
        shown = cue.lines
        while shown and previous and shown[0] == previous[-1]:
            shown = shown[1:]
        previous, cue.lines = cue.lines, shown
    return cues


def named_speakers(cues: list[Cue]) -> list[Cue]:
    """The cues, those whose words open with a name and a colon that two cues or more open with ("Priya Raman: ")
    spoken by that name, the name taken out of their words."""
    names = [
        named[1] if cue.speaker is None and cue.lines and (named := SPEAKER.match(cue.lines[0])) else None
        for cue in cues
    ]
    for cue, name in zip(cues, names, strict=True):
        if name is not None and names.count(name) > 1:
            cue.speaker, cue.lines[0] = name, cue.lines[0][len(name) + 1 :].strip()
    return cues


def turn_lines(cues: list[Cue]) -> list[str]:
    """The cues joined into turns, one line each: a new turn where the speaker changes, after a pause of
    PAUSE_SECONDS, or after a sentence's end once the turn is MAX_TURN_CHARS long."""
    lines: list[str] = []
    turn: list[Cue] = []
    for cue in cues:
        if turn and ends_turn(turn, cue):
            lines.append(turn_line(turn))
            turn = []
        turn.append(cue)
    return [*lines, turn_line(turn)] if turn else lines


def ends_turn(turn: list[Cue], cue: Cue) -> bool:
    """Whether ``cue`` starts a new turn after ``turn``'s cues."""
    last = turn[-1]
    if cue.speaker != last.speaker or cue.start - last.end >= PAUSE_SECONDS:
        return True
    return sum(len(c.words) + 1 for c in turn) >= MAX_TURN_CHARS and last.words.endswith(SENTENCE_END)


def turn_line(turn: list[Cue]) -> str:
    """A turn's line: "[m:ss] Speaker: words" ("[h:mm:ss]" past an hour; no speaker when its cues name none)."""
    minutes, seconds = divmod(turn[0].start, 60)
    hours, minutes = divmod(minutes, 60)
    time = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    speaker = f"{turn[0].speaker}: " if turn[0].speaker else ""
    return f"[{time}] {speaker}" + " ".join(cue.words for cue in turn if cue.lines)
