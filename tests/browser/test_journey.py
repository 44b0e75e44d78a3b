"""DESIGN.md §2, journey 1, in headless Chromium on phones: a liaison records a visit with
donated goods and a leaking roof, takes the problem up and fixes it; the home confirms
the goods and the fix; the dashboard then counts the visit, the goods and the solved
problem. Screenshots of every step are kept as test artefacts."""

import datetime
import io

import pytest
from PIL import Image

from carepair.ledger.models import Activity
from carepair.problems.models import Problem, Status
from tests.base import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def png(colour=(30, 120, 200)) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return {"name": "photo.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def figure(page, key: str) -> str:
    return page.locator(f".figure[data-key={key}] .value").inner_text().strip()


def test_a_visit_a_problem_and_its_fix_reach_the_dashboard(
    live_server, world, browser, phone, shot
):
    url = live_server.url

    # Before: the city dashboard counts nothing yet.
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    board = admin.new_page()
    log_in(board, url, "city_admin", PASSWORD)
    board.goto(f"{url}/dashboard/")
    assert figure(board, "research_visits") == "0"
    assert figure(board, "problems_solved") == "0"

    # The liaison records the visit, on a phone, with two kinds of goods and a photo.
    log_in(phone, url, "liaison", PASSWORD)
    phone.goto(f"{url}/ledger/new/")
    phone.select_option("select[name=kind]", "research_visit")
    phone.select_option("select[name=category]", "donation")
    phone.fill("input[name=title]", "重阳节走访慰问凌云敬老院")
    phone.select_option("select[name=institution]", str(world.home_a.pk))
    phone.fill("input[name=participants]", "6")
    phone.fill("input[name=beneficiaries]", "42")
    phone.fill("input[name=materials-0-item]", "大米")
    phone.fill("input[name=materials-0-quantity]", "20")
    phone.fill("input[name=materials-0-unit]", "袋")
    phone.fill("input[name=materials-0-value_yuan]", "1200.50")
    phone.click("#add-material")
    phone.fill("input[name=materials-1-item]", "棉被")
    phone.fill("input[name=materials-1-quantity]", "42")
    phone.fill("input[name=materials-1-unit]", "床")
    phone.fill("input[name=materials-1-value_yuan]", "6300")
    phone.set_input_files("input[name=photos]", png())
    shot(phone, "journey-01-record-visit")
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    activity = Activity.objects.get(title="重阳节走访慰问凌云敬老院")
    assert phone.url.endswith(f"/ledger/{activity.pk}/")
    assert activity.materials.count() == 2
    assert sum(m.value_fen for m in activity.materials.all()) == 750050
    shot(phone, "journey-02-visit-recorded")

    # ... and notes the leaking roof from the visit's page.
    phone.click("text=上报走访中发现的问题")
    phone.fill("input[name=title]", "卫生间屋顶漏水")
    phone.select_option("select[name=category]", "environment")
    phone.select_option("select[name=subcategory]", "waterproofing")
    due = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    phone.fill("input[name=due_on]", due)
    phone.fill("textarea[name=description]", "雨天卫生间屋顶渗水，墙面发霉。")
    shot(phone, "journey-03-raise-problem")
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    problem = Problem.objects.get(title="卫生间屋顶漏水")
    assert problem.activity_id == activity.pk
    assert problem.status == Status.RAISED

    # The liaison's department takes it up, starts, and reports the fix with a photo.
    phone.click("form.step-assign button[type=submit]")
    phone.wait_for_load_state("networkidle")
    phone.click("form.step-start button[type=submit]")
    phone.wait_for_load_state("networkidle")
    phone.fill("form.step-resolve textarea", "已请施工队重做屋面防水层。")
    phone.set_input_files("form.step-resolve input[type=file]", png((40, 160, 90)))
    shot(phone, "journey-04-report-fix")
    phone.click("form.step-resolve button[type=submit]")
    phone.wait_for_load_state("networkidle")
    problem.refresh_from_db()
    assert problem.status == Status.RESOLVED

    # The home's staff see the problem, confirm the goods, and confirm the fix.
    home = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN"
    ).new_page()
    log_in(home, url, "staff", PASSWORD)
    home.goto(f"{url}/problems/")
    assert "卫生间屋顶漏水" in home.content()
    home.goto(f"{url}/ledger/{activity.pk}/")
    home.click(f"form[action='/ledger/{activity.pk}/confirm/'] button[type=submit]")
    home.wait_for_load_state("networkidle")
    home.goto(f"{url}/problems/{problem.pk}/")
    shot(home, "journey-05-home-sees-fix")
    home.click("form.step-verify button[type=submit]")
    home.wait_for_load_state("networkidle")
    shot(home, "journey-06-fix-verified")
    problem.refresh_from_db()
    activity.refresh_from_db()
    assert problem.status == Status.VERIFIED
    assert activity.confirmed_by.username == "staff"
    assert list(problem.events.values_list("action", flat=True)) == [
        "raise",
        "assign",
        "start",
        "resolve",
        "verify",
    ]

    # The city dashboard now counts the visit, the goods and the solved problem.
    board.goto(f"{url}/dashboard/")
    board.wait_for_load_state("networkidle")
    assert figure(board, "research_visits") == "1"
    assert figure(board, "beneficiaries") == "42"
    assert figure(board, "material_value_yuan") == "7,500.50"
    assert figure(board, "problems_raised") == "1"
    assert figure(board, "problems_solved") == "1"
    assert figure(board, "problems_solved_environment") == "1"
    shot(board, "journey-07-dashboard")
    admin.close()
