"""A person's details, as either front door takes them: date of birth, postal address, postcode and NHS number.

The postcode decides which organisation a case goes to (:func:`organisations_for_postcode`), whether the person
types it themselves or an assessor takes it on the phone.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select
from wtforms import Field, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.extensions import db
from portal.forms import DateInput, Form, SubmitInput, TextInput
from portal.models import Organisation, PostcodeDistrict

# A full UK postcode: outward code (area, district) and inward code (sector digit and unit letters).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(raw: str | None) -> str | None:
    """``ls6 1aa`` → ``LS6 1AA``; None when it is not a UK postcode."""
    if not raw:
        return None
    compact = re.sub(r"\s+", "", raw.upper())
    match = _POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def organisations_for_postcode(postcode: str, tool_key: str | None = None) -> list[Organisation]:
    """The organisations whose postcode districts include this postcode's district (offering the tool, if given)."""
    district = postcode.split(" ")[0]
    found = list(
        db.session.scalars(
            select(Organisation)
            .join(PostcodeDistrict, PostcodeDistrict.organisation_id == Organisation.id)
            .where(PostcodeDistrict.district == district)
            .order_by(Organisation.name)
        )
    )
    if tool_key is None:
        return found
    from portal import tool_service

    return [organisation for organisation in found if tool_service.is_enabled(organisation, tool_key)]


def covers(organisation: Organisation | None, postcode: str | None) -> bool:
    """Whether this organisation covers this postcode: the only rule for where a case may be sent.

    Read from the organisation's own districts, so a page listing many cases can load them all at once.
    """
    if organisation is None or not postcode:
        return False
    district = postcode.split(" ")[0]
    return any(row.district == district for row in organisation.postcode_districts)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number Modulus 11 check: weights 10..2 on the first nine digits give the tenth."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


class DateOfBirthField(Field):
    """Day, month and year boxes kept as typed, checked by :meth:`AboutForm.validate_date_of_birth`."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        self.data = None

    def _value(self) -> str:
        return ""


class AddressFields(Form):
    """The postal address before the postcode, optional, but whole or not at all: for letters by post."""

    address_line_1 = StringField(
        lazy_gettext("Building and street (optional)"),
        widget=TextInput(),
        description=lazy_gettext(
            "For letters sent by post. Leave the address out if letters can be emailed."
        ),
        validators=[
            Length(max=100, message=lazy_gettext("Each line of the address must be 100 characters or fewer"))
        ],
        render_kw={"autocomplete": "address-line1"},
    )
    address_line_2 = StringField(
        lazy_gettext("Second line of the address (optional)"),
        widget=TextInput(),
        validators=[
            Length(max=100, message=lazy_gettext("Each line of the address must be 100 characters or fewer"))
        ],
        render_kw={"autocomplete": "address-line2"},
    )
    town = StringField(
        lazy_gettext("Town or city (optional)"),
        widget=TextInput(),
        validators=[
            Length(max=100, message=lazy_gettext("Each line of the address must be 100 characters or fewer"))
        ],
        render_kw={"autocomplete": "address-level2"},
    )

    def validate_address_line_1(self, field: StringField) -> None:
        """An address is given whole or not at all: a letter cannot be posted to half of one."""
        field.data = (field.data or "").strip()
        if not field.data and ((self.address_line_2.data or "").strip() or (self.town.data or "").strip()):
            raise ValidationError(gettext("Enter the building and street, or leave the address out"))

    def validate_town(self, field: StringField) -> None:
        """The town or city, when a street is given."""
        field.data = (field.data or "").strip()
        if not field.data and (self.address_line_1.data or "").strip():
            raise ValidationError(gettext("Enter the town or city"))

    def validate_address_line_2(self, field: StringField) -> None:
        """Kept trimmed."""
        field.data = (field.data or "").strip()

    def address(self) -> dict[str, str]:
        """The address fields as the person's columns take them."""
        return {
            "address_line_1": self.address_line_1.data or "",
            "address_line_2": self.address_line_2.data or "",
            "town": self.town.data or "",
        }


class AboutForm(AddressFields):
    """About the person: date of birth, postal address, postcode, NHS number."""

    date_of_birth = DateOfBirthField(
        lazy_gettext("Date of birth"),
        description=lazy_gettext("For example, 27 3 1950"),
    )
    postcode = StringField(
        lazy_gettext("Postcode"),
        widget=TextInput(),
        description=lazy_gettext("Where the person lives. This tells us which council to send it to."),
        validators=[
            InputRequired(message=lazy_gettext("Enter a postcode")),
            Length(max=10, message=lazy_gettext("Enter a real postcode, like LS6 1AA")),
        ],
        render_kw={"autocomplete": "postal-code"},
    )
    nhs_number = StringField(
        lazy_gettext("NHS number (optional)"),
        widget=TextInput(),
        description=lazy_gettext("A 10 digit number, like 943 476 5919. You can leave this out."),
        validators=[Length(max=20, message=lazy_gettext("An NHS number is 10 digits"))],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    submit = SubmitField(lazy_gettext("Save and continue"), widget=SubmitInput())

    def validate_date_of_birth(self, field: DateOfBirthField) -> None:
        """A real date in the past, for an adult (the portal is for adult social care)."""
        day, month, year = (part.strip() for part in (field.raw_data or ["", "", ""]))
        if not (day or month or year):
            raise ValidationError(gettext("Enter a date of birth"))
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(gettext("Date of birth must be a real date, like 27 3 1950"))
        try:
            born = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(gettext("Date of birth must be a real date, like 27 3 1950")) from None
        today = date.today()
        if born > today:
            raise ValidationError(gettext("Date of birth must be in the past"))
        if born.year < 1900:
            raise ValidationError(gettext("Date of birth must be after 1900"))
        adult = (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) >= 18
        if getattr(self, "adults_only", True) and not adult:  # a children's tool's form sets it False
            raise ValidationError(
                gettext(
                    "This service is for adults aged 18 or over. Contact your council about care for a child"
                )
            )
        field.data = born

    def validate_postcode(self, field: StringField) -> None:
        """A UK postcode."""
        normal = normalise_postcode(field.data)
        if normal is None:
            raise ValidationError(gettext("Enter a real postcode, like LS6 1AA"))
        field.data = normal

    def validate_nhs_number(self, field: StringField) -> None:
        """Ten digits with a valid Modulus 11 check digit, when given."""
        digits = "".join(ch for ch in (field.data or "") if not ch.isspace())
        if not digits:
            field.data = ""
            return
        if not (digits.isdigit() and len(digits) == 10) or not nhs_number_is_valid(digits):
            raise ValidationError(gettext("Enter a real NHS number, with 10 digits, or leave it out"))
        field.data = digits


class AddressForm(AddressFields):
    """The person's postal address on its own, as staff record it for letters."""

    submit = SubmitField(lazy_gettext("Save the address"), widget=SubmitInput())
