"""Benchmark: the public lookup (cek bansos) under 16 concurrent clients, beside the floor.

    .venv/bin/python bench/lookup.py [--scale N] [--duration S] [--rounds R] [--workers W] [--cache-url URL]
                                        [--regenerate]

Builds ``1,000,000 × N`` people (registered households of about 3.6 members, realistic
Indonesian names with titles and spelling variants) in villages of Jawa Barat, about
2,500 people per village, in the database ``dtsen_bench_lookup`` (created and migrated
when missing; COPY; kept between runs while the size matches), indexes them with the
portal's own ``lookup_rebuild_all`` (timed), then starts gunicorn with ``DEBUG=0``
(sync workers, ``2 × cores + 1`` by default, the same server for both targets; throwaway
``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, ``LOOKUP_BENCH=1``: captcha test mode and the
floor view; the rate limits stay on and count every search, with rates too high to trip,
as all clients share one address and names repeat; their cache is the workers' own memory
unless ``--cache-url`` names a shared one, e.g. ``redis://127.0.0.1:6379/7``) and drives,
with ``wrk`` (16 connections, a
separate process), first the lookup — POST ``/cek-bansos/`` as the page's htmx form
sends it, each request a different real (village, name) pair with ``captcha=PASSED`` —
then the floor: GET ``/cek-bansos/lantai/<code>/``, one primary-key query — in alternating
rounds (``--rounds``, default 4), so load from other work on a shared machine falls on both
alike. Prints requests per second of both over all rounds and the median of the rounds'
p50/p95/p99, and ends with
``RESULT people=N clients=16 lookup_rps=X floor_rps=Y ratio=Z p50_ms=A p95_ms=B p99_ms=C``
(the latencies are the lookup's).
"""

from __future__ import annotations

import argparse
import datetime
import http.cookiejar
import io
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # also when imported as ``bench.lookup`` (a test)

import _db  # noqa: E402
import _synth  # noqa: E402

DB_URL = _db.bench_url("dtsen_bench_lookup")
FULL = 1_000_000
PEOPLE_PER_VILLAGE = 2_500
SEED = 20267
CLIENTS = 16
SIZES = {1: 6, 2: 14, 3: 21, 4: 25, 5: 17, 6: 10, 7: 5, 8: 2}
BENCH_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-lookup-throwaway-secret-key-not-for-production",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "LOOKUP_BENCH": "1",
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "600",
    "LOOKUP_RATE_PER_IP": "1000000/m",
    "LOOKUP_RATE_PER_NAME": "1000000/h",
}


# --- data ----------------------------------------------------------------------------------------


def _name(rng: random.Random, sex: str) -> str:
    s = _synth  # Faker's Indonesian name lists, titles, degrees, spelling variants
    if sex == "L":
        words = [rng.choice(s.MALE_FIRST), rng.choice(s.MALE_LAST)]
        if rng.random() < 0.25:
            words.insert(0, rng.choice(s.MALE_PREFIX))
    else:
        words = [rng.choice(s.FEMALE_FIRST), rng.choice(s.FEMALE_LAST)]
        if rng.random() < 0.25:
            words.insert(0, rng.choice(s.FEMALE_PREFIX))
    name = " ".join(words).upper()
    for plain, variants in s.VARIANTS.items():
        if plain in name.split() and rng.random() < 0.3:
            name = name.replace(plain, rng.choice(variants), 1)
    if rng.random() < 0.05:
        name = f"{rng.choice(s.TITLES_MALE if sex == 'L' else s.TITLES_FEMALE)} {name}"
    if rng.random() < 0.04:
        name = f"{name}, {rng.choice(s.DEGREES)}"
    return name


