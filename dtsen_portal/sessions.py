"""Django's database sessions, with the portal's record of whose session is whose kept
on the key the session has now.

A session's key rotates after login too: when the second factor is passed and when the
password changes (``cycle_key``). ``UserSession`` must follow it, or ending an account's
sessions (``security.end_user_sessions``) would miss exactly the live, verified one.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def cycle_key(self):
        old_key = self.session_key
        super().cycle_key()
        if old_key and old_key != self.session_key:
            from registrations.models import UserSession

            UserSession.objects.filter(session_key=old_key).update(session_key=self.session_key)
