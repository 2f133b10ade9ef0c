"""Malformed requests get a clear 400 or 404, never a 500; redirects and links never lead off-site.

Each test reproduces a finding of the security probe (issue 18): they failed before the request guard
(portal/request_guard.py), the path re-encoding of the language links and ``local_path``.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.engine import ConfigurationError, demo_configuration, loads_configuration
from portal.engine.configuration import dump_yaml
from portal.extensions import db
from portal.models import Account, PasswordToken, Role
from tests.conftest import csrf_from, sign_in

PASSWORD = "correct horse battery"

ANONYMOUS_FORMS = {
    "/account/register": {
        "name": "Alex",
        "email": "alex@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
    },
    "/account/sign-in": {"email": "alex@example.org", "password": PASSWORD},
    "/account/forgotten-password": {"email": "alex@example.org"},
}


def _token(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


@pytest.mark.parametrize("url", sorted(ANONYMOUS_FORMS))
@pytest.mark.parametrize("field", ["email", "password", "name"])
def test_a_file_where_text_is_expected_is_a_400(client, url, field):
    data = dict(ANONYMOUS_FORMS[url])
    data.pop(field, None)
    data["csrf_token"] = _token(client, url)
    data[field] = (io.BytesIO(b"not text"), "x.txt")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(select(Account)) is None


@pytest.mark.parametrize("url", sorted(ANONYMOUS_FORMS))
def test_nul_in_a_form_field_is_a_400(client, url):
    data = {**ANONYMOUS_FORMS[url], "csrf_token": _token(client, url)}
    data["email"] = "alex\x00@example.org"
    assert client.post(url, data=data).status_code == 400
    assert db.session.scalar(select(Account)) is None


@pytest.mark.parametrize("url", sorted(ANONYMOUS_FORMS))
def test_nul_in_the_second_value_of_a_repeated_field_is_a_400(client, url):
    data = {**ANONYMOUS_FORMS[url], "csrf_token": _token(client, url)}
    data["email"] = ["alex@example.org", "alex\x00@example.org"]
    assert client.post(url, data=data).status_code == 400
    assert client.get(f"{url}?x=1&x=a%00b").status_code == 400
    assert db.session.scalar(select(Account)) is None


def test_nul_in_the_query_or_path_is_refused(client, make_account, make_organisation):
    organisation = make_organisation()
    sign_in(client, make_account(Role.ADMIN, organisation=organisation, level=4))
    assert client.get("/staff/queue?q=a%00b").status_code == 400
    assert client.get("/staff/configuration/compare?a=x%00&b=y").status_code == 400
    assert client.get("/staff/cases/ab%00cd").status_code == 404
    assert client.get("/staff/configuration/ab%00cd").status_code == 404
    assert client.get("/staff/organisation/staff/ab%00cd").status_code == 404


def test_nul_in_new_staff_and_new_organisation_is_a_400(client, make_account, make_organisation):
    organisation = make_organisation()
    admin = make_account(Role.ADMIN, organisation=organisation, level=4)
    sign_in(client, admin)
    url = "/staff/organisation/staff/new"
    response = client.post(
        url,
        data={
            "csrf_token": _token(client, url),
            "name": "Bad\x00Name",
            "email": "b@example.org",
            "role": "assessor",
        },
    )
    assert response.status_code == 400
    other = client.application.test_client()
    sign_in(other, make_account(Role.DEPLOYMENT_ADMIN))
    url = "/staff/organisations/new"
    response = other.post(url, data={"csrf_token": _token(other, url), "name": "Council\x00", "slug": "c"})
    assert response.status_code == 400


def test_nul_in_a_new_configuration_is_a_400(client, make_account, make_organisation):
    organisation = make_organisation()
    sign_in(client, make_account(Role.ADMIN, organisation=organisation, level=4))
    token = _token(client, "/staff/configuration")
    for data in ({"from": "x\x00"}, {"label": "Draft\x00"}, {"from\x00": "x"}):
        response = client.post("/staff/configuration/new", data={"csrf_token": token, **data})
        assert response.status_code == 400, data


def test_ids_too_large_for_the_database_are_404(client, app, make_account, make_organisation):
    organisation = make_organisation()
    sign_in(client, make_account(Role.ADMIN, organisation=organisation, level=4))
    for url in ("/staff/accuracy/99999999999999999999", "/staff/calibration/2147483648"):
        assert client.get(url).status_code == 404
    other = app.test_client()
    sign_in(other, make_account(Role.DEPLOYMENT_ADMIN))
    assert other.get("/staff/mailbox/99999999999999999999").status_code == 404
    assert other.get("/staff/mailbox/2147483648").status_code == 404


def test_every_int_in_a_route_is_bounded(app):
    from portal.request_guard import LARGEST_ID, BoundedIntegerConverter

    for rule in app.url_map.iter_rules():
        for converter in rule._converters.values():
            if converter.__class__.__name__.endswith("IntegerConverter"):
                assert isinstance(converter, BoundedIntegerConverter) and converter.max == LARGEST_ID


def test_a_publish_date_with_a_400_digit_year_is_a_form_error(client, make_account, make_organisation):
    organisation = make_organisation()
    sign_in(client, make_account(Role.ADMIN, organisation=organisation, level=4))
    url = "/staff/configuration"
    response = client.post("/staff/configuration/new", data={"csrf_token": _token(client, url)})
    assert response.status_code == 303
    publish = response.headers["Location"].rstrip("/") + "/publish"
    response = client.post(
        publish,
        data={"csrf_token": _token(client, publish), "effective_from": ["1", "1", "9" * 400]},
    )
    assert response.status_code == 200
    assert "must be a real date" in response.get_data(as_text=True)


# -- links and redirects -------------------------------------------------------------------------------


def _lands_off_site(href: str, base: str = "http://localhost/somewhere") -> bool:
    """Whether a browser following ``href`` on ``base`` would leave the site (tabs and newlines dropped,
    backslashes read as slashes, as the WHATWG URL standard does)."""
    cleaned = "".join(char for char in href if char not in "\t\n\r").replace("\\", "/")
    parts = urlsplit(cleaned)
    return bool(parts.scheme or parts.netloc)


@pytest.mark.parametrize(
    "path", ["/%5Cevil.example/x", "/%5C%5Cevil.example/x", "//evil.example/x", "/%09/evil.example"]
)
def test_language_and_easy_read_links_stay_on_the_site(client, path):
    response = client.get(path)
    assert response.status_code == 404
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    links = [
        a["href"] for a in page.find_all("a", href=True) if "lang=" in a["href"] or "easy_read=" in a["href"]
    ]
    assert links, "the page has language links"
    assert not [href for href in links if _lands_off_site(href)]


@pytest.mark.parametrize(
    "next_value",
    [
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0ASet-Cookie:x=y",
        "/%5C/evil.example",
        "https://evil.example/",
    ],
)
def test_next_never_leaves_the_site_nor_fails(client, make_account, next_value):
    account = make_account()
    token = _token(client, "/account/sign-in")
    response = client.post(
        f"/account/sign-in?next={next_value}",
        data={"csrf_token": token, "email": account.email, "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/my/"


def test_next_to_a_local_page_is_followed(client, make_account):
    account = make_account()
    token = _token(client, "/account/sign-in")
    response = client.post(
        "/account/sign-in?next=/account/",
        data={"csrf_token": token, "email": account.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/account/"


# -- password links ------------------------------------------------------------------------------------


def test_only_the_newest_reset_link_works_and_using_it_ends_the_rest(app, client, make_account):
    from portal.accounts import issue_password_link

    account = make_account()
    with app.test_request_context():
        setup = issue_password_link(account, purpose="setup")
        first = issue_password_link(account)
        newest = issue_password_link(account)
    db.session.commit()
    assert client.get(f"/account/reset-password/{setup}").status_code == 404
    assert client.get(f"/account/reset-password/{first}").status_code == 404
    url = f"/account/reset-password/{newest}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        data={
            "csrf_token": _token(client, url),
            "password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert response.status_code == 303
    assert client.get(url).status_code == 404
    tokens = db.session.scalars(select(PasswordToken).filter_by(account_id=account.id)).all()
    assert len(tokens) == 3 and all(token.used_at is not None for token in tokens)


# -- configuration files -------------------------------------------------------------------------------

ALIASES = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n"


def test_a_configuration_with_yaml_aliases_is_refused():
    with pytest.raises(ConfigurationError, match="aliases"):
        loads_configuration(ALIASES)
    assert demo_configuration().label  # the shipped configuration, anchors-free, still loads


def test_the_command_line_refuses_yaml_aliases(tmp_path):
    # The shipped configuration, valid in every other way, with one value given by an alias.
    text = demo_configuration().to_yaml()
    text = text.replace(
        "daily_living: {per: hour, default: 1810}", "daily_living: {per: hour, default: &r 1810}"
    )
    text = text.replace("household: {per: hour, default: 1650}", "household: {per: hour, default: *r}")
    assert "*r" in text
    config = tmp_path / "aliases.yaml"
    config.write_text(text)
    profile = tmp_path / "profile.json"
    from tests.engine.conftest import reference_profile

    profile.write_text(json.dumps(reference_profile().to_dict()))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "portal.engine.cli",
            "estimate",
            "--profile",
            str(profile),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "aliases" in result.stderr


def test_a_configuration_with_shared_values_is_written_without_aliases():
    from tests.engine.conftest import reference_document

    document = reference_document()
    shared = document["model"]["base_log_hours"]
    assert len({id(value) for value in shared.values()}) < len(shared)  # the same list under many keys
    config = loads_configuration(dump_yaml(document))
    assert not re.search(r"[&*]id\d", config.to_yaml())
    assert loads_configuration(config.to_yaml()) == config
