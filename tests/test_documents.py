"""Loading documents: every supported format, titles, stable ids, and clear reasons for files that cannot be read."""

from __future__ import annotations

import pytest

from qa.documents.loading import (
    DocumentError,
    document_id,
    folder_times,
    is_reference_section,
    join_pages,
    load_document,
    page_at,
    scan_folder,
    section_at,
    section_label,
)
from qa.models import Section


@pytest.mark.parametrize(
    ("matter", "title"),
    [
        ("---\ntitle: Business Travel Policy\ntags: [policy, travel]\n---\n", "Business Travel Policy"),
        ("---\ntitle: 'Zoë: Ærø notes'\ndate: 2025-02-01\n...\n", "Zoë: Ærø notes"),
        ("---\nlayout: post\n---\n", "Hotels"),  # no title in it: the first heading
    ],
)
def test_a_markdown_files_front_matter_gives_its_title(tmp_path, matter, title):
    (tmp_path / "travel.md").write_text(
        matter + "\nBook through Wayfarer.\n\n## Hotels\n\nUp to £165.\n", encoding="utf-8"
    )
    document = load_document(tmp_path / "travel.md")
    assert document.title == title
    assert document.text.startswith(matter) and [s.title for s in document.sections] == ["Hotels"]
    (tmp_path / "plain.md").write_text(matter + "\nBook through Wayfarer.\n", encoding="utf-8")
    assert load_document(tmp_path / "plain.md").title == (title if title != "Hotels" else "Book through Wayfarer.")


def test_text_and_markdown_titles(tmp_path):
    (tmp_path / "notes.txt").write_text("\n\nFirst line is the title\nbody text.", encoding="utf-8")
    (tmp_path / "readme.md").write_text("intro\n# The Heading\nMore.", encoding="utf-8")
    assert load_document(tmp_path / "notes.txt").title == "First line is the title"
    assert load_document(tmp_path / "readme.md").title == "The Heading"
    (tmp_path / "setup.md").write_text(
        "```bash\n# install it\n```\n\nKettleby Handbook\n=====\n\nText.", encoding="utf-8"
    )
    assert load_document(tmp_path / "setup.md").title == "Kettleby Handbook"  # not a code block's comment


def test_id_is_content_hash_and_stable(tmp_path):
    (tmp_path / "a.txt").write_text("Same text.", encoding="utf-8")
    first = load_document(tmp_path / "a.txt")
    assert first.id == document_id("Same text.") == load_document(tmp_path / "a.txt").id
    (tmp_path / "a.txt").write_text("Other text.", encoding="utf-8")
    assert load_document(tmp_path / "a.txt").id != first.id


def test_html_keeps_visible_text_only(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>Page Title</title><style>p{color:red}</style></head>"
        "<body><h1>Heading</h1><script>var hidden = 1;</script><p>Visible &amp; kept.</p></body></html>",
        encoding="utf-8",
    )
    document = load_document(tmp_path / "page.html")
    assert document.title == "Page Title"
    assert "Visible & kept." in document.text and "Heading" in document.text
    assert "hidden" not in document.text and "color" not in document.text


def test_pdf_text(tmp_path, write_pdf):
    path = write_pdf(
        tmp_path / "report.pdf", [["The bridge opened in 1987."], ["Second page text."]], title="Quarterly Report"
    )
    document = load_document(path)
    assert document.title == "Quarterly Report"
    assert "The bridge opened in 1987." in document.text and "Second page text." in document.text


@pytest.mark.parametrize(
    "title",
    [
        None,
        "untitled",
        "Untitled document",
        "UNTITLED-2",
        "Document1",
        "Microsoft Word - report.docx",
        "x.pdf",
        "(anonymous)",
    ],
)
def test_a_pdf_without_a_real_title_takes_its_first_line(tmp_path, write_pdf, title):
    path = write_pdf(tmp_path / "report.pdf", [["Vellmark harbour report", "The harbour was dredged."]], title=title)
    assert load_document(path).title == "Vellmark harbour report"
    titled = write_pdf(tmp_path / "titled.pdf", [["Vellmark harbour report"]], title="Untitled Symphony, a review")
    assert load_document(titled).title == "Untitled Symphony, a review"


