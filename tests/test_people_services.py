"""The registry's services: registration checks, encryption at rest, visit plans, visits
that raise problems, reveals that are audited, and who sees whom."""

import datetime

from django.db import connection

from carepair.lib.errors import NotAllowed, ValidationError
from carepair.people.models import (
    Category,
    Condition,
    HouseholdVisit,
    IdReveal,
    Person,
    PersonCategory,
    Seen,
    Status,
)
from carepair.people.selectors import alerts, due_counts, due_visits
from carepair.people.services import (
    CategoryLine,
    find_by_id_number,
    id_reveal,
    person_register,
    person_set_status,
    plan_refresh,
    visit_record,
)
from carepair.problems.models import Category as ProblemCategory
from carepair.problems.models import Source
from carepair.problems.services import Found
from tests.base import TODAY
from tests.people_base import PeopleTestCase, id_for, years_ago


def visit(actor, person, need=None, on=None):
    return visit_record(
        actor=actor,
        person=person,
        visited_on=on or TODAY(),
        seen=Seen.YES,
        health=Condition.FAIR,
        safety=Condition.POOR,
        food=Condition.GOOD,
        mood=Condition.GOOD,
        needs="厨房电线老化",
        need=need,
    )


class RegistrationTest(PeopleTestCase):
    def register(self, **extra):
        data = {
            "actor": self.township_worker,
            "name": "赵桂兰",
            "id_number": id_for("511102", years_ago(70), 5, male=False),
            "region": self.village_a,
        }
        data.update(extra)
        return person_register(**data)

    def test_the_number_is_stored_encrypted_hashed_and_masked_never_in_the_clear(self):
        number = id_for("511102", years_ago(70), 5, male=False)
        person = self.register(id_number=number)
        self.assertEqual(person.id_masked, number[:6] + "********" + number[-4:])
        self.assertEqual((person.sex, person.birth_date), ("F", years_ago(70)))
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
            row = cursor.fetchone()
            cursor.execute("SELECT * FROM people_historicalperson")
            history = cursor.fetchall()
        for value in [*row, *(v for h in history for v in h)]:
            self.assertNotIn(number[6:14] + number[14:], str(value))
        self.assertEqual(list(find_by_id_number(self.township_worker, number.lower())), [person])

    def test_a_birth_date_or_sex_contradicting_the_number_is_refused(self):
        with self.assertRaises(ValidationError) as refused:
            self.register(birth_date=datetime.date(1950, 1, 1), sex="M")
        self.assertIn("birth_date", refused.exception.message_dict)
        self.assertIn("与身份证号不符", refused.exception.message_dict["birth_date"][0])
        self.assertIn("sex", refused.exception.message_dict)
        self.assertFalse(Person.objects.filter(name="赵桂兰").exists())

    def test_a_wrong_check_character_is_refused(self):
        number = id_for("511102", years_ago(70), 5)
        wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
        with self.assertRaises(ValidationError) as refused:
            self.register(id_number=wrong)
        self.assertIn("校验码不正确", refused.exception.message_dict["id_number"][0])

    def test_the_same_person_is_not_registered_twice_even_by_the_old_15_digit_number(self):
        born = datetime.date(1950, 3, 4)
        number = id_for("511102", born, 5)
        self.register(id_number=number)
        old = number[:6] + number[8:17]  # the 15-digit form: no century, no check
        with self.assertRaises(ValidationError) as refused:
            self.register(id_number=old)
        self.assertIn("已登记", refused.exception.message_dict["id_number"][0])
        self.assertEqual(Person.objects.filter(name="赵桂兰").count(), 1)

    def test_a_village_outside_the_workers_region_is_refused(self):
        with self.assertRaises(ValidationError) as refused:
            self.register(region=self.village_b)
        self.assertIn("region", refused.exception.message_dict)

    def test_a_child_category_for_an_adult_is_refused(self):
        with self.assertRaises(ValidationError) as refused:
            self.register(categories=[CategoryLine(Category.ORPHAN, TODAY())])
        self.assertIn("仅适用于未满 18 周岁", refused.exception.message_dict["categories"][0])

    def test_a_role_without_the_registry_may_not_register(self):
        with self.assertRaises(NotAllowed):
            self.register(actor=self.liaison)


