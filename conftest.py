"""The test suite's shared support lives in the ``testing`` package; its fixture modules
are loaded here as plugins, so every test has them without an import:

- ``testing.markers``: the ``postgres`` / ``redis`` / ``browser`` markers skip (or, under
  ``CI=true``, fail) when the service is missing;
- ``testing.environment``: autouse surroundings (cheap hashing, eager Celery, media in
  a temporary folder, migration rows back after a flush);
- ``testing.regions`` / ``testing.personas``: the ``regions`` and ``personas`` fixtures;
- ``testing.otp``: ``client.force_login`` includes the TOTP second factor;
- ``testing.browser``: the Playwright fixtures (``chromium``, ``browser_page``, ...).
"""

import pytest

# Helpers in testing/ assert too (a clean JPEG, a draft filled over the API): their
# asserts are rewritten like a test's, so a failure shows the values compared.
pytest.register_assert_rewrite("testing")

# In the order they import each other.
pytest_plugins = [
    "testing.regions",
    "testing.personas",
    "testing.otp",
    "testing.browser",
    "testing.markers",
    "testing.environment",
]
