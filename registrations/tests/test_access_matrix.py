"""Every URL pattern x every role x an in-scope and an out-of-scope object.

The table ``ROUTES`` is keyed by URL name and lists, for each principal, the answer a
GET (and, for routes that change things, an empty POST) must get: an exact status,
``LOGIN`` (302 to the login page) or ``OK`` (allowed: anything but 401/403/404/405,
a login redirect or a server error; an empty POST form may rightly be refused with
400/200). A pair ``(in, out)`` gives the answers for the in-scope and the
out-of-scope object. The walk reads the patterns from the root resolver, so a new
route without a row fails the test: add its row (``ACCESS_MATRIX_SHOW=1`` prints what
every principal gets, as a starting point to check by hand).

POSTs run inside a rolled-back savepoint, so one principal's request cannot change
what the next one sees. While walking, every log record (DEBUG, every logger) is kept
and no NIK or KK number of the test data may appear in it.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from testing.access_world import OUT_MARKER, World, build_world
from testing.logins import login

PRINCIPALS = ("anonymous", "resident", "operator_desa", "dinsos", "bupati", "provinsi", "kemensos", "admin")
PERSONA = {
    "resident": "resident",
    "operator_desa": "operator_a",
    "dinsos": "social_officer",
    "bupati": "regency_head",
    "provinsi": "provincial",
    "kemensos": "ministry",
    "admin": "admin",
}
REGIONAL = {"resident", "operator_desa", "dinsos", "bupati", "provinsi"}
STAFF = ("operator_desa", "dinsos", "bupati", "provinsi", "kemensos", "admin")

LOGIN = "login"
OK = "ok"
REFUSED = "refused"  # 400, 403 or 404: an empty body to an endpoint that validates before the role check

Spec = int | str | tuple


@dataclass(frozen=True)
class Row:
    """``kwargs(world, side)`` builds the URL's arguments; ``scoped=False`` asks once."""

    get: dict[str, Spec] | None
    post: dict[str, Spec] | None = None
    put: dict[str, Spec] | None = None
    kwargs: Callable[[World, str], dict] | None = None
    scoped: bool = True


def who(default: Spec = 403, anon: Spec = LOGIN, **roles: Spec) -> dict[str, Spec]:
    """Expected answer per principal: ``default`` for every role not named."""
    return {p: anon if p == "anonymous" else roles.get(p, default) for p in PRINCIPALS}


def everyone(spec: Spec) -> dict[str, Spec]:
    return dict.fromkeys(PRINCIPALS, spec)


def staff(spec: Spec, *, resident: Spec = 403, anon: Spec = LOGIN, **roles: Spec) -> dict[str, Spec]:
    """Every staff role gets ``spec`` (unless named); residents 403, anonymous to login."""
    return who(default=spec, anon=anon, resident=resident, **roles)


# Argument builders, by the kind of object the URL names.
def own_proposal(w, s):
    return {"number": w.side(s).own_proposal.tracking_number}


def staff_proposal(w, s):
    return {"number": w.side(s).staff_proposal.tracking_number}


def staff_tracking(w, s):
    return {"tracking_number": w.side(s).staff_proposal.tracking_number}


def deliberation(w, s):
    return {"pk": w.side(s).deliberation.pk}


def household(w, s):
    return {"pk": w.side(s).household.pk}


def batch(w, s):
    return {"pk": w.side(s).batch.pk}


def flag(w, s):
    return {"pk": w.side(s).flag.pk}


def import_job(w, s):
    return {"job_id": w.side(s).import_job}


def region(w, s):
    return {"code": w.side(s).village}


def identity_profile(w, s):
    return {"pk": w.side(s).identity_document.profile_id}


def identity_document(w, s):
    return {"pk": w.side(s).identity_document.pk, "variant": "thumb"}


def proposal_document(w, s):
    return {"pk": w.side(s).staff_proposal.documents.first().pk, "variant": "thumb"}


def visit_photo(w, s):
    return {"pk": w.side(s).visit_photo.pk, "variant": "thumb"}


