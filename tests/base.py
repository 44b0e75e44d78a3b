"""Named personas, built once per test class (after healthchecks' BaseTestCase).

County A is 市中区 (511102), county B is 沙湾区 (511111). The county-B worker must see
nothing of county A.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from PIL import Image

from carepair.accounts.models import User
from carepair.accounts.roles import Role
from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation
from carepair.pairing.models import Pairing, Tier
from carepair.people import rules
from carepair.people.models import VisitRule
from carepair.regions import leshan
from carepair.regions.models import Level, Region

PASSWORD = "Passw0rd-for-tests"
COUNTY_A = "511102000000"
COUNTY_B = "511111000000"
TODAY = timezone.localdate


def make_region(code: str, name: str, parent: Region) -> Region:
    level = Level.TOWNSHIP if code.endswith("000") else Level.VILLAGE
    return Region.objects.create(code=code, name=name, level=level, parent=parent)


def make_user(username: str, role: str, region=None, organisation=None, **extra) -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        region=region,
        organisation=organisation,
        full_name=extra.pop("full_name", username),
        **extra,
    )


def run_jobs() -> int:
    """Run the queued background jobs here and now, as `carepair db_worker` does (its own
    Worker; only the claim skips the worker's exclusive transaction, which SQLite cannot
    open inside a test's transaction). Returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )
    ran = 0
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def photo(name: str = "photo.png", size=(8, 8), fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def build_personas(world) -> None:
    """Regions, organisations, pairings and the personas, set as attributes of `world`."""
    # A transactional test's flush removes the migrations' rows: put them back.
    leshan.load(Region)
    rules.load(VisitRule)
    world.city = Region.objects.get(code="511100000000")
    world.county_a = Region.objects.get(code=COUNTY_A)
    world.county_b = Region.objects.get(code=COUNTY_B)
    world.township_a = make_region("511102001000", "凌云街道", world.county_a)
    world.village_a = make_region("511102001001", "凌云社区", world.township_a)
    world.township_b = make_region("511111101000", "葫芦镇", world.county_b)
    world.village_b = make_region("511111101001", "葫芦村", world.township_b)

    world.department = Organisation.objects.create(
        name="市民政局", kind=Kind.CITY_DEPARTMENT, region=world.city
    )
    world.other_department = Organisation.objects.create(
        name="市财政局", kind=Kind.CITY_DEPARTMENT, region=world.city
    )
    world.county_department_a = Organisation.objects.create(
        name="市中区民政局", kind=Kind.COUNTY_DEPARTMENT, region=world.county_a
    )
    world.township_org_a = Organisation.objects.create(
        name="凌云街道办事处", kind=Kind.TOWNSHIP, region=world.township_a
    )
    world.social_org = Organisation.objects.create(
        name="乐山市嘉州志愿者协会", kind=Kind.SOCIAL_ORGANISATION, region=world.city
    )
    world.home_a = Organisation.objects.create(
        name="凌云敬老院",
        kind=Kind.INSTITUTION,
        region=world.village_a,
        institution_type=InstitutionType.RURAL_HOME,
        operator=Operator.PUBLIC,
        beds=60,
        elderly_residents=42,
        child_residents=0,
    )
    world.home_b = Organisation.objects.create(
        name="葫芦镇敬老院",
        kind=Kind.INSTITUTION,
        region=world.village_b,
        institution_type=InstitutionType.RURAL_HOME,
        operator=Operator.PUBLIC,
        beds=50,
        elderly_residents=30,
        child_residents=0,
    )
    start = TODAY() - datetime.timedelta(days=400)
    world.pair_a = Pairing.objects.create(
        tier=Tier.CITY_DEPARTMENT,
        helper=world.department,
        institution=world.home_a,
        region=world.home_a.region,
        started_on=start,
    )
    world.pair_b = Pairing.objects.create(
        tier=Tier.CITY_DEPARTMENT,
        helper=world.other_department,
        institution=world.home_b,
        region=world.home_b.region,
        started_on=start,
    )

    world.city_admin = make_user("city_admin", Role.CITY_ADMIN, region=world.city, is_staff=True)
    world.county_a_worker = make_user("county_a", Role.COUNTY_ADMIN, region=world.county_a)
    world.county_b_worker = make_user("county_b", Role.COUNTY_ADMIN, region=world.county_b)
    world.liaison = make_user("liaison", Role.LIAISON, organisation=world.department)
    world.staff = make_user("staff", Role.INSTITUTION_STAFF, organisation=world.home_a)
    world.staff_b = make_user("staff_b", Role.INSTITUTION_STAFF, organisation=world.home_b)
    world.township_worker = make_user(
        "township_a",
        Role.TOWNSHIP_WORKER,
        region=world.township_a,
        organisation=world.township_org_a,
    )


class PersonaTestCase(TestCase):
    """Regions, organisations, pairings and the five personas of the issue:
    city_admin, county_a (a worker of county A), county_b, liaison, staff."""

    @classmethod
    def setUpTestData(cls):
        build_personas(cls)

    def login(self, user: User) -> None:
        self.client.force_login(user)

    def fresh(self, user: User) -> User:
        """The user as a new request would load it (no cached scope)."""
        return User.objects.get(pk=user.pk)
