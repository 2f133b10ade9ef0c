"""Accessible PDFs: the decision letter and the summary list, in English and in Urdu, read back with pikepdf.

Each case renders once and checks what PDF/UA-1 and our users need: a tagged structure tree with headings
and table header cells, the document's language and title, every font embedded, text that comes back out
(names, money in the locale's format, Urdu in Arabic script), right to left for Urdu, the footer as an
artifact, and a change of language inside the letter declared.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from flask import Flask
from flask_babel import force_locale

from portal.formatting import format_money
from portal.pdf import page_style, pdf_response, render_pdf, render_pdf_html

URDU_NAME = "ثمینہ احمد"
URDU_REASON = "ثمینہ کو ہر صبح نہانے اور کپڑے پہننے میں مدد چاہیے۔"
WELSH_REASON = "Mae angen help ar Sam bob bore i ymolchi a gwisgo."

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def letter_context(name: str, *, reasons: list[str], written_in: str | None) -> dict[str, Any]:
    """A decision letter as the practitioner side will fill it."""
    return {
        "person_name": name,
        "reference": "NF-2026-000123",
        "organisation": {
            "name": "Northfield Council",
            "contact_email": "care@northfield.example.org",
            "contact_phone": "01234 567890",
        },
        "decided_on": date(2026, 11, 20),
        "document_date": date(2026, 11, 23),
        "weekly_pence": 24095,
        "yearly_pence": 1257270,
        "lines": [
            {
                "label": "Essential daily living tasks",
                "funder_label": "Northfield Council",
                "amount_pence": 15000,
                "detail": "which could provide 7 hours a week",
            },
            {
                "label": "Mental health and well-being",
                "funder_label": "NHS Northfield ICB",
                "amount_pence": 6095,
                "detail": "which could provide 3 hours a week",
            },
            {
                "label": "Getting out and about",
                "funder_label": "Northfield Council",
                "amount_pence": 3000,
                "detail": "",
            },
        ],
        "reasons": reasons,
        "reason_written_in": written_in,
        "contribution_note": "You have been assessed to pay £20.00 a week towards your care.",
        "review_rights": [
            {
                "funder_label": "Northfield Council",
                "ombudsman": "the Local Government and Social Care Ombudsman",
            },
            {
                "funder_label": "NHS Northfield ICB",
                "ombudsman": "the Parliamentary and Health Service Ombudsman",
            },
        ],
        "signed_off_by": [
            {"level": 2, "name": "Alex Assessor", "on": date(2026, 11, 18)},
            {"level": 3, "name": "Pat Approver", "on": date(2026, 11, 20)},
        ],
    }


def answers_context(name: str) -> dict[str, Any]:
    """A "your estimate" summary as the citizen side will fill it."""
    return {
        "heading": "Your estimate",
        "person_name": name,
        "reference": "NF-2026-000123",
        "notes": ["This is an estimate, not a decision. The council will check your answers with you."],
        "sections": [
            {
                "title": "Your budget",
                "key_heading": "What it is for",
                "value_heading": "Each week",
                "rows": [
                    {"key": "Essential daily living tasks", "value": "£150.00"},
                    {"key": "Total", "value": "£240.95"},
                ],
            },
            {
                "title": "About you",
                "rows": [
                    {"key": "Your name", "value": name},
                    {"key": "Who helps you", "value": "My daughter\nA neighbour", "note": "Not at weekends"},
                ],
            },
        ],
    }


CASES = {
    "letter-en": ("decision_letter.html", "en", "Sam Taylor", "Your care and support budget"),
    "letter-ur": ("decision_letter.html", "ur", URDU_NAME, "آپ کی نگہداشت اور معاونت کا بجٹ"),
    # The letter opening in Easy Read (a reader chose it), in English and in Urdu.
    "letter-easy-read-en": ("decision_letter.html", "en", "Sam Taylor", "Your care and support budget"),
    "letter-easy-read-ur": ("decision_letter.html", "ur", URDU_NAME, "آپ کی نگہداشت اور معاونت کا بجٹ"),
    "answers-en": ("answers.html", "en", "Sam Taylor", "Your estimate"),
    "answers-ur": ("answers.html", "ur", URDU_NAME, "آپ کا تخمینہ"),
}


def context_for(case: str) -> dict[str, Any]:
    template, lang, name, _title = CASES[case]
    if template == "answers.html":
        return answers_context(name)
    if case.startswith("letter-easy-read"):
        from portal.decision_easy_read import decision_lines
        from portal.questionnaire import Voice

        context = letter_context(name, reasons=[WELSH_REASON], written_in="cy")
        with force_locale(lang):
            context["easy_read"] = decision_lines(
                weekly_pence=context["weekly_pence"], changed=True, voice=Voice.PERSON, name=name
            )
        return context
    if lang == "ur":
        # An Urdu letter whose reasons are in Urdu too, and an English one quoting Welsh reasons.
        return letter_context(name, reasons=[URDU_REASON], written_in="ur")
    return letter_context(name, reasons=[WELSH_REASON], written_in="cy")


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, depth first, in reading order."""
    found: list[pikepdf.Dictionary] = []

    def walk(node: Any) -> None:
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            node = node.get("/K")
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            walk(node)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every font used on every page (descendant fonts of Type 0 fonts included)."""
    found = []
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            found.append(font)
            found.extend(font.get("/DescendantFonts", []))
    return found


def pdftotext(data: bytes, *args: str) -> str:
    """Text as poppler extracts it: what a search, a copy or a simple reader would get."""
    result = subprocess.run(
        ["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True, timeout=30
    )
    return result.stdout.decode()


@needs_poppler
@pytest.mark.parametrize("case", list(CASES))
def test_pdf_is_tagged_titled_embedded_and_readable(app: Flask, case: str, caplog: Any) -> None:
    template, lang, name, title = CASES[case]
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = render_pdf(template, lang=lang, title=title, **context_for(case))
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert data.startswith(b"%PDF-1.7")

    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    # Tagged, with the title shown instead of the file name, and the language set.
    assert root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in root
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert str(root.Lang) == lang
    assert str(pdf.docinfo.Title) == title
    assert str(pdf.docinfo.Author) == app.config["BRANDING"].name
    with pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == title
        assert xmp["pdfuaid:part"] == "1"

    # A heading structure and real tables: one h1, h2s, and header cells tied to their data cells.
    tags = [str(element.S) for element in structure(pdf)]
    assert tags.count("/H1") == 1
    assert "/H2" in tags
    assert "/TH" in tags
    data_cells = [e for e in structure(pdf) if e.S == "/TD" and "/A" in e]
    assert data_cells and all(len(cell.A.Headers) >= 1 for cell in data_cells)

    # Every font is embedded.
    assert fonts(pdf)
    for font in fonts(pdf):
        if font.Subtype == "/Type0":
            continue  # its descendant carries the font file
        descriptor = font.FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont

    # The words come back out: the person's name and money formatted for the locale.
    text = pdftotext(data)
    with force_locale(lang):
        total = format_money(24095)
    assert name in text
    assert total in text
    if template == "answers.html":
        assert "Not at weekends" in text  # a note kept with an answer, in the same table cell
    if lang == "en":
        assert total == "£240.95"
    if template == "decision_letter.html":
        assert re.search(r"Page 1 of \d", text) or lang != "en"

    if lang == "ur":
        # Urdu: an Arabic-script font did the work, and lines start at the right-hand margin.
        names = " ".join(str(font.BaseFont) for font in fonts(pdf))
        assert re.search("Naskh|Nastaliq|Arabic", names), names
        assert URDU_NAME in text


@needs_poppler
@pytest.mark.parametrize(("lang", "starts_right"), [("en", False), ("ur", True)])
def test_text_runs_from_the_right_in_urdu(app: Flask, lang: str, starts_right: bool) -> None:
    data = render_pdf("answers.html", lang=lang, title="Summary", **answers_context("Sam Taylor"))
    html = render_pdf_html("answers.html", lang=lang, title="Summary", **answers_context("Sam Taylor"))
    assert f'<html lang="{lang}" dir="{"rtl" if starts_right else "ltr"}">' in html

    # The deployment's name heads the page; its words' boxes say which margin the line starts from.
    boxes = pdftotext(data, "-bbox")
    page = re.search(r'<page width="([\d.]+)"', boxes)
    assert page
    width = float(page.group(1))
    brand = app.config["BRANDING"].name.split()
    found = {
        word: (float(x_min), float(x_max))
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]+)<', boxes
        )
    }
    first, last = found[brand[0]], found[brand[-1]]
    margin = 20 / 25.4 * 72  # 20 mm
    if starts_right:
        assert abs(width - margin - last[1]) < 2, (last, width)
    else:
        assert abs(first[0] - margin) < 2, (first, width)


def test_letter_declares_the_language_of_quoted_reasons(app: Flask) -> None:
    context = letter_context("Sam Taylor", reasons=[WELSH_REASON], written_in="cy")
    html = render_pdf_html("decision_letter.html", lang="en", title="Decision", **context)
    assert 'lang="cy"' in html
    assert "This was written in Welsh." in html

    pdf = pikepdf.open(io.BytesIO(render_pdf("decision_letter.html", lang="en", title="Decision", **context)))
    welsh = [e for e in structure(pdf) if str(e.get("/Lang", "")) == "cy"]
    assert welsh, "the Welsh reasons have no /Lang in the structure tree"

    # An English letter quoting reasons written in Urdu: declared, and the Urdu comes back out whole.
    context = letter_context("Sam Taylor", reasons=[URDU_REASON], written_in="ur")
    data = render_pdf("decision_letter.html", lang="en", title="Decision", **context)
    pdf = pikepdf.open(io.BytesIO(data))
    urdu = [e for e in structure(pdf) if str(e.get("/Lang", "")) == "ur"]
    assert urdu, "the Urdu reasons have no /Lang in the structure tree"
    if shutil.which("pdftotext"):
        assert URDU_REASON in " ".join(pdftotext(data).split())

    # Reasons already in the letter's language are not called out.
    same = letter_context("Sam Taylor", reasons=["Sam needs help every morning."], written_in="en")
    assert "This was written in" not in render_pdf_html("decision_letter.html", lang="en", title="D", **same)


def test_footer_is_a_pagination_artifact_not_content(app: Flask) -> None:
    context = letter_context("Sam Taylor", reasons=[WELSH_REASON] * 12, written_in="cy")
    pdf = pikepdf.open(io.BytesIO(render_pdf("decision_letter.html", lang="en", title="D", **context)))
    assert len(pdf.pages) >= 2
    for page in pdf.pages:
        artifacts = [
            operands
            for operands, operator in pikepdf.parse_content_stream(page)
            if str(operator) == "BDC" and operands[0] == "/Artifact"
        ]
        assert any(operands[1].get("/Type") == "/Pagination" for operands in artifacts)
    # Every marked run of text that is content belongs to the structure tree.
    parent_tree = pdf.Root.StructTreeRoot.ParentTree.Nums
    for index in range(0, len(pdf.pages) * 2, 2):
        slots = parent_tree[index + 1]
        assert all(slot is None or "/S" in slot for slot in slots)


def test_page_label_and_fixed_words_come_from_gettext(app: Flask) -> None:
    html = render_pdf_html("answers.html", lang="en", title="T", **answers_context("Sam"))
    assert 'content: "Page " counter(page) " of " counter(pages);' in page_style()
    assert "<title>T</title>" in html
    # Values may hold several lines, and markup in data is shown, not obeyed.
    hostile = answers_context('<img src="file:///etc/passwd">')
    html = render_pdf_html("answers.html", lang="en", title="T", **hostile)
    assert "<img" not in html and "&lt;img" in html
    assert re.search(r"My daughter\s*<br>A neighbour", html)


def test_unknown_language_is_refused(app: Flask) -> None:
    with pytest.raises(ValueError, match="no such language"):
        render_pdf_html("answers.html", lang="xx", title="T", **answers_context("Sam"))


def test_pdf_response_is_a_download(app: Flask) -> None:
    response = pdf_response(b"%PDF-1.7 test", "decision-NF-2026-000123")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=decision-NF-2026-000123.pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.get_data() == b"%PDF-1.7 test"

    # No paths, and names in other scripts survive as RFC 5987 filename*.
    assert "etc" not in pdf_response(b"", "../../etc/passwd.pdf").headers["Content-Disposition"].split("/")[0]
    assert pdf_response(b"", "../../etc/passwd.pdf").headers["Content-Disposition"] == (
        "attachment; filename=passwd.pdf"
    )
    urdu = pdf_response(b"", "فیصلہ.pdf").headers["Content-Disposition"]
    assert urdu == "attachment; filename=document.pdf; filename*=UTF-8''%D9%81%DB%8C%D8%B5%D9%84%DB%81.pdf"
    urdu.encode("latin-1")  # a WSGI server can send it
    spaced = pdf_response(b"", 'Sam "Taylor"; answers').headers["Content-Disposition"]
    assert spaced.startswith("attachment; filename=Sam_Taylor_answers.pdf; filename*=UTF-8''Sam%20%22Taylor")


def test_every_letter_has_one_letterhead_address_and_reference(app: Flask) -> None:
    """The letters share the base layout's letterhead (the organisation and how to reach it), the address for a
    window envelope and the "To" and "Our reference" rows; a letter never writes them out again."""
    from bs4 import BeautifulSoup

    organisation = {
        "name": "Northfield City Council",
        "contact_email": "care@nf.example",
        "contact_phone": "0100",
    }
    shared = {
        "organisation": organisation,
        "person_name": "Sam Taylor",
        "address_lines": ["1 High Street", "Northfield", "NF1 1AA"],
        "reference": "NF-1234-ABCD",
    }
    with app.test_request_context("/"):
        html = render_pdf_html(
            "review_reminder.html", lang="en", title="Review", due_on=date(2027, 3, 1), **shared
        )
    page = BeautifulSoup(html, "html.parser")
    letterhead = page.select_one("header.letterhead").get_text(" ", strip=True)
    assert (
        "Northfield City Council" in letterhead and "care@nf.example" in letterhead and "0100" in letterhead
    )
    assert page.select_one("address.recipient").get_text("|", strip=True) == (
        "Sam Taylor|1 High Street|Northfield|NF1 1AA"
    )
    rows = {
        row.th.get_text(strip=True): row.td.get_text(strip=True) for row in page.select("table.details tr")
    }
    assert rows["To"] == "Sam Taylor" and rows["Our reference"] == "NF-1234-ABCD" and "Date" in rows
    for name in ("decision_letter.html", "reconsideration_received.html", "review_reminder.html"):
        source = (Path(app.root_path).parent / "templates" / "pdf" / name).read_text(encoding="utf-8")
        assert "{% block letterhead %}" not in source and "{% block details %}" not in source, name
