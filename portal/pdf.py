"""Accessible PDFs: letters and summaries from templates/pdf/, rendered by WeasyPrint as tagged PDF/UA-1.

``render_pdf("decision_letter.html", lang="ur", title=..., **context)`` renders a template in the given
language (gettext, money and dates all follow it), with ``<html lang dir>`` and ``<title>`` set, and
returns the PDF: tagged (a structure tree of headings, paragraphs, lists and tables with header cells),
with the document's language and title in its catalogue and metadata, the author set to the deployment's
name, and the fonts embedded. Fonts are found by family name through fontconfig (Debian's
fonts-noto-core and fonts-noto-extra): the deployment's stack (Noto Sans by default) for Latin text,
Noto Naskh Arabic for Urdu (see URDU_FONTS for why not Nastaliq). See docs/decisions/0006-pdf.md.

Call it inside an app context (a request, the worker, a test); it needs no request. WeasyPrint is imported
on first use, because importing it is slow and most processes never make a PDF.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Response, current_app
from flask_babel import force_locale, gettext

from portal.formatting import format_day
from portal.i18n import babel_locale, direction, normalise
from portal.settings import ROOT

PRINT_CSS = ROOT / "assets" / "print" / "letter.css"
TEMPLATE_FOLDER = "pdf/"
PDF_VARIANT = "pdf/ua-1"

#: Families for Urdu documents and passages, before the deployment's own stack: Noto Sans first for the
#: Latin letters, digits and punctuation (it has no Arabic letters, so those fall through), then Naskh.
#: Not Nastaliq, though it is how Urdu is most often printed: Nastaliq builds letters from shared
#: skeletons and dots, so its glyphs cannot be mapped back to letters, and a screen reader, a search or
#: a copy gets the wrong letters out of the PDF (pdftotext shows it). Naskh's text comes out exactly.
URDU_FONTS = '"Noto Sans", "Noto Naskh Arabic", "Noto Nastaliq Urdu"'
DEFAULT_FONT_STACK = '"Noto Sans", "Noto Sans Arabic", "Noto Nastaliq Urdu", sans-serif'
_SAFE_FONT_STACK = re.compile(r"""^[\w\s"',.-]+$""")
_PAGE_MARKERS = re.compile(r"\x00(pages?)\x00")
_ASCII_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")

_patch_lock = threading.Lock()


def render_pdf_html(template_name: str, *, lang: str, title: str, **context: Any) -> str:
    """The HTML that ``render_pdf`` converts: useful to check wording without making a PDF."""
    code = normalise(lang)
    if code is None:
        raise ValueError(f"no such language: {lang!r}")
    name = template_name if template_name.startswith(TEMPLATE_FOLDER) else TEMPLATE_FOLDER + template_name
    template = current_app.jinja_env.get_template(name)
    with force_locale(babel_locale(code)):
        values: dict[str, Any] = {
            "heading": None,
            "description": None,
            "document_date": date.today(),
            **context,
            "lang": code,
            "dir": direction(code),
            # A lazy_gettext title becomes words here, in the document's language.
            "title": str(title),
            "branding": current_app.config["BRANDING"],
            "format_day": format_day,
            "language_name": language_name,
            "direction_of": direction,
        }
        return template.render(values)


def render_pdf(template_name: str, *, lang: str, title: str, **context: Any) -> bytes:
    """Render ``templates/pdf/<template_name>`` in ``lang`` and return it as a tagged PDF/UA-1 file."""
    from weasyprint import CSS, HTML

    html = render_pdf_html(template_name, lang=lang, title=title, **context)
    code = normalise(lang) or "en"
    with force_locale(babel_locale(code)):
        page_css = CSS(string=page_style())
    branding = current_app.config["BRANDING"]
    _extend_tagging()
    document = HTML(string=html, base_url=str(PRINT_CSS.parent), url_fetcher=_url_fetcher())
    pdf = document.write_pdf(
        stylesheets=[*_stylesheets(branding.font_stack, branding.colour), page_css],
        pdf_variant=PDF_VARIANT,
        finisher=_finish,
    )
    assert pdf is not None
    return bytes(pdf)


def pdf_response(pdf_bytes: bytes, filename: str) -> Response:
    """A download of ``pdf_bytes`` as ``filename`` (``.pdf`` added if missing), kept out of shared caches.

    The header carries a plain ASCII name for every browser and, when the name has other letters (an
    Urdu name, say), the exact one as RFC 6266's ``filename*``.
    """
    name = _clean_filename(filename)
    fallback = _ASCII_FILENAME.sub(
        "_", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    )
    if fallback.strip("_.").lower() in ("", "pdf"):
        fallback = "document.pdf"
    disposition = f"attachment; filename={fallback}"
    if fallback != name:
        disposition += f"; filename*=UTF-8''{quote(name, safe='')}"
    response = Response(pdf_bytes, mimetype="application/pdf")
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def language_name(code: str) -> str:
    """The name of the language ``code`` in the current locale, e.g. "Welsh" in English, "ویلش" in Urdu."""
    from babel import Locale, UnknownLocaleError
    from flask_babel import get_locale

    try:
        language = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    return language.get_display_name(get_locale() or "en") or code


