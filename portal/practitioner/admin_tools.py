"""An organisation's admin chooses the assessment tools it offers (decision 0015).

The rule (deny by default for a new tool, the admin's own organisation only, every change audited) lives in
:mod:`portal.tool_service`; this view parses the form, calls it and redirects to the settings summary.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import SelectMultipleField, SubmitField

from portal import tool_service
from portal.extensions import db
from portal.forms import CheckboxesInput, Form, SubmitInput, error_summary
from portal.models import Role
from portal.practitioner import bp
from portal.practitioner.admin import own_organisation, render
from portal.security import roles_required


class ToolsForm(Form):
    """The tools the organisation offers: people can start only these, and only these reach its queue."""

    tools = SelectMultipleField(
        lazy_gettext("Which assessment tools does your organisation offer?"),
        widget=CheckboxesInput(),
        description=lazy_gettext(
            "People can start only the tools you offer. A new tool is off until you turn it on."
        ),
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/organisation/settings/tools", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_tools() -> Any:
    """Turn the organisation's assessment tools on or off."""
    organisation = own_organisation()
    tools = tool_service.available()
    form = ToolsForm(data={"tools": [tool.key for tool in tool_service.enabled(organisation)]})
    form.tools.choices = [(key, tool_service.name_of(tool)) for key, tool in tools.items()]
    if form.validate_on_submit():
        before = [tool.key for tool in tool_service.enabled(organisation)]
        tool_service.set_enabled(current_user, organisation, form.tools.data or [])
        if sorted(before) == sorted(form.tools.data or []):
            db.session.rollback()
            flash(gettext("You did not change anything."), "info")
        else:
            db.session.commit()
            flash(gettext("The assessment tools have been saved."), "success")
        return redirect(url_for("practitioner.admin_settings"), code=303)
    return render("settings_tools.html", form=form, errors=error_summary(form))
