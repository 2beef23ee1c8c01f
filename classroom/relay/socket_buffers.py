"""Large kernel receive buffers for the relay's UDP sockets.

A publisher's packets wait in its socket's receive queue while the relay fans out earlier
ones; when the queue is full the kernel drops them, before any counter of the relay sees
them. The default queue (net.core.rmem_default, 208 KiB) holds well under a second of a
720p stream; the relay asks for several seconds' worth. SO_RCVBUF is capped by
net.core.rmem_max; SO_RCVBUFFORCE (root, or CAP_NET_ADMIN) is not, so it is tried first.
"""

from __future__ import annotations

import logging
import socket

logger = logging.getLogger(__name__)

RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
# Linux's value; Python's socket module names it only on some builds.
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
_warned = False


def set_receive_buffer(sock: socket.socket, size: int = RECEIVE_BUFFER_BYTES) -> int:
    """Ask for `size` bytes of receive buffer; returns what the kernel granted (its doubled figure / 2)."""
    global _warned
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, size)
    except OSError:  # not privileged (EPERM), or not Linux
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)
        except OSError as e:
            logger.warning("cannot set a UDP receive buffer of %d bytes: %s", size, e.strerror)
    granted = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // 2  # Linux reports double
    if granted < size and not _warned:
        _warned = True
        logger.warning(
            "UDP receive buffers are %d KiB, not the %d KiB asked for: raise net.core.rmem_max "
            "(sysctl) or run with CAP_NET_ADMIN, or a busy relay may drop publishers' packets",
            granted // 1024,
            size // 1024,
        )
    return granted