def constant(**kwargs):
    return lambda w, s: kwargs


IN_OUT = (200, 404)  # reaches its own region's object; another region's answers as missing
API_DENIED = 401  # DRF: token authentication asks for credentials


def own_proposal_step(w, s):
    return {**own_proposal(w, s), "step": "rumah-tangga"}


def musdes_action(w, s):
    return {**deliberation(w, s), "action": "tutup"}


def objection(w, s):
    return {"number": w.side(s).objection.number}


def objection_move(w, s):
    return {**objection(w, s), "move": "review"}


def objection_evidence(w, s):
    return {"pk": w.side(s).objection.evidence.get().pk, "variant": "thumb"}


def audit_job(w, s):
    return {"job_id": w.side(s).import_job}  # no audit job has this id: reachable roles get 404


NATIONAL = {"kemensos": (200, 200), "admin": (200, 200)}
REGIONAL_STAFF_IN_OUT = {"operator_desa": IN_OUT, "dinsos": IN_OUT, "bupati": IN_OUT, "provinsi": IN_OUT, **NATIONAL}

ROUTES: dict[str, Row] = {
    # ---- public, account and language pages
    "healthz": Row(get=everyone(200), post=everyone(405)),
    "set_language": Row(get=everyone(302), post=everyone(302)),
    "home": Row(get=everyone(200)),
    "resident-sign-up": Row(get=who(302, anon=200), post=who(302, anon=200)),
    "resident-sign-up-done": Row(get=everyone(200)),
    "resident-activate": Row(get=everyone(400), kwargs=constant(token="bukan-token"), scoped=False),
    "resident-account": Row(get=who(resident=200), post=who(resident=OK)),
    "login": Row(get=who(302, anon=200), post=who(302, anon=200)),
    "logout": Row(get=everyone(405), post=everyone(302)),
    "password_reset": Row(get=everyone(200), post=everyone(200)),
    "password_reset_done": Row(get=everyone(200), post=everyone(405)),
    "password_reset_confirm": Row(get=everyone(200), kwargs=constant(uidb64="MQ", token="bukan-token"), scoped=False),
    "password_reset_complete": Row(get=everyone(200), post=everyone(405)),
    "password_change": Row(get=who(200), post=who(200)),
    "password_change_done": Row(get=who(200)),
    "otp-setup": Row(get=who(302, resident=403), post=who(302, resident=403)),
    "otp-verify": Row(get=who(302), post=who(302)),
    "my-data": Row(get=who(resident=200), post=who(405)),
    "my-data-download": Row(get=who(resident=200), post=who(405)),
    # ---- API documentation (the schema describes endpoints, not data)
    "api-schema": Row(get=everyone(200), post=everyone(405)),
    "api-docs": Row(get=everyone(200), post=everyone(405)),
    "api-redoc": Row(get=everyone(200), post=everyone(405)),
    # ---- regions (public reference data)
    "region-options": Row(get=everyone(400), post=everyone(405)),  # no parent given: a clear 400
    "region-search": Row(get=everyone(200), post=everyone(405)),
    "api-region-list": Row(get=everyone(200), post=everyone(405)),
    "api-region-detail": Row(get=everyone(200), post=everyone(405), kwargs=region),
    # ---- proposals: resident and village operator pages
    "proposal-list": Row(get=who(resident=200, operator_desa=200)),
    "proposal-start": Row(get=who(resident=200, operator_desa=200), post=who(resident=OK, operator_desa=OK)),
    "proposal-status": Row(get=staff(IN_OUT, resident=IN_OUT, **NATIONAL), kwargs=own_proposal),
    "proposal-step": Row(  # only the proposer edits; the operator not a resident's online draft
        get=who((403, 404), resident=IN_OUT, kemensos=403, admin=403),
        post=who((403, 404), resident=(OK, 404), kemensos=403, admin=403),
        kwargs=own_proposal_step,
    ),
    # The view answers with a redirect and a message either way; the service refuses
    # anyone but the proposer (test_proposal_pages), out-of-scope proposals are 404.
    "proposal-withdraw": Row(get=who(405), post=who((302, 404), kemensos=302, admin=302), kwargs=own_proposal),
    "identity-document": Row(get=staff(IN_OUT, resident=IN_OUT, **NATIONAL), kwargs=identity_document),
    "proposal-document": Row(get=who(404, **REGIONAL_STAFF_IN_OUT), kwargs=proposal_document),
    # ---- the register and identity review
    "household-list": Row(get=staff(200)),
    "household-detail": Row(get=staff(IN_OUT, **NATIONAL), kwargs=household),
    "identity-queue": Row(get=who(operator_desa=200)),
    "identity-detail": Row(get=who(operator_desa=IN_OUT), post=who(operator_desa=(OK, 404)), kwargs=identity_profile),
    # ---- verification workflow pages
    "staff-dashboard": Row(get=staff(200)),
    "verification-queue": Row(get=who(dinsos=200)),
    "verification-detail": Row(get=who(dinsos=IN_OUT), post=who(dinsos=(OK, 404)), kwargs=staff_proposal),
    "verification-assign": Row(get=who(dinsos=405), post=who(dinsos=(OK, 404)), kwargs=staff_proposal),
    "visit-photo": Row(get=staff(IN_OUT, **NATIONAL), kwargs=visit_photo),
    "approval-queue": Row(get=who(bupati=200), post=who(bupati=OK)),
    "forwarding-queue": Row(get=who(provinsi=200), post=who(provinsi=OK)),
    "determination-queue": Row(get=who(kemensos=200), post=who(kemensos=OK)),
    "batch-list": Row(get=staff(200)),
    "batch-detail": Row(get=staff(IN_OUT, operator_desa=404, **NATIONAL), kwargs=batch),  # a regency's decree
    # ---- musdes (village deliberation)
    "musdes-list": Row(get=who(operator_desa=200), post=who(operator_desa=OK)),
    "musdes-published": Row(get=who(resident=200)),
    "musdes-detail": Row(get=staff(IN_OUT, **NATIONAL), kwargs=deliberation),
    "musdes-minutes": Row(get=staff(404), kwargs=deliberation),  # not signed yet: no minutes to give
    "musdes-export": Row(get=staff(IN_OUT, **NATIONAL), kwargs=deliberation),
    "musdes-action": Row(get=staff(405), post=staff(403, operator_desa=(OK, 404)), kwargs=musdes_action),
    # ---- population records and population-event flags
    "population-import": Row(get=who(dinsos=200, kemensos=200, admin=200)),
    "population-import-job": Row(get=who(dinsos=IN_OUT, kemensos=404, admin=404), kwargs=import_job),
    "population-import-report": Row(get=who(dinsos=404, kemensos=404, admin=404), kwargs=import_job),
    "population-flags": Row(get=who(operator_desa=200, dinsos=200, kemensos=200, admin=200)),
    "population-flag-resolve": Row(
        get=who(405, anon=405),
        post=who(operator_desa=(OK, 404), dinsos=(OK, 404), kemensos=OK, admin=OK),
        kwargs=flag,
    ),
    # ---- eligibility (scores, programmes, determination)
    "eligibility-home": Row(get=who(dinsos=200, bupati=200, provinsi=200, kemensos=200, admin=200)),
    "eligibility-model-list": Row(get=who(kemensos=200, admin=200)),
    "eligibility-model-detail": Row(get=who(kemensos=200, admin=200), kwargs=constant(version=1), scoped=False),
    "eligibility-model-copy": Row(
        get=who(405, anon=405), post=who(kemensos=OK, admin=OK), kwargs=constant(version=1), scoped=False
    ),
    "eligibility-model-weights": Row(  # v1 is active, not a draft: sent back to the model page
        get=who(kemensos=302, admin=302), kwargs=constant(version=1), scoped=False
    ),
    "eligibility-model-activate": Row(
        get=who(405, anon=405), post=who(kemensos=OK, admin=OK), kwargs=constant(version=1), scoped=False
    ),
    "eligibility-scoring": Row(get=who(kemensos=200, admin=200), post=who(kemensos=OK, admin=OK)),
    "eligibility-scoring-run": Row(get=who(kemensos=404, admin=404), kwargs=constant(pk=999999), scoped=False),
    "eligibility-scoring-progress": Row(get=who(kemensos=404, admin=404), kwargs=constant(pk=999999), scoped=False),
    "eligibility-official-import": Row(get=who(kemensos=200, admin=200), post=who(kemensos=OK, admin=OK)),
    "eligibility-programme-list": Row(get=who(dinsos=200, bupati=200, provinsi=200, kemensos=200, admin=200)),
    "eligibility-programme-edit": Row(
        get=who(kemensos=200, admin=200), post=who(kemensos=OK, admin=OK), kwargs=constant(code="PKH"), scoped=False
    ),
    "eligibility-quota-edit": Row(
        get=who(kemensos=200, admin=200), post=who(kemensos=OK, admin=OK), kwargs=constant(code="PKH"), scoped=False
    ),
    "eligibility-determination": Row(get=who(kemensos=200, admin=200), post=who(kemensos=OK, admin=OK)),
    "eligibility-determination-run": Row(get=who(kemensos=404, admin=404), kwargs=constant(pk=999999), scoped=False),
    "eligibility-determination-progress": Row(
        get=who(kemensos=404, admin=404), kwargs=constant(pk=999999), scoped=False
    ),
    "eligibility-distribution": Row(get=who(dinsos=200, bupati=200, provinsi=200, kemensos=200, admin=200)),
    "eligibility-explanation": Row(get=staff(IN_OUT, **NATIONAL), kwargs=household),
    "eligibility-my-household": Row(get=who(200)),  # staff hold no household: an empty page
    # ---- public aid lookup and objections (sanggah)
    "lookup": Row(get=everyone(200), post=everyone(200)),
    "lookup-captcha-new": Row(get=everyone(200), post=everyone(405)),
    "lookup-tracking": Row(get=everyone(200), post=everyone(200)),
    "captcha-image": Row(get=everyone(410), kwargs=constant(key="bukan"), scoped=False),
    "captcha-image-2x": Row(get=everyone(410), kwargs=constant(key="bukan"), scoped=False),
    "captcha-audio": Row(get=everyone(410), kwargs=constant(key="bukan"), scoped=False),
    "captcha-refresh": Row(get=everyone(404)),  # answers only to XHR
    "sanggah-mine": Row(get=who(resident=200)),
    "sanggah-new": Row(get=who(resident=302)),  # without a picked person: back to the lookup
    "sanggah-missing": Row(get=who(resident=200), post=who(resident=OK)),
    "sanggah-queue": Row(get=who(operator_desa=200, dinsos=200)),
    "sanggah-detail": Row(get=who(operator_desa=IN_OUT, dinsos=IN_OUT), kwargs=objection),
    "sanggah-move": Row(get=who(405), post=who(operator_desa=(OK, 404), dinsos=(OK, 404)), kwargs=objection_move),
    "sanggah-evidence": Row(get=staff(IN_OUT, resident=IN_OUT, **NATIONAL), kwargs=objection_evidence),
    "api-lookup-search": Row(get=everyone(401), post=everyone(401)),  # partner systems only (API key)
    # ---- data-quality audit (staff/audit/)
    "audit-upload": Row(get=who(operator_desa=200, dinsos=200, kemensos=200, admin=200)),
    "audit-job": Row(get=who(operator_desa=404, dinsos=404, kemensos=404, admin=404), kwargs=audit_job),
    "audit-rows": Row(get=who(operator_desa=404, dinsos=404, kemensos=404, admin=404), kwargs=audit_job),
    "audit-download": Row(
        get=who(operator_desa=404, dinsos=404, kemensos=404, admin=404),
        kwargs=lambda w, s: {**audit_job(w, s), "kind": "csv"},
    ),
    # ---- resident API (token or session)
    "api-token": Row(get=everyone(405), post=everyone(400)),
    "api-resident-signup": Row(get=everyone(405), post=everyone(400)),
    "api-resident-me": Row(get=who(403, anon=403, resident=200), post=who(403, anon=403, resident=405)),
    "api-resident-photos": Row(get=who(403, anon=403, resident=405), post=who(403, anon=403, resident=400)),
    "api-proposal-list": Row(
        get=who(403, anon=403, resident=200, operator_desa=200), post=who(403, anon=403, resident=OK, operator_desa=OK)
    ),
    "api-proposal-detail": Row(get=who(403, anon=403, resident=IN_OUT, operator_desa=IN_OUT), kwargs=own_proposal),
    **{
        f"api-proposal-{part}": Row(
            get=who(403, anon=403, resident=405, operator_desa=405),
            post=who(403, anon=403, resident=(OK, 404), operator_desa=(OK, 404)),
            kwargs=own_proposal,
        )
        for part in ("documents", "withdraw")
    },
    **{
        f"api-proposal-{part}": Row(
            get=who(403, anon=403, resident=405, operator_desa=405),
            post=who(403, anon=403, resident=405, operator_desa=405),
            put=who(403, anon=403, resident=(OK, 404), operator_desa=(OK, 404)),
            kwargs=own_proposal,
        )
        for part in ("household", "members", "conditions", "programmes")
    },
    "api-proposal-submit": Row(  # a resident's own proposal: the operator may not submit it
        get=who(403, anon=403, resident=405, operator_desa=405),
        post=who(403, anon=403, resident=(OK, 404), operator_desa=(403, 404)),
        kwargs=own_proposal,
    ),
    "api-proposal-timeline": Row(get=staff(IN_OUT, anon=403, resident=IN_OUT, **NATIONAL), kwargs=own_proposal),
    "api-household-list": Row(get=staff(200, anon=403), post=staff(405, anon=403)),
    "api-household-detail": Row(get=staff(IN_OUT, anon=403, **NATIONAL), kwargs=household),
    # ---- workflow API (staff)
    "api-workflow-proposal-list": Row(get=staff(200, anon=API_DENIED)),
    "api-workflow-proposal-detail": Row(get=staff(IN_OUT, anon=API_DENIED, **NATIONAL), kwargs=staff_tracking),
    "api-workflow-proposal-return": Row(
        get=staff(405, anon=API_DENIED),
        post=staff(REFUSED, resident=403, anon=API_DENIED, operator_desa=(OK, 404), dinsos=(OK, 404)),
        kwargs=staff_tracking,
    ),
    "api-workflow-field-visit": Row(
        get=staff(405, anon=API_DENIED),
        post=staff(REFUSED, resident=403, anon=API_DENIED, dinsos=(OK, 404)),
        kwargs=staff_tracking,
    ),
    "api-workflow-assign": Row(
        get=staff(405, anon=API_DENIED),
        post=staff(REFUSED, resident=403, anon=API_DENIED, dinsos=(OK, 404)),
        kwargs=staff_tracking,
    ),
    "api-workflow-musdes-list": Row(
        get=staff(200, anon=API_DENIED), post=staff(REFUSED, resident=403, anon=API_DENIED, operator_desa=OK)
    ),
    "api-workflow-musdes-detail": Row(get=staff(IN_OUT, anon=API_DENIED, **NATIONAL), kwargs=deliberation),
    **{
        f"api-workflow-musdes-{part}": Row(
            get=staff(405, anon=API_DENIED),
            post=staff(REFUSED, resident=403, anon=API_DENIED, operator_desa=(OK, 404)),
            kwargs=deliberation,
        )
        for part in ("attendees", "pull", "outcomes", "close", "sign")
    },
    "api-workflow-musdes-minutes": Row(get=staff(404, anon=API_DENIED), kwargs=deliberation),
    "api-workflow-batch-list": Row(get=staff(200, anon=API_DENIED)),
    "api-workflow-regency-approval": Row(
        get=staff(405, anon=API_DENIED), post=staff(REFUSED, resident=403, anon=API_DENIED, bupati=OK)
    ),
    "api-workflow-province-forwarding": Row(
        get=staff(405, anon=API_DENIED), post=staff(REFUSED, resident=403, anon=API_DENIED, provinsi=OK)
    ),
    "api-workflow-determination": Row(
        get=staff(405, anon=API_DENIED), post=staff(REFUSED, resident=403, anon=API_DENIED, kemensos=OK)
    ),
}


