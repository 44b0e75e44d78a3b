"""Redemption benchmark: `python -m benchmarks.redemption [--diners 3000] [--threads 8]
[--workers N] [--server-threads N]`.

For each database (SQLite, and PostgreSQL when reachable) it prepares a city with one
meal point and N diners (registered through the people import, enrolled in bulk), starts
the application as it is served (`carepair serve`: gunicorn on 127.0.0.1, with --workers
processes of --server-threads threads, or the command's defaults), and from this second
process posts lunches to POST /api/v1/meals/redemptions over loopback, from --threads
connections at once: every diner once, and one in ten a second time (which must
answer 409). It prints redemptions per second, the 409s, and checks in the database that
no diner has two subsidised meals for one slot and day. The peer, in the same run and
the same server: a bare POST endpoint returning a constant JSON (the server's ceiling).
"""

import argparse
import csv
import datetime
import http.client
import json
import os
import queue
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
PG_URL = os.environ.get("CAREPAIR_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
VILLAGE = "511102001001"


def carepair(env, *args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "carepair.cli", *args], env=env, cwd=ROOT, check=True, **kw
    )


def prepare(name: str, url: str, diners: int) -> dict | None:
    env = {
        **os.environ,
        "CAREPAIR_DATABASE_URL": url,
        "CAREPAIR_DATA_DIR": str(RESULTS / f"redemption-{name}"),
        "DJANGO_SETTINGS_MODULE": "benchmarks.redemption.settings",
    }
    Path(env["CAREPAIR_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if url.startswith("postgres"):
        base, db = url.rsplit("/", 1)
        probe = subprocess.run(
            ["psql", f"{base}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'"],
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0:
            print(f"{name}: not reachable, skipped ({probe.stderr.strip()})")
            return None
        subprocess.run(
            ["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True
        )
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    carepair(env, "migrate", "-v", "0")
    carepair(env, "keys", "create", capture_output=True)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.redemption", "--setup", "--diners", str(diners)],
        env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout  # fmt: skip
    env["BENCH_SETUP"] = out.strip().splitlines()[-1]
    return env


def setup(diners: int) -> dict:
    """Inside the database's process: a village, a point, N diners, a staff token."""
    import django

    django.setup()
    from carepair.accounts.models import ApiToken, User
    from carepair.accounts.roles import Role
    from carepair.meals.models import Diner, MealSite, SiteKind
    from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation
    from carepair.people import idnumber, imports
    from carepair.people.models import Person
    from carepair.regions.models import Level, Region
    from carepair.reports.selectors import SYSTEM

    county = Region.objects.get(code="511102000000")
    township, _ = Region.objects.get_or_create(
        code="511102001000",
        defaults={"name": "凌云街道", "level": Level.TOWNSHIP, "parent": county},
    )
    village, _ = Region.objects.get_or_create(
        code=VILLAGE, defaults={"name": "凌云社区", "level": Level.VILLAGE, "parent": township}
    )
    home = Organisation.objects.create(
        name="凌云敬老院", kind=Kind.INSTITUTION, region=village,
        institution_type=InstitutionType.RURAL_HOME, operator=Operator.PUBLIC,
    )  # fmt: skip
    site = MealSite.objects.create(
        name="凌云社区助餐点", kind=SiteKind.POINT, region=village, operator=home
    )
    staff = User.objects.create_user(
        "bench_staff", password=None, role=Role.INSTITUTION_STAFF, organisation=home
    )
    rng = random.Random(2021)
    today = datetime.date.today()
    path = RESULTS / f"redemption-diners-{diners}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header for c in imports.COLUMNS])
        used = set()
        for i in range(diners):
            while True:
                born = today - datetime.timedelta(days=rng.randint(61 * 365, 95 * 365))
                first17 = f"511102{born:%Y%m%d}{rng.randint(0, 999):03d}"
                if first17 not in used:
                    used.add(first17)
                    break
            row = {"姓名": f"老人{i}", "身份证号": first17 + idnumber.check_character(first17),
                   "村（社区）代码": VILLAGE}  # fmt: skip
            writer.writerow([row.get(c.header, "") for c in imports.COLUMNS])
    outcome = imports.import_people(actor=SYSTEM, data=path.read_bytes(), filename=path.name)
    assert outcome.created == diners, outcome.counts()
    Diner.objects.bulk_create(
        Diner(person_id=pk, card_no=f"LS{pk:010d}", qr_token=f"{pk:032x}", enrolled_at=site)
        for pk in Person.objects.values_list("pk", flat=True)
    )
    return {"site": site.pk, "token": ApiToken.issue(staff), "cards": diners}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hammer(port: int, path: str, bodies: list[dict], token: str, threads: int) -> dict:
    """POST every body from `threads` keep-alive connections; the statuses and the time."""
    work: queue.Queue = queue.Queue()
    for body in bodies:
        work.put(json.dumps(body).encode())
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: dict[int, int] = {}
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                break
            for attempt in range(3):
                try:
                    conn.request("POST", path, body, headers)
                    response = conn.getresponse()
                    response.read()
                    mine[response.status] = mine.get(response.status, 0) + 1
                    if response.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    break
                except (ConnectionError, http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    if attempt == 2:
                        mine[0] = mine.get(0, 0) + 1
        conn.close()
        with lock:
            for k, v in mine.items():
                statuses[k] = statuses.get(k, 0) + v

    started = time.perf_counter()
    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {"seconds": time.perf_counter() - started, "statuses": statuses, "requests": len(bodies)}


def run_against(name: str, env: dict, threads: int, serve_args: list[str]) -> dict:
    info = json.loads(env["BENCH_SETUP"])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "carepair.cli", "serve", "--port", str(port), *serve_args],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    banner = server.stdout.readline().strip()
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cards = [f"LS{pk:010d}" for pk in range(1, info["cards"] + 1)]
        rng = random.Random(7)
        again = rng.sample(cards, len(cards) // 10)
        bodies = [{"site_id": info["site"], "slot": "lunch", "card_no": c} for c in cards]
        repeats = [{"site_id": info["site"], "slot": "lunch", "card_no": c} for c in again]
        # Warm the server (imports, connections) on a slot nobody else claims.
        hammer(port, "/api/v1/meals/redemptions",
               [{"site_id": info["site"], "slot": "dinner", "card_no": c} for c in cards[:50]],
               info["token"], threads)  # fmt: skip
        peer = hammer(port, "/bench/constant/", bodies, info["token"], threads)
        ours = hammer(port, "/api/v1/meals/redemptions", bodies, info["token"], threads)
        second = hammer(port, "/api/v1/meals/redemptions", repeats, info["token"], threads)
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = subprocess.run(
        [sys.executable, "-m", "benchmarks.redemption", "--check"],
        env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout  # fmt: skip
    return {
        "server": banner,
        "peer": peer,
        "ours": ours,
        "second": second,
        "check": json.loads(check.splitlines()[-1]),
    }


def check() -> dict:
    import django

    django.setup()
    from django.db.models import Count

    from carepair.meals.models import Meal

    doubled = (
        Meal.objects.values("diner_id", "served_on", "slot")
        .annotate(n=Count("pk"))
        .filter(
            n__gt=1,
        )
        .count()
    )
    return {
        "lunches": Meal.objects.filter(slot="lunch").count(),
        "subsidised_twice": doubled,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diners", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8, help="client connections at once")
    parser.add_argument("--workers", type=int, help="the server's worker processes")
    parser.add_argument("--server-threads", type=int, help="the server's threads per worker")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup(args.diners)))
        return 0
    if args.check:
        print(json.dumps(check()))
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    serve_args = []
    if args.workers:
        serve_args += ["--workers", str(args.workers)]
    if args.server_threads:
        serve_args += ["--threads", str(args.server_threads)]
    targets = {
        "sqlite": f"sqlite:///{RESULTS / 'bench-redemption.sqlite3'}",
        "postgresql": f"{PG_URL}/carepair_bench_redemption",
    }
    print(f"redemption benchmark: {args.diners:,} diners, {args.threads} connections at once")
    print(f"{'database':<11} {'what':<22} {'requests':>8} {'seconds':>7} {'per s':>7}  statuses")
    for name, url in targets.items():
        if args.only and name != args.only:
            continue
        env = prepare(name, url, args.diners)
        if env is None:
            continue
        result = run_against(name, env, args.threads, serve_args)
        print(f"{name:<11} server: {result['server']}")
        for what, key in (("bare endpoint (peer)", "peer"), ("POST redemptions", "ours"),
                          ("the same again (409)", "second")):  # fmt: skip
            r = result[key]
            rate = r["requests"] / r["seconds"]
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
            print(
                f"{name:<11} {what:<22} {r['requests']:>8,} {r['seconds']:>7.1f} {rate:>7.0f}  "
                + statuses
            )
        ratio = (result["ours"]["requests"] / result["ours"]["seconds"]) / (
            result["peer"]["requests"] / result["peer"]["seconds"]
        )
        c = result["check"]
        print(
            f"{'':<11} (ours at {ratio:.0%} of the bare endpoint's rate; "
            f"{c['lunches']:,} lunches written, diners subsidised twice: {c['subsidised_twice']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
