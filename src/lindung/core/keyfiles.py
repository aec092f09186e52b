"""Local key files for the embedded demo; production passes keys through the environment."""

import base64
import os
import secrets
import sys
from pathlib import Path


def _read_or_create(path: Path, make) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = make()
    # Written with owner-only permissions from the first byte.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def local_secret(path: Path) -> str:
    return _read_or_create(path, lambda: secrets.token_urlsafe(50))


def new_master_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def local_master_key(path: Path) -> str:
    created = not path.exists()
    value = _read_or_create(path, new_master_key)
    if created:
        print(
            f"WARNING: generated a master key in {path} for this demo. Production must set "
            "LINDUNG_MASTER_KEY (and keep it apart from database backups).",
            file=sys.stderr,
        )
    return value
