"""Who may write: ``ATLAS_EDITOR_TOKEN``, when set, guards saving, renaming and deleting."""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

EDITOR_TOKEN_ENV = "ATLAS_EDITOR_TOKEN"


def editor_token_required(env: Mapping[str, str] | None = None) -> bool:
    """Whether writes need the editor token (``ATLAS_EDITOR_TOKEN`` is set and not blank)."""
    env = os.environ if env is None else env
    return bool(env.get(EDITOR_TOKEN_ENV, "").strip())


def editor_token_ok(given: str | None, env: Mapping[str, str] | None = None) -> bool:
    """Whether ``given`` may write.

    ``True`` when no token is configured (everyone who reaches the server may write); else
    whether ``given`` equals the configured token, compared in constant time
    (:func:`hmac.compare_digest` on UTF-8 bytes) so the comparison's duration tells nothing.
    """
    env = os.environ if env is None else env
    expected = env.get(EDITOR_TOKEN_ENV, "").strip()
    if not expected:
        return True
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))
