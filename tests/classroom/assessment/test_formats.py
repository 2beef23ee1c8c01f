"""The import formats: a table of good and bad inputs per format, the sample bank in config/,
and the round trip export → import."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from classroom.assessment import formats
from classroom.assessment.formats import aiken, csv_format, gift, xlsx_format
from classroom.assessment.questions import Difficulty, Kind, Question

SAMPLES = Path(__file__).parents[3] / "config" / "question-bank"


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


HEADER_VI = "Chủ đề,Mức độ,Loại,Câu hỏi,A,B,C,D,Đáp án\n"
HEADER_EN = "topic,difficulty,type,question,A,B,C,D,answer\n"

# (input, the kinds read, the problem codes) ------------------------------------------------
CSV_CASES = [
    pytest.param(HEADER_VI + "Dân vận,Dễ,Một đáp án,Thủ đô của Việt Nam?,Hà Nội,Huế,,,A\n",
                 [Kind.SINGLE], [], id="vietnamese single"),
    pytest.param(HEADER_EN + "t,hard,multiple,Pick two,a,b,c,,\"A, C\"\n",
                 [Kind.MULTIPLE], [], id="multiple correct"),
    pytest.param(HEADER_EN + ",,,Hai đáp án?,x,y,z,,A;B\n", [Kind.MULTIPLE], [], id="type inferred multiple"),
    pytest.param(HEADER_VI + ",,,Trời xanh?,,,,,Đúng\n", [Kind.TRUE_FALSE], [], id="true/false inferred"),
    pytest.param(HEADER_VI + ",,Trả lời ngắn,Nêu một ví dụ,,,,,ví dụ | mẫu\n", [Kind.SHORT], [], id="short answer"),
    pytest.param(HEADER_VI.replace(",", ";") + ";;;Câu; có dấu?;x;y;;;B\n".replace("Câu; có", "Câu có"),
                 [Kind.SINGLE], [], id="semicolon separated"),
    pytest.param(HEADER_EN + "t,easy,single,No answer,a,b,,,\n", [], ["missing_answer"], id="missing answer"),
    pytest.param(HEADER_EN + "t,easy,single,Two answers,a,b,,,\"A,B\"\n", [], ["several_answers"], id="single with two answers"),
    pytest.param(HEADER_EN + "t,easy,single,Answer E,a,b,,,E\n", [], ["answer_not_an_option"], id="answer not an option"),
    pytest.param(HEADER_EN + "t,easy,single,Q?,a,b,,,A\nt,easy,single,  q? ,c,d,,,B\n",
                 [Kind.SINGLE], ["duplicate"], id="duplicate question"),
    pytest.param(HEADER_EN + "t,easy,essay,Q?,a,b,,,A\n", [], ["unknown_type"], id="unknown type"),
    pytest.param(HEADER_EN + "t,very,single,Q?,a,b,,,A\n", [], ["unknown_difficulty"], id="unknown difficulty"),
    pytest.param(HEADER_EN + "t,easy,single,,a,b,,,A\n", [], ["missing_text"], id="missing text"),
    pytest.param(HEADER_EN + "t,easy,single,Q?,a,,c,,A\n", [], ["empty_option"], id="gap in the options"),
    pytest.param(HEADER_EN + "t,easy,true_false,Q?,,,,,maybe\n", [], ["bad_answer"], id="bad true/false"),
    pytest.param("topic,question\nt,Q?\n", [], ["missing_column"], id="no answer column"),
    pytest.param("", [], ["empty_file"], id="empty file"),
    pytest.param(b"question,answer\nC\xe2u h\xf3i,A\n", [], ["not_utf8"], id="not UTF-8"),
]


@pytest.mark.parametrize(("data", "kinds", "codes"), CSV_CASES)
def test_csv_and_xlsx_read_the_same_table(data: str | bytes, kinds: list[Kind], codes: list[str]) -> None:
    raw = data if isinstance(data, bytes) else csv_bytes(data)
    result = csv_format.parse(raw)
    assert [q.kind for q in result.questions] == kinds
    assert sorted({p.code for p in result.problems}) == sorted(codes), result.problems
    assert all(p.where.startswith(("row", "file")) for p in result.problems)
    if isinstance(data, str) and data and ";" not in data.split("\n")[0]:
        import csv as csvlib

        rows: list[list[object]] = list(csvlib.reader(io.StringIO(data)))
        from_xlsx = xlsx_format.parse(xlsx(rows))
        assert from_xlsx.questions == result.questions
        assert [(p.where, p.code) for p in from_xlsx.problems] == [(p.where, p.code) for p in result.problems]


def test_a_problem_names_its_spreadsheet_row() -> None:
    result = csv_format.parse(csv_bytes(HEADER_EN + "t,easy,single,Q1,a,b,,,A\n\n" + "t,easy,single,Q2,a,b,,,Z\n"))
    assert [(p.where, p.code) for p in result.problems] == [("row 4", "bad_answer")]
    assert [q.text for q in result.questions] == ["Q1"]


def test_xlsx_reads_typed_cells_and_refuses_other_files() -> None:
    rows: list[list[object]] = [["question", "A", "B", "answer"], ["Năm 1945?", None, None, True],
                                ["Số?", 1, 2.0, "B"], ["Số nữa?", 1, 2, 1]]
    result = xlsx_format.parse(xlsx(rows))
    assert result.questions == [
        Question(Kind.TRUE_FALSE, "Năm 1945?", correct=(0,)),
        Question(Kind.SINGLE, "Số?", ("1", "2"), (1,)),
    ]
    assert [(p.where, p.code) for p in result.problems] == [("row 4", "bad_answer")]
    assert [p.code for p in xlsx_format.parse(b"PK\x03\x04 not a zip").problems] == ["bad_xlsx"]
    assert [p.code for p in xlsx_format.parse(b"just text").problems] == ["bad_xlsx"]


def test_xlsx_export_writes_text_never_formulas() -> None:
    q = Question(Kind.SINGLE, "=HYPERLINK(\"http://x\")", ("=1+1", "@SUM(A1)"), (0,))
    book = load_workbook(io.BytesIO(xlsx_format.write([q])))
    sheet = book.worksheets[0]
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)
    assert xlsx_format.parse(xlsx_format.write([q])).questions == [q]
    assert csv_format.write([q]).decode("utf-8-sig").splitlines()[1].count("'=") == 2
    assert csv_format.parse(csv_format.write([q])).questions == [q]


GIFT_CASES = [
    pytest.param("Thủ đô của Việt Nam? {=Hà Nội ~Huế ~Đà Nẵng}", [Kind.SINGLE], [], id="vietnamese single"),
    pytest.param("::Q1:: [html]Chọn hai: {~%50%a ~%50%b ~%-100%c}", [Kind.MULTIPLE], [], id="weighted multiple"),
    pytest.param("Chọn hai {=a =b ~c}", [Kind.MULTIPLE], [], id="two right answers"),
    pytest.param("Trời xanh. {T}\n\nĐất vuông. {FALSE#feedback}", [Kind.TRUE_FALSE, Kind.TRUE_FALSE], [], id="true/false"),
    pytest.param("Nêu tên {=Lạng Sơn =Lang Son}", [Kind.SHORT], [], id="short answer"),
    pytest.param("Viết một đoạn {}", [Kind.SHORT], [], id="essay"),
    pytest.param("// a comment\n$CATEGORY: $course$/top/Dân vận\n\nMột\ndòng nữa {=a ~b}", [Kind.SINGLE], [], id="category and multiline"),
    pytest.param("Không có đáp án", [], ["missing_answer"], id="missing answer block"),
    pytest.param("Chỉ sai {~a ~b}", [], ["missing_answer"], id="no right option"),
    pytest.param("Số? {#3:1}", [], ["unsupported"], id="numeric"),
    pytest.param("Ghép {=a -> 1 =b -> 2}", [], ["unsupported"], id="matching"),
    pytest.param("Q? {=a ~b}\n\nq?  {=c ~d}", [Kind.SINGLE], ["duplicate"], id="duplicate"),
    pytest.param("// difficulty: impossible\nQ? {=a ~b}", [Kind.SINGLE], ["unknown_difficulty"], id="bad difficulty comment"),
]


@pytest.mark.parametrize(("text", "kinds", "codes"), GIFT_CASES)
def test_gift(text: str, kinds: list[Kind], codes: list[str]) -> None:
    result = gift.parse(text.encode())
    assert [q.kind for q in result.questions] == kinds
    assert sorted(p.code for p in result.problems) == sorted(codes), result.problems


def test_gift_details() -> None:
    result = gift.parse("$CATEGORY: top/Dân vận\n// mức độ: khó\nA\\: b \\{c\\} {=x\\=y ~z}".encode())
    assert result.questions == [
        Question(Kind.SINGLE, "A: b {c}", ("x=y", "z"), (0,), topic="Dân vận", difficulty=Difficulty.HARD)
    ]


AIKEN_CASES = [
    pytest.param("Thủ đô?\nA. Hà Nội\nB) Huế\nANSWER: A\n\nHai?\nA. x\nB. y\nANSWER: B", 2, [], id="vietnamese"),
    pytest.param("Q?\nA. x\nB. y\nANSWER: A, B", 0, ["several_answers"], id="multiple correct"),
    pytest.param("Q?\nA. x\nB. y\n", 0, ["missing_answer"], id="missing answer"),
    pytest.param("Q?\nA. x\nB. y\nQ2?\nA. x\nB. y\nANSWER: A", 1, ["missing_answer"], id="missing answer then a good one"),
    pytest.param("Q?\nA. x\nC. y\nANSWER: A", 0, ["bad_option_letter"], id="letters out of order"),
    pytest.param("Q?\nA. x\nB. y\nANSWER: E", 0, ["answer_not_an_option"], id="answer not an option"),
    pytest.param("Q?\nA. x\nB. y\nANSWER: Z", 0, ["bad_answer"], id="answer not a letter"),
    pytest.param("Q?\nA. x\nB. y\nANSWER: A\nq?\nA. z\nB. w\nANSWER: B", 1, ["duplicate"], id="duplicate"),
]


@pytest.mark.parametrize(("text", "count", "codes"), AIKEN_CASES)
def test_aiken(text: str, count: int, codes: list[str]) -> None:
    result = aiken.parse(text.encode(), topic="Dân vận")
    assert len(result.questions) == count
    assert all(q.topic == "Dân vận" and q.kind is Kind.SINGLE for q in result.questions)
    assert sorted(p.code for p in result.problems) == sorted(codes), result.problems


@pytest.mark.parametrize("name", ["sample.csv", "sample.xlsx", "sample.gift", "sample.aiken"])
def test_the_sample_bank_reads_cleanly_and_round_trips(name: str) -> None:
    fmt = name.rsplit(".", 1)[1]
    result = formats.parse(fmt, (SAMPLES / name).read_bytes())
    assert result.ok, result.problems
    assert len(result.questions) >= 3
    assert any("Đảng" in q.text for q in result.questions)
    for out in ("csv", "xlsx", "gift"):
        again = formats.parse(out, formats.write(out, result.questions))
        assert again.questions == result.questions and again.ok


def test_every_sample_holds_the_same_questions() -> None:
    reference = formats.parse("xlsx", (SAMPLES / "sample.xlsx").read_bytes()).questions
    assert {q.kind for q in reference} == set(Kind)
    for name in ("sample.csv", "sample.gift"):
        assert formats.parse(name.rsplit(".", 1)[1], (SAMPLES / name).read_bytes()).questions == reference
    singles = [q for q in reference if q.kind is Kind.SINGLE]
    assert [q.text for q in formats.parse("aiken", (SAMPLES / "sample.aiken").read_bytes()).questions] == [
        q.text for q in singles
    ]


def test_aiken_export_refuses_other_kinds() -> None:
    with pytest.raises(aiken.NotAikenQuestion):
        aiken.write([Question(Kind.TRUE_FALSE, "Q", correct=(0,))])


def test_format_of_names() -> None:
    assert formats.format_of("Ngân hàng.XLSX") == "xlsx"
    assert formats.format_of("bank.txt") == "gift"
    with pytest.raises(formats.UnknownFormat):
        formats.format_of("bank.pdf")
