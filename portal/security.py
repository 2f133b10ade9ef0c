"""Passwords, roles and the HTTP security headers (a strict Content-Security-Policy)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, request
from flask_login import current_user

from portal.models import Role

F = TypeVar("F", bound=Callable[..., Any])


def _hasher() -> PasswordHasher:
    """An Argon2id hasher with the app's cost settings (cheap ones in tests only)."""
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _hasher().hash(password)


_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _dummy_hash() -> str:
    """A hash of a random password with the app's cost settings, to check against when there is no account."""
    cfg = current_app.config
    costs = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])
    if costs not in _DUMMY_HASHES:
        _DUMMY_HASHES[costs] = _hasher().hash(secrets.token_urlsafe(32))
    return _DUMMY_HASHES[costs]


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash; False for a missing or malformed hash.

    With no hash (no such account, or one without a password yet) the hasher still runs, against a dummy
    hash, so the time taken does not tell whether an account exists.
    """
    try:
        matched = _hasher().verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(matched and password_hash)


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Browsers drop tabs and line breaks from an address and read ``\\`` as ``/``, so ``/\t/evil.example``
    and ``/\\evil.example`` lead off-site: refuse any control character, space or backslash, and anything
    with a scheme or host. (A line break would also make an invalid Location header.)
    """
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(char) < 0x21 or char in "\\\x7f" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow a view only to signed-in accounts with one of ``roles``; others get 403.

    The roles are recorded on the view as ``allowed_roles`` so a test can prove every staff route has one.
    Passing something that is not a :class:`Role` fails at import time, not silently at request time.
    """
    for role in roles:
        if not isinstance(role, Role):
            raise TypeError(f"unknown role {role!r}")
    if not roles:
        raise TypeError("roles_required needs at least one role")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


#: No inline script or style at all: everything comes from our own origin (the GOV.UK template's one line that
#: marks a page as scripted is static/dist/js-enabled.js).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "manifest-src 'self'",
    ]
)


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def security_headers(response: Any) -> Any:
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        # Reset links carry a token in the URL: never leak it to another site.
        headers["Referrer-Policy"] = "no-referrer"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if app.config.get("HSTS"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not request.path.startswith("/static/"):
            # Pages may hold personal data: never keep them in a shared cache.
            headers["Cache-Control"] = "no-store"
        return response