def table_rows_missing(names: set[str]) -> list[str]:
    return sorted(names - ROUTES.keys())


# --------------------------------------------------------------------------- walking


def walk_patterns(resolver=None, prefix="", namespace=None):
    """(url name, route text, pattern) for every leaf pattern under the root resolver."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            yield from walk_patterns(pattern, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern), pattern


def answer(response, login_url: str) -> Spec:
    if response.status_code in (301, 302) and response["Location"].split("?")[0].endswith(resolve_url(login_url)):
        return LOGIN
    return response.status_code


def matches(spec: Spec, got: Spec) -> bool:
    if spec == REFUSED:
        return got in (400, 403, 404)
    if spec == OK:
        return got not in (LOGIN, 401, 403, 404, 405) and not (isinstance(got, int) and got >= 500)
    return spec == got


def request(client: Client, method: str, url: str, *, regional: bool = False) -> Spec:
    try:
        if method == "get":
            response = client.get(url)
            if regional and response.status_code == 200 and not response.streaming:
                # Lists and pages of a regional user never show another region's objects.
                assert OUT_MARKER.encode() not in response.content, f"out-of-scope data on {url}"
            return answer(response, settings.LOGIN_URL)
        cookies = copy.deepcopy(client.cookies)  # a POST to logout must not log the next requests out
        with transaction.atomic():
            extra = {"content_type": "application/json"} if method == "put" else {}
            response = getattr(client, method)(url, {}, **extra)  # an empty body
            transaction.set_rollback(True)
        client.cookies = cookies
        return answer(response, settings.LOGIN_URL)
    except AssertionError as exc:
        return f"leak:{exc}"
    except Exception as exc:  # noqa: BLE001 - a crash is recorded as a failed answer
        return f"crash:{type(exc).__name__}"


@pytest.fixture
def world(personas):
    return build_world(personas)


@pytest.fixture
def every_log_record(caplog):
    """DEBUG from every logger, including those that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    attached = []
    for logger in [logging.getLogger(n) for n in list(logging.root.manager.loggerDict)]:
        if isinstance(logger, logging.Logger) and not logger.propagate:
            logger.addHandler(caplog.handler)
            attached.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
    yield caplog
    for logger, level in attached:
        logger.removeHandler(caplog.handler)
        logger.setLevel(level)


