from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from classroom.roles import Role
from signaling.errors import TokenError
from signaling.auth.keys import Keyring
from signaling.auth.tokens import AUDIENCE, ISSUER, TokenService
from tests.support.clock import ManualClock

T0 = 1_760_000_000.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def keyring(tmp_path: Path) -> Keyring:
    return Keyring.open(tmp_path)


@pytest.fixture
def tokens(keyring: Keyring, clock: ManualClock) -> TokenService:
    return TokenService(keyring, timedelta(hours=2), leeway=timedelta(seconds=30), clock=clock)


def code_of(tokens: TokenService, token: str, class_id: str = "abc") -> str:
    with pytest.raises(TokenError) as caught:
        tokens.verify(token, class_id)
    return caught.value.code


def b64(data: Mapping[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unb64(part: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return loaded


def test_round_trip_with_identity(tokens: TokenService) -> None:
    token = tokens.issue("abc", Role.TRAINEE, external_id="HV-0153", name="Nguyễn Thị Lan")
    claims = tokens.verify(token, "abc")
    assert (claims.class_id, claims.role) == ("abc", Role.TRAINEE)
    assert (claims.external_id, claims.name) == ("HV-0153", "Nguyễn Thị Lan")
    assert claims.iat.timestamp() == T0
    assert claims.exp.timestamp() == T0 + 2 * 3600
    assert claims.jti


def test_claims_on_the_wire(tokens: TokenService, keyring: Keyring) -> None:
    header, payload, _ = tokens.issue("abc", Role.OBSERVER, ttl=timedelta(minutes=5)).split(".")
    assert unb64(header)["kid"] == keyring.signing_key().kid
    assert unb64(header)["alg"] == "HS256"
    body = unb64(payload)
    assert (body["aud"], body["iss"], body["role"], body["exp"]) == (
        AUDIENCE,
        ISSUER,
        "observer",
        T0 + 300,
    )
    assert "external_id" not in body and "name" not in body  # absent, not null


def test_every_token_has_its_own_id(tokens: TokenService) -> None:
    ids = {tokens.verify(tokens.issue("abc", Role.TRAINEE), "abc").jti for _ in range(20)}
    assert len(ids) == 20


def test_expired_after_leeway(tokens: TokenService, clock: ManualClock) -> None:
    token = tokens.issue("abc", Role.TRAINEE, ttl=timedelta(seconds=60))
    clock.now = T0 + 60 + 30  # within leeway
    assert tokens.verify(token, "abc").role is Role.TRAINEE
    clock.now = T0 + 60 + 31
    assert code_of(tokens, token) == "token_expired"


def test_issued_in_the_future_is_invalid(tokens: TokenService, clock: ManualClock) -> None:
    token = tokens.issue("abc", Role.TRAINEE)
    clock.now = T0 - 31
    assert code_of(tokens, token) == "token_invalid"


def test_other_class(tokens: TokenService) -> None:
    token = tokens.issue("abc", Role.LECTURER)
    assert code_of(tokens, token, class_id="xyz") == "wrong_class"


@pytest.mark.parametrize("change", [{"role": "lecturer"}, {"class_id": "xyz"}, {"exp": T0 + 10**8}])
def test_tampered_payload(tokens: TokenService, change: dict[str, object]) -> None:
    header, payload, signature = tokens.issue("abc", Role.TRAINEE).split(".")
    forged = ".".join([header, b64(unb64(payload) | change), signature])
    assert code_of(tokens, forged) == "token_invalid"
    assert code_of(tokens, forged, class_id="xyz") == "token_invalid"


def test_tampered_signature(tokens: TokenService) -> None:
    token = tokens.issue("abc", Role.TRAINEE)
    last = token[-2]
    forged = token[:-2] + ("A" if last != "A" else "B") + token[-1]
    assert code_of(tokens, forged) == "token_invalid"
    assert code_of(tokens, token[:-5]) == "token_invalid"


def test_other_role_cannot_be_forged_without_the_secret(
    tokens: TokenService, keyring: Keyring
) -> None:
    trainee = tokens.verify(tokens.issue("abc", Role.TRAINEE), "abc")
    payload = trainee.model_dump(mode="json") | {"role": "lecturer", "aud": AUDIENCE, "iss": ISSUER}
    payload |= {"exp": int(trainee.exp.timestamp()), "iat": int(trainee.iat.timestamp())}
    kid = keyring.signing_key().kid
    forged = jwt.encode(payload, b"x" * 32, algorithm="HS256", headers={"kid": kid})
    assert code_of(tokens, forged) == "token_invalid"
    unsigned = jwt.encode(payload, "", algorithm="none", headers={"kid": kid})
    assert code_of(tokens, unsigned) == "token_invalid"


def test_right_key_wrong_audience_or_issuer(tokens: TokenService, keyring: Keyring) -> None:
    key = keyring.signing_key()
    good = {"class_id": "abc", "role": "trainee", "jti": "j", "iat": int(T0), "exp": int(T0) + 60}
    for bad in (
        {"aud": "other", "iss": ISSUER},
        {"aud": AUDIENCE, "iss": "other"},
        {"aud": AUDIENCE},
    ):
        token = jwt.encode(good | bad, key.key_bytes, algorithm="HS256", headers={"kid": key.kid})
        assert code_of(tokens, token) == "token_invalid"


@pytest.mark.parametrize(
    "bad",
    [{"role": "admin"}, {"class_id": ""}, {"jti": None}, {"name": "x" * 101}, {"exp": "tomorrow"}],
)
def test_right_key_bad_claims(
    tokens: TokenService, keyring: Keyring, bad: dict[str, object]
) -> None:
    key = keyring.signing_key()
    claims = {"class_id": "abc", "role": "trainee", "jti": "j", "iat": int(T0), "exp": int(T0) + 60}
    claims |= {"aud": AUDIENCE, "iss": ISSUER} | bad
    token = jwt.encode(claims, key.key_bytes, algorithm="HS256", headers={"kid": key.kid})
    assert code_of(tokens, token) == "token_invalid"


def test_rotation_old_tokens_valid_until_dropped(tokens: TokenService, keyring: Keyring) -> None:
    before = tokens.issue("abc", Role.TRAINEE)
    keyring.rotate()
    after = tokens.issue("abc", Role.TRAINEE)
    assert jwt.get_unverified_header(after)["kid"] == keyring.signing_key().kid
    assert tokens.verify(before, "abc") and tokens.verify(after, "abc")
    keyring.rotate(drop_old=True)
    assert code_of(tokens, before) == "token_invalid"
    assert code_of(tokens, after) == "token_invalid"


def test_unknown_or_missing_kid(tokens: TokenService, keyring: Keyring) -> None:
    key = keyring.signing_key()
    claims = {"class_id": "abc", "role": "trainee", "jti": "j", "iat": int(T0), "exp": int(T0) + 60}
    claims |= {"aud": AUDIENCE, "iss": ISSUER}
    assert code_of(tokens, jwt.encode(claims, key.key_bytes, algorithm="HS256")) == "token_invalid"
    other = jwt.encode(claims, key.key_bytes, algorithm="HS256", headers={"kid": "nope"})
    assert code_of(tokens, other) == "token_invalid"


def test_issue_refuses_bad_arguments(tokens: TokenService) -> None:
    with pytest.raises(ValueError):
        tokens.issue("abc", Role.TRAINEE, ttl=timedelta(0))
    with pytest.raises(ValueError):
        tokens.issue("abc", Role.TRAINEE, name="x" * 101)


@pytest.mark.parametrize("token", ["", "a.b.c", "...", "x" * 5000, "eyJ.eyJ.sig", "\x00"])
def test_garbage(tokens: TokenService, token: str) -> None:
    assert code_of(tokens, token) == "token_invalid"


@given(st.text(max_size=300))
def test_random_text_only_raises_token_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    service = TokenService(Keyring.open(tmp_path_factory.getbasetemp()), timedelta(hours=1))
    with pytest.raises(TokenError):
        service.verify(text, "abc")


JWT_PART = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=", max_size=80
)


@given(
    st.tuples(JWT_PART, JWT_PART, JWT_PART),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4),
)
def test_random_jwt_shapes_only_raise_token_error(
    tmp_path_factory: pytest.TempPathFactory, parts: tuple[str, str, str], header: dict[str, str]
) -> None:
    service = TokenService(Keyring.open(tmp_path_factory.getbasetemp()), timedelta(hours=1))
    with pytest.raises(TokenError):
        service.verify(".".join(parts), "abc")
    with pytest.raises(TokenError):
        service.verify(".".join([b64(header), parts[1], parts[2]]), "abc")
