"""Pieces of the page layout that read the same for everyone in the same state: rendered once, then reused.

The header, the footer and the session warning dialog are on every page, and they were about a third of the
time a question page spent in its templates (sentences looked up, links built, macros called), though they
change only with the language, who is signed in (and as what) and the deployment's settings. A template asks
for one with what it depends on beyond the language:

    {{ fragment("components/footer.html", branding.name) }}

and gets the piece as rendered the first time that combination was asked for in this process. The language and
the application's path prefix (its links) are always part of the key; the rest must be given by the template,
so a piece must not read the request (its path, query, CSRF token, nonce, the time), Easy Read (which words
pages, not these pieces) or anything about the person other than what its key names. tests/test_fragments.py
renders each piece in every state both ways.

Kept per Jinja environment (one per app: tests make apps with other settings), and bounded: a key nobody
expected (a value that varies per person) would otherwise grow it without end, so past the limit pieces are
rendered each time and not kept.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from flask import has_request_context, request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from portal.i18n.web import current_code

#: Pieces kept per environment at most: pieces x languages x roles (or signed out), with room to spare.
LIMIT = 512


@pass_context
def fragment(context: Context, name: str, *depends_on: Hashable) -> Markup:
    """The template ``name`` rendered with the page's context, reused while its key is the same."""
    environment: Any = context.environment
    kept: dict[tuple[Hashable, ...], Markup] | None = getattr(environment, "portal_fragments", None)
    if kept is None:
        kept = environment.portal_fragments = {}
    key = (
        name,
        current_code(),
        request.script_root if has_request_context() else "",
        *depends_on,
    )
    html = kept.get(key)
    if html is None:
        html = Markup(environment.get_template(name).render(context.get_all()))  # noqa: S704 - a rendered template
        if len(kept) < LIMIT:
            kept[key] = html
    return html
