"""The library page's words (web/static/library/i18n/): both languages have the same keys and
placeholders, every key the page uses exists (the upload refusals' codes included), and the
Vietnamese has no English left in it."""

from __future__ import annotations

import json
import re
from pathlib import Path

STATIC = Path(__file__).parents[2] / "web" / "static" / "library"
VI: dict[str, str] = json.loads((STATIC / "i18n" / "vi.json").read_text(encoding="utf-8"))
EN: dict[str, str] = json.loads((STATIC / "i18n" / "en.json").read_text(encoding="utf-8"))
# Keys built at run time: `library.error_${code}` (the API's codes), `library.chapter_${kind}`,
# `library.source_${source}`.
DYNAMIC = (
    {f"library.error_{c}" for c in ("unsupported_file", "bad_video", "bad_pdf", "empty_file", "payload_too_large", "storage_full", "other")}
    | {f"library.chapter_{k}" for k in ("screen_share", "floor")}
    | {f"library.source_{s}" for s in ("camera", "microphone", "screen", "screen_audio")}
)


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert sorted(set(VI) ^ set(EN)) == []
    for key, vi in VI.items():
        assert vi.strip() and EN[key].strip(), key
        assert set(re.findall(r"\{(\w+)\}", vi)) == set(re.findall(r"\{(\w+)\}", EN[key])), key


def test_every_key_the_page_uses_exists() -> None:
    used = set(DYNAMIC)
    for name in ("library.js", "library.html"):
        used |= set(re.findall(r"""["'`](library\.[a-z_]+)["'`]""", (STATIC / name).read_text(encoding="utf-8")))
    assert sorted(used - set(VI)) == []



def test_no_english_in_the_vietnamese_words() -> None:
    """(The glossary's spellings are checked with the other pages', tests/web/test_wording.py.)"""
    for key, vi in VI.items():
        assert not re.search(r"\b(upload|delete|file|error|slides?)\b", vi, re.IGNORECASE), f"{key}: English in the vi words"
