"""Signed trailers: an HMAC-SHA256 with a key the exercise director holds (docs/security.md).

The digest chain proves a recording is consistent, not that nobody rewrote it: without a key,
anyone can edit a file and recompute every link. With ``--key FILE`` the recorder adds
``"hmac"`` to the trailer, over the SHA-256 of the header line as written, the digest and the
number of events; ``cdtx replay FILE --verify --key FILE`` checks it. Whoever lacks the key can
still read and verify the recording, but cannot produce a signature for an edited one.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import TypeGuard

from scenarios.safe_read import ScenarioError, read_bytes

from ..errors import RecordingError

#: A key shorter than this is refused: it could be guessed.
KEY_MIN_BYTES = 16
KEY_MAX_BYTES = 4096


def read_key(path: str | Path) -> bytes:
    """The signing key in the file ``path`` (trailing whitespace and line breaks dropped)."""
    try:
        key = read_bytes(Path(path), what="a key file", max_bytes=KEY_MAX_BYTES).rstrip()
    except ScenarioError as exc:
        raise RecordingError(f"--key: {exc.problems[0]}") from None
    if len(key) < KEY_MIN_BYTES:
        raise RecordingError(
            f"--key: {path}: a key needs at least {KEY_MIN_BYTES} bytes (e.g. the output of "
            "`openssl rand -hex 32`)"
        )
    return key


def signature(key: bytes, header_sha256: str, digest: str, events: int) -> str:
    """The trailer's ``hmac``: HMAC-SHA256 of the header line's SHA-256, digest and count."""
    message = f"cdtx-recording-v1\n{header_sha256}\n{digest}\n{events}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def header_sha256(header_line: bytes) -> str:
    """SHA-256 of the header line as written, without its line break."""
    return hashlib.sha256(header_line.rstrip(b"\n")).hexdigest()


def _is_hex(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a non-empty string of lowercase hexadecimal digits."""
    return isinstance(value, str) and bool(value) and all(c in "0123456789abcdef" for c in value)


def check(key: bytes, trailer: dict | None, header_hash: str) -> str | None:
    """Why the trailer's signature fails for ``key``; None when it holds."""
    if trailer is None:
        return "not signed: the recording has no trailer (cut short)"
    claimed = trailer.get("hmac")
    if not isinstance(claimed, str):
        return "not signed: the trailer has no hmac (recorded without --key)"
    digest, events = trailer.get("digest"), trailer.get("events", -1)
    # an edited trailer may hold anything: only hex digests and an integer count can have been
    # signed (and compare_digest takes ASCII strings only)
    if not (
        _is_hex(claimed)
        and _is_hex(digest)
        and isinstance(events, int)
        and not isinstance(events, bool)
        and hmac.compare_digest(claimed, signature(key, header_hash, digest, events))
    ):
        return "the signature does not match: the file was changed, or the key is another"
    return None
