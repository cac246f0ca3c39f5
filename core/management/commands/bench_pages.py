"""Benchmark (not a test): school pages under load, served by gunicorn as in production (issue 14).

    python manage.py bench_pages [--users 50] [--period 5] [--seconds 60] [--port 8141] [--database NAME]

In a database of its own on the same server (a throwaway one, or ``--database NAME`` kept between runs),
one real-size school is provisioned (template clone) and filled: the demo school's acts, roadmap and
pairs, plus 400 more people with consents and bank entries and 120 more pairs with programmes, meetings
and answers. gunicorn then serves it with ``deploy/gunicorn.conf.py`` (gthread, its worker count) and
DEBUG off. Two measurements:

- **load**: ``--users`` curators, each logged in (a session of their own), click every ``--period``
  seconds, alternating the school's home page and the people list, for ``--seconds``; p50/p95/max per
  page. The goal of the issue is p95 ≤ 100 ms.
- **saturation**: for each page alone, 8 clients request it back to back for 15 s; completed requests a
  second is the throughput the server sustains for that page.
"""

import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

SLUG = "bench-pages"
PAGES = {"главная школы": "/", "участники": "/people/"}
SATURATION_CLIENTS = 8
SATURATION_SECONDS = 15


class Command(BaseCommand):
    help = "Замер: главная школы и список участников под нагрузкой (gunicorn, 50 пользователей, p50/p95)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--period", type=float, default=5.0, help="seconds between a user's clicks")
        parser.add_argument("--seconds", type=float, default=60.0, help="length of the load run")
        parser.add_argument("--port", type=int, default=8141)
        parser.add_argument("--database", default="", help="keep this bench database between runs")
        parser.add_argument("--inner", action="store_true", help="(internal) run inside the bench database")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inner"]:
            self._inner(options)
            return
        from tenants.management.commands.bench_onboarding import Command as OnboardingBench

        url_of = OnboardingBench()._server_url
        dbname = options["database"] or f"nastavnik_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
                conn.execute(f'CREATE DATABASE "{dbname}"')
        env = _server_env(url_of(dbname))
        try:
            command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_pages", "--inner"]
            for name in ("users", "period", "seconds", "port"):
                command += [f"--{name}", str(options[name])]
            subprocess.run(command, env=env, check=True)
        finally:
            if not options["database"]:
                with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    # --- inside the bench database ----------------------------------------------------------------

    def _inner(self, options: dict[str, Any]) -> None:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        started = time.perf_counter()
        school, people, pairs = _school()
        self.stdout.write(
            f"school: {people} people, {pairs} pairs (ready in {time.perf_counter() - started:.0f} s)"
        )
        host = f"{SLUG}.{settings.BASE_DOMAIN}:{options['port']}"
        cookies = _sessions(school, options["users"], host)
        server = _Gunicorn(options["port"])
        try:
            for path in PAGES.values():  # every worker imports, connects and fills its caches first
                for _ in range(3 * server.workers):
                    status, _seconds = _get(options["port"], host, path, cookies[0])
                    if status != 200:
                        raise RuntimeError(f"{path} answered {status}; see {server.log}")
            self.stdout.write(
                f"gunicorn: {server.workers} workers × {server.threads} threads (deploy/gunicorn.conf.py); "
                f"load: {options['users']} users, a click every {options['period']:g} s each, "
                f"{options['seconds']:g} s"
            )
            timings = _load(options, host, cookies)
            for name, path in PAGES.items():
                values = sorted(timings[path])
                self.stdout.write(
                    f"  {name:<14} {len(values):4d} requests  p50 {_ms(_pct(values, 50))}  "
                    f"p95 {_ms(_pct(values, 95))}  max {_ms(values[-1])}"
                )
            self.stdout.write(
                f"saturation ({SATURATION_CLIENTS} clients back to back, {SATURATION_SECONDS} s):"
            )
            for name, path in PAGES.items():
                rate, values = _saturate(options["port"], host, path, cookies)
                self.stdout.write(
                    f"  {name:<14} {rate:6.1f} requests/s  (p50 {_ms(_pct(values, 50))} under saturation)"
                )
            self.stdout.write(f"load average after the run: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        finally:
            server.stop()


def _server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",  # DEBUG off, as in production, but plain HTTP
        "DEBUG": "0",
        "NASTAVNIK_VAR_DIR": tempfile.mkdtemp(prefix="bench-pages-"),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SENTRY_DSN": "",
    }


