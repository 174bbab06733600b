import pytest

from qa.documents.html import html_to_text
from qa.documents.loading import load_document
from qa.errors import DocumentError
from qa.reading.views import reading_view


def page(body: str) -> str:
    return f"<html><head><title>Lab</title><style>p {{color: red}}</style></head><body>{body}</body></html>"


def test_inline_elements_stay_in_their_line_and_white_space_is_one_space():
    text, title, _ = html_to_text(
        page(
            "<p>Repairs are done by\n   <a href='/k'>Kettleby <b>Repairs</b></a>, our partner.</p><p>Zoë&nbsp;left.</p>"
        )
    )
    assert title == "Lab"
    assert text == "Repairs are done by Kettleby Repairs, our partner.\nZoë left."


def test_line_breaks_and_preformatted_lines_are_kept():
    text, _, _ = html_to_text(page("<p>Harbour Road 4<br>Ærøskøbing</p><pre>make build\nmake test</pre>"))
    assert text == "Harbour Road 4\nÆrøskøbing\nmake build\nmake test"


def test_list_items_open_with_their_mark_or_number():
    text, _, _ = html_to_text(
        page(
            "<ul><li><strong>Award:</strong> £412,000</li><li>Period <ul><li>nested</li></ul></li></ul>"
            "<ol start='3'><li>Unplug it.</li><li>Wait.</li></ol><ol><li>First</li></ol>"
        )
    )
    assert text.split("\n") == ["- Award: £412,000", "- Period", "- nested", "3. Unplug it.", "4. Wait.", "1. First"]


def test_an_item_that_opens_with_a_paragraph_keeps_its_mark_on_its_line():
    text, _, _ = html_to_text(
        page("<ul><li><p>Zoë leads it.</p><p>Second paragraph.</p></li></ul><ol><li> <b>Unplug</b> it</li></ol>")
    )
    assert text.split("\n") == ["- Zoë leads it.", "Second paragraph.", "1. Unplug it"]


def test_a_definition_list_gives_field_items():
    text, _, _ = html_to_text(
        page(
            "<dl><dt>Award</dt><dd>£412,000</dd><dt>Période</dt><dd><p>2023–2026</p></dd><dd>or 2027</dd><dt>Note</dt></dl>"
        )
    )
    assert text.split("\n") == ["- Award: £412,000", "- Période: 2023–2026", "- Période: or 2027", "Note"]


def test_table_rows_are_lines_of_cells_and_blocks_in_a_cell_stay_in_it():
    text, _, _ = html_to_text(
        page(
            "<p>Codes:</p><table><thead><tr><th>Code</th><th>Meaning</th></tr></thead><tbody>"
            "<tr><td>E7</td><td><p>Pressure sensor</p><p>fault.</p></td></tr><tr><td>E9</td><td></td></tr></tbody>"
            "</table><p>After.</p>"
        )
    )
    assert text.split("\n") == [
        "Codes:",
        "| Code | Meaning |",
        "| --- | --- |",
        "| E7 | Pressure sensor fault. |",
        "| E9 |  |",
        "After.",
    ]


def test_headings_are_found_at_their_lines_and_scripts_are_not_text():
    text, _, sections = html_to_text(
        page(
            "<h1>Halden <em>Mills</em></h1><script>var x = '<h2>no</h2>';</script><p>Founded 1802.</p><h2>Ærø</h2>"
            "<form><select><option>Albania</option><option>Zambia</option></select></form>"
        )
    )
    assert text == "Halden Mills\nFounded 1802.\nÆrø"
    assert [(s.title, s.level, text[s.start : s.start + len(s.title)]) for s in sections] == [
        ("Halden Mills", 1, "Halden Mills"),
        ("Ærø", 2, "Ærø"),
    ]


def test_a_field_item_of_a_page_is_read_as_a_sentence_about_its_heading():
    text, _, sections = html_to_text(
        page("<h2>Halcyon LSM-7 confocal microscope</h2><ul><li><b>Location:</b> room B220</li></ul>")
    )
    view = reading_view(text, [(s.start, s.title) for s in sections])
    assert "Location of the Halcyon LSM-7 confocal microscope is room B220." in view.text


