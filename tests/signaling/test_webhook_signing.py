"""Standard Webhooks signatures, checked against the convention's reference library."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from signaling.webhooks import signing

# The example of the Standard Webhooks specification (and its reference library's tests).
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_specification_example() -> None:
    assert signing.signature(SECRET, MSG_ID, TIMESTAMP, BODY) == EXPECTED


def test_the_reference_library_accepts_ours_and_we_accept_its() -> None:
    now = int(time.time())
    secret = signing.new_secret()
    body = '{"type":"report.ready","data":{"name":"Nguyễn Thị Lan"}}'.encode()
    ours = signing.headers(secret, "msg_1", now, body)
    assert Webhook(secret).verify(body, ours)["data"]["name"] == "Nguyễn Thị Lan"
    theirs = Webhook(secret).sign("msg_1", datetime.fromtimestamp(now, UTC), body.decode())
    assert signing.verify(secret, {"Webhook-Id": "msg_1", "Webhook-Timestamp": str(now), "Webhook-Signature": theirs}, body, now)


def test_tampering_and_replays_are_refused() -> None:
    now = int(time.time())
    secret = signing.new_secret()
    good = signing.headers(secret, "msg_1", now, BODY)
    assert signing.verify(secret, good, BODY, now)
    assert not signing.verify(secret, good, BODY + b" ", now)
    assert not signing.verify(signing.new_secret(), good, BODY, now)
    assert not signing.verify(secret, {**good, "webhook-id": "msg_2"}, BODY, now)
    assert not signing.verify(secret, good, BODY, now + signing.TOLERANCE_S + 1)
    assert not signing.verify(secret, {k: v for k, v in good.items() if k != "webhook-id"}, BODY, now)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY + b" ", good)
    with pytest.raises(ValueError, match="whsec_"):
        signing.signature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, BODY)