def _school() -> tuple[Any, int, int]:
    """The bench school, provisioned and filled once (kept with ``--database``)."""
    from django_tenants.utils import schema_context

    from core.pairs.models import Pair
    from core.people.models import Person
    from tenants.models import Municipality, School
    from tenants.onboarding import school_provision
    from tenants.validators import inn_complete, ogrn_complete

    school = School.objects.filter(slug=SLUG).first()
    if school is None:
        municipality, _ = Municipality.objects.get_or_create(name="Тверь")
        school = School.objects.create(
            schema_name=f"school_{uuid.uuid4().hex[:12]}", name="МОУ «Средняя школа № 1 (замер)»",
            short_name="СШ № 1 (замер)", inn=inn_complete("690000991"), ogrn=ogrn_complete("102690000991"),
            municipality=municipality, slug=SLUG, status=School.Status.PENDING,
        )  # fmt: skip
        from tenants.models import Domain
        from tenants.schema_names import school_host

        Domain.objects.create(domain=school_host(SLUG), tenant=school, is_primary=True)
        school = school_provision(school_id=school.pk)
    with schema_context(school.schema_name):
        if not Person.objects.exists():
            _fill(school)
        return school, Person.objects.count(), Pair.objects.count()


def _fill(school: Any) -> None:
    """The demo school (acts, roadmap, 24 people, 5 pairs), then 400 people and 120 pairs more."""
    from django.utils import timezone

    from core.consents.models import Consent
    from core.demo import school_demo_fill, school_demo_mentoring
    from core.monitoring.models import SurveyResponse
    from core.pairs.models import Meeting, Pair, PairMember
    from core.people.models import BankEntry, Person
    from core.programmes.models import Programme
    from core.programmes.templates import plan_from_template, template_for
    from tenants.catalogues import RoleModel

    school_demo_fill(school=school, seed=1)
    school_demo_mentoring(seed=1)
    today = timezone.localdate()
    rng = random.Random(1)  # noqa: S311 - synthetic data
    students = Person.objects.bulk_create(
        Person(last_name=f"Ученикова{i}", first_name="Анна", middle_name="Петровна", category="student",
               birth_date=today - timedelta(days=365 * (10 + i % 8) + i % 300), school_class=f"{5 + i % 7}А")
        for i in range(320)
    )  # fmt: skip
    teachers = Person.objects.bulk_create(
        Person(last_name=f"Педагогов{i}", first_name="Иван", middle_name="Сергеевич", category="teacher",
               position="учитель", birth_date=today - timedelta(days=365 * (25 + i % 35)),
               career_start=today - timedelta(days=365 * (1 + i % 30)))
        for i in range(80)
    )  # fmt: skip
    rep = {"by_representative": True, "representative_last_name": "Ученикова",
           "representative_first_name": "Мария", "representative_relation": "мать",
           "representative_document": "паспорт"}  # fmt: skip
    Consent.objects.bulk_create(
        Consent(person=p, kind=kind, valid_from=today - timedelta(days=400), **(rep if p in students else {}))
        for p in [*students, *teachers]
        for kind in Consent.Kind
    )
    BankEntry.objects.bulk_create(
        [BankEntry(person=t, bank="mentor", status="in_pair", capacity=3, requests=["adaptation"]) for t in teachers]
        + [BankEntry(person=s, bank="mentee", status="in_pair" if i < 120 else "candidate", requests=["gifted"])
           for i, s in enumerate(students[:200])]
    )  # fmt: skip
    role_model = RoleModel.objects.filter(form__code="teacher_student").order_by("pk").first()
    start = today - timedelta(days=90)
    pairs = Pair.objects.bulk_create(
        Pair(form_code="teacher_student", role_model_id=role_model.pk if role_model else 0,
             kind_code="traditional", started_on=start, status="active")
        for _ in range(120)
    )  # fmt: skip
    PairMember.objects.bulk_create(
        [PairMember(pair=p, person=teachers[i % 80], role="mentor", since=start) for i, p in enumerate(pairs)]
        + [PairMember(pair=p, person=students[i], role="mentee", since=start) for i, p in enumerate(pairs)]
    )
    programmes = Programme.objects.bulk_create(
        Programme(pair=p, title=f"Программа пары № {p.pk}", starts_on=start, ends_on=start + timedelta(days=270),
                  stage="implementation", status="running")
        for p in pairs
    )  # fmt: skip
    template = template_for(form_code="teacher_student", role_model_id=role_model.pk if role_model else None)
    for programme in programmes:  # the region's template, as «Создать по шаблону формы» copies it
        plan_from_template(programme=programme, template=template)
    Meeting.objects.bulk_create(
        Meeting(pair=p, kind="regular", date=today - timedelta(days=rng.randint(1, 60)), format="in_person", hours=1)
        for p in pairs
        for _ in range(2)
    )  # fmt: skip
    SurveyResponse.objects.bulk_create(
        SurveyResponse(template_code=code, pair=p, person=person, answers={"satisfaction": rng.randint(6, 10)})
        for i, p in enumerate(pairs)
        for code, person in (("satisfaction_mentor", teachers[i % 80]), ("satisfaction_mentee", students[i]))
    )  # fmt: skip