def page_style() -> str:
    """The footer's "Page 1 of 2" as a CSS rule, its words from gettext in the current locale."""
    # Translators: the footer of every page of a letter, e.g. "Page 1 of 2". Keep both placeholders.
    label = gettext("Page %(page)s of %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    parts: list[str] = []
    for index, piece in enumerate(_PAGE_MARKERS.split(label)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    content = " ".join(parts)
    return f"@page {{ @bottom-center {{ content: {content}; }} }}"


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string that is also safe inside an HTML <style> element."""
    escaped = []
    for char in text:
        if char in '\\"<>&' or unicodedata.category(char).startswith("C"):
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _clean_filename(filename: str) -> str:
    """A file name without paths or control characters, ending in .pdf."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C")).strip(" .")
    name = name or "document"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def _branding_css(font_stack: str, colour: str) -> str:
    """The deployment's font stack and colour, as print CSS."""
    stack = font_stack if _SAFE_FONT_STACK.match(font_stack) else DEFAULT_FONT_STACK
    return (
        f"html {{ font-family: {stack}; }}\n"
        f":lang(ur) {{ font-family: {URDU_FONTS}, {stack}; }}\n"
        f".letterhead {{ border-bottom-color: {colour}; }}\n"
    )


@lru_cache(maxsize=4)
def _stylesheets(font_stack: str, colour: str) -> tuple[Any, ...]:
    """The parsed print CSS, kept per process: WeasyPrint only reads a CSS object once it is built."""
    from weasyprint import CSS

    return (
        CSS(filename=str(PRINT_CSS), url_fetcher=_url_fetcher()),
        CSS(string=_branding_css(font_stack, colour)),
    )


@lru_cache(maxsize=1)
def _url_fetcher() -> Any:
    """A fetcher that loads nothing from the network and no file outside assets/print/.

    The templates need nothing else; this stops a stray URL in a letter from reaching another host or
    putting a local file into a PDF.
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    allowed = PRINT_CSS.parent.resolve()

    class LocalPrintAssets(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(allowed):
                    return super().fetch(url, headers)
            raise ValueError(f"PDFs may not load {url}")

    return LocalPrintAssets(allowed_protocols=("file", "data"))


def _extend_tagging() -> None:
    """Declare changes of language inside a document, as PDF/UA-1 asks (ISO 14289-1, 7.2).

    WeasyPrint 70 sets the document's /Lang from ``<html lang>`` but drops ``lang`` on the elements
    inside it, such as the assessor's reasons quoted in another language. This wraps its structure-tree
    builder (``weasyprint.pdf.tags._build_box_tree``), once per process, to copy an element's own
    ``lang`` into its structure element's /Lang. If a later WeasyPrint renames the builder, nothing is
    wrapped and tests/test_pdf.py fails on the missing /Lang.
    """
    from weasyprint.pdf import tags

    with _patch_lock:
        original = getattr(tags, "_build_box_tree", None)
        if original is None or getattr(original, "portal_wrapped", False):
            return

        def build_box_tree(box: Any, parent: Any, pdf: Any, *args: Any) -> Any:
            import pydyf

            own = getattr(box, "_box", box)  # an absolutely positioned box sits in a placeholder
            element = getattr(own, "element", None)
            lang = None
            if element is not None and getattr(own, "element_tag", None) not in ("html", "body"):
                lang = element.get("lang")
            for structure in original(box, parent, pdf, *args):
                if lang:
                    structure["Lang"] = pydyf.String(lang)
                yield structure

        build_box_tree.portal_wrapped = True  # type: ignore[attr-defined]
        tags._build_box_tree = build_box_tree


def _finish(document: Any, pdf: Any) -> None:
    """Make what the page margins hold (the "Page 1 of 2" footer) a pagination artifact.

    PDF/UA-1 wants running headers and footers to be artifacts, so that a screen reader does not read
    them on every page. WeasyPrint 70 leaves them as tagged content attached to no part of the structure
    tree. This finisher, which WeasyPrint runs on its PDF objects before writing them, finds the marked
    content that the structure tree does not reach, makes each ``/Artifact <</Type /Pagination>>`` in its
    page's content stream and empties its slot in the parent tree. What it does not recognise it leaves
    as WeasyPrint made it.
    """
    import pydyf

    def resolve(value: Any) -> Any:
        if isinstance(value, bytes) and value.endswith(b" R"):
            return pdf.objects[int(value.split()[0])]
        return value

    root_reference = pdf.catalog.get("StructTreeRoot")
    if root_reference is None:
        return
    root = resolve(root_reference)
    reachable: set[bytes] = set()
    pending = list(resolve(root.get("K", [])))
    while pending:
        reference = pending.pop()
        if not isinstance(reference, bytes) or reference in reachable:
            continue  # an MCID, or seen already
        reachable.add(reference)
        structure = resolve(reference)
        kids = structure.get("K") if isinstance(structure, dict) else None
        if isinstance(kids, list):
            pending.extend(kids)

    nums = resolve(root.get("ParentTree")).get("Nums", [])
    for page_number, page_reference in enumerate(pdf.page_references):
        slot = 2 * page_number
        if slot + 1 >= len(nums) or nums[slot] != page_number:
            return
        by_mcid = nums[slot + 1]
        orphans = {mcid for mcid, reference in enumerate(by_mcid) if reference not in reachable}
        if not orphans:
            continue
        items = resolve(resolve(page_reference).get("Contents")).stream
        for index in range(len(items) - 2):
            tag, properties, operator = items[index : index + 3]
            if (
                operator == b"BDC"
                and isinstance(tag, str)
                and isinstance(properties, dict)
                and properties.get("MCID") in orphans
            ):
                by_mcid[properties["MCID"]] = b"null"
                items[index] = "/Artifact"
                items[index + 1] = pydyf.Dictionary({"Type": "/Pagination"})
