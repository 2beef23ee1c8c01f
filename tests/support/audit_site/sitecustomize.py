"""Installs the codec audit in every Python process started with this folder on PYTHONPATH.

Tests start the server (and, through it, its media worker processes) with
PYTHONPATH=<this folder>:<repository> and CLASSBRIDGE_TEST_CODEC_LOG set; every process then
records any codec object it creates (tests/support/codec_audit.py).
"""

import os

if os.environ.get("CLASSBRIDGE_TEST_CODEC_LOG"):
    from pathlib import Path

    from tests.support import codec_audit

    codec_audit.install(Path(os.environ["CLASSBRIDGE_TEST_CODEC_LOG"]))
