"""How to reach a person by post: the member of staff holding the case records or corrects their postal address
(a phone assessment may have started without it; a person who prefers letters may not have given it)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from portal import cases
from portal.cases import Move
from portal.forms import error_summary
from portal.models import Role
from portal.person_details import AddressForm
from portal.practitioner import bp, load_case
from portal.practitioner import service as work
from portal.security import roles_required


@bp.route("/cases/<case_id>/address", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
def address(case_id: str) -> Any:
    """Record the person's postal address, for letters; only while holding the case."""
    found = load_case(case_id)
    if not cases.can(current_user, found, Move.VALIDATE):
        abort(403)
    person = found.person
    form = AddressForm(data={key: getattr(person, key) for key in work.ADDRESS_KEYS})
    if form.validate_on_submit():
        try:
            work.record_address(current_user, found, form.address())
        except cases.NotAllowed:
            abort(403)
        flash(gettext("The postal address is saved."), "success")
        return redirect(url_for(".case", case_id=found.public_id), code=303)
    return render_template("practitioner/address.html", case=found, form=form, errors=error_summary(form))