def _sessions(school: Any, count: int, host: str) -> list[str]:
    """``count`` curators of the school, each with a session of their own (database sessions)."""
    from django.test import Client

    from tenants.models import Role, User
    from tenants.services import membership_grant

    cookies = []
    for n in range(count):
        user, created = User.objects.get_or_create(
            email=f"curator{n}@bench.test", defaults={"last_name": f"Куратор{n}", "first_name": "Ольга"}
        )
        if created:
            membership_grant(user=user, role=Role.CURATOR, school=school)
        client = Client(HTTP_HOST=host)
        client.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    return cookies


class _Gunicorn:
    def __init__(self, port: int) -> None:
        import multiprocessing

        self.workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
        self.threads = int(os.environ.get("GUNICORN_THREADS", "2"))
        conf = str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py")
        self.log = settings.VAR_DIR / "gunicorn.log"  # a file, not a pipe nobody reads while it serves
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", conf, "--bind", f"127.0.0.1:{port}",
                 "--access-logfile", "/dev/null", "config.wsgi"],
                cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        # Each worker imports the project when it boots: on a loaded 2-core machine that takes seconds.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if _get(port, settings.BASE_DOMAIN, "/healthz", "")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in 120 s")

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def _get(port: int, host: str, path: str, cookie: str) -> tuple[int, float]:
    """One page as a browser asks for it: connect, request, read the whole answer."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"Host": host, "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


def _load(options: dict[str, Any], host: str, cookies: list[str]) -> dict[str, list[float]]:
    """Each user clicks every ``period`` seconds from a random phase, alternating the two pages."""
    timings: dict[str, list[float]] = {path: [] for path in PAGES.values()}
    errors: list[str] = []
    period, until = options["period"], time.monotonic() + options["seconds"]
    paths = list(PAGES.values())

    def user(n: int) -> None:
        rng = random.Random(n)  # noqa: S311 - load shape
        next_click = time.monotonic() + rng.uniform(0, period)
        click = n
        while True:
            time.sleep(max(0.0, next_click - time.monotonic()))
            if time.monotonic() >= until:
                break
            path = paths[click % len(paths)]
            status, seconds = _get(options["port"], host, path, cookies[n])
            if status == 200:
                timings[path].append(seconds)
            else:
                errors.append(f"{path} {status}")
            click += 1
            next_click += period

    threads = [threading.Thread(target=user, args=(n,)) for n in range(options["users"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[:3]}")
    return timings


def _saturate(port: int, host: str, path: str, cookies: list[str]) -> tuple[float, list[float]]:
    values: list[float] = []
    until = time.monotonic() + SATURATION_SECONDS

    def client(n: int) -> None:
        while time.monotonic() < until:
            status, seconds = _get(port, host, path, cookies[n % len(cookies)])
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            values.append(seconds)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(SATURATION_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(values) / (time.monotonic() - started), sorted(values)


def _pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:6.1f} ms"
