"""uvicorn's WebSocket protocol, with a text frame that is not UTF-8 refused quietly.

A text frame must be UTF-8 (RFC 6455 §8.1); uvicorn fails the connection with 1007 as it
should, but logs it with a traceback, as if the server were broken. One client's bad bytes
are that client's problem: this protocol closes with the same 1007 and logs one warning line.
The frame never reaches the application, so the check lives here, where frames are decoded.

The protocol class is uvicorn's default for our pinned versions (websockets installed); its
test runs a real server (tests/signaling/test_websocket_protocol.py).
"""

from __future__ import annotations

import logging

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

logger = logging.getLogger(__name__)


class QuietWebSocketProtocol(WebSocketsSansIOProtocol):
    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text" and not self.close_sent:
            data = b"".join(self.frames)
            try:
                data.decode()
            except UnicodeDecodeError as exc:
                self.frames = []
                client = "%s:%d" % self.client if self.client else "a client"
                logger.warning("closing the WebSocket of %s (1007): a text frame is not UTF-8 (%s)", client, exc.reason)
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()
