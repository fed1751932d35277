"""The foundation every tier uses: limits, atomic writes, the engine's fingerprint, text enums."""