class ScopeTest(PeopleTestCase):
    def test_each_role_sees_whom_it_should(self):
        def seen(user):
            return set(Person.objects.visible_to(self.fresh(user)))

        everyone = {self.elder, self.child, self.elder_b}
        self.assertEqual(seen(self.city_admin), everyone)
        self.assertEqual(seen(self.county_a_worker), {self.elder, self.child})
        self.assertEqual(seen(self.county_b_worker), {self.elder_b})
        self.assertEqual(seen(self.township_worker), {self.elder, self.child})
        self.assertEqual(seen(self.volunteer), {self.elder})  # the one assigned to them
        self.assertEqual(seen(self.liaison), set())
        self.assertEqual(seen(self.staff), set())


class VisitPlanTest(PeopleTestCase):
    def test_the_interval_is_the_shortest_rule_met(self):
        self.elder.refresh_from_db()
        self.child.refresh_from_db()
        self.elder_b.refresh_from_db()
        self.assertEqual(self.elder.visit_every_days, 7)  # living alone and over 80
        self.assertEqual(self.child.visit_every_days, 30)  # left-behind child
        self.assertEqual(self.elder_b.visit_every_days, 30)  # extreme hardship
        # Never visited: due now.
        self.assertEqual(self.elder.next_visit_on, TODAY())

    def test_a_visit_moves_the_next_due_date_and_a_late_entry_does_not_move_it_back(self):
        visit(self.township_worker, self.elder)
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.next_visit_on, TODAY() + datetime.timedelta(days=7))
        visit(self.township_worker, self.elder, on=TODAY() - datetime.timedelta(days=20))
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.last_visit_on, TODAY())

    def test_due_and_overdue_lists_per_visitor_township_and_county(self):
        plan_refresh(today=TODAY() - datetime.timedelta(days=10))  # planned ten days ago
        worker = self.fresh(self.township_worker)
        due = list(due_visits(worker))
        self.assertEqual(set(due), {self.elder, self.child})
        by_township = due_counts(worker, by="township")
        self.assertEqual([(c.key, c.due, c.overdue) for c in by_township], [("511102001", 2, 2)])
        by_visitor = due_counts(self.fresh(self.city_admin), by="visitor")
        self.assertIn((self.volunteer.pk, 1, 1), [(c.key, c.due, c.overdue) for c in by_visitor])
        self.assertEqual(list(due_visits(self.fresh(self.volunteer), mine=True)), [self.elder])

    def test_a_locked_door_leaves_the_visit_due_and_rates_nothing(self):
        record = visit_record(
            actor=self.township_worker,
            person=self.elder,
            visited_on=TODAY(),
            seen=Seen.NOT_HOME,
            health=Condition.GOOD,
            safety=Condition.GOOD,
            food=Condition.GOOD,
            mood=Condition.GOOD,
        )
        self.assertEqual((record.health, record.safety, record.food, record.mood), ("", "", "", ""))
        self.elder.refresh_from_db()
        self.assertIsNone(self.elder.last_visit_on)
        self.assertEqual(self.elder.next_visit_on, TODAY())
        with self.assertRaises(ValidationError):
            visit_record(
                actor=self.township_worker,
                person=self.elder,
                visited_on=TODAY(),
                seen=Seen.YES,
                health="",
                safety="",
                food="",
                mood="",
            )

    def test_a_deceased_person_leaves_the_plan_and_their_categories_end(self):
        person_set_status(
            actor=self.township_worker, person=self.elder, status=Status.DECEASED, on=TODAY()
        )
        self.elder.refresh_from_db()
        self.assertIsNone(self.elder.next_visit_on)
        self.assertFalse(PersonCategory.objects.current().filter(person=self.elder).exists())


