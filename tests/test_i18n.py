"""The catalogues: checked as CI checks them, and the checks themselves catch what they should."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog

from portal.i18n import COMPLETE, LANGUAGES, babel_locale, direction, normalise

ROOT = Path(__file__).resolve().parent.parent


def _messages_module():
    spec = importlib.util.spec_from_file_location("messages_script", ROOT / "scripts" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogues_are_current_compile_and_keep_their_placeholders():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "messages.py"), "check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_placeholder_check_catches_a_broken_translation():
    messages = _messages_module()
    catalog = Catalog(locale="cy")
    catalog.add('Hello %(name)s, see <a href="%(link)s">this</a>', "Helo %(enw)s, gweler <a>hwn</a>")
    catalog.add("Does {name} need help?", "Oes angen help ar {enw}?")
    catalog.add("Fine %(name)s", "Iawn %(name)s")
    problems = messages.placeholder_problems(catalog)
    assert len(problems) == 2


def test_every_complete_language_has_every_entry_translated():
    from babel.messages.pofile import read_po

    for code in COMPLETE:
        for domain in ("messages", "questionnaire"):
            with (ROOT / "translations" / code / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
                catalog = read_po(handle)
            assert "fluent" in (catalog.header_comment or ""), (
                "the header says it awaits review by a fluent speaker"
            )
            untranslated = [
                m.id
                for m in catalog
                if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
            ]
            assert untranslated == [], (code, domain, untranslated[:3])
            assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_language_helpers():
    assert [language.code for language in LANGUAGES] == ["en", "cy", "pl", "ur"]
    assert normalise("cy-GB") == "cy" and normalise("xx") is None and normalise(None) is None
    assert direction("ur") == "rtl" and direction("cy") == "ltr"
    assert babel_locale("en") == "en_GB" and babel_locale("pl") == "pl"


def test_the_easy_read_decision_is_in_every_complete_language(app):
    """Each Easy Read sentence of the decision (worded through decision_easy_read's say()) is in the catalogues:
    a Welsh, Polish or Urdu reader never gets it in English."""
    from itertools import product

    from flask_babel import force_locale

    from portal.decision_easy_read import decision_lines
    from portal.questionnaire import Voice

    cases = [
        {"weekly_pence": pence, "changed": changed, "voice": voice, "name": "Sam", "icb": icb, "html": False}
        for pence, changed, voice, icb in product((None, 12_345), (False, True), tuple(Voice), (False, True))
    ]
    with app.test_request_context():
        with force_locale("en"):
            english = [[line.sentence for line in decision_lines(**case)] for case in cases]
        for code in sorted(COMPLETE - {"en"}):
            with force_locale(code):
                for case, sentences in zip(cases, english, strict=True):
                    translated = [line.sentence for line in decision_lines(**case)]
                    same = [s for s, t in zip(sentences, translated, strict=True) if s == t]
                    assert not same, (code, case, same)


def test_templates_find_the_catalogue_of_the_language_in_force(app):
    """Templates remember the request's catalogue (portal/i18n/web.py), yet a letter written in another language
    inside the same request (force_locale) is in that language, and the page's own language comes back after."""
    from flask import render_template_string
    from flask_babel import force_locale

    sentence = "{{ _('Sign out') }}|{{ ngettext('%(num)d case', '%(num)d cases', 2) }}"
    with app.app_context(), app.test_request_context("/?lang=pl"):  # each request its own g, as in production
        polish = render_template_string(sentence)
        with force_locale("cy"):
            welsh = render_template_string(sentence)
        again = render_template_string(sentence)
    with app.app_context(), app.test_request_context("/"):
        english = render_template_string(sentence)
    assert english == "Sign out|2 cases"
    assert polish == again != english
    assert welsh not in (polish, english)
    assert polish.split("|")[0] == "Wyloguj się"
