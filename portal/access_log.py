"""Gunicorn's access log without personal data.

An access log line keeps what an operator needs (when, method, path, status, size, time taken, which worker)
and nothing that identifies a person: no client address, user agent, referrer, query string or header, and the
one-time token in a password link is blanked. The logger offers no other values, so even an edited
``access_log_format`` cannot log them (Gunicorn prints ``-`` for a value it does not have).
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %(p)s'

# Paths that carry a secret: /account/reset-password/<token>.
_SECRET_PATHS = re.compile(r"^(/account/reset-password/)[^/]+")

_KEPT = ("t", "m", "U", "s", "B", "b", "M", "D", "L", "T", "H", "p")


def redact_path(path: str) -> str:
    """The request path with any one-time token blanked."""
    return _SECRET_PATHS.sub(r"\1[token]", path or "")


class AccessLogger(Logger):
    """Gunicorn's logger, offering the access log only values free of personal data."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        every = super().atoms(resp, req, environ, request_time)
        kept = {key: every[key] for key in _KEPT if key in every}
        kept["U"] = redact_path(str(kept.get("U") or ""))
        return kept
