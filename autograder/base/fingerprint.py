"""The engine's identity: its version and a hash of its own source.

Recorded in every results.json and in the compiled key, so a score can be
traced to the exact code that gave it, and a key compiled by other code is
never reused. Every run hashes the source again (about a millisecond): a
fingerprint kept from an earlier run would let edited code grade with a key
compiled by the code before it.
"""

from __future__ import annotations

import functools
import hashlib
import os

from autograder import __version__

_PACKAGES = ("autograder", "reference")


@functools.lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """The engine's version and a hash of its own source (autograder/ and reference/)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    digest = hashlib.sha256()
    for relative in sorted(_sources(root), key=lambda relative: relative.split("/")):
        digest.update(relative.encode())
        with open(os.path.join(root, relative), "rb") as source:
            digest.update(source.read())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _sources(root: str) -> list[str]:
    """Every .py file under the packages, as a /-separated path from root (os.walk: pathlib's rglob is slower)."""
    found = []
    for package in _PACKAGES:
        for folder, _, names in os.walk(os.path.join(root, package)):
            relative = os.path.relpath(folder, root).replace(os.sep, "/")
            found.extend(f"{relative}/{name}" for name in names if name.endswith(".py"))
    return found
