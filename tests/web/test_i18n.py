"""Translations (web/static/i18n/*.json, web/static/shared/i18n.js): every string of the pre-join
and class pages exists in Vietnamese and English, nothing visible is left untranslated, and
the language choice (?lang=, the switch) is remembered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from classroom.roles import Role
from signaling.ws.messages import ErrorCode
from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, new_page, with_lang

STATIC = Path(__file__).parents[2] / "web" / "static"
VI: dict[str, str] = json.loads((STATIC / "i18n" / "vi.json").read_text(encoding="utf-8"))
EN: dict[str, str] = json.loads((STATIC / "i18n" / "en.json").read_text(encoding="utf-8"))
ROOM_WORDS = {  # the room words the class page shares with the console (web/static/shared/i18n/)
    lang: json.loads((STATIC / "shared" / "i18n" / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("vi", "en")
}
KEY = re.compile(
    r"^(?:(?:app|lang|role|prejoin|media|checks|link|class|toolbar|confirm|status|quality|error"
    r"|chat|hands|floor|react|people|mod|lobby|checkin|screen|quiz|exam|assess|recording|attendance)\.[a-z_]+"
    r"|room\.[a-z_]+\.[a-z_-]+|exam\.error\.[a-z_]+)$"
)
VIETNAMESE = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)
# Keys built at run time from a value: `role.${role}`, `quality.${level}`, `error.${code}`.
DYNAMIC = (
    {f"role.{r.value}" for r in Role}
    | {f"quality.{level}" for level in ("good", "fair", "poor", "unknown")}
    | {f"error.{code.value}" for code in ErrorCode}
    | {"error.media_failed", "error.unknown"}
    | {k for k in VI if k.startswith("exam.error.")}  # the test page's `exam.error.${code}`
    | {k for k in VI if k.startswith(("assess.difficulty.", "assess.kind."))}  # the assessment page's
    | {f"recording.stopped_{reason}" for reason in ("disk_full", "quota", "write_error")}
    | {f"attendance.where.{where}" for where in ("remote", "room", "both")}  # the attendance panel's
    | {f"quality.layer_{layer}" for layer in ("high", "medium", "low", "paused", "none")}  # the people panel's link chip
)


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def keys_in_source() -> set[str]:
    found: set[str] = set()
    for path in [*STATIC.glob("js/**/*.js"), STATIC / "join.html", STATIC / "checkin.html", *STATIC.glob("screen.html")]:
        for literal in re.findall(
            r"""["'`]([a-z_]+\.[a-z_]+)["'`]""", path.read_text(encoding="utf-8")
        ):
            if KEY.match(literal):
                found.add(literal)
    return found


# ---- the files ----------------------------------------------------------------------------------


def test_both_languages_have_the_same_keys() -> None:
    assert sorted(set(VI) - set(EN)) == [], "missing in en.json"
    assert sorted(set(EN) - set(VI)) == [], "missing in vi.json"


def test_no_translation_is_empty_and_placeholders_match() -> None:
    for key, vi in VI.items():
        assert vi.strip() and EN[key].strip(), key
        assert placeholders(vi) == placeholders(EN[key]), key


def test_every_key_the_page_uses_exists() -> None:
    used = keys_in_source() | DYNAMIC
    assert sorted(used - set(VI)) == []


def test_every_translation_is_used() -> None:
    assert sorted(set(VI) - keys_in_source() - DYNAMIC) == []


def test_every_server_error_code_has_a_message() -> None:
    for code in ErrorCode:
        assert f"error.{code.value}" in VI and f"error.{code.value}" in EN, code


def test_vietnamese_uses_diacritics_and_the_agreed_wording() -> None:
    assert VI["prejoin.join"] == "Tham gia"
    assert EN["prejoin.join"] == "Join"
    assert VI["toolbar.mic_off"] == "Tắt micrô"
    assert VI["toolbar.share"] == "Chia sẻ màn hình"
    assert VI["toolbar.leave"] == "Rời lớp"
    assert VI["toolbar.end_class"] == "Kết thúc lớp học"
    assert VI["toolbar.audio_only"] == "Chỉ nghe âm thanh"
    assert VI["toolbar.show_video"] == "Bật lại video"  # not "Xem lại" (to replay)
    assert not any(VIETNAMESE.search(text) for text in EN.values())


# ---- the pages, in the browser ------------------------------------------------------------------

VISIBLE_TEXT = """
() => {
  const lang = document.documentElement.lang;
  const skip = (el) => el.closest("[data-user-text]") || (el.closest("[lang]") && el.closest("[lang]").lang !== lang);
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (text && !skip(el) && el.checkVisibility()) texts.push(text);
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder]")) {
    if (skip(el) || !el.checkVisibility()) continue;
    for (const name of ["aria-label", "title", "placeholder"]) if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
  }
  const missing = [...document.querySelectorAll("[data-i18n]")].map((el) => el.dataset.i18n);
  return { lang, texts, keys: missing };
}
"""


