"""The Ed25519 key that signs our access tokens.

In dev and test the key is generated once into the data folder; production
must name one (``SKOLEBRO_SIGNING_KEY``) and refuses to start without it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.lib.config import SettingsError
from backend.signin.settings import TokenSettings

log = logging.getLogger("skolebro.auth")


def load_signing_key(settings: TokenSettings, *, production: bool, data_dir: Path) -> Ed25519PrivateKey:
    """The named key; in dev and test one generated into ``data_dir`` the first time."""
    if settings.signing_key_path:
        path = Path(settings.signing_key_path)
        if not path.exists():
            raise SettingsError(f"SKOLEBRO_SIGNING_KEY names {path}, which does not exist.")
    elif production:
        raise SettingsError("Production needs SKOLEBRO_SIGNING_KEY (an Ed25519 key in PEM).")
    else:
        path = data_dir / "signing-key.pem"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_new_key(path)
            log.info("generated a development signing key in %s", path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SettingsError(
            f"{path} is not an Ed25519 private key; generate one with `openssl genpkey -algorithm ed25519`."
        )
    return key


def write_new_key(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
