"""Small files holding secrets (signing keys, the admin token): owner-only, written atomically.

The server and the CLI share one data directory and may start at the same moment, so a secret
is first written to a private temporary file and then linked into place: readers never see a
half-written file, and when two processes race to create one, exactly one wins and both then
read the winner's secret.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from signaling.errors import SecretFileError

OWNER_ONLY = 0o600


def _private_temp(path: Path, text: str) -> str:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    except OSError as e:
        raise SecretFileError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def create_secret(path: Path, text: str) -> bool:
    """Create `path` holding `text` unless it exists; True if this call created it."""
    tmp = _private_temp(path, text)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    except OSError as e:
        raise SecretFileError(f"cannot create {path}: {e.strerror or e}") from None
    finally:
        os.unlink(tmp)


def replace_secret(path: Path, text: str) -> None:
    """Atomically replace `path` with `text`, readable by the owner only."""
    tmp = _private_temp(path, text)
    try:
        os.replace(tmp, path)
    except OSError as e:
        os.unlink(tmp)
        raise SecretFileError(f"cannot replace {path}: {e.strerror or e}") from None


def read_secret(path: Path) -> str:
    """The text of `path`; refused if other users could read it, as ssh does with its keys."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise SecretFileError(
                f"{path} is readable by other users (mode {mode:o}); run: chmod 600 {path}"
            )
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise SecretFileError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise SecretFileError(f"{path} is not UTF-8 text") from None
