"""A data officer compares two department lists; the finding reaches the township of the
person's village, which checks it at the door and settles it on a phone."""

import datetime

import pytest
from django.core.management import call_command

from carepair.accounts.roles import Role
from carepair.matching.models import Finding
from carepair.people.models import Category
from carepair.people.services import CategoryLine, person_register
from tests.base import PASSWORD, TODAY, make_user
from tests.browser.conftest import log_in
from tests.people_base import id_for, years_ago

pytestmark = pytest.mark.browser


def upload(page, base_url, path, kind_label, shot=None, name=""):
    page.goto(f"{base_url}/matching/")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=kind]", label=kind_label)
    page.click("form[enctype] button.primary.wide")
    page.wait_for_selector("text=对应列")
    if shot:
        shot(page, name)
    page.click("button.primary.wide")
    page.wait_for_selector("h1 >> text=大数据比对")


def test_a_data_officer_compares_two_lists_and_the_township_settles_the_finding(
    live_server, world, desktop, phone, shot, settings, tmp_path
):
    settings.CAREPAIR_PERSON_KEY = "dGVzdC1rZXktZm9yLWlkZW50aXR5LW51bWJlcnMtLTM="
    make_user("officer_a", Role.DATA_OFFICER, region=world.county_a)
    number = id_for("511102", years_ago(78), 7, male=False)
    person_register(
        actor=world.township_worker,
        name="刘桂芳",
        id_number=number,
        region=world.village_a,
        categories=[CategoryLine(Category.DIBAO, TODAY() - datetime.timedelta(days=500))],
    )
    died = (TODAY() - datetime.timedelta(days=120)).isoformat()
    paid = TODAY().replace(day=1).isoformat()
    deaths = tmp_path / "死亡人员名单.csv"
    deaths.write_text(
        f"序号,姓名,身份证号,死亡日期,住址\n1,刘桂芳,{number},{died},凌云社区\n"
        f"2,张三,{id_for('511111', years_ago(88), 9)},{died},葫芦村\n",
        encoding="gbk",
    )
    roll = tmp_path / "低保发放名单.csv"
    roll.write_text(
        "姓名,身份证号,发放起始月,村（社区）代码,家庭住址\n"
        f"刘桂芳,{number},{paid},{world.village_a.code},凌云社区\n"
        f"王大山,{id_for('511102', years_ago(70), 8)},{paid},{world.village_a.code},凌云社区\n",
        encoding="utf-8-sig",
    )

    log_in(desktop, live_server.url, "officer_a", PASSWORD)
    upload(desktop, live_server.url, deaths, "死亡人员名单", shot, "comparison-columns")
    upload(desktop, live_server.url, roll, "低保、特困发放名单")
    desktop.select_option("select[name=scenario]", label="死亡仍领取")
    for name in ("死亡人员名单", "低保发放名单"):
        desktop.check(f"label.check:has-text('{name}') input")
    shot(desktop, "comparison-start")
    desktop.click("form[action$='/runs/'] button.primary.wide")
    desktop.wait_for_selector("text=比对在后台运行")
    assert desktop.is_visible("#comparison-run progress")

    # The worker's turn, as `carepair demo` runs it beside the server.
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    # The page follows the run and shows the result without a reload.
    desktop.wait_for_selector("text=派送到")
    shot(desktop, "comparison-run-done")
    assert "凌云社区" in desktop.inner_text("main")

    log_in(phone, live_server.url, "township_a", PASSWORD)
    phone.click("nav >> text=比对发现")
    phone.click("text=刘桂芳")
    assert "510" not in phone.inner_text("h1 small")[6:14]  # the number is masked
    shot(phone, "finding-phone")
    phone.check("input[name=status][value=confirmed]")
    phone.select_option("select[name=action]", value="benefit_stopped")
    phone.fill("textarea[name=note]", "入户核实，本人已于今年去世")
    phone.click("button.primary.wide")
    phone.wait_for_load_state("networkidle")
    shot(phone, "finding-after-save")
    phone.wait_for_selector("dl.facts >> text=已停发待遇")
    shot(phone, "finding-settled-phone")
    finding = Finding.objects.get()
    assert (finding.status, finding.action) == ("confirmed", "benefit_stopped")