def generate(n_people: int) -> None:
    """Households and members of ``n_people`` people, written with COPY."""
    from django.db import connection

    from registrations.models import Household, Member, Region

    rng = random.Random(SEED)
    all_villages = list(
        Region.objects.filter(level=4, code__startswith="32.").order_by("code").values_list("code", flat=True)
    )
    villages = rng.sample(all_villages, min(len(all_villages), max(1, n_people // PEOPLE_PER_VILLAGE)))
    h_cols = [
        "id", "kk_number", "village_id", "address", "rt", "rw", "registered_at", "created_at", "updated_at",
        *Household.INDICATOR_FIELDS, "floor_area_m2", "monthly_income", *Household.ASSET_FIELDS,
    ]  # fmt: skip
    m_cols = [
        "household_id", "nik", "full_name", "birth_place", "birth_date", "sex", "relation", "marital_status",
        "occupation", "education", "disability", "pregnant",
    ]  # fmt: skip
    stamp = "2025-06-01 08:00:00+07"
    falses = ["f"] * (len(Household.INDICATOR_FIELDS) + len(Household.ASSET_FIELDS))
    started = time.monotonic()
    people = household = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        h_buf, m_buf = io.StringIO(), io.StringIO()
        while people < n_people:
            household += 1
            size = min(rng.choices(list(SIZES), weights=list(SIZES.values()))[0], n_people - people)
            village = villages[household % len(villages)]
            fields = [str(household), f"{household:016d}", village, f"JL. BENCH NO. {household % 200}", "001", "002"]
            fields += [stamp, stamp, stamp, *falses[: len(Household.INDICATOR_FIELDS)], "36.0", "1500000"]
            fields += falses[: len(Household.ASSET_FIELDS)]
            h_buf.write("\t".join(fields) + "\n")
            for j in range(size):
                people += 1
                sex = "L" if j == 0 else ("P" if j == 1 else rng.choice("LP"))
                relation = "kepala" if j == 0 else ("pasangan" if j == 1 else "anak")
                birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 25000))
                m_buf.write(
                    f"{household}\t{people:016d}\t{_name(rng, sex)}\tBANDUNG\t{birth.isoformat()}\t{sex}\t{relation}\t"
                    f"{'kawin' if j < 2 else 'belum_kawin'}\tpetani\t\ttidak\tf\n"
                )
            if household % 50_000 == 0 or people >= n_people:
                h_buf.seek(0)
                m_buf.seek(0)
                raw.copy_expert(f"COPY {Household._meta.db_table} ({', '.join(h_cols)}) FROM STDIN", h_buf)
                raw.copy_expert(f"COPY {Member._meta.db_table} ({', '.join(m_cols)}) FROM STDIN", m_buf)
                h_buf, m_buf = io.StringIO(), io.StringIO()
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{Household._meta.db_table}', 'id'), %s)", [household])
    print(f"generated {people:,} people in {household:,} households, {len(villages)} villages, "
          f"in {time.monotonic() - started:.1f} s")  # fmt: skip


def prepare_data(n_people: int, regenerate: bool) -> None:
    from django.db import connection

    from lookup.indexing import lookup_rebuild_all
    from lookup.models import LookupEntry
    from registrations.models import Member, Region
    from registrations.services.regions import regions_load

    if not Region.objects.filter(level=4, code__startswith="32.").exists():
        regions_load(prefixes=["32"])
    if Member.objects.count() != n_people or regenerate:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE lookup_lookupentry, eligibility_recipientresult, eligibility_householdscore, "
                "registrations_member, registrations_household RESTART IDENTITY CASCADE"
            )
        generate(n_people)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registrations_household")
            cursor.execute("VACUUM ANALYZE registrations_member")
    else:
        print(f"reusing {n_people:,} people")
    if LookupEntry.objects.count() != n_people:
        started = time.monotonic()
        count = lookup_rebuild_all()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE lookup_lookupentry")
        print(f"lookup index: {count:,} entries by lookup_rebuild_all in {time.monotonic() - started:.1f} s")


def query_pairs(limit: int = 2000) -> list[tuple[str, str]]:
    """Real (village, name as typed) pairs: the names as on the KTP, in lower case."""
    from registrations.models import Member

    rng = random.Random(SEED + 1)
    last = Member.objects.order_by("-id").values_list("id", flat=True).first()
    ids = rng.sample(range(1, last + 1), min(limit, last))
    rows = Member.objects.filter(id__in=ids).values_list("household__village_id", "full_name")
    return [(village, name.lower()) for village, name in rows]


def explain_lookup(village: str, name: str) -> str:
    """The plan of the lookup's own statement, to show it is an index range scan."""
    from django.db import connection

    from lookup.selectors import name_key_or_none, search_sql

    sql, params = search_sql(village_code=village, name_key=name_key_or_none(name))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- server and load -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, cache_url: str = "") -> subprocess.Popen:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": DB_URL, "CACHE_URL": cache_url}
    env.pop("REDIS_URL", None)
    command = [
        str(ROOT / ".venv/bin/gunicorn"), "dtsen_portal.wsgi", "-b", f"127.0.0.1:{port}",
        "-w", str(workers), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def csrf(port: int) -> tuple[str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"http://127.0.0.1:{port}/cek-bansos/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return token, cookie


def check_answer(port: int, token: str, cookie: str, village: str, name: str) -> None:
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "village": village, "name": name, "captcha_0": "x", "captcha_1": "PASSED"}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/cek-bansos/",
        data=body,
        headers={"Cookie": f"csrftoken={cookie}", "HX-Request": "true"},
    )
    html = urllib.request.urlopen(request).read().decode()  # noqa: S310 - our own http://127.0.0.1
    if "data-person" not in html:
        raise SystemExit(f"lookup of {name!r} in {village} found nobody: the bench would measure the wrong thing")