def test_a_broken_pdf_is_refused_in_one_line_and_pypdf_logs_nothing(tmp_path, write_pdf, caplog, capfd):
    import logging

    whole = write_pdf(tmp_path / "whole.pdf", [["The Plimbo lighthouse stands on the cape."]] * 3).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(whole[: len(whole) // 2])  # a download that stopped
    (tmp_path / "cut-late.pdf").write_bytes(whole[: len(whole) * 9 // 10])
    before = logging.getLogger("pypdf").level
    caplog.set_level(logging.DEBUG)
    for name in ("cut.pdf", "cut-late.pdf"):
        with pytest.raises(DocumentError, match=r"^broken PDF \("):
            load_document(tmp_path / name)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pypdf")] == []
    assert capfd.readouterr().err == ""
    assert logging.getLogger("pypdf").level == before  # as it was once read


def test_pdf_pages_begin_where_recorded_and_empty_pages_keep_their_numbers(tmp_path, write_pdf):
    pages = [[], ["The bridge opened in 1987.", "Mayor Elna Kvist cut the ribbon."], [], ["Third page, the toll."], []]
    document = load_document(write_pdf(tmp_path / "report.pdf", pages))
    text, starts = document.text, document.page_starts
    assert len(starts) == 5 and starts[0] == starts[1] == 0 and starts[2] == starts[3] and starts[4] == len(text)
    assert text[starts[1] :].startswith("The bridge opened in 1987.")
    assert text[: starts[3]].endswith("ribbon.\n\n") and text[starts[3] :] == "Third page, the toll."
    assert [page_at(starts, offset) for offset in (0, starts[3] - 1, starts[3], len(text) - 1)] == [2, 2, 4, 4]
    assert {page_at(starts, offset) for offset in range(len(text))} == {2, 4}  # empty pages hold no character
    (tmp_path / "notes.txt").write_text("No pages here.", encoding="utf-8")
    assert load_document(tmp_path / "notes.txt").page_starts is None


def test_joined_pages_and_the_page_of_an_offset():
    text, starts = join_pages(["  First page.\n", "", "Second.", "   ", "Third"])
    assert text == "First page.\n\nSecond.\n\nThird"
    assert starts == [0, 13, 13, 22, 22]
    assert [text[start:].split("\n")[0] for start in starts] == ["First page.", "Second.", "Second.", "Third", "Third"]
    pages = [page_at(starts, offset) for offset in range(len(text))]
    assert pages == [1] * 13 + [3] * 9 + [5] * 5  # the blank line after a page is that page's; empty pages none
    assert page_at(starts, 0) == 1 and page_at(starts, 11) == 1 and page_at(starts, 12) == 1  # the separator
    assert page_at(starts, len(text) - 1) == 5
    assert join_pages(["", "", "Only."]) == ("Only.", [0, 0, 0]) and page_at([0, 0, 0], 0) == 3
    assert join_pages(["Only.", ""]) == ("Only.", [0, 5]) and page_at([0, 5], 4) == 1
    assert page_at(None, 3) is None and page_at([], 0) is None and page_at([0, 10], -1) is None


def test_encodings(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffÜber café".encode("utf-8"))
    (tmp_path / "latin.txt").write_bytes("Café crème in Zürich".encode("cp1252"))
    (tmp_path / "wide.txt").write_bytes("Wide text".encode("utf-16"))
    assert load_document(tmp_path / "bom.txt").text == "Über café"
    assert load_document(tmp_path / "latin.txt").text == "Café crème in Zürich"
    assert load_document(tmp_path / "wide.txt").text == "Wide text"


@pytest.mark.parametrize(
    ("encoding", "meta"),
    [
        ("shift_jis", '<meta charset="Shift_JIS">'),
        ("koi8-r", "<meta http-equiv='Content-Type' content='text/html; charset=koi8-r'>"),
        ("iso-8859-7", "<META CHARSET=ISO-8859-7>"),
    ],
)
def test_an_html_page_is_decoded_as_its_charset_declares(tmp_path, encoding, meta):
    words = {"shift_jis": "東京の天気は晴れ。", "koi8-r": "Лавров предупредил.", "iso-8859-7": "Η Αθήνα."}[encoding]
    (tmp_path / "page.html").write_bytes(
        f"<html><head>{meta}</head><body><p>{words}</p></body></html>".encode(encoding)
    )
    document = load_document(tmp_path / "page.html")
    assert document.text == words and document.text[0 : len(words)] == words


@pytest.mark.parametrize("declared", ["rot13", "base64", "x-unknown"])
def test_a_charset_python_cannot_decode_text_with_falls_back_to_windows_1252(tmp_path, declared):
    (tmp_path / "page.html").write_bytes(f"<meta charset={declared}><p>Café crème</p>".encode("cp1252"))
    assert load_document(tmp_path / "page.html").text == "Café crème"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"   \n\t ", "no text"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("undecodable.txt", b"caf\xe9 \x81\x8d\x90", "binary"),  # bytes Windows-1252 leaves undefined
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "broken PDF"),
        ("fake.pdf", b"hello", "not a PDF"),
    ],
)
def test_unreadable_files_are_reported_and_skipped(tmp_path, name, content, reason):
    (tmp_path / "good.txt").write_text("A good document.", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DocumentError, match=reason):
        load_document(tmp_path / name)
    assert load_document(tmp_path / "good.txt").text == "A good document."


def test_a_folder_scan_is_recursive_ordered_and_says_what_it_skips(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "b.txt").write_text("Bee.", encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "a.md").write_text("# A\nAy.", encoding="utf-8")
    (tmp_path / "sub" / "copy.txt").write_text("Bee.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    files, skipped = scan_folder(tmp_path)
    assert files == [tmp_path / "b.txt", tmp_path / "sub" / "copy.txt", tmp_path / "sub" / "deeper" / "a.md"]
    assert [(f.source, f.reason) for f in skipped] == [
        (str(tmp_path / ".hidden.txt"), "hidden file"),
        (str(tmp_path / "image.png"), "unsupported file type '.png'"),
    ]


def test_folder_times_are_those_of_the_folders_a_scan_walks_and_change_when_a_file_is_added(tmp_path):
    import os

    (tmp_path / "notes" / "old").mkdir(parents=True)
    (tmp_path / ".git" / "objects").mkdir(parents=True)  # hidden: not walked
    (tmp_path / "index" / "collections").mkdir(parents=True)  # left out: an index kept in the folder
    times = folder_times(tmp_path, leave_out=tmp_path / "index")
    assert sorted(times) == sorted(map(str, [tmp_path, tmp_path / "notes", tmp_path / "notes" / "old"]))
    walked = [
        tmp_path,
        tmp_path / "index",
        tmp_path / "index" / "collections",
        tmp_path / "notes",
        tmp_path / "notes" / "old",
    ]
    assert sorted(folder_times(tmp_path)) == sorted(map(str, walked))
    os.utime(tmp_path / "notes", ns=(0, 0))
    assert folder_times(tmp_path)[str(tmp_path / "notes")] == 0
    (tmp_path / "notes" / "a.txt").write_text("Ay.", encoding="utf-8")
    assert folder_times(tmp_path)[str(tmp_path / "notes")] != 0


def test_links_out_of_the_folder_are_skipped_unless_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0", encoding="utf-8")
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "inside.txt").write_text("Inside.", encoding="utf-8")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "also-inside.txt").symlink_to(folder / "inside.txt")
    files, skipped = scan_folder(folder)
    assert files == [folder / "also-inside.txt", folder / "inside.txt"]
    assert [(f.source, f.reason) for f in skipped] == [
        (
            str(folder / "secret.txt"),
            (
                f"a link to {outside / 'secret.txt'}, outside the documents folder (QA_FOLLOW_LINKS=1 or "
                f"--follow-links to index it)"
            ),
        )
    ]
    assert scan_folder(folder, follow_links=True)[0] == [
        folder / "also-inside.txt",
        folder / "inside.txt",
        folder / "secret.txt",
    ]


def test_an_unreadable_folder_skips_its_files_only(tmp_path):
    import os

    (tmp_path / "good.txt").write_text("Good.", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inner.txt").write_text("Inner.", encoding="utf-8")
    os.chmod(locked, 0)
    try:
        files, skipped = scan_folder(tmp_path)
    finally:
        os.chmod(locked, 0o755)
    if os.geteuid() == 0:  # root reads it all the same
        assert files == [tmp_path / "good.txt", locked / "inner.txt"] and not skipped
    else:
        assert files == [tmp_path / "good.txt"]
        assert [(f.source, f.reason) for f in skipped] == [(str(locked), "cannot read it (Permission denied)")]


def test_random_bytes_are_binary_not_text(tmp_path):
    import random

    rng = random.Random(3)
    allowed = [b for b in range(1, 256) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)]  # no NUL, decodable as cp1252
    data = bytes(rng.choice(allowed) for _ in range(20_000))
    (tmp_path / "noise.txt").write_bytes(data)
    with pytest.raises(DocumentError, match=r"^binary file \(\d+% of its characters are not text\)$"):
        load_document(tmp_path / "noise.txt")
    (tmp_path / "tabs.txt").write_text("col1\tcol2\r\nZoë\tcafé\f\n", encoding="utf-8")
    assert load_document(tmp_path / "tabs.txt").text.startswith("col1\tcol2\nZoë")


def test_word_documents(tmp_path):
    from docx import Document as WordDocument

    word = WordDocument()
    word.core_properties.title = "Quarterly plan"
    word.add_paragraph("The Veltrup office opens in März — Zoë leads it.")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Budget", "12,000 crowns"
    word.save(tmp_path / "plan.docx")
    document = load_document(tmp_path / "plan.docx")
    assert document.title == "Quarterly plan"
    assert document.text == "The Veltrup office opens in März — Zoë leads it.\n| Budget | 12,000 crowns |"
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DocumentError, match="broken Word document"):
        load_document(tmp_path / "broken.docx")


