"""The Vietnamese wording of every front end (the class page, the console, the room words they
share) keeps to docs/glossary.md: one spelling per word, the agreed renderings, Vietnamese
quotation marks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
STATIC = ROOT / "web" / "static"
VI_FILES = [STATIC / "i18n" / "vi.json", STATIC / "console" / "i18n" / "vi.json", STATIC / "shared" / "i18n" / "vi.json",
            STATIC / "course" / "i18n" / "vi.json", STATIC / "library" / "i18n" / "vi.json"]
GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")

# (pattern, why): spellings and renderings the glossary rejects.
REJECTED = [
    (r"huỷ", "hủy"),
    (r"khoá", "khóa"),
    (r"\bmicro\b", "micrô"),
    (r"\bmic\b", "micrô"),
    (r"[«»]", "“…”"),
    (r"xem lại video", "bật lại video"),
    (r"tin nhắn", "dữ liệu / yêu cầu"),
    (r"điểm đặt", "vị trí cài sẵn"),
    (r"nhật ký kiểm tra", "nhật ký thao tác"),
    (r"\bgọi\b", "chuyển đến"),
    (r"\badmin\b(?!-token)", "quản trị viên"),
    (r"\bsupervision\b", "hệ thống giám sát"),
]


# A chat line is a "tin nhắn": the word is wrong for the protocol's messages, right in the chat.
CHAT_WORDS = {r"tin nhắn"}


def texts(path: Path) -> dict[str, str]:
    table: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return table


@pytest.mark.parametrize("path", VI_FILES, ids=lambda p: str(p.relative_to(STATIC)))
def test_the_vietnamese_files_use_the_glossarys_spellings(path: Path) -> None:
    found = [
        f"{key}: {text!r} has {pattern!r}; the glossary says {wanted}"
        for key, text in texts(path).items()
        for pattern, wanted in REJECTED
        if re.search(pattern, text, re.IGNORECASE) and not (pattern in CHAT_WORDS and key.startswith("chat."))
    ]
    assert found == []


def test_the_glossary_names_each_chosen_spelling() -> None:
    """The test's list and the glossary agree: each chosen form is in the glossary's table."""
    for wanted in ("hủy", "khóa", "micrô", "“…”", "bật lại video", "vị trí cài sẵn", "nhật ký thao tác", "chuyển đến"):
        assert wanted in GLOSSARY, wanted
    for term in ("lecturer", "trainee", "class", "room", "join link", "floor", "hand raise", "preset", "scene",
                 "audit log", "attendance", "technician"):  # fmt: skip
        assert re.search(rf"^\| {re.escape(term)}\b", GLOSSARY, re.MULTILINE), term


def test_the_docs_users_read_spell_alike() -> None:
    """README and docs/ (the Vietnamese in them: examples, class titles) keep the same spellings."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        if path.name == "glossary.md":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"huỷ", r"khoá", r"«", r"»"):
            assert not re.search(pattern, text, re.IGNORECASE), f"{path.name}: {pattern}"