SITE_CHROME = (
    "<a href='#c'>Skip to main content</a><div role='dialog'>We use cookies. <button>Accept</button></div>"
    "<header><a href='/'>Kettleby intranet</a><nav><ul><li><a href='/t'>Travel policy</a></li></ul></nav>"
    "<form role='search'><input name='q'><button>Search</button></form></header>"
    "<nav aria-label='Breadcrumb'><ol><li>Home</li><li>Travel policy</li></ol></nav>"
    "{main}"
    "<aside><h2>Related pages</h2><ul><li>Expenses policy</li></ul></aside>"
    "<footer><p>Call the web team on extension 4100.</p><p>© 2024 Kettleby</p></footer>"
)
ARTICLE = (
    "<article><header><h1>Travel policy</h1><p>Owner: Zoë Ærø</p></header><h2>Booking</h2>"
    "<p>Book through Wayfarer.</p><aside><p>Tip: book early.</p></aside><footer><p>Reviewed May 2025.</p></footer>"
    "</article>"
)
ARTICLE_LINES = [
    "Travel policy",
    "Owner: Zoë Ærø",
    "Booking",
    "Book through Wayfarer.",
    "Tip: book early.",
    "Reviewed May 2025.",
]


@pytest.mark.parametrize("main", ["<main id='c'>{}</main>", "<div role='main'>{}</div>", "{}"])
def test_a_sites_menus_notices_header_footer_and_sidebar_are_not_the_pages_text(main):
    html = SITE_CHROME.format(main=main.format(ARTICLE))
    text, title, sections = html_to_text(
        f"<html><head><title>Travel policy | Kettleby intranet</title></head><body>{html}</body></html>"
    )
    lines = text.split("\n")
    assert lines == ARTICLE_LINES if main != "{}" else lines == ["Skip to main content", *ARTICLE_LINES]
    assert title == "Travel policy"  # the site's name is left out of the page's title
    assert [s.title for s in sections] == ["Travel policy", "Booking"]


def test_landmarks_given_by_role_are_chrome_and_a_page_of_chrome_only_is_read_whole():
    text, _, _ = html_to_text(
        page("<div role='navigation'>Home</div><div role='banner'>Kettleby</div><p>Book through Wayfarer.</p>")
    )
    assert text == "Book through Wayfarer."
    text, _, _ = html_to_text(
        page("<nav><a href='/'>Home</a> <a href='/t'>Travel</a></nav><footer>© Kettleby</footer>")
    )
    assert text == "Home Travel\n© Kettleby"


def test_a_title_keeps_its_separators_when_no_part_is_the_pages_heading():
    assert html_to_text("<title>Q&amp;A - travel | 2025</title><h1>Trips</h1>")[1] == "Q&A - travel | 2025"
    assert html_to_text("<title>Lab – Ærø</title><h1>Ærø</h1>")[:2] == ("Ærø", "Ærø")  # a title is no text


OLD_SITE = (
    "<div id='header'><a href='/'>Kettleby intranet</a></div>"
    "<table width='100%'><tr><td class='menu'><a href='/t'>Travel policy</a><br><a href='/e'>Expenses</a></td>"
    "<td><h1>Travel policy</h1><p>Book through Wayfarer.</p><ul><li>Rail: standard class</li></ul>"
    "<p class='table-footer'>Source: Zoë Ærø</p></td></tr></table>"
    "<div class='site-footer'>Call the web team on extension 4100.</div>"
)


def test_a_layout_table_is_read_as_blocks_and_chrome_named_by_id_or_class_is_not_text():
    text, _, sections = html_to_text(page(OLD_SITE))
    assert text.split("\n") == ["Travel policy", "Book through Wayfarer.", "- Rail: standard class", "Source: Zoë Ærø"]
    assert [(s.title, s.start) for s in sections] == [("Travel policy", 0)]


@pytest.mark.parametrize(
    "html",
    [
        "<div class='header'><h1>Travel policy</h1></div><p>Book early.</p>",  # the page's h1: its own text
        "<div id='content'><div class='menu'>Travel policy</div><p>Book early.</p></div>",  # within its content
        "<article><ul class='nav-tabs'><li>Travel policy</li></ul><p>Book early.</p></article>",
        "<div class='menu'><p>Travel policy: lentil soup</p></div><p>Book early.</p>",  # a menu of food, no links
        "<div class='card-header'>Travel policy</div><p>Book early.</p>",  # a word within a name: no chrome
    ],
)
def test_a_container_named_as_chrome_that_holds_or_lies_within_the_pages_text_is_read(html):
    text, _, _ = html_to_text(page(html))
    assert "Travel policy" in text and "Book early." in text


