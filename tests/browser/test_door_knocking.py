"""DESIGN.md §2, journey 2, in headless Chromium on a phone: a township worker opens the
list of people due a visit this week, knocks on an 80-year-old's door, records what she
saw and raises a need as a problem in one step. Screenshots are kept as test artefacts."""

import datetime

import pytest

from carepair.people.models import Category, HouseholdVisit
from carepair.people.services import CategoryLine, person_register
from carepair.problems.models import Problem, Source
from tests.base import PASSWORD
from tests.browser.conftest import log_in
from tests.browser.test_journey import png
from tests.people_base import id_for, years_ago

pytestmark = pytest.mark.browser


def test_a_township_worker_visits_an_80_year_old_and_raises_a_need(live_server, world, phone, shot):
    url = live_server.url
    today = datetime.date.today()
    elder = person_register(
        actor=world.township_worker,
        name="王秀英",
        id_number=id_for("511102", years_ago(82, 40), 1, male=False),
        region=world.village_a,
        address="凌云社区 3 组 12 号",
        living="alone",
        categories=[
            CategoryLine(Category.ALONE, today - datetime.timedelta(days=700)),
            CategoryLine(Category.OVER_80, today - datetime.timedelta(days=600)),
        ],
    )

    log_in(phone, url, "township_a", PASSWORD)
    phone.goto(f"{url}/people/due/")
    assert "王秀英" in phone.inner_text("main")
    assert elder.id_masked not in ("", None)
    shot(phone, "door-01-due-this-week")

    # She finds her by name too, and the number stays masked.
    phone.goto(f"{url}/people/?q=王秀英")
    card = phone.locator(".person-card", has_text="王秀英")
    assert elder.id_masked in card.inner_text()
    card.click()
    phone.wait_for_load_state("networkidle")
    assert "每 7 天" in phone.inner_text("main")  # alone and over 80: weekly
    shot(phone, "door-02-person")

    phone.click("text=记录走访")
    phone.wait_for_load_state("networkidle")
    phone.check("input[name=seen][value=yes]")
    phone.check("input[name=health][value=fair]")
    phone.check("input[name=safety][value=poor]")
    phone.check("input[name=food][value=good]")
    phone.check("input[name=mood][value=fair]")
    phone.fill("textarea[name=needs]", "厨房电线老化，插座发烫。")
    phone.set_input_files("input[name=photos]", png((200, 80, 30)))
    phone.check("input[name=raise_problem]")
    phone.fill("input[name=problem_title]", "王秀英家厨房电线老化")
    phone.select_option("select[name=problem_category]", "safety")
    shot(phone, "door-03-visit-form")
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")

    problem = Problem.objects.get(title="王秀英家厨房电线老化")
    assert phone.url.endswith(f"/problems/{problem.pk}/")
    assert (problem.source, problem.region_id) == (Source.VISIT, world.village_a.code)
    assert "进入闭环跟踪" in phone.inner_text("main")
    shot(phone, "door-04-problem-raised")

    visit = HouseholdVisit.objects.get(person=elder)
    assert (visit.safety, visit.photos.count()) == ("poor", 1)
    elder.refresh_from_db()
    assert elder.next_visit_on == today + datetime.timedelta(days=7)
    # Next week's visit is already on her list, a week out.
    phone.goto(f"{url}/people/due/")
    card = phone.locator(".card", has_text="王秀英")
    assert f"应访 {elder.next_visit_on:%m-%d}" in card.inner_text()
    shot(phone, "door-05-next-visit")
