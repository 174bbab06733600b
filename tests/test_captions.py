"""qa.documents.captions: transcripts and subtitles as one line per speaker's turn, opened with its time."""

from __future__ import annotations

import pytest

from qa.documents.captions import captions_to_text
from qa.documents.loading import load_document
from qa.errors import DocumentError

TEAMS = """WEBVTT

NOTE written by the meeting's transcription

0b1c2d3e-1a2b/12-0
00:00:03.120 --> 00:00:05.480
<v Priya Raman>Morning everyone, let's start with the budget.</v>

0b1c2d3e-1a2b/13-0
00:00:05.900 --> 00:00:09.000
<v Priya Raman>We can cut the venue cost by 5%.</v>

0b1c2d3e-1a2b/14-0
00:00:09.300 --> 00:00:12.000
<v Tom Ødegård>I&apos;d rather keep the venue &amp; cut catering.</v>

0b1c2d3e-1a2b/15-0
01:02:05.000 --> 01:02:07.500
<v.loud Priya Raman>Agreed, <i>catering</i> it is.</v>
"""


def test_a_teams_transcript_is_one_line_per_turn_with_its_time_and_speaker():
    assert captions_to_text(TEAMS, srt=False).split("\n") == [
        "[0:03] Priya Raman: Morning everyone, let's start with the budget. We can cut the venue cost by 5%.",
        "[0:09] Tom Ødegård: I'd rather keep the venue & cut catering.",
        "[1:02:05] Priya Raman: Agreed, catering it is.",
    ]


def test_speakers_named_before_a_colon_a_pause_and_rolling_captions_are_read_as_shown():
    zoom = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nPriya Raman: The hall is booked.\n\n"
        "2\n00:00:03.500 --> 00:00:05.000\nNote: bring the keys.\n\n"  # a colon once: no speaker
        "3\n00:00:20.000 --> 00:00:22.000\nPriya Raman: The deposit is £120.\n\n"  # after a pause: a new turn
    )
    assert captions_to_text(zoom, srt=False).split("\n") == [
        "[0:01] Priya Raman: The hall is booked.",
        "[0:03] Note: bring the keys.",
        "[0:20] Priya Raman: The deposit is £120.",
    ]
    rolling = (  # YouTube's automatic captions: the last line shown again above the new one
        "WEBVTT\nKind: captions\n\n00:00:00.000 --> 00:00:02.000 align:start\nthe new<00:00:00.500><c> boiler</c>\n\n"
        "00:00:02.000 --> 00:00:02.010\nthe new boiler\n\n"
        "00:00:02.010 --> 00:00:04.000\nthe new boiler\nis fitted on 10 March\n"
    )
    assert captions_to_text(rolling, srt=False) == "[0:00] the new boiler is fitted on 10 March"


def test_subrip_subtitles_load_as_a_document_named_by_its_file(tmp_path):
    (tmp_path / "induction.srt").write_bytes(
        "1\r\n00:00:01,000 --> 00:00:03,500\r\n<i>Fire exits are</i>\r\non both floors.\r\n\r\n"
        "2\r\n00:00:04,000 --> 00:00:06,000\r\nThe assembly point is the car park.\r\n".encode("utf-8-sig")
    )
    document = load_document(tmp_path / "induction.srt")
    assert document.title == "induction"
    assert document.text == "[0:01] Fire exits are on both floors. The assembly point is the car park."


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        (
            "talk.vtt",
            "1\n00:00:01.000 --> 00:00:02.000\nHello\n",
            "^not a WebVTT file \\(it does not begin with WEBVTT\\)$",
        ),
        ("talk.srt", "Just some notes\n\nwith no timings\n", "^no captions in it \\(no cue with a timing line"),
        ("empty.vtt", "WEBVTT\n\nNOTE nothing said\n", "^no captions in it"),
    ],
)
def test_what_holds_no_captions_is_refused_in_one_line(tmp_path, name, text, reason):
    (tmp_path / name).write_text(text)
    with pytest.raises(DocumentError, match=reason):
        load_document(tmp_path / name)
