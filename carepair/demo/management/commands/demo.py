"""`carepair demo [--port P] [--no-serve]`: set up the configured database, fill it with
the synthetic Leshan if it is empty, show the demo accounts and serve the system, with a
worker for background jobs (`carepair db_worker`, a subprocess) beside the server."""

import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from carepair.demo.accounts import DEMO_PASSWORD, demo_accounts
from carepair.demo.management.commands.demo_accounts import table
from carepair.demo.management.commands.seed_demo import _describe_database

# The accounts shown when the demo starts; `carepair demo-accounts` lists all of them.
SHOWN = (
    "city_admin",
    "city_leader",
    "shizhong_admin",
    "shizhong_leader",
    "shawan_admin",
    "liaison",
    "institution_staff",
    "county_liaison",
    "township_worker",
    "volunteer",
    "data_officer",
)


class Command(BaseCommand):
    help = (
        "Migrate the configured database, seed the synthetic Leshan into it if it is empty, "
        "print the demo accounts and serve on 127.0.0.1 (`carepair serve`, as in production; "
        "static files through whitenoise), with a background-job worker (db_worker) beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument(
            "--no-serve", action="store_true", help="set up and seed, then stop without serving"
        )
        parser.add_argument(
            "--seed", type=int, default=2021, help="random seed of the demo data (default 2021)"
        )

    def handle(self, *args, port: int, no_serve: bool, seed: int, **options):
        began = time.perf_counter()
        out = self.stdout
        out.write(f"CarePair 演示 · 数据库 {_describe_database()}")

        from carepair.lib.vault import create_key_file, key_file

        if create_key_file():
            out.write(f"  已生成身份证号加密密钥：{key_file()}（请与数据库分开备份）")
        out.write("① 正在建立或升级数据库结构（migrate）…")
        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        out.write(f"  完成（{time.perf_counter() - t0:.1f} 秒）")

        from carepair.orgs.models import Organisation

        existing = Organisation.objects.count()
        if existing:
            out.write(
                f"② 数据库已有数据（{existing:,} 个单位），不再生成演示数据。"
                "（要重新生成：carepair seed-demo --flush）"
            )
        else:
            out.write("② 数据库是空的，正在生成乐山演示数据（规模 1，约需半分钟）…")
            call_command("seed_demo", scale=1.0, seed=seed, stdout=self.stdout)

        accounts = {a["username"]: a for a in demo_accounts()}
        shown = [accounts[name] for name in SHOWN if name in accounts]
        url = f"http://127.0.0.1:{port}/"
        if shown:
            out.write("")
            out.write(f"③ 演示账号（密码均为 {DEMO_PASSWORD}；全部账号：carepair demo-accounts）：")
            out.write(table(shown))
        else:
            out.write("③ 数据库中没有演示账号（这不是演示数据生成的库）。")
        out.write("")
        out.write(self.style.SUCCESS(f"准备就绪，用时 {time.perf_counter() - began:.0f} 秒。"))
        if no_serve:
            out.write(f"启动服务：carepair demo --port {port}，然后打开 {url}")
            return
        # Background jobs (large imports) run in a worker process beside the server.
        worker = subprocess.Popen(
            [sys.executable, "-m", "carepair.cli", "db_worker", "--verbosity", "0"]
        )
        out.write(f"后台任务进程已启动（carepair db_worker，进程号 {worker.pid}）")
        out.write(self.style.SUCCESS(f"请在浏览器打开 {url}accounts/login/ （按 Ctrl+C 停止）"))
        try:
            # The server production uses: what the demo shows is what a city would run.
            call_command("serve", port=port)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