def clients(world: World) -> dict[str, Client]:
    # One address each: throttles and lockouts count per client address, as in production.
    out = {"anonymous": Client(REMOTE_ADDR="10.0.0.1")}
    for i, (principal, attr) in enumerate(PERSONA.items(), start=2):
        out[principal] = login(Client(REMOTE_ADDR=f"10.0.0.{i}"), getattr(world.personas, attr))
    return out


def test_every_route_answers_every_role_as_the_table_says(world, every_log_record):
    routes = [(name, route, p) for name, route, p in walk_patterns() if not route.startswith("admin/")]
    unnamed = [route for name, route, _p in routes if not name]
    assert not unnamed, f"routes without a name cannot be in the table: {unnamed}"
    show = os.environ.get("ACCESS_MATRIX_SHOW")
    missing = table_rows_missing({name for name, _r, _p in routes})
    assert show or not missing, f"routes missing from ROUTES (add a row each): {missing}"
    stale = sorted(ROUTES.keys() - {name for name, _r, _p in routes})
    assert not stale, f"rows for routes that no longer exist: {stale}"

    by_principal = clients(world)
    failures, observed, checks = [], {}, 0
    for name, _route, _p in routes:
        row = ROUTES.get(name) or Row(get=everyone(OK), post=everyone(OK), kwargs=_guess_kwargs(name))
        sides = ("in", "out") if row.kwargs and row.scoped else ("in",)
        for method in ("get", "post", "put"):
            table = getattr(row, method)
            if table is None:
                continue
            for side in sides:
                kwargs = row.kwargs(world, side) if row.kwargs else {}
                url = reverse(name, kwargs=kwargs)
                for principal in PRINCIPALS:
                    got = request(by_principal[principal], method, url, regional=principal in REGIONAL)
                    observed.setdefault((name, method, principal), []).append(got)
                    spec = table[principal]
                    expected = spec[0 if side == "in" else 1] if isinstance(spec, tuple) else spec
                    checks += 1
                    if not matches(expected, got):
                        failures.append(
                            f"{method.upper()} {name} [{side}] as {principal}: expected {expected}, got {got}"
                        )
    # The marker check above can fail: national staff do see the marked objects in lists.
    assert OUT_MARKER.encode() in by_principal["kemensos"].get(reverse("household-list")).content
    if show:
        _print_observed(observed)
    print(f"ACCESS MATRIX: {len(routes)} routes, {len(PRINCIPALS)} principals, {checks} requests checked")
    assert not failures, "\n".join(failures)

    leaked = sorted(n for n in world.numbers() if n in every_log_record.text)
    assert not leaked, f"NIK/KK numbers in the log: {leaked}"