def test_a_cell_that_spans_rows_is_read_in_every_row_it_spans_at_its_column():
    rows = (
        "<tr><th>Code</th><th>Meaning</th><th>Do</th></tr>"
        "<tr><td>E7</td><td>Pump fault</td><td rowspan='2'>Call Zoë</td></tr><tr><td>E8</td><td>Sensor</td></tr>"
        "<tr><td colspan='2' rowspan='3'>Ærø</td><td>x</td></tr><tr><td>y</td></tr>"
        "<tr><td rowspan='x'>z</td></tr>"
    )
    assert html_to_text(page(f"<table>{rows}</table>"))[0].split("\n") == [
        "| Code | Meaning | Do |",
        "| --- | --- | --- |",
        "| E7 | Pump fault | Call Zoë |",
        "| E8 | Sensor | Call Zoë |",
        "| Ærø | x |",
        "| Ærø | y |",
        "| Ærø | z |",
    ]


def test_a_table_of_data_keeps_its_rows_and_a_line_break_in_a_cell_is_a_space():
    rows = "<tr><td>E7</td><td>Pump fault<br>Call us</td></tr><tr><td>E3</td><td><p>No water</p></td></tr>"
    assert html_to_text(page(f"<table>{rows}</table>"))[0] == "| E7 | Pump fault Call us |\n| E3 | No water |"
    boxed = "<table><tr><td><h2>Note</h2><p>Ærø first.</p></td></tr><tr><td>Then Kettleby.</td></tr></table>"
    assert html_to_text(page(boxed))[0] == "Note\nÆrø first.\nThen Kettleby."  # one column: a box
    marked = "<table role='presentation'><tr><td>Zoë</td><td>Ærø</td></tr></table>"
    assert html_to_text(page(marked))[0] == "Zoë\nÆrø"
    headed = "<table><tr><th>Code</th><th>Meaning</th></tr><tr><td><p>E7</p><p>E8</p></td><td>Fault</td></tr></table>"
    assert html_to_text(page(headed))[0] == "| Code | Meaning |\n| --- | --- |\n| E7 E8 | Fault |"


def test_aria_headings_are_headings_and_lines_of_their_own():
    text, _, sections = html_to_text(
        page(
            "<p>Intro</p><div role='heading' aria-level='3'>Zoë <b>Ærø</b></div><p>Text <span role='heading'>Aside</span> on</p>"
        )
    )
    assert text.split("\n") == ["Intro", "Zoë Ærø", "Text", "Aside", "on"]
    assert [(s.title, s.level) for s in sections] == [("Zoë Ærø", 3), ("Aside", 2)]


def test_an_item_without_words_leaves_no_mark_and_a_cell_keeps_its_words_apart():
    text, _, _ = html_to_text(page("<ul><li></li></ul><p>Text</p><table><tr><td><p>a</p>b</td><td>c</td></tr></table>"))
    assert text == "Text\n| a b | c |"


def test_a_page_nested_deeper_than_python_recurses_is_read():
    text, _, _ = html_to_text(page("<div>" * 3000 + "Zoë, deep down" + "</div>" * 3000))
    assert text == "Zoë, deep down"


@pytest.mark.parametrize("html", ["", "<html></html>", "<p>   </p>"])
def test_a_page_without_text_is_empty(html):
    assert html_to_text(html)[0] == ""


def test_markup_pythons_parser_rejects_is_read_by_lxmls_and_xhtml_without_a_warning(recwarn):
    assert html_to_text("Zoë <![k>; Ærø")[0] == "Zoë ; Ærø"
    xhtml = '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Zoë</p></body></html>'
    assert html_to_text(xhtml)[0] == "Zoë" and not [w for w in recwarn if "XML" in str(w.message)]


