"""Personal data at rest (敏感个人信息加密): identity numbers are stored encrypted and found
through a keyed hash, with a key kept outside the database.

The key is 32 random bytes, base64-encoded, read from CAREPAIR_PERSON_KEY (or the file
named by CAREPAIR_PERSON_KEY_FILE), else from the file `person.key` in the data directory,
which `carepair demo` creates for the demo. Without a key, storing or reading a number
fails loudly rather than storing it in the clear. Two keys are derived from it (HKDF):
one for AES-256-GCM, one for HMAC-SHA256, so the hash reveals nothing about the cipher.

Losing the key loses the numbers: back it up apart from the database.
"""

import base64
import functools
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
PURPOSE = b"carepair person id"


class Vault:
    """Encrypts, decrypts and digests short strings with one master key."""

    def __init__(self, master: bytes):
        if len(master) != 32:
            raise ImproperlyConfigured("The person key must be 32 bytes (base64-encoded).")
        self._aead = AESGCM(_derive(master, b"encrypt"))
        self._mac_key = _derive(master, b"digest")

    def encrypt(self, text: str) -> str:
        return self.encrypt_many([text])[0]

    def encrypt_many(self, texts: list[str]) -> list[str]:
        """Each text encrypted under a fresh random nonce: the nonces of the whole list
        are read from the system's random source at once (an import encrypts a hundred
        thousand numbers), never shared between two texts."""
        seal = self._aead.encrypt
        encode = base64.urlsafe_b64encode
        pool = os.urandom(NONCE_BYTES * len(texts))
        out = []
        for i, text in enumerate(texts):
            nonce = pool[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
            out.append(encode(nonce + seal(nonce, text.encode(), PURPOSE)).decode())
        return out

    def decrypt(self, token: str) -> str:
        raw = base64.urlsafe_b64decode(token)
        return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], PURPOSE).decode()

    def digest(self, text: str) -> str:
        """The keyed hash a number is found by: equal numbers, equal digests."""
        return hmac.digest(self._mac_key, text.encode(), "sha256").hex()


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "person.key"


def create_key_file() -> bool:
    """Write a new key to the data directory's key file unless one is there (for the
    demo and first set-up). Returns whether it wrote one."""
    path = key_file()
    if path.exists() or settings.CAREPAIR_PERSON_KEY:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(new_key() + "\n")
    return True


def _master() -> bytes:
    text = settings.CAREPAIR_PERSON_KEY
    if not text:
        path = key_file()
        if not path.exists():
            raise ImproperlyConfigured(
                f"No person key: set CAREPAIR_PERSON_KEY, or run `carepair keys create` "
                f"to write {path}."
            )
        text = path.read_text().strip()
    try:
        return base64.urlsafe_b64decode(text)
    except ValueError:
        raise ImproperlyConfigured("The person key is not valid base64.") from None


@functools.cache
def _vault(master: bytes) -> Vault:
    return Vault(master)


def vault() -> Vault:
    return _vault(_master())