def test_too_large_and_missing_folder(tmp_path):
    (tmp_path / "big.txt").write_text("x" * 2000, encoding="utf-8")
    with pytest.raises(DocumentError, match="too large"):
        load_document(tmp_path / "big.txt", max_bytes=1000)
    with pytest.raises(FileNotFoundError, match="documents folder not found"):
        scan_folder(tmp_path / "nope")


def test_a_path_that_cannot_be_resolved_skips_that_file_only(tmp_path, monkeypatch):
    import errno
    from pathlib import Path

    (tmp_path / "good.txt").write_text("Good.", encoding="utf-8")
    (tmp_path / "bad.txt").write_text("Bad.", encoding="utf-8")
    resolve = Path.resolve

    def refuse(self, *args, **kwargs):
        if self.name == "bad.txt":
            raise OSError(errno.ENAMETOOLONG, "File name too long", str(self))
        return resolve(self, *args, **kwargs)

    monkeypatch.setattr(Path, "resolve", refuse)
    files, skipped = scan_folder(tmp_path)
    assert files == [tmp_path / "good.txt"]
    assert [(f.source, f.reason) for f in skipped] == [
        (str(tmp_path / "bad.txt"), "cannot read it (File name too long)")
    ]


def test_long_titles_are_cut_between_words():
    from qa.documents.loading import short_title

    line = "Russian space agency Roscosmos on Saturday, November 20, raised concerns over the United States and NATO’s space launches"
    title = short_title(line, 60)
    assert title == "Russian space agency Roscosmos on Saturday, November 20…"
    assert line.startswith(title[:-1]) and len(title) <= 61
    assert short_title("x" * 200, 10) == "x" * 10 + "…" and short_title("short", 10) == "short"


