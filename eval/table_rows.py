"""Questions over Markdown and plain-text tables read with each row read as a sentence (``qa.reading.views``) and read
raw (the same table without its rule line and the spaces between its columns, which the view needs): closed reading,
one table per question; then asked with ``QA.ask`` of the folder that holds the table (open: retrieved, the table cut
into passages).
python -m eval.table_rows"""

from __future__ import annotations

import re
from pathlib import Path

from qa.documents.tables import TEXT_RULE
from qa.embedding import Embedder
from qa.evaluation.metrics import score_prediction
from qa.models import Passage

HERE = Path(__file__).parent
RULE_LINE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}[^\n]*\n", re.MULTILINE)
COLUMN_SPACES = re.compile(r"[ \t]{2,}")  # the spaces that set a plain-text table's columns apart


def raw(table: str) -> str:
    """``table`` as the view cannot read it: its rule line taken out and its columns' spaces made one (which the
    reader's words do not see), so that no header names its columns."""
    return COLUMN_SPACES.sub(" ", RULE_LINE.sub("", table))


# Written over the tables of the development half of the folders set and of the cross-document manual, by the
# session that built the view (2026-12-04), after reading the tables: a check of the view, not a held-out measure.
QUESTIONS = [
    ("folders_heldout/project/risk-register.md", "What score does the late-delivery-of-pumps risk have?", ["16"]),
    (
        "folders_heldout/project/risk-register.md",
        "Who owns the risk that the guaranteed energy saving won't be achieved?",
        ["SCADA engineer"],
    ),
    (
        "folders_heldout/project/risk-register.md",
        "What is the mitigation for asbestos found in the pump hall?",
        ["Refurbishment survey before strip-out; licensed contractor on call"],
    ),
    (
        "folders_heldout/project/risk-register.md",
        "What is the status of risk R-02?",
        ["Closed (partly realised – see V-02)"],
    ),
    ("folders_heldout/project/risk-register.md", "Who owns risk R-05?", ["Electrical lead"]),
    ("folders_heldout/project/risk-register.md", "What is the score of the asbestos risk?", ["8"]),
    (
        "folders_heldout/project/risk-register.md",
        "Which risk is owned by the sponsor?",
        ["Key staff unavailable (project manager leaving in late summer)", "R-09"],
    ),
    (
        "folders_heldout/project/meeting-notes-2025-05-29.md",
        "Who has to name the successor project manager?",
        ["Helen Okafor"],
    ),
    ("folders_heldout/project/meeting-notes-2025-05-29.md", "When is the board paper for July due?", ["4 July"]),
    ("folders_heldout/project/meeting-notes-2025-05-29.md", "When is action A-18 due?", ["20 June"]),
    (
        "folders_heldout/project/meeting-notes-2025-05-29.md",
        "Who owns the change request for early switchgear order?",
        ["Rhys Caldwell"],
    ),
    ("cross_documents/manual/troubleshooting.md", "What does error E5 mean?", ["The boiler is overheating"]),
    (
        "cross_documents/manual/troubleshooting.md",
        "What should I do if the display shows E9?",
        ["Slide the drip tray back into place"],
    ),
    ("cross_documents/manual/troubleshooting.md", "Which error code means the water tank is empty?", ["E3"]),
    (
        "cross_documents/manual/troubleshooting.md",
        "How long should the machine cool when the boiler overheats?",
        ["30 minutes"],
    ),
    # a plain-text table laid out in columns of spaces (a garage's service log)
    ("folders_heldout/household/car-service-history.txt", "What was the mileage at the May 2023 service?", ["45,612"]),
    ("folders_heldout/household/car-service-history.txt", "How much did the service on 16 May 2024 cost?", ["£286.00"]),
    (
        "folders_heldout/household/car-service-history.txt",
        "Which garage serviced the car in May 2021?",
        ["Marlow Pellbury (dealer)", "Marlow Pellbury"],
    ),
    (
        "folders_heldout/household/car-service-history.txt",
        "What work was carried out on 3 September 2024?",
        ["Two rear tyres (Veltra Sport 205/55 R16)", "Two rear tyres"],
    ),
    ("folders_heldout/household/car-service-history.txt", "When was the 12V battery replaced?", ["20 May 2025"]),
    # Written by the seventeenth session (2026-12-04) over tables of its own (eval/tables/), before it read any answer
    # to them; it then chose among five ways of saying a row by them, so they are no held-out measure either.
    ("tables/meeting-rooms.md", "How many people does the Turing room hold?", ["30"]),
    ("tables/meeting-rooms.md", "Which floor is Hopper on?", ["1"]),
    ("tables/meeting-rooms.md", "What equipment does Lovelace have?", ["Projector and whiteboard"]),
    ("tables/meeting-rooms.md", "Which room has video conferencing?", ["Turing"]),
    ("tables/meeting-rooms.md", "Which room is on the second floor?", ["Lovelace"]),
    ("tables/meeting-rooms.md", "Which room holds 6 people?", ["Hopper"]),
    ("tables/prescriptions.md", "What dose of ibuprofen should I take?", ["400 mg"]),
    ("tables/prescriptions.md", "How many times a day do I take amoxicillin?", ["3"]),
    ("tables/prescriptions.md", "Who prescribed the omeprazole?", ["Dr Patel"]),
    ("tables/prescriptions.md", "Which medicine did Dr Osei prescribe?", ["Ibuprofen"]),
    ("tables/prescriptions.md", "Which medicine is taken once a day?", ["Omeprazole"]),
    ("tables/prescriptions.md", "Which medicine has a 500 mg dose?", ["Amoxicillin"]),
    ("tables/contacts.md", "What's the extension for Payroll?", ["3120"]),
    ("tables/contacts.md", "Which team's extension is 2005?", ["Facilities Reception"]),
    ("tables/contacts.md", "Which team has extension 2005?", ["Facilities Reception"]),
    ("tables/contacts.md", "What are Payroll's hours?", ["09:00 to 17:00"]),
    ("tables/contacts.md", "Which team is open 24 hours?", ["Security Operations Centre"]),
    ("tables/contacts.md", "What is the email of Facilities Reception?", ["reception@acme.example"]),
    ("tables/contacts.md", "When does Facilities Reception close?", ["19:00"]),
    ("tables/contacts.md", "Who can I email at soc@acme.example?", ["Security Operations Centre"]),
    # Written by the forty-second session (2026-12-06) over two tables of two columns whose rows open with a date or a
    # year, after it had seen the reader answer some of them (a check, not a held-out measure).
    ("tables/hall-timeline.md", "When is the new boiler fitted?", ["10 March"]),
    ("tables/hall-timeline.md", "What happens on 17 February?", ["Roof strip begins"]),
    ("tables/hall-timeline.md", "When does the hall reopen?", ["2 April"]),
    ("tables/hall-timeline.md", "When will the floor be sanded?", ["24–25 March"]),
    ("tables/hall-timeline.md", "When does the scaffolding go up?", ["3 February"]),
    ("tables/hall-energy.md", "How much electricity did the hall use in 2023?", ["16,950"]),
    ("tables/hall-energy.md", "How many kWh of electricity were used in 2024?", ["12,300"]),
    ("tables/hall-energy.md", "What was the electricity use in 2022?", ["18,400"]),
]


