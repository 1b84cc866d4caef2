"""Independent random streams derived from one root seed.

Each named stream gets its own ``random.Random`` seeded from sha256(root seed, name), so adding a
draw in one part of the model never shifts the draws of another, and nothing depends on
``PYTHONHASHSEED`` or on the order in which streams are first used.
"""

from __future__ import annotations

import hashlib
import random


def derive_seed(root: int, *names: object) -> int:
    """A 64-bit seed derived stably from ``root`` and a path of names."""
    text = "/".join([str(root), *(str(n) for n in names)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Streams:
    """Named random streams of one run."""

    def __init__(self, seed: int):
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def __call__(self, *names: object) -> random.Random:
        key = "/".join(map(str, names))
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = random.Random(derive_seed(self.seed, key))
        return stream
