"""Masking of NIK and KK numbers in everything the portal logs or reports.

A NIK or KK is 16 digits. Log lines, error e-mails and tracebacks leave the portal
(log shipping, admins' mailboxes), so the digits are masked where a record is
formatted, not trusted to every caller: the filter is installed on every handler in
``settings.LOGGING``, and the exception reporter masks Django's error reports.
Only the first four digits (the province and regency of issue) stay.
"""

import logging
import re

from django.views.debug import ExceptionReporter

# 16 digits not inside a longer run of digits; separators people type (space, dot,
# dash) between groups are accepted too.
_PERSONAL_NUMBER = re.compile(r"(?<![\d])(\d{4})[ .-]?(\d{4})[ .-]?(\d{4})[ .-]?(\d{4})(?![\d])")
MASK = "************"


def mask_personal_numbers(text: str) -> str:
    """``3204121506900001`` -> ``3204************``."""
    if not text:
        return text
    return _PERSONAL_NUMBER.sub(lambda m: m.group(1) + MASK, text)


class MaskPersonalNumbers(logging.Filter):
    """Rewrites a record so no handler can print a 16-digit number from it.

    The message is rendered with its arguments and masked; the exception text is
    formatted here and masked (formatters reuse ``exc_text``); ``exc_info`` stays
    for handlers that build reports from it (their reporter masks too).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a broken format string must not hide the record
            message = f"{record.msg} {record.args}"
        record.msg = mask_personal_numbers(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_numbers(record.stack_info)
        return True


class MaskingExceptionReporter(ExceptionReporter):
    """Django's error report (500 e-mail, DEBUG page) with NIK/KK numbers masked.

    Request data (POST, GET, the query string) and local variables of every frame are
    in the report; masking the rendered text covers all of them at once.
    """

    def get_traceback_text(self):
        return mask_personal_numbers(super().get_traceback_text())

    def get_traceback_html(self):
        return mask_personal_numbers(super().get_traceback_html())