TEXT = "The Zorblat bridge opened in 1987. Mayor Elna Kvist cut the ribbon; Zoë’s café served tea.\n" * 3


def test_a_nul_in_text_becomes_a_space_and_a_file_of_nuls_is_still_binary(tmp_path):
    (tmp_path / "nul.txt").write_bytes(TEXT.encode("utf-8").replace(b"1987.", b"1987.\x00", 1))
    assert load_document(tmp_path / "nul.txt").text == TEXT.replace("1987.", "1987. ", 1)
    (tmp_path / "page.html").write_bytes(b"<html><body><p>Plimbo\x00lighthouse " + b"on the cape. " * 20 + b"</p>")
    assert load_document(tmp_path / "page.html").text.startswith("Plimbo lighthouse on the cape.")
    (tmp_path / "zeros.txt").write_bytes(TEXT.encode("utf-8") + b"\x00" * 4096)  # a log cut by a crash
    with pytest.raises(DocumentError, match=r"^binary file \(94% of its characters are not text\)$"):
        load_document(tmp_path / "zeros.txt")


def test_random_bytes_with_nuls_are_binary(tmp_path):
    import random

    (tmp_path / "noise.txt").write_bytes(random.Random(7).randbytes(20_000))
    with pytest.raises(DocumentError, match=r"^binary file \(\d+% of its characters are not text\)$"):
        load_document(tmp_path / "noise.txt")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_decoded(tmp_path, encoding):
    from qa.documents.loading import decode_text

    assert decode_text(TEXT.encode(encoding)) == TEXT
    mixed = "Мост открыт в 1987 году, the bridge opened in 1987.\n" * 3  # Cyrillic: NULs from spaces and ASCII only
    assert decode_text(mixed.encode(encoding)) == mixed
    (tmp_path / "wide.txt").write_bytes(TEXT.encode(encoding))
    assert load_document(tmp_path / "wide.txt").text == TEXT


