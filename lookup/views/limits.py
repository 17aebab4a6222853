"""Rate limits of the public lookup, counted in the shared cache.

Two limits: per client address (every search attempt counts, captcha right or wrong)
and per village and normalised name (counted once the captcha passed, so nobody can
lock a neighbour out of their own lookup by failing captchas under their name).

Fixed windows with django-ratelimit's rate syntax ("20/m", "5/h", "100/5m") and its
per-key jitter, so windows do not all end at once. The counter is bumped with
``cache.incr`` first and created with ``cache.add`` only on a window's first hit:
django-ratelimit does ``add`` then ``incr`` on every hit, one more cache round trip per
limit (on Redis, 3 instead of 2), on a path every public search takes twice.
"""

import hashlib
import ipaddress
import re
import time
import zlib

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse(rate: str) -> tuple[int, int]:
    count, multiplier, unit = _RATE.match(rate).groups()
    return int(count), _SECONDS[unit] * int(multiplier or 1)


def over_limit(group: str, value: str, rate: str) -> bool:
    """Count one hit of ``value`` in ``group``; True once the rate is exceeded."""
    if not settings.RATELIMIT_ENABLE:
        return False
    limit, period = _parse(rate)
    jitter = zlib.crc32(value.encode()) % period
    window = (int(time.time()) - jitter) // period
    key = f"lookup-rl:{group}:{window}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first hit (or its counter was evicted)
        count = 1 if cache.add(key, 1, period + 1) else cache.incr(key)
    return count > limit


def client_address(request) -> str:
    """REMOTE_ADDR (no forwarded headers a client could forge); IPv6 by its /64, which
    one subscriber usually holds whole, as django-ratelimit does."""
    address = request.META.get("REMOTE_ADDR", "")
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def ip_limited(request, group: str) -> bool:
    return over_limit(f"{group}.ip", client_address(request), settings.LOOKUP_RATE_PER_IP)


def name_limited(request, *, village_code: str, name_key: str) -> bool:
    return over_limit("search.name", f"{village_code}:{name_key}", settings.LOOKUP_RATE_PER_NAME)


def too_many_requests(request, *, reason: str):
    """A clear Indonesian 429; an htmx request gets the same message in place (htmx does
    not swap 4xx answers) and the status in a header."""
    response = render(
        request,
        "lookup/partials/rate_limited.html" if request.htmx else "lookup/rate_limited.html",
        {"reason": reason},
        status=200 if request.htmx else 429,
    )
    response["Retry-After"] = "60"
    if request.htmx:
        response["X-Lookup-Status"] = "429"
    return response
