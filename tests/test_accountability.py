"""The public accountability record: ATRS tiers, generated from the live configuration, updated on publish."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.engine import demo_configuration, load_configuration
from portal.extensions import db
from portal.models import ConfigurationVersion, Role
from tests.conftest import check_page, sign_in
from tests.practitioner.test_configuration_pages import csv_bytes, upload

TITLES = [
    "Tier 1: Summary",
    "Tier 2: Owner and responsibility",
    "Tier 2: Description and rationale",
    "Tier 2: Decision-making process and human oversight",
    "Tier 2: Tool specification",
    "Tier 2: Data",
    "Tier 2: Risks, mitigations and impact assessments",
]


def _publish(organisation, label, rate, day):
    document = demo_configuration().to_dict()
    document["label"] = label
    document["rates"]["daily_living"]["default"] = rate
    config = load_configuration(document)
    db.session.add(
        ConfigurationVersion(
            organisation_id=organisation.id,
            label=label,
            content_hash=config.content_hash,
            content=config.to_yaml(),
            status="published",
            effective_from=day,
        )
    )
    db.session.commit()


def test_the_record_is_public_in_the_standards_tiers_and_follows_what_is_published(client, make_organisation):
    organisation = make_organisation()
    url = f"/organisations/{organisation.slug}/algorithmic-transparency"
    page = check_page(client.get(url).get_data(as_text=True))  # no sign-in
    assert [h.get_text(strip=True) for h in page.select("h2.govuk-heading-l")] == TITLES
    text = page.get_text(" ", strip=True)
    assert organisation.name in text and "A person, always" in text
    assert demo_configuration().label in text and "£18.10 an hour" in text
    assert "No accuracy test on local cases" in text

    _publish(organisation, "Ours 2026/27", 2095, date.today() - timedelta(days=1))
    text = check_page(client.get(url).get_data(as_text=True)).get_text(" ", strip=True)
    assert "Ours 2026/27" in text and "£20.95 an hour" in text and "Versions published" in text
    _publish(organisation, "Next year", 2200, date.today() + timedelta(days=30))
    text = check_page(client.get(url).get_data(as_text=True)).get_text(" ", strip=True)
    assert "£20.95 an hour" in text  # not in force yet


def test_the_record_gives_the_latest_accuracy_with_its_date_and_sample(
    app, client, make_organisation, make_account
):
    organisation = make_organisation()
    admin = app.test_client()
    sign_in(admin, make_account(Role.ADMIN, organisation=organisation, level=4))
    assert upload(app, admin, csv_bytes(60)).status_code == 303
    text = check_page(
        client.get(f"/organisations/{organisation.slug}/algorithmic-transparency").get_data(as_text=True)
    ).get_text(" ", strip=True)
    assert "on 60 local cases" in text and "within 20% of it" in text
    assert "Accuracy for groups of people" in text and "Where the person lives: " in text
    # a group of fewer than 20 cases is never published (people could be recognised from it)
    counts = {}
    for line in csv_bytes(60).decode().splitlines()[1:]:
        group = line.split(",")[1]
        counts[group] = counts.get(group, 0) + 1
    small = [group for group, count in counts.items() if count < 20]
    names = {
        "older_people": "Older people",
        "physical_disability": "Physical disability",
        "learning_disability": "Learning disability",
        "mental_health": "Mental health",
        "autism": "Autism",
    }
    assert small and not any(f"Client group: {names[g]} (" in text for g in small)
    assert any(f"Client group: {names[g]} (" in text for g in counts if g not in small) or len(small) == len(
        counts
    )


def test_the_record_downloads_as_a_pdf_and_an_unknown_organisation_is_404(client, make_organisation):
    organisation = make_organisation()
    pdf = client.get(f"/organisations/{organisation.slug}/algorithmic-transparency.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get("/organisations/nobody/algorithmic-transparency").status_code == 404
    assert db.session.scalar(select(ConfigurationVersion)) is None