def test_encoded_data_is_not_text_but_a_long_url_or_a_long_line_of_letters_is():
    import base64
    import random

    from qa.documents.loading import check_not_encoded

    blob = base64.b64encode(random.Random(1).randbytes(30_000)).decode()
    with pytest.raises(
        DocumentError,
        match=r"^encoded data, not text: 99% of it is in 'words' over 500 characters \(base64, hex or the like\)$",
    ):
        check_not_encoded(f"{TEXT}Attachment:\n{blob}\n")
    with pytest.raises(DocumentError, match=r"^encoded data, not text: 100% of it is"):
        check_not_encoded(random.Random(2).randbytes(20_000).hex())
    url = "https://example.com/track?" + "&".join(f"k{n}=v{n:04d}" for n in range(200))  # about 2,000 characters
    normal = f"{TEXT}See {url} for more.\n{TEXT}"
    assert check_not_encoded(normal) == normal
    letters = "".join(random.Random(5).choices("abcdefghijklmnopqrstuvwxyz", k=100_000))  # cut at the passage cap
    chinese = "大桥于一九八七年通车，市长剪彩。" * 2_000  # no spaces between words, and none needed
    assert check_not_encoded(letters) == letters and check_not_encoded(chinese) == chinese
    small = base64.b64encode(random.Random(3).randbytes(3_000)).decode()  # a few passages at most: indexed
    assert check_not_encoded(small) == small