def table_of(text: str) -> str:
    """The first table of ``text`` with the paragraph before it (what a passage holding the table holds): a plain-text
    table (``TEXT_RULE``), else a Markdown one."""
    plain = TEXT_RULE.search(text)
    if plain is not None:  # the header line above the rule, the rule, the rows to a blank line
        start = text.rfind("\n", 0, plain.start() - 1)
        end = text.find("\n\n", plain.end())
        return text[text.rfind("\n\n", 0, start) + 2 : end if end >= 0 else len(text)]
    start = text.index("\n|")
    before = text.rfind("\n\n", 0, start - 1)
    after = re.search(r"\n(?!\|)", text[start + 1 :])
    return text[before + 2 if before >= 0 else 0 : start + 1 + (after.start() if after else len(text))]


def main() -> None:
    from eval.hostile import cpu_name
    from qa.pipeline import QA

    engine = QA()
    reader = engine.reader()
    print(f"{len(QUESTIONS)} questions over Markdown and plain-text tables, closed reading; CPU: {cpu_name()}\n")
    print("| read | F1 | EM | F1 by the tables' folder |\n|---|---:|---:|---|")
    for name, shown in (("raw (the rule line taken out, one space between columns)", raw), ("rows as sentences", str)):
        scores: dict[str, list[tuple[float, float]]] = {}
        for path, question, golds in QUESTIONS:
            text = shown(table_of((HERE / path).read_text(encoding="utf-8")))
            spans = reader.read(question, [Passage(id="t", document_id="d", start=0, end=len(text), text=text)])
            scores.setdefault(path.split("/")[0], []).append(score_prediction(spans[0].text if spans else None, golds))
        print(scores_row(name, scores))
    print(scores_row("asked of the folder (open, `QA.ask`; a question declined scores 0)", asked_open(engine.embedder)))


def asked_open(embedder: Embedder) -> dict[str, list[tuple[float, float]]]:
    """Each question asked with ``QA.ask`` of the folder that holds its table (indexed once into eval/cache), by the
    tables' folder: its answer scored, a decline scoring 0."""
    from qa.pipeline import QA

    engines: dict[Path, QA] = {}
    scores: dict[str, list[tuple[float, float]]] = {}
    for path, question, golds in QUESTIONS:
        folder = (HERE / path).parent
        if folder not in engines:
            index = HERE / "cache" / f"table_rows-{folder.relative_to(HERE).as_posix().replace('/', '-')}-index"
            engines[folder] = QA(documents_dir=folder, index_dir=index, embedder=embedder, index_embedder=embedder)
        answer = engines[folder].ask(question).answer
        scores.setdefault(path.split("/")[0], []).append(score_prediction(answer, golds))
    return scores


def scores_row(name: str, scores: dict[str, list[tuple[float, float]]]) -> str:
    """A row of the table: F1 and EM over every question, and F1 by the tables' folder."""
    every = [score for group in scores.values() for score in group]
    groups = ", ".join(f"{folder} ({len(group)}) {mean(group, 1):.1f}" for folder, group in scores.items())
    return f"| {name} | {mean(every, 1):.1f} | {mean(every, 0):.1f} | {groups} |"


def mean(scores: list[tuple[float, float]], which: int) -> float:
    """The mean of ``scores``' exact-match (``which`` 0) or F1 (1) values, in percent."""
    return 100 * sum(score[which] for score in scores) / len(scores)


if __name__ == "__main__":
    main()
