"""The engine's identity: its version and a hash of its own source.

Recorded in every results.json and in the compiled key, so a score can be
traced to the exact code that gave it, and a key compiled by other code is
never reused.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from autograder import __version__

_PACKAGES = ("autograder", "reference")


@functools.lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """The engine's version and a hash of its own source (autograder/ and reference/)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for package in _PACKAGES:
        for source in sorted((root / package).rglob("*.py")):
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