def test_a_header_row_is_followed_by_a_rule_line_so_each_row_is_read_as_a_sentence():
    head = "<tr><th>ID</th><th>Risk</th><th>Owner</th></tr>"
    body = "<tr><td>R-07</td><td>Energy saving not achieved</td><td>Zoë Ærø</td></tr>"
    for table in (f"<table><thead>{head}</thead><tbody>{body}</tbody></table>", f"<table>{head}{body}</table>"):
        text, _, _ = html_to_text(page(f"<p>Risks</p>{table}"))
        assert text.split("\n") == [
            "Risks",
            "| ID | Risk | Owner |",
            "| --- | --- | --- |",
            "| R-07 | Energy saving not achieved | Zoë Ærø |",
        ]
        view = reading_view(text)
        assert "ID R-07: R-07's Risk is Energy saving not achieved; R-07's Owner is Zoë Ærø." in view.text
        start = view.text.index("Zoë Ærø")
        assert view.original(start, start + len("Zoë Ærø")) == (text.index("Zoë Ærø"), text.index("Zoë Ærø") + 7)


def test_a_first_row_set_in_bold_or_of_header_cells_with_an_empty_corner_heads_the_table():
    bold = "<tr><td><b>ID</b></td><td><strong>Risk</strong></td><td><b>Ow<i>nér</i></b></td></tr>"
    corner = "<tr><td></td><th>Risk</th><th>Owner</th></tr>"
    for head in (bold, corner):
        text = html_to_text(page(f"<table>{head}<tr><td>R-1</td><td>Late</td><td>Zoë</td></tr></table>"))[0]
        assert text.split("\n")[1:] == ["| --- | --- | --- |", "| R-1 | Late | Zoë |"]


def test_a_table_without_a_header_row_gets_no_rule_line():
    sides = "<table><tr><th>Owner</th><td>Zoë</td></tr><tr><th>Phone</th><td>2200</td></tr></table>"
    assert html_to_text(page(sides))[0] == "| Owner | Zoë |\n| Phone | 2200 |"
    plain = (
        "<table><tr><td>ID</td><td>Risk</td><td>Owner</td></tr><tr><td>R-1</td><td>Late</td><td>Zoë</td></tr></table>"
    )
    assert html_to_text(page(plain))[0] == "| ID | Risk | Owner |\n| R-1 | Late | Zoë |"
    partly = "<table><tr><td><b>ID</b> and</td><td><b>Risk</b></td></tr><tr><td>R-1</td><td>Late</td></tr></table>"
    assert html_to_text(page(partly))[0] == "| ID and | Risk |\n| R-1 | Late |"
    alone = "<table><tr><th>ID</th><th>Risk</th></tr></table>"
    assert html_to_text(page(alone))[0] == "| ID | Risk |"


CHROME_SAVED = (  # a page saved by Chrome as "Webpage, Single File": the page, then its style sheet
    "From: <Saved by Blink>\r\nSnapshot-Content-Location: https://hall.example/hire\r\nSubject: Hall hire =?utf-8?Q?=E2=80=93?= prices\r\n"
    'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----MultipartBoundary--x1----"\r\n\r\n'
    "------MultipartBoundary--x1----\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\nContent-Location: https://hall.example/hire\r\n\r\n"
    '<html><head><meta http-equiv=3D"Content-Type" content=3D"text/html; charset=3DUTF-8"><title>Hall hire =E2=80=93 prices</title>'
    "</head><body><h1>Hall hire</h1><p>The main hall costs =C2=A345 an hour; Zo=C3=AB takes bookings.</p></body></html>\r\n"
    "------MultipartBoundary--x1----\r\nContent-Type: text/css\r\nContent-Location: https://hall.example/site.css\r\n\r\n"
    "p { color: red }\r\n------MultipartBoundary--x1------\r\n"
)


def test_a_web_page_saved_as_one_file_is_read_as_its_page(tmp_path):
    (tmp_path / "hall hire.mhtml").write_bytes(CHROME_SAVED.encode("ascii"))
    (tmp_path / "notes.mht").write_bytes(b"Subject: notes\r\nContent-Type: text/plain\r\n\r\nNo page here.")
    (tmp_path / "hall hire.html").write_text(
        '<html><head><meta charset="utf-8"><title>Hall hire – prices</title></head><body><h1>Hall hire</h1><p>The main '
        "hall costs £45 an hour; Zoë takes bookings.</p></body></html>"
    )
    document, page = load_document(tmp_path / "hall hire.mhtml"), load_document(tmp_path / "hall hire.html")
    assert document.text == "Hall hire\nThe main hall costs £45 an hour; Zoë takes bookings."  # no style sheet
    assert (document.title, document.sections) == (page.title, page.sections) and document.text == page.text
    with pytest.raises(DocumentError, match="^not a saved web page \\(no HTML part in it\\)$"):
        load_document(tmp_path / "notes.mht")