def test_a_link_back_into_the_folder_is_walked_once_and_said_why(tmp_path):
    folder = tmp_path / "documents"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Ay.", encoding="utf-8")
    (folder / "sub" / "b.txt").write_text("Bee.", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("Outside.", encoding="utf-8")
    (folder / "up").symlink_to("..")  # the folder above, which holds this one
    (folder / "sub" / "back").symlink_to("..")  # a loop: the documents folder itself
    (folder / "sub" / "again").symlink_to(folder / "sub")
    files, skipped = scan_folder(folder, follow_links=True)
    assert files == [folder / "a.txt", folder / "sub" / "b.txt", folder / "up" / "outside.txt"]
    again = "a folder already scanned as {} (a link loop, or two links to one folder)"
    assert [(f.source, f.reason) for f in skipped] == [
        (str(folder / "sub" / "again"), again.format("sub")),
        (str(folder / "sub" / "back"), again.format("the documents folder")),
        (str(folder / "up" / "documents"), again.format("the documents folder")),
    ]
    files, skipped = scan_folder(folder)  # not followed: the link out is said, the links inside are not walked
    assert files == [folder / "a.txt", folder / "sub" / "b.txt"] and [f.source for f in skipped] == [str(folder / "up")]


def test_two_links_up_finish(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "a.txt").write_text("Ay.", encoding="utf-8")
    for name in ("up1", "up2", "up3"):  # without remembering the folders walked: 3^40 of them
        (folder / name).symlink_to("..")
    files, skipped = scan_folder(folder, follow_links=True)
    assert files == [folder / "a.txt"]
    assert [f.source for f in skipped] == [str(folder / "up2"), str(folder / "up3"), str(folder / "up1" / "documents")]


# Headings: the sections of Markdown, HTML and Word documents (PDFs: tests/test_pdf.py).


def titled_at_their_offsets(document) -> list[tuple[str, int]]:
    """The document's sections as (title, level), after checking that each title is where its section starts."""
    for section in document.sections:
        assert document.text[section.start : section.start + len(section.title)] == section.title
    return [(s.title, s.level) for s in document.sections]


def test_markdown_headings_atx_and_setext_outside_code(tmp_path):
    (tmp_path / "notes.md").write_text(
        "---\ntitle: front matter\n---\nIntro line.\n\n# Harbour notes #\n\nText.\n\n## 3.2 Méthodes\n"
        "```\n# not a heading\n```\nTides\n=====\n\nPilots and logs\n---\n\n- a list item\n---\n"
        "    # indented code\n####### seven is not a heading\n#hashtag\n### Références ###\n",
        encoding="utf-8",
    )
    document = load_document(tmp_path / "notes.md")
    assert titled_at_their_offsets(document) == [
        ("Harbour notes", 1),
        ("3.2 Méthodes", 2),
        ("Tides", 1),
        ("Pilots and logs", 2),
        ("Références", 3),
    ]
    (tmp_path / "plain.md").write_text("No headings here.\n", encoding="utf-8")
    assert load_document(tmp_path / "plain.md").sections == []
    (tmp_path / "plain.txt").write_text("# Not Markdown\nText.", encoding="utf-8")
    assert load_document(tmp_path / "plain.txt").sections == []


def test_plain_text_headings_in_capitals_or_underlined(tmp_path):
    (tmp_path / "record.txt").write_text(
        "GAS SAFETY RECORD\nJob number:   PHS-25\n\nENGINEER\nName:   Tomasz Nowak\n\n3. DÉPÔT DE GARANTIE\n"
        "The deposit is £1,350.\n\nTOTAL                £2,073.78\nVIN:   MRL5HE18\n\nCO ALARM PRESENT IN THE KITCHEN AND "
        "TESTED TODAY\n\nNext inspection\n===============\nDue by 16 September.\n  Flue checks\n  -----------\n"
        "Passed.\nMr D Hartley\nAPPEALS\n\n---\n\nA line in prose.\n\nAMOUNT DUE: £1,842.36\n\nNOTES:\nNone.\n",
        encoding="utf-8",
    )
    assert titled_at_their_offsets(load_document(tmp_path / "record.txt")) == [
        ("GAS SAFETY RECORD", 1),
        ("ENGINEER", 1),
        ("3. DÉPÔT DE GARANTIE", 1),
        ("Next inspection", 1),
        ("Flue checks", 2),
        ("NOTES:", 1),
    ]


def test_html_headings_h1_to_h6(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>Harbour</title></head><body><p>Introduction comes first.</p><h1>Introduction</h1>"
        "<p>Body.</p><h2> 2.1&nbsp;Tides  and   pilots </h2><p>More.</p><script><h3>hidden</h3></script>"
        "<h6>Deep</h6><h3>Ærø <em>harbour</em></h3><p>End.</p></body></html>",
        encoding="utf-8",
    )
    document = load_document(tmp_path / "page.html")
    found = [(s.title, s.level) for s in document.sections]
    assert found == [("Introduction", 1), ("2.1 Tides and pilots", 2), ("Deep", 6), ("Ærø harbour", 3)]
    starts = [s.start for s in document.sections]
    assert document.text[starts[0] :].startswith("Introduction\nBody.")  # the heading, not the paragraph before
    assert all(document.text[s.start : s.start + len(s.title)] == s.title for s in document.sections[:3])
    assert document.text[starts[3] :].startswith("Ærø harbour\nEnd.")  # an inline tag stays within its line


def test_word_headings_from_title_and_heading_styles(tmp_path):
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_heading("Quarterly plan", 0)  # the Title style
    word.add_paragraph("The Veltrup office opens in März.")
    word.add_heading("1 Offices", 1)
    word.add_paragraph("")
    word.add_heading("1.1 Zoë's team", 2)
    word.add_paragraph("Zoë leads it.")
    word.add_heading("Bibliography", 1)
    word.save(tmp_path / "plan.docx")
    document = load_document(tmp_path / "plan.docx")
    assert titled_at_their_offsets(document) == [
        ("Quarterly plan", 1),
        ("1 Offices", 1),
        ("1.1 Zoë's team", 2),
        ("Bibliography", 1),
    ]


def test_the_section_of_an_offset_and_its_label():
    sections = [
        Section(start=10, title="1 Introduction", level=1),
        Section(start=50, title="3.2  Methods\nand data", level=2),
        Section(start=90, title="References", level=1),
    ]
    assert section_at(sections, 0) is None and section_at(sections, 9) is None
    assert [section_at(sections, offset).start for offset in (10, 49, 50, 89, 90, 10_000)] == [10, 10, 50, 50, 90, 90]
    assert section_at(None, 5) is None and section_at([], 5) is None
    assert section_label(sections[1]) == "3.2 Methods and data"
    assert section_label(Section(start=0, title="Word " * 40)).endswith("…")


@pytest.mark.parametrize(
    "title",
    [
        "References",
        "REFERENCES",
        "7 References",
        "7. References",
        "VII. Bibliography",
        "A. References",
        "Works Cited",
        "Literature cited",
        "Reference list",
        "Bibliography:",
        "References and notes",
    ],
)
def test_a_reference_list_heading_is_told(title):
    assert is_reference_section(title)


@pytest.mark.parametrize("title", ["Introduction", "3.2 Methods", "Referencing guide", "A note on references", ""])
def test_other_headings_are_not_reference_lists(title):
    assert not is_reference_section(title)