LUA_COMMON = """
done = function(summary, latency, requests)
  io.write(string.format("STATS %d %d %d %f %f %f %f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


def lookup_script(pairs, token: str, cookie: str) -> str:
    bodies = []
    for village, name in pairs:
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "village": village, "name": name, "captcha_0": "x", "captcha_1": "PASSED"}
        )
        bodies.append('"' + body.replace('"', '\\"') + '"')
    return (
        "bodies = {" + ",\n".join(bodies) + "}\n"
        "counter = 0\n"
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = "csrftoken={cookie}"\n'
        'wrk.headers["HX-Request"] = "true"\n'
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("POST", "/cek-bansos/", nil, bodies[(counter % #bodies) + 1])\n'
        "end\n" + LUA_COMMON
    )


def floor_script(codes) -> str:
    paths = ",".join(f'"/cek-bansos/lantai/{c}/"' for c in codes)
    return (
        "paths = {" + paths + "}\ncounter = 0\n"
        "request = function()\n  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1])\nend\n' + LUA_COMMON
    )


def drive(port: int, script: str, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        command = ["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{duration}s", "-s", path, f"http://127.0.0.1:{port}"]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    requests, bad_status, socket_errors, seconds, p50, p95, p99 = re.search(r"STATS (.*)", out).group(1).split()
    return {
        "requests": int(requests),
        "bad_status": int(bad_status),
        "socket_errors": int(socket_errors),
        "seconds": float(seconds),
        "rps": int(requests) / float(seconds),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
    }


def combine(rounds: list[dict]) -> dict:
    """Rounds of one target: requests per second over all of them, latency percentiles
    as the median of the rounds'."""
    total = {k: sum(r[k] for r in rounds) for k in ("requests", "bad_status", "socket_errors", "seconds")}
    total["rps"] = total["requests"] / total["seconds"]
    for k in ("p50", "p95", "p99"):
        total[k] = statistics.median(r[k] for r in rounds)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="people = 1,000,000 × scale")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per target")
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the two targets (shared machines)")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn sync workers (2 × cores + 1)"
    )
    parser.add_argument("--cache-url", default="", help="shared cache of the rate limits (default: per worker)")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    n_people = max(1000, int(FULL * args.scale))
    _db.ensure_database(DB_URL)
    _db.setup_django(DB_URL)
    prepare_data(n_people, args.regenerate)
    pairs = query_pairs()
    print("plan of one lookup query:")
    print("  " + explain_lookup(*pairs[0]).replace("\n", "\n  "))
    codes = sorted({village for village, _name in pairs})
    from django.db import connections

    connections.close_all()

    # DEBUG=0 serves static files from the collected manifest, as in production.
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": DB_URL}
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    port = free_port()
    server = start_server(port, args.workers, args.cache_url)
    print(f"gunicorn: {args.workers} sync workers; rate-limit cache: {args.cache_url or 'per worker (locmem)'}")
    try:
        token, cookie = csrf(port)
        check_answer(port, token, cookie, *pairs[0])
        drive(port, lookup_script(pairs[:200], token, cookie), 3)  # warm-up: connections, caches
        drive(port, floor_script(codes), 3)
        scripts = {"lookup": lookup_script(pairs, token, cookie), "floor": floor_script(codes)}
        rounds = {"lookup": [], "floor": []}
        seconds = max(2, args.duration // args.rounds)
        for i in range(args.rounds):  # alternating, so load from elsewhere falls on both alike
            for label in ("lookup", "floor") if i % 2 == 0 else ("floor", "lookup"):
                rounds[label].append(drive(port, scripts[label], seconds))
    finally:
        stop_server(server)
    lookup, floor = combine(rounds["lookup"]), combine(rounds["floor"])
    for label, r in (("lookup", lookup), ("floor", floor)):
        per_round = ", ".join(f"{x['rps']:.0f}" for x in rounds[label])
        print(
            f"{label:>6}: {r['rps']:8.1f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms"
            f"  ({r['requests']} requests, {r['bad_status']} non-2xx, {r['socket_errors']} socket errors;"
            f" req/s by round {per_round})"
        )
    if lookup["bad_status"] or floor["bad_status"]:
        raise SystemExit("some answers were errors: figures are not valid")
    ratio = lookup["rps"] / floor["rps"]
    print(
        f"RESULT people={n_people} clients={CLIENTS} lookup_rps={lookup['rps']:.1f} floor_rps={floor['rps']:.1f} "
        f"ratio={ratio:.2f} p50_ms={lookup['p50']:.1f} p95_ms={lookup['p95']:.1f} p99_ms={lookup['p99']:.1f}"
    )


if __name__ == "__main__":
    main()
