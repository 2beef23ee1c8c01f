"""web/static/shared/token.js: the page reads a join link's token (class, role, expiry, name)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.web.support import ClassServer

pytestmark = pytest.mark.browser

Js = Callable[[str, str], Any]
TOKEN = "../shared/token.js"  # the token module both front ends share


def b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(js: Js, token: str) -> Any:
    return js(
        TOKEN,
        f"try {{ return m.decodeClaims({json.dumps(token)}); }} catch (e) {{ return {{error: e.code, name: e.name}}; }}",
    )


def test_a_servers_personal_link_decodes_with_its_vietnamese_name(
    js: Js, server: ClassServer
) -> None:
    class_id = server.create_class("Lớp token")["id"]
    link = server.link(class_id, "trainee", external_id="HV-0153", name="Nguyễn Thị Lan")
    token = js(
        TOKEN, f"return m.tokenFromFragment({json.dumps('#' + link.split('#', 1)[1])});"
    )
    claims = decode(js, token)
    assert claims["class_id"] == class_id
    assert claims["role"] == "trainee"
    assert claims["name"] == "Nguyễn Thị Lan"
    assert claims["external_id"] == "HV-0153"
    assert isinstance(claims["exp"], int)


def test_a_shared_link_has_no_name(js: Js, server: ClassServer) -> None:
    link = server.create_class("Lớp token chung")["links"]["observer"]
    claims = decode(js, link.split("#t=", 1)[1])
    assert claims["role"] == "observer"
    assert claims["name"] is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        f"h.{b64(b'not json')}.s",
        f"h.{b64([1, 2])}.s",
        f"h.{b64({'role': 'trainee', 'exp': 1})}.s",  # no class_id
        f"h.{b64({'class_id': 'x', 'role': 'admin', 'exp': 1})}.s",  # no such role
        f"h.{b64({'class_id': 'x', 'role': 'trainee'})}.s",  # no expiry
        f"h.{b64({'class_id': 'x', 'role': 'trainee', 'exp': 'soon'})}.s",
        "h." + b64(bytes([0xFF, 0xFE])) + ".s",  # not UTF-8
        "h.!!!.s",  # not base64url
    ],
)
def test_malformed_tokens_are_invalid_links(js: Js, token: str) -> None:
    assert decode(js, token) == {"error": "invalid", "name": "Error"}


def test_the_fragment_and_expiry(js: Js) -> None:
    result = js(
        TOKEN,
        """return [
          m.tokenFromFragment("#t=abc.def.ghi"),
          m.tokenFromFragment("#x=1&t=abc"),
          m.tokenFromFragment(""),
          m.tokenFromFragment("#t="),
          m.isExpired({exp: 100}, 99_999),
          m.isExpired({exp: 100}, 100_000),
        ];""",
    )
    assert result == ["abc.def.ghi", "abc", None, None, False, True]
