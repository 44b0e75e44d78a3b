"""`carepair serve`: the application served by gunicorn, as in production and in the
redemption benchmark: pages, static files (whitenoise) and the API, on one keep-alive
connection."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_serves_pages_static_files_and_the_api_with_workers_and_threads(tmp_path):
    port = free_port()
    # A fresh SQLite database of its own: nothing here needs a table.
    env = {k: v for k, v in os.environ.items() if k not in ("CAREPAIR_DATABASE_URL",)}
    env["CAREPAIR_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "carepair.cli", "serve", "--port", str(port),
         "--workers", "2", "--threads", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        banner = server.stdout.readline()
        assert "gunicorn, 2 worker(s) x 2 thread(s)" in banner, banner
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        answers = []
        for method, path in (
            ("GET", "/static/orgs/registry.css"),
            ("GET", "/accounts/login/"),
            ("POST", "/api/v1/meals/redemptions"),
        ):
            conn.request(method, path)
            response = conn.getresponse()
            body = response.read()
            answers.append((response.status, response.getheader("Content-Type", "")))
            assert response.getheader("Connection", "").lower() != "close"
        conn.close()
        assert answers[0][0] == 200 and answers[0][1].startswith("text/css"), answers
        assert answers[1][0] == 200 and answers[1][1].startswith("text/html"), answers
        assert answers[2][0] == 401, (answers, body)  # no token: refused, not served
    finally:
        server.terminate()
        server.wait(timeout=30)
