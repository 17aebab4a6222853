"""Rate limits of the public lookup, counted by django-ratelimit in the shared cache.

Two limits: per client address (every search attempt counts, captcha right or wrong)
and per village and normalised name (counted once the captcha passed, so nobody can
lock a neighbour out of their own lookup by failing captchas under their name).
The client address is the one DRF's throttles use (``NUM_PROXIES`` hops of
X-Forwarded-For behind nginx), so the page and the partner API count the same client.
"""

import ipaddress

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited
from rest_framework.throttling import BaseThrottle


def over_limit(request, group: str, value: str, rate: str) -> bool:
    """Count one hit of ``value`` in ``group``; True once the rate is exceeded."""
    return is_ratelimited(
        request, group=f"lookup.{group}", key=lambda _group, _request: value, rate=rate, increment=True
    )


def client_address(request) -> str:
    """The client as DRF identifies it (REMOTE_ADDR, or the address ``NUM_PROXIES`` hops
    back in X-Forwarded-For behind a proxy; never a header a client alone could forge);
    IPv6 by its /64, which one subscriber usually holds whole."""
    address = BaseThrottle().get_ident(request).strip()
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def ip_limited(request, group: str) -> bool:
    return over_limit(request, f"{group}.ip", client_address(request), settings.LOOKUP_RATE_PER_IP)


def name_limited(request, *, village_code: str, name_key: str) -> bool:
    return over_limit(request, "search.name", f"{village_code}:{name_key}", settings.LOOKUP_RATE_PER_NAME)


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