def _guess_kwargs(name: str):
    """For a route not yet in the table (ACCESS_MATRIX_SHOW only): arguments by name."""
    guesses = {"pk": 1, "number": "X", "tracking_number": "X", "code": "32", "job_id": "0" * 32}
    pattern = next(p for n, _r, p in walk_patterns() if n == name)
    converters = pattern.pattern.converters
    values = {k: 1 if c.regex == "[0-9]+" else guesses.get(k, "x") for k, c in converters.items()}
    values |= {k: guesses.get(k, "x") for k in pattern.pattern.regex.groupindex if k not in values}
    return (lambda w, s: values) if values else None


def _print_observed(observed) -> None:
    print()
    for (name, method, principal), got in sorted(observed.items()):
        print(f"{name:45} {method:4} {principal:14} {got}")


def test_admin_routes_are_for_admin_staff_only(personas):
    """Every ``admin/`` pattern: anonymous users and every non-admin role are sent to
    the admin login before any object is looked up; the admin reaches the index and
    every list and add page (200, or 403 where a model admin allows no adding)."""
    clients_by_principal = {"anonymous": Client(REMOTE_ADDR="10.0.1.1")}
    for i, (principal, attr) in enumerate(PERSONA.items(), start=2):
        clients_by_principal[principal] = login(Client(REMOTE_ADDR=f"10.0.1.{i}"), getattr(personas, attr))
    admin_login = reverse("admin:login")
    failures, checks, routes = [], 0, 0
    for name, route, pattern in walk_patterns():
        if not route.startswith("admin/") or name in ("admin:login", "admin:logout"):
            continue
        routes += 1
        keys = set(pattern.pattern.regex.groupindex) | set(getattr(pattern.pattern, "converters", {}))
        kwargs = dict.fromkeys(keys, "1")
        if "app_label" in kwargs:
            kwargs["app_label"] = "registrations"
        if "content_type_id" in kwargs:
            kwargs["content_type_id"], kwargs["object_id"] = "1", "1"
        try:
            url = reverse(name, kwargs=kwargs)
        except Exception:  # noqa: BLE001 - patterns like the catch-all take a free path
            url = "/" + route.replace("^", "").replace("$", "").split("(")[0]
        for principal, client in clients_by_principal.items():
            response = client.get(url)
            checks += 1
            if principal == "admin":
                # 403: a model admin that allows no adding (append-only logs, generated rows)
                if not keys - {"app_label"} and response.status_code not in (200, 403):
                    failures.append(f"{name} as admin: {response.status_code}")
                continue
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(admin_login):
                failures.append(f"{name} ({url}) as {principal}: {response.status_code} {location}")
    print(f"ADMIN ROUTES: {routes} routes, {len(clients_by_principal)} principals, {checks} requests checked")
    assert not failures, "\n".join(failures)
