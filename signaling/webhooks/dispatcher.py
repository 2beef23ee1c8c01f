"""Delivering the webhook outbox over HTTP: one loop in the server's main process.

Every second it claims the due events (classroom/webhooks/outbox.py), POSTs each to the
configured URL with Standard Webhooks headers (signing.py), and records the answer. Only a
2xx answer delivers; a timeout, a refused connection or any other status is retried later with
exponential backoff. Nothing is kept in memory that a restart would lose.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import httpx

from classroom.webhooks.outbox import Delivery, WebhookOutbox
from signaling.server import reports
from signaling.server.services import Services
from signaling.webhooks import signing

log = logging.getLogger(__name__)

POLL_S = 1.0
TIMEOUT_S = 10.0


def outbox_of(services: Services) -> WebhookOutbox:
    """The outbox with the server's settings; report.ready carries the class's attendance report
    (the one `GET /api/classes/{id}/report` gives: intervals, in the room or remote, the rule)."""
    settings = services.settings.attendance
    return WebhookOutbox(
        services.db,
        lambda class_id: reports.reports(services).klass(class_id).model_dump(mode="json"),
        retry_base_s=settings.webhook_retry_base_s,
        max_attempts=settings.webhook_max_attempts,
    )


def dispatcher_of(services: Services) -> WebhookDispatcher | None:
    """The dispatcher when webhooks are configured."""
    settings = services.settings.attendance
    if settings.webhook_url is None or settings.webhook_secret is None:
        return None
    return WebhookDispatcher(outbox_of(services), settings.webhook_url, settings.webhook_secret.get_secret_value())


class WebhookDispatcher:
    def __init__(
        self,
        outbox: WebhookOutbox,
        url: str,
        secret: str,
        *,
        client: httpx.AsyncClient | None = None,
        unix_time: Callable[[], float] = time.time,
    ):
        self.outbox = outbox
        self.url = url
        self._secret = secret
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT_S, follow_redirects=False)
        self._time = unix_time

    async def run(self) -> None:
        """Deliver until cancelled; a failed round is logged and the loop goes on."""
        try:
            while True:
                try:
                    await self.deliver_due()
                except Exception:
                    log.exception("webhook delivery round failed; retrying")
                await asyncio.sleep(POLL_S)
        finally:
            await self._client.aclose()

    async def deliver_due(self) -> int:
        """Send what is due now; how many were sent (delivered or not)."""
        due = await asyncio.to_thread(self.outbox.claim_due)
        for delivery in due:
            await self._send(delivery)
        return len(due)

    async def _send(self, delivery: Delivery) -> None:
        body = delivery.body.encode()
        head = signing.headers(self._secret, delivery.webhook_id, int(self._time()), body)
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(self.url, content=body, headers=head)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        took = int((time.monotonic() - started) * 1000)
        outcome = await asyncio.to_thread(self.outbox.record, delivery, self.url, status, error, took)
        if error:
            log.warning(
                "webhook %s (%s, attempt %d) not delivered: %s; %s",
                delivery.event_type, delivery.class_id, delivery.attempt, error, outcome,
            )
