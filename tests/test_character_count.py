"""GOV.UK's character count speaks each language's plural forms (Welsh six, Polish four), never English."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale
from wtforms import TextAreaField

from portal.forms import CharacterCount, Form


class _Form(Form):
    answer = TextAreaField("Tell us", widget=CharacterCount())


@pytest.mark.parametrize(
    ("lang", "categories"),
    [
        ("en", {"one", "other"}),
        ("cy", {"zero", "one", "two", "few", "many", "other"}),
        ("pl", {"one", "few", "many", "other"}),
        ("ur", {"one", "other"}),
    ],
)
def test_character_count_has_every_plural_category(app, lang, categories):
    with app.test_request_context("/"), force_locale(lang):
        html = str(_Form(meta={"csrf": False}).answer(params={"maxlength": 1200}))
    count = BeautifulSoup(html, "html.parser").select_one("[data-module=govuk-character-count]")
    for kind in ("characters-under-limit", "characters-over-limit"):
        given = {name.rsplit(".", 1)[1] for name in count.attrs if name.startswith(f"data-i18n.{kind}.")}
        assert given == categories, (lang, kind, given)
        for category in categories:
            assert "%{count}" in count[f"data-i18n.{kind}.{category}"] or category == "zero"
    # The limit shown without JavaScript is a sentence in the page's language, with the number in it.
    hint = BeautifulSoup(html, "html.parser").select_one(".govuk-character-count__message")
    assert "1200" in hint.get_text() or "1,200" in hint.get_text() or "1 200" in hint.get_text()
    if lang == "en":
        assert "You can enter up to 1200 characters" in hint.get_text()
