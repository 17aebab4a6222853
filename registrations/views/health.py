"""``GET /healthz``: can the portal serve? For load balancers and operators."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "down"; the reason goes to the log
        connection.close_if_unusable_or_obsolete()
        return "down"
    return "ok"


def _broker_state() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError:
        return "down"
    return "ok"


def _cache_state() -> str:
    from django.core.cache import cache

    if "RedisCache" not in settings.CACHES["default"]["BACKEND"]:
        return "local"
    try:
        cache.get("healthz")
    except Exception:  # noqa: BLE001 - any failure means "down"
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 while the database answers; a broker or cache outage degrades but does not fail.

    Each part says ``ok``, ``down`` (or ``eager``/``local`` when not configured).
    Submissions made while the broker is down are kept and their follow-up work runs
    later; pages that need the cache answer 503 "busy" until it is back.
    """
    database = _database_state()
    body = {"database": database, "broker": _broker_state(), "cache": _cache_state(), "engine": connection.vendor}
    return JsonResponse(body, status=200 if database == "ok" else 503)
