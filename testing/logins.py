"""Log a test client in as a persona, past the second factor where staff need one.

Staff above the village operator must confirm a TOTP code (django-otp); a test that
is about something else logs in with a confirmed device already verified in the
session, exactly as ``django_otp.login`` leaves it after a correct code.
"""

from django.test import Client

from registrations.models import Role, User


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    if user.role != Role.RESIDENT:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _created = TOTPDevice.objects.get_or_create(user=user, name="uji", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
