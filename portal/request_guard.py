"""One gate for malformed requests, in front of every view: a clear 400 or 404, never a 500 further in.

Rather than patch each route, the portal refuses, before any view runs:

- a NUL character anywhere in the path, the query string or a form field (PostgreSQL cannot store one, and no
  person types one): 404 for the path, 400 for the rest;
- a file part in a request to a view that takes no upload, or in a field the view does not declare as an
  upload (a file where text is expected would reach WTForms as an object, not a string): 400;
- an integer in the path beyond what the database's integer columns hold: 404 (the ``int`` converter is
  bounded for every route, present and future).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter, Map

F = TypeVar("F", bound=Callable[..., Any])

# PostgreSQL's INTEGER, the type of every id column.
LARGEST_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that matches only ids the database can hold (1 to 2³¹−1); anything else is a 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - Werkzeug's signature
        kwargs.setdefault("max", LARGEST_ID)
        kwargs.setdefault("fixed_digits", 0)
        super().__init__(map, *args, **kwargs)


def accepts_uploads(*field_names: str, request_limit: int | None = None) -> Callable[[F], F]:
    """Let a view receive files, only in the named form fields.

    ``request_limit`` raises the app's MAX_CONTENT_LENGTH for this view alone, so that a file above the view's
    own per-file limit still reaches it and gets a message beside its field (with what was typed kept), rather
    than a 413 page.
    """

    def decorator(view: F) -> F:
        view.upload_fields = frozenset(field_names)  # type: ignore[attr-defined]
        view.request_limit = request_limit  # type: ignore[attr-defined]
        return view

    return decorator


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def _every_value(fields: Any) -> Iterable[str]:
    """Every value of a MultiDict, the second and later values of a repeated field too."""
    return (value for _, values in fields.lists() for value in values)


def check_request() -> None:
    """Refuse a malformed request before its view runs (see the module's docstring)."""
    if "\x00" in request.path or _has_nul(str(value) for value in (request.view_args or {}).values()):
        abort(404)
    args = request.args
    if _has_nul(args.keys()) or _has_nul(_every_value(args)):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        limit = getattr(current_app.view_functions.get(request.endpoint or ""), "request_limit", None)
        if limit:
            request.max_content_length = limit  # before the body is read, below
        form = request.form
        if _has_nul(form.keys()) or _has_nul(_every_value(form)):
            abort(400)
        if request.files:
            view = current_app.view_functions.get(request.endpoint or "")
            allowed = getattr(view, "upload_fields", frozenset())
            if any(name not in allowed for name in request.files):
                abort(400)
            if any(name in form for name in request.files):
                abort(400)  # one field sent both as text and as a file


def register_converters(app: Flask) -> None:
    """Bound the ``int`` converter; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def init_app(app: Flask) -> None:
    """Run :func:`check_request` before every view, and before the app's other request hooks read the query."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
