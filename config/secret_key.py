"""The secret key of a one-machine deployment (`make run`) that has no SECRET_KEY in its
environment: made once, readable by its owner only, and reused on every start, so sessions
and signed links (password reset, unsubscribe) survive a restart.

No Django import: the settings call this while they are being read.
"""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path


class SecretKeyFileError(Exception):
    """The file exists but holds no key (the message says what to do)."""


def secret_key_from_file(path: Path) -> str:
    """The key kept in `path`, made there (mode 0600) when the file does not exist yet.

    Web, worker and beat may start at the same moment: the file appears complete or not at
    all (written under another name, then linked into place), and whoever links second
    reads the first one's key."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise SecretKeyFileError(f"{path} is empty: delete it and a new key is made at start.")
    return key
