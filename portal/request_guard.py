"""One gate for malformed requests, in front of every view: a clear 400 or 404, never a 500 further in.

Rather than patch each route, the portal refuses, before any view runs:

- a NUL character anywhere in the path, the query string or a form field (PostgreSQL cannot store one, and no
  person types one): 404 for the path, 400 for the rest;
- a file part in a request to a view that takes no upload, or in a field the view does not declare as an
  upload (a file where text is expected would reach WTForms as an object, not a string): 400;
- an integer in the path beyond what the database's integer columns hold: 404 (the ``int`` converter is
  bounded for every route, present and future).

A body larger than the app allows is a 413 page, except on a view that shows it as a message beside its file
field (``accepts_uploads(..., shows_too_large=True)``): there the body is not read, apart from its start, where a
browser puts the fields that come before the file field in the form (the CSRF token and the text typed), so what
was typed can be shown again. The view finds what happened in :func:`refused_body`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, Map
from werkzeug.sansio.multipart import Data, Field, MultipartDecoder, Preamble

F = TypeVar("F", bound=Callable[..., Any])

# PostgreSQL's INTEGER, the type of every id column.
LARGEST_ID = 2**31 - 1
#: How much of a body over the limit is read, for the fields before its files: the CSRF token and two text fields
#: of 4,000 characters (at most 4 bytes each in UTF-8) fit, with their part headers.
TEXT_PREFIX_BYTES = 64 * 1024


@dataclass(frozen=True)
class RefusedBody:
    """A request body over the view's limit, not read: the limit in bytes, and whether any typed field was kept
    from its start (the fields after the first file, or cut off by :data:`TEXT_PREFIX_BYTES`, are lost)."""

    limit: int
    kept_text: bool


def refused_body() -> RefusedBody | None:
    """The body of this request, if it was over its view's limit and not read (its files are not there)."""
    found: RefusedBody | None = g.get("refused_body")
    return found


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that matches only ids the database can hold (1 to 2³¹−1); anything else is a 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - Werkzeug's signature
        kwargs.setdefault("max", LARGEST_ID)
        kwargs.setdefault("fixed_digits", 0)
        super().__init__(map, *args, **kwargs)


def accepts_uploads(
    *field_names: str, request_limit: int | None = None, shows_too_large: bool = False
) -> Callable[[F], F]:
    """Let a view receive files, only in the named form fields.

    ``request_limit`` raises the app's MAX_CONTENT_LENGTH for this view alone, so that a file above the view's
    own per-file limit still reaches it and gets a message beside its field (with what was typed kept), rather
    than a 413 page. ``shows_too_large``: a body over even that limit reaches the view too, without its files and
    with :func:`refused_body` set, which the view must check (it shows the form again with a message).
    """

    def decorator(view: F) -> F:
        view.upload_fields = frozenset(field_names)  # type: ignore[attr-defined]
        view.request_limit = request_limit  # type: ignore[attr-defined]
        view.shows_too_large = shows_too_large  # type: ignore[attr-defined]
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
        view = current_app.view_functions.get(request.endpoint or "")
        limit = getattr(view, "request_limit", None)
        if limit:
            request.max_content_length = limit  # before the body is read, below
            too_large = request.content_length is not None and request.content_length > limit
            if too_large and getattr(view, "shows_too_large", False):
                _refuse_body(limit)
        form = request.form
        if _has_nul(form.keys()) or _has_nul(_every_value(form)):
            abort(400)
        if request.files:
            allowed = getattr(view, "upload_fields", frozenset())
            if any(name not in allowed for name in request.files):
                abort(400)
            if any(name in form for name in request.files):
                abort(400)  # one field sent both as text and as a file


def _refuse_body(limit: int) -> None:
    """Read only the start of a body over the limit: its form is the complete fields found before the first file
    (none when it is not a multipart form), its files none. Noted for the view in :func:`refused_body`."""
    fields: MultiDict[str, str] = MultiDict()
    boundary = request.mimetype_params.get("boundary", "")
    if request.mimetype == "multipart/form-data" and boundary:
        start = request.environ["wsgi.input"].read(TEXT_PREFIX_BYTES)
        fields = fields_before_files(start, boundary.encode("latin-1"))
    found = request.__dict__  # as Werkzeug's own parser does, so nothing reads the rest of the body
    found["stream"], found["form"], found["files"] = (
        BytesIO(b""),
        ImmutableMultiDict(fields),
        ImmutableMultiDict(),
    )
    token_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    g.refused_body = RefusedBody(limit=limit, kept_text=any(name != token_field for name in fields))


def fields_before_files(start: bytes, boundary: bytes) -> MultiDict[str, str]:
    """The text fields of a multipart body's start, up to its first file; a field cut off at the end is left out."""
    decoder = MultipartDecoder(boundary, max_form_memory_size=len(start))
    decoder.receive_data(start)
    fields: MultiDict[str, str] = MultiDict()
    name, value = None, bytearray()
    while True:
        try:
            event = decoder.next_event()
        except ValueError:  # not a well-formed multipart body
            return fields
        if isinstance(event, Field):
            name, value = event.name, bytearray()
        elif isinstance(event, Data) and name is not None:
            value += event.data
            if not event.more_data:
                fields.add(name, value.decode("utf-8", "replace"))
                name = None
        elif not isinstance(event, Preamble):
            return fields  # the end of what was read, a file, or the end of the body


def register_converters(app: Flask) -> None:
    """Bound the ``int`` converter; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def init_app(app: Flask) -> None:
    """Run :func:`check_request` before every view, and before the app's other request hooks read the query."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
