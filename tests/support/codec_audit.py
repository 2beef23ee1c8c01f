"""Records every audio/video codec object aiortc creates in a process.

The relay and the recorder must never decode or re-encode: the integration tests run the real server with
tests/support/audit_site on PYTHONPATH, whose sitecustomize installs this audit in the server
and in each of its worker processes, and then assert that nothing but "installed" was
recorded. Every aiortc codec class and factory is wrapped, so any
path that would create a decoder or encoder (PyAV or libvpx through aiortc) leaves a line; so
are PyAV's own ways to make a codec context (`CodecContext.create`, and an output stream with a
context: `add_stream`, `add_stream_from_template`), which the recorder must not use: it muxes
into streams without any (`add_mux_stream`).
"""

from __future__ import annotations

import functools
import inspect
import os
from pathlib import Path
from typing import Any, Callable

import aiortc.codecs as codecs
import aiortc.rtcrtpreceiver as receiver_module
import aiortc.rtcrtpsender as sender_module
from aiortc.codecs.base import Decoder, Encoder

INSTALLED = "installed"


def _record(log: Path, what: str) -> None:
    with log.open("a") as f:
        f.write(f"{what} pid={os.getpid()}\n")


def _wrap(log: Path, name: str, fn: Callable[..., Any], once: bool = False) -> Callable[..., Any]:
    recorded = False

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal recorded
        if not (once and recorded):
            _record(log, name)
            recorded = True
        return fn(*args, **kwargs)

    return wrapper


def codec_classes() -> list[type]:
    """Every Decoder/Encoder subclass aiortc ships."""
    import aiortc.codecs.g711
    import aiortc.codecs.g722
    import aiortc.codecs.h264
    import aiortc.codecs.opus
    import aiortc.codecs.vpx

    found = []
    for module in (aiortc.codecs.g711, aiortc.codecs.g722, aiortc.codecs.h264, aiortc.codecs.opus, aiortc.codecs.vpx):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, (Decoder, Encoder)) and cls not in (Decoder, Encoder) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def _install_pyav(log: Path) -> None:
    import av
    import av.codec.context
    import av.container.output

    create = av.codec.context.CodecContext.create
    wrapped = staticmethod(_wrap(log, "CodecContext.create", create))
    av.codec.context.CodecContext.create = wrapped  # type: ignore[method-assign]
    av.CodecContext.create = wrapped  # type: ignore[method-assign]
    output = av.container.output.OutputContainer
    for name in ("add_stream", "add_stream_from_template"):
        setattr(output, name, _wrap(log, f"OutputContainer.{name}", getattr(output, name)))


def install(log: Path) -> None:
    for module in (codecs, receiver_module):
        if hasattr(module, "get_decoder"):
            module.get_decoder = _wrap(log, "get_decoder", module.get_decoder)
    for module in (codecs, sender_module):
        if hasattr(module, "get_encoder"):
            module.get_encoder = _wrap(log, "get_encoder", module.get_encoder)
    for cls in codec_classes():
        cls.__init__ = _wrap(log, cls.__name__, cls.__init__)  # type: ignore[method-assign]
        # An encoder object also packs pre-encoded packets (the room agent's passthrough);
        # only `encode` makes it create a codec, so each call is recorded too.
        if issubclass(cls, Encoder):
            cls.encode = _wrap(log, f"{cls.__name__}.encode", cls.encode, once=True)  # type: ignore[method-assign]
    _install_pyav(log)
    _record(log, INSTALLED)


def recorded(log: Path) -> list[tuple[str, str]]:
    """(what, pid) per line."""
    if not log.exists():
        return []
    return [tuple(line.split()) for line in log.read_text().splitlines()]  # type: ignore[misc]
