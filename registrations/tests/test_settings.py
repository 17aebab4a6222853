"""Production settings pass Django's deployment checks with no warning."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="dtsen.example.go.id",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="dtsen.example.go.id")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_with_the_issue_command_line():
    """Issue 8's exact command: DEBUG=0, a 50-character key, ALLOWED_HOSTS=portal.example."""
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_hex(25),
        ALLOWED_HOSTS="portal.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_carry_the_security_baseline():
    probe = (
        "from django.conf import settings as s; import json; print(json.dumps({"
        "'cookie': s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS,"
        "'ssl': s.SECURE_SSL_REDIRECT, 'backends': s.AUTHENTICATION_BACKENDS, 'mw': s.MIDDLEWARE,"
        "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'], 'reporter': s.DEFAULT_EXCEPTION_REPORTER}))"
    )
    result = _manage(
        "shell", "-c", probe, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="portal.example"
    )
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["cookie"] is True and values["ssl"] is True and values["hsts"] >= 31536000
    assert values["backends"][0] == "dtsen_portal.security.RequestAxesBackend"
    middleware = values["mw"]
    assert "csp.middleware.CSPMiddleware" in middleware
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert auth < middleware.index("django_otp.middleware.OTPMiddleware")
    assert middleware.index("django_otp.middleware.OTPMiddleware") < middleware.index(
        "dtsen_portal.security.AccountSecurityMiddleware"
    )
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
    assert values["csp"] == ["'self'"]
    assert values["reporter"] == "dtsen_portal.logging.MaskingExceptionReporter"
