"""E-mails to residents and staff, always in Bahasa Indonesia, sent after commit.

The body is rendered now (inside the request or task, under Indonesian) and handed to
the ``send_email`` task when the transaction commits, so a rolled-back change never
e-mails anyone. NIK and KK numbers never appear in an e-mail.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from registrations.tasks import send_email_soon


def email_on_commit(*, to: str, subject: str, template: str, context: dict) -> None:
    if not to:
        return
    with translation.override("id"):
        body = render_to_string(template, context)
        subject_text = str(subject)
    transaction.on_commit(lambda: send_email_soon(subject=subject_text, body=body, recipient_list=[to]))
