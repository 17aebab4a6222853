import pytest
from captcha.conf import settings as captcha_settings
from django.core.cache import cache

from lookup.selectors import village_or_none


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, villages in a per-worker cache; every
    test starts with neither."""
    cache.clear()
    village_or_none.cache_clear()
    yield
    cache.clear()
    village_or_none.cache_clear()


@pytest.fixture
def captcha_passes(monkeypatch):
    """django-simple-captcha's test mode: the answer "PASSED" is accepted."""
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