class VisitTest(PeopleTestCase):
    def test_a_need_seen_at_the_door_becomes_a_problem_in_one_step(self):
        need = Found(
            title="厨房电线老化",
            category=ProblemCategory.SAFETY,
            due_on=TODAY() + datetime.timedelta(days=7),
        )
        record = visit(self.township_worker, self.elder, need=need)
        problem = record.raised.get().problem
        self.assertEqual((problem.region_id, problem.source), (self.village_a.code, Source.VISIT))
        self.assertEqual(problem.raised_by, self.township_worker)

    def test_a_volunteer_records_a_visit_to_their_own_person_only(self):
        visit(self.fresh(self.volunteer), self.elder)
        with self.assertRaises(NotAllowed):
            visit(self.fresh(self.volunteer), self.child)
        self.assertEqual(HouseholdVisit.objects.count(), 1)

    def test_another_countys_worker_cannot_record_a_visit(self):
        with self.assertRaises(NotAllowed):
            visit(self.fresh(self.county_b_worker), self.elder)

    def test_a_visit_in_the_future_is_refused(self):
        with self.assertRaises(ValidationError):
            visit(self.township_worker, self.elder, on=TODAY() + datetime.timedelta(days=1))


class RevealTest(PeopleTestCase):
    def test_a_reveal_with_a_reason_is_audited(self):
        number = id_reveal(actor=self.township_worker, person=self.elder, reason="核对低保材料")
        self.assertEqual(number[:6] + "********" + number[-4:], self.elder.id_masked)
        entry = IdReveal.objects.get()
        self.assertEqual(
            (entry.user, entry.person, entry.reason),
            (self.township_worker, self.elder, "核对低保材料"),
        )

    def test_a_reveal_without_permission_or_reason_is_refused_and_nothing_shown(self):
        with self.assertRaises(NotAllowed):
            id_reveal(actor=self.volunteer, person=self.elder, reason="想看看")
        with self.assertRaises(NotAllowed):
            id_reveal(actor=self.leader, person=self.elder, reason="想看看")
        with self.assertRaises(ValidationError):
            id_reveal(actor=self.township_worker, person=self.elder, reason=" ")
        self.assertFalse(IdReveal.objects.exists())


class AlertsTest(PeopleTestCase):
    def test_turning_80_and_18_and_the_deceased_still_holding_categories(self):
        soon_80 = person_register(
            actor=self.township_worker,
            name="周大山",
            id_number=id_for("511102", years_ago(80, -10), 7),
            region=self.village_a,
        )
        soon_18 = person_register(
            actor=self.township_worker,
            name="陈小红",
            id_number=id_for("511102", years_ago(18, -5), 8, male=False),
            region=self.village_a,
            categories=[
                CategoryLine(Category.CHILD_IN_DIFFICULTY, TODAY() - datetime.timedelta(days=100))
            ],
        )
        Person.objects.filter(pk=self.elder_b.pk).update(status=Status.DECEASED)
        mine = alerts(self.fresh(self.township_worker))
        self.assertEqual(mine.turning_80, [soon_80])
        self.assertEqual(mine.turning_18, [soon_18])
        self.assertEqual(mine.deceased_with_categories, [])  # county B is not in reach
        city = alerts(self.fresh(self.city_admin))
        self.assertEqual(city.deceased_with_categories, [self.elder_b])


class RefreshPlansCommandTest(PeopleTestCase):
    def test_the_nightly_command_catches_up_with_ages_and_rules(self):
        import io

        from django.core.management import call_command

        from carepair.people.models import VisitRule

        VisitRule.objects.filter(category=Category.EXTREME_HARDSHIP).update(every_days=10)
        out = io.StringIO()
        call_command("people", "refresh-plans", stdout=out)
        self.assertIn("1 changed", out.getvalue())
        self.elder_b.refresh_from_db()
        self.assertEqual(self.elder_b.visit_every_days, 10)
