"""Dashboard benchmark: `python -m benchmarks.dashboard [--scale 10] [--requests 60]`.

For each database (SQLite, and PostgreSQL when reachable) it seeds the synthetic Leshan
at the given scale once (kept under benchmarks/results/ and in database
`carepair_bench_s<scale>` for reuse), then in a fresh process times, as a city
administrator:
  - `programme_summary()` for the whole city, called directly;
  - GET /dashboard/ (the city) and /dashboard/?region=511102000000 (one county) through
    the full middleware stack (Django's test client), computed afresh ("cold": the
    figures cache switched off);
  - GET /dashboard/ as served between two writes ("cached": the figures come from the
    cache, which every write makes stale);
  - GET of a bare view returning a constant JSON through the same stack (the peer).
It prints p50 and p95 for each and the ratio of the dashboard to the bare view.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
PG_URL = os.environ.get("CAREPAIR_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def carepair(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "carepair.cli", *args], env=env, check=True, cwd=ROOT)


def prepare(name: str, url: str, scale: int) -> dict | None:
    env = {**os.environ, "CAREPAIR_DATABASE_URL": url, "CAREPAIR_DATA_DIR": str(RESULTS)}
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
        if probe.stdout.strip() != "1":
            subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    marker = RESULTS / f"seeded-{name}-s{scale}"
    # A database kept from an earlier run gets the migrations added since.
    carepair(env, "migrate", "-v", "0")
    if not marker.exists():
        print(f"{name}: seeding at scale {scale} (once; kept for later runs)")
        started = time.perf_counter()
        carepair(env, "seed-demo", "--scale", str(scale), "--flush")
        print(f"{name}: seeded in {time.perf_counter() - started:.0f} s")
        marker.touch()
    return env


def measure(requests: int) -> dict:
    """Runs inside the benchmark's child process, against CAREPAIR_DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carepair.settings")
    import django
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "benchmarks.dashboard.urls"
    django.setup()
    from django.test import Client

    from carepair.accounts.models import User
    from carepair.accounts.roles import Role
    from carepair.reports.selectors import programme_summary

    admin = User.objects.filter(role=Role.CITY_ADMIN, is_active=True).first()
    client = Client()
    client.force_login(admin)

    def timed(call) -> list[float]:
        call()  # warm caches and connections
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    from django.test import override_settings

    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    figures = {"summary()": timed(lambda: programme_summary(user=User.objects.get(pk=admin.pk)))}
    with override_settings(CACHES=dummy):
        figures["GET /dashboard/ cold"] = timed(get("/dashboard/"))
        figures["GET county cold"] = timed(get("/dashboard/?region=511102000000"))
    figures["GET /dashboard/ cached"] = timed(get("/dashboard/"))
    figures["GET bare JSON view"] = timed(get("/bench/constant/"))
    summary = programme_summary(user=admin)
    return {
        "figures": {
            k: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95)} for k, v in figures.items()
        },
        "activities": summary["activities"] + summary["research_visits"],
        "problems": summary["problems_raised"],
        "people": summary["people_registered"],
        "household_visits": summary["household_visits"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    targets = {
        "sqlite": f"sqlite:///{RESULTS / f'bench-s{args.scale}.sqlite3'}",
        "postgresql": f"{PG_URL}/carepair_bench_s{args.scale}",
    }
    rows = []
    for name, url in targets.items():
        if args.only and name != args.only:
            continue
        env = prepare(name, url, args.scale)
        if env is None:
            continue
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.dashboard",
                "--child",
                "--requests",
                str(args.requests),
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        rows.append((name, result))

    print()
    print(
        f"dashboard benchmark, scale {args.scale}, {args.requests} timed calls each (milliseconds)"
    )
    print(f"{'database':<11} {'what':<24} {'p50':>8} {'p95':>8} {'p95 / bare':>11}")
    for name, result in rows:
        bare = result["figures"]["GET bare JSON view"]["p95"]
        for what, f in result["figures"].items():
            print(
                f"{name:<11} {what:<20} {f['p50']:>8.1f} {f['p95']:>8.1f} {f['p95'] / bare:>10.1f}x"
            )
        print(
            f"{'':<11} ({result['activities']:,} activities and visits, "
            f"{result['problems']:,} problems, {result['people']:,} people on the registry, "
            f"{result['household_visits']:,} household visits)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
