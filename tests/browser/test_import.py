"""A township worker imports a file of people on a phone and follows its progress."""

import csv

import pytest
from django.core.management import call_command

from carepair.people import imports
from carepair.people.models import ImportJob, Person
from tests.base import PASSWORD
from tests.browser.conftest import log_in
from tests.people_base import id_for, years_ago

pytestmark = pytest.mark.browser


def test_a_background_import_shows_its_progress_and_then_its_result(
    live_server, world, phone, shot, settings, tmp_path
):
    settings.CAREPAIR_IMPORT_INLINE_ROWS = 0  # every file goes to the background worker
    settings.CAREPAIR_PERSON_KEY = "dGVzdC1rZXktZm9yLWlkZW50aXR5LW51bWJlcnMtLTM="
    path = tmp_path / "村里的老人.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header for c in imports.COLUMNS])
        for i, name in enumerate(["刘大爷", "陈奶奶", "杨爷爷"], start=1):
            row = {
                "姓名": name,
                "身份证号": id_for("511102", years_ago(80 + i), i),
                "村（社区）代码": world.village_a.code,
                "帮扶类别": "独居",
            }
            writer.writerow([row.get(c.header, "") for c in imports.COLUMNS])

    log_in(phone, live_server.url, "township_a", PASSWORD)
    phone.goto(f"{live_server.url}/people/import/")
    shot(phone, "import-start-phone")
    phone.set_input_files("input[name=file]", str(path))
    phone.click("button.primary.wide")
    phone.wait_for_selector("progress")
    assert "排队中" in phone.inner_text("#import-job")
    shot(phone, "import-queued-phone")

    # The worker's turn: the real command, as `carepair demo` runs it beside the server.
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    # The page asks for the job's status every second and reloads once it has finished.
    phone.wait_for_selector("text=下载报告", state="detached")
    phone.wait_for_selector("dl.facts >> text=新登记人数")
    shot(phone, "import-done-phone")
    assert "已导入" in phone.inner_text("#import-job")
    assert ImportJob.objects.get().state == ImportJob.State.DONE
    assert Person.objects.filter(name="陈奶奶").exists()
