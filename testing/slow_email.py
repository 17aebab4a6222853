"""An e-mail back end that takes its time, so a test can kill a worker mid-task."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))
        return super().send_messages(email_messages)
