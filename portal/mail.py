"""Emails: written to the outbox in the recipient's language, sent by a worker over SMTP.

Every message gets its Message-ID when it is written, so a message sent again after a worker crash is
recognisably the same message (mail clients and the demo sink can tell it is a duplicate).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from typing import Any

from flask import Flask, current_app, has_request_context, url_for
from flask_babel import force_locale

from portal.extensions import db
from portal.i18n import babel_locale
from portal.jobs import enqueue, handler
from portal.models import Job, OutboxMessage, ReceivedEmail, utcnow


def queue_email(to_address: str, template: str, locale: str, **context: Any) -> OutboxMessage:
    """Render ``emails/<template>.txt`` in ``locale`` and add it, with its job, to the current transaction.

    The template sets ``subject`` with ``{% set subject = _("…") %}``; the rest is the plain-text body.
    """
    with force_locale(babel_locale(locale)):
        module = current_app.jinja_env.get_template(f"emails/{template}.txt").make_module(
            {
                "branding": current_app.config["BRANDING"],
                "base_url": current_app.config["BASE_URL"],
                **context,
            }
        )
        subject = str(getattr(module, "subject", "")).strip()
        body = str(module).strip() + "\n"
    message = OutboxMessage(
        message_id=make_msgid(domain=current_app.config["MAIL_DOMAIN"]),
        to_address=to_address,
        subject=subject,
        body_text=body,
        locale=locale,
        kind=template,
    )
    db.session.add(message)
    db.session.flush()
    enqueue("email", {"outbox_message_id": message.id})
    return message


def link_to(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, built from PORTAL_BASE_URL (also from a worker, outside any request)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"] + path


def build_message(outbox: OutboxMessage) -> EmailMessage:
    """The MIME message for an outbox row, with its fixed Message-ID."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = f"{cfg['BRANDING'].name} <{cfg['MAIL_FROM']}>"
    message["To"] = outbox.to_address
    message["Subject"] = outbox.subject
    message["Message-ID"] = outbox.message_id
    message["Date"] = formatdate(outbox.created_at.timestamp(), localtime=False)
    message.set_content(outbox.body_text)
    message["Content-Language"] = outbox.locale  # after set_content, which resets Content-* headers
    return message


@handler("email")
def send_email(job: Job) -> dict[str, Any]:
    """Send one outbox message over SMTP."""
    outbox = db.session.get(OutboxMessage, job.payload["outbox_message_id"])
    if outbox is None:
        raise LookupError(f"outbox message {job.payload['outbox_message_id']} is missing")
    cfg = current_app.config
    with smtplib.SMTP(cfg["MAIL_HOST"], cfg["MAIL_PORT"], timeout=30) as smtp:
        smtp.send_message(build_message(outbox))
    outbox.sent_at = utcnow()
    db.session.commit()
    return {"message_id": outbox.message_id}


class SinkHandler:
    """An aiosmtpd handler that stores every message it receives for the demo's mailbox page."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        """Store the message and accept it."""
        parsed = BytesParser(policy=default_policy).parsebytes(envelope.content)
        body = parsed.get_body(preferencelist=("plain",))
        with self.app.app_context():
            db.session.add(
                ReceivedEmail(
                    message_id=str(parsed.get("Message-ID", "")),
                    mail_from=envelope.mail_from or "",
                    rcpt_to=", ".join(envelope.rcpt_tos),
                    subject=str(parsed.get("Subject", "")),
                    body_text=body.get_content() if body is not None else "",
                )
            )
            db.session.commit()
        return "250 Message accepted"


def start_sink(app: Flask, host: str, port: int) -> Any:
    """Start the local SMTP sink in a background thread and return its controller."""
    from aiosmtpd.controller import Controller

    controller = Controller(SinkHandler(app), hostname=host, port=port)
    controller.start()
    return controller