def check_translated(page: Page, lang: str) -> list[str]:
    """Fail on visible text that is a raw key, or in the other language; return the texts."""
    found: dict[str, Any] = page.evaluate(VISIBLE_TEXT)
    vi, en = {**VI, **ROOM_WORDS["vi"]}, {**EN, **ROOM_WORDS["en"]}
    own, other = (vi, en) if lang == "vi" else (en, vi)
    assert found["lang"] == lang
    assert sorted(set(found["keys"]) - set(own)) == [], "data-i18n keys without a translation"
    foreign = {text for key, text in other.items() if text != own[key]}
    for text in found["texts"]:
        assert not KEY.match(text), f"untranslated key {text!r} on the {lang} page: {dump(page)}"
        assert text not in foreign, f"{text!r} is not in {lang}: {dump(page)}"
        if lang == "en":
            assert not VIETNAMESE.search(text), f"Vietnamese text {text!r} on the English page"
    return list(found["texts"])


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_prejoin_page_is_fully_translated(
    context: BrowserContext, server: ClassServer, lang: str
) -> None:
    page = context.new_page()
    page.goto(with_lang(server.create_class("Lop dich")["links"]["trainee"], lang))
    page.wait_for_selector(".prejoin .preview video")
    page.click(".btn-join")  # without a name: the "name required" message shows too
    page.wait_for_selector(".field-error:not([hidden])")
    texts = check_translated(page, lang)
    assert ("Tham gia" if lang == "vi" else "Join") in texts


@pytest.mark.browser
def test_the_class_pages_are_translated_and_switch_language_live(
    browser: Browser, server: ClassServer
) -> None:
    links = server.create_class("Lop hai thu tieng")["links"]
    lecturer_context, lecturer = new_page(browser)
    trainee_context, trainee = new_page(browser)
    try:
        join(lecturer, links["lecturer"], "Nguyen Van An")
        join(trainee, links["trainee"], "Tran Thi Binh")
        lecturer.wait_for_selector(".grid .tile")
        trainee.wait_for_selector(".stage-main .tile")
        for page in (lecturer, trainee):
            switch_to_english(page)
        assert "Tran Thi Binh (you)" in trainee.locator(".self .tile-name").inner_text()
        assert "End class" in lecturer.locator("[data-control=end]").inner_text()
    finally:
        lecturer_context.close()
        trainee_context.close()


def switch_to_english(page: Page) -> None:
    check_translated(page, "vi")
    page.select_option("#lang-select", "en")
    wait_until(lambda: page.evaluate("document.documentElement.lang") == "en", 5, "the switch")
    assert "Leave" in check_translated(page, "en")


@pytest.mark.browser
def test_the_language_choice_is_remembered(context: BrowserContext, server: ClassServer) -> None:
    link = server.create_class("Lop nho ngon ngu")["links"]["observer"]
    page = context.new_page()
    page.goto(link)
    assert page.locator(".btn-join").inner_text() == "Tham gia"  # Vietnamese by default
    page.select_option("#lang-select", "en")
    wait_until(lambda: page.locator(".btn-join").inner_text() == "Join", 5, "the switch to English")
    page.reload()
    page.wait_for_selector(".btn-join")
    assert page.locator(".btn-join").inner_text() == "Join"  # remembered
    page.goto(with_lang(link, "vi"))
    page.wait_for_selector(".btn-join")
    assert page.locator(".btn-join").inner_text() == "Tham gia"  # ?lang= wins, and is remembered
    page.goto(link)
    page.wait_for_selector(".btn-join")
    assert page.locator(".btn-join").inner_text() == "Tham gia"


@pytest.mark.browser
def test_translate_fills_parameters(context: BrowserContext, server: ClassServer) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/static/i18n/en.json")
    result = page.evaluate(
        """async () => {
          const i18n = await import("/static/shared/i18n.js");
          await i18n.loadLanguage("en");
          return [
            i18n.t("status.reconnecting", { attempt: 3 }),
            i18n.t("prejoin.joining_as", { role: { key: "role.observer" } }),
            i18n.t("no.such_key"),
            i18n.chooseLanguage("?lang=en", null),
            i18n.chooseLanguage("?lang=fr", null),
          ];
        }"""
    )
    assert result == [
        "Connection lost. Reconnecting by itself (attempt 3)…",
        "You are joining as Observer.",
        "no.such_key",
        "en",
        "vi",
    ]
