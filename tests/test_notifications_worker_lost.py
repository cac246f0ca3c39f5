"""A worker killed while it e-mails notifications: real prefork worker processes on Redis, a real SMTP server.

The SMTP server is a thread of this test (``MailSink``): it stores every letter it accepts, and it can hold
one letter at the DATA command, before the letter is accepted — the slow moment of a real mail server — so
the kill lands mid-send, at a known letter, without timing guesses; or it can hold the goodbye (QUIT). Each
row of a notification must reach its recipient once: none lost, none twice, and ``emailed_at`` set on all —
also when the worker's host vanishes and the database keeps its session, and the row it was sending, locked
(a relay that keeps the database side open), and when the kill lands while the server says goodbye.
The region site's jobs (public schema) run on the same engine and are drilled the same way.
"""

import email
import email.policy
import os
import socket
import socketserver
import threading
from collections import Counter
from contextlib import suppress
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from kombu import Connection

from core.notifications.models import Notification
from core.notifications.services import notify
from tenants.models import Role, School, User
from tenants.notifications.engine import RowsBusy, digest_send, notifications_create, site_audience
from tenants.notifications.models import RegionNotification
from tenants.notifications.region import region_notify
from tenants.notifications.tasks import region_notifications_digest_task
from tenants.services import membership_grant
from tenants.tasks import schools_run_task
from tests.db_address import database_address
from tests.test_export_worker_lost import _wait, broker  # noqa: F401  (broker: a fixture)
from tests.worker_processes import RedisWorker, worker_database_url

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

SMTP_PORT = int(os.environ.get("NASTAVNIK_TEST_SMTP_PORT", "8107"))
REMARK, ROUND = "drill:remark:1", "drill:round:1"  # the event keys: the same in both schools
REMARK_TITLE, ROUND_TITLE = "Замечание ИМЦ к пункту 3 чек-листа", "Начат раунд мониторинга «Весна»"


class _Session(socketserver.StreamRequestHandler):
    """One SMTP conversation; enough of RFC 5321 for Django's SMTP backend (smtplib)."""

    server: "MailSink"

    def handle(self) -> None:
        try:
            self._reply("220 sink ESMTP")
            while line := self.rfile.readline():
                verb = line[:4].upper()
                if verb == b"DATA":
                    self.server.command(verb)  # may hold here: the letter is not accepted yet
                    self._reply("354 End data with <CR><LF>.<CR><LF>")
                    data = self._read_data()
                    if data is None:
                        return  # the sender went away mid-letter: nothing accepted
                    self.server.accept(data)
                    self._reply("250 OK queued")
                elif verb == b"QUIT":
                    self.server.command(verb)  # may hold here: the letters of this connection are accepted
                    self._reply("221 Bye")
                    return
                elif verb in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    self._reply("250 OK")
                else:
                    self._reply("502 Not implemented")
        except OSError:
            return  # the worker was killed while we answered

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def _read_data(self) -> bytes | None:
        lines: list[bytes] = []
        while line := self.rfile.readline():
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)
        return None


class MailSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Session)
        self.letters: list[EmailMessage] = []
        self.begun = 0  # DATA commands seen, the held ones and those of killed senders included
        self._hold: tuple[bytes, int] | None = None
        self.held, self.released = threading.Event(), threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def hold(self, verb: bytes, after: int) -> None:
        """Hold the first ``verb`` (DATA or QUIT) once ``after`` more letters are accepted, until released."""
        self.held.clear()
        self.released.clear()
        with self._lock:
            self._hold = (verb, len(self.letters) + after)

    def command(self, verb: bytes) -> None:
        with self._lock:
            self.begun += verb == b"DATA"
            holding = self._hold is not None and self._hold[0] == verb and len(self.letters) >= self._hold[1]
            if holding:
                self._hold = None
        if holding:
            self.held.set()
            self.released.wait(120)

    def accept(self, data: bytes) -> None:
        letter = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.letters.append(letter)

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [letter for letter in self.letters if letter["To"] == address]


@pytest.fixture
def sink():
    server = MailSink(SMTP_PORT)
    yield server
    server.released.set()
    server.shutdown()
    server.server_close()


def _worker(broker_url: str, log: Path, db_url: str = "") -> RedisWorker:
    """A real worker that mails through the SMTP sink: the local settings take EMAIL_BACKEND from the
    environment (the test settings keep mail in memory)."""
    mail_env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "SITE_PORT": "",
        "REDIS_URL": "",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(SMTP_PORT),
    }
    return RedisWorker(broker_url, env=mail_env, db_url=db_url, log=log)


class _VanishingHost:
    """A TCP relay in front of PostgreSQL for a worker whose host will vanish: when the worker dies, the
    relay keeps the database side of its connections open, as the server does for a host that is gone (it
    notices at its TCP keepalive, two hours by default), so a row locked mid-send stays locked."""

    def __init__(self) -> None:
        host, port = database_address()
        self.target = (host, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.upstreams: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self) -> str:
        db = settings.DATABASES["default"]
        return f"postgres://{db['USER']}@127.0.0.1:{self.port}/{db['NAME']}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.upstreams.append(upstream)
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, close_sink: bool) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        if close_sink:  # the database went away: so does the worker's side; never the other way round
            with suppress(OSError):
                sink.close()

    def server_notices(self) -> None:
        """The database finally drops the dead host's sessions: their transactions roll back."""
        self.server.close()
        for upstream in self.upstreams:
            with suppress(OSError):
                upstream.shutdown(socket.SHUT_RDWR)
            upstream.close()


def _people(school: School, count: int, tag: str) -> list[User]:
    people = []
    for n in range(1, count + 1):
        user = User.objects.create_user(f"{tag}{n:02d}@drill.test", None, last_name=f"Адресат {n}")
        membership_grant(user=user, role=Role.CURATOR, school=school)
        people.append(user)
    return people


def _emailed(school: School, key: str) -> int:
    with schema_context(school.schema_name):
        return Notification.objects.filter(key=key, emailed_at__isnull=False).count()


def _unacknowledged(url: str) -> int:
    with Connection(url) as conn:
        channel: Any = conn.default_channel  # kombu's Redis channel
        return int(channel.client.zcard("unacked_index"))


def _redeliver_unacknowledged(url: str) -> None:
    """What Redis does for a dead worker's messages once the visibility timeout (an hour) is over: now."""
    with Connection(url, transport_options={"visibility_timeout": 0}) as conn:
        channel: Any = conn.default_channel
        channel.qos.restore_visible(num=100)


def test_killed_mid_send_every_notification_is_mailed_once(world, broker, sink, tmp_path):  # noqa: F811
    a, b = world.school_a, world.school_b
    people_a, people_b = _people(a, 20, "a"), _people(b, 3, "b")
    ids_a, ids_b = [u.pk for u in people_a], [u.pk for u in people_b]
    for school in (a, b, world.school_c):  # rows other committed tests left unsent are not this drill's
        with schema_context(school.schema_name):
            Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())
    # School B has rows for the same events (same keys): its immediate ones are not queued here and must stay
    # unsent; its digest goes out with A's, from the same batch job, with its own host.
    with schema_context(b.schema_name):
        notifications_create(Notification, kind="remark", key=REMARK, recipient_ids=ids_b, title=REMARK_TITLE,
                             link="/checklist/")  # fmt: skip
        notifications_create(Notification, kind="round_started", key=ROUND, recipient_ids=ids_b,
                             title=ROUND_TITLE, link="/checklist/")  # fmt: skip
    with schema_context(a.schema_name):
        notifications_create(Notification, kind="round_started", key=ROUND, recipient_ids=ids_a,
                             title=ROUND_TITLE, link="/checklist/")  # fmt: skip
    log = tmp_path / "worker.log"
    worker = _worker(broker, log)
    try:
        # 1. The pool process dies while the 11th immediate letter waits at DATA. Its transaction rolls back
        # (that row stays unsent); the worker's main process puts the message back (reject_on_worker_lost)
        # and a fresh pool process sends the other ten.
        sink.hold(b"DATA", after=10)
        with schema_context(a.schema_name):
            assert len(notify(kind="remark", key=REMARK, recipient_ids=ids_a, title=REMARK_TITLE,
                              link="/checklist/")) == 20  # fmt: skip
        assert sink.held.wait(60), log.read_text()
        assert len(sink.letters) == 10 and _emailed(a, REMARK) == 10  # marked in the sending transaction
        worker.kill_pool()
        sink.released.set()
        assert _wait(lambda: _emailed(a, REMARK) == 20, 30), log.read_text()
        assert _wait(lambda: len(sink.letters) == 20, 5)

        # 2. The whole worker dies during the digests (the beat's fan-out: one batch job, every school).
        sink.hold(b"DATA", after=10)
        schools_run_task.delay("core.notifications_digest")
        assert sink.held.wait(60), log.read_text()
        digests_before = _emailed(a, ROUND) + _emailed(b, ROUND)
        assert len(sink.letters) == 20 + 10 and digests_before == 10
        worker.kill_all()
        sink.released.set()
    finally:
        worker.stop()
    try:
        # Redis keeps the dead worker's message unacknowledged; it comes back after the visibility timeout.
        assert _unacknowledged(broker) == 1
        _redeliver_unacknowledged(broker)
        worker = _worker(broker, log)
        assert _wait(lambda: _emailed(a, ROUND) == 20 and _emailed(b, ROUND) == 3, 60), log.read_text()
        assert _wait(lambda: len(sink.letters) == 20 + 20 + 3, 5), len(sink.letters)
    finally:
        worker.stop()

    # Every recipient: exactly one letter per notification, each from its own school.
    for user in people_a:
        letters = sink.to(user.email)
        subjects = Counter(str(letter["Subject"]).strip() for letter in letters)
        assert subjects == Counter(
            {f"[Наставник] {REMARK_TITLE}": 1, f"[Наставник] Сводка уведомлений за {_today()}": 1}
        ), (user.email, subjects)
        for letter in letters:
            body = letter.get_content()
            assert "://school-a.localhost:" in body and "school-b" not in body
    for user in people_b:
        (digest,) = sink.to(user.email)
        body = digest.get_content()
        assert ROUND_TITLE in body and REMARK_TITLE not in body
        assert "://school-b.localhost:" in body and "school-a" not in body
    assert _emailed(a, REMARK) == 20 and _emailed(b, REMARK) == 0  # B's immediate rows: untouched
    # The sink counted 20 + 20 + 3 accepted letters and two more DATA commands: the two held letters, begun
    # by the killed processes and sent again by their successors.
    assert sink.begun == len(sink.letters) + 2


def _today() -> str:
    return f"{timezone.localdate():%d.%m.%Y}"


@pytest.fixture(autouse=True)
def _drill_rows_removed(world):
    # Committed rows in the schools' schemas outlive the test (only public is flushed): remove them.
    yield
    for school in (world.school_a, world.school_b):
        with schema_context(school.schema_name):
            Notification.objects.filter(key__startswith="drill:").delete()


def _letters_once(sink: MailSink, people: list[User], subject: str) -> None:
    for user in people:
        subjects = [str(letter["Subject"]).strip() for letter in sink.to(user.email)]
        assert subjects == [subject], (user.email, subjects)


def test_a_row_locked_by_a_vanished_worker_is_mailed_later(world, broker, sink, tmp_path):  # noqa: F811
    """The worker's host vanishes mid-send: the database keeps its session, and the row it was sending locked,
    long after Redis has given the job to another worker. That worker must not take the locked row for sent."""
    a, key = world.school_a, "drill:remark:2"
    people = _people(a, 6, "c")
    log, relay = tmp_path / "worker.log", _VanishingHost()
    gone = _worker(broker, log, db_url=relay.url())
    try:
        sink.hold(b"DATA", after=2)
        with schema_context(a.schema_name):
            notify(kind="remark", key=key, recipient_ids=[u.pk for u in people], title=REMARK_TITLE, link="/")
        assert sink.held.wait(60), log.read_text()
        gone.kill_all()
        sink.released.set()
    finally:
        gone.stop()
    assert _unacknowledged(broker) == 1
    _redeliver_unacknowledged(broker)
    worker = _worker(broker, log)
    try:
        # The other three are sent; the third stays locked by the dead session, unsent — and not forgotten:
        assert _wait(lambda: _emailed(a, key) == 5, 60), log.read_text()
        relay.server_notices()
        assert _wait(lambda: _emailed(a, key) == 6, 30), log.read_text()
    finally:
        worker.stop()
        relay.server_notices()
    _letters_once(sink, people, f"[Наставник] {REMARK_TITLE}")


def test_killed_while_the_server_says_goodbye_nothing_sent_twice(world, broker, sink, tmp_path):  # noqa: F811
    """Killed after the server accepted a letter and before the row is marked, a worker would send it again on
    redelivery. The job marks each letter as soon as the server has it, before it says goodbye (QUIT)."""
    a, key = world.school_a, "drill:remark:3"
    people = _people(a, 6, "d")
    log = tmp_path / "worker.log"
    worker = _worker(broker, log)
    try:
        sink.hold(b"QUIT", after=3)
        with schema_context(a.schema_name):
            notify(kind="remark", key=key, recipient_ids=[u.pk for u in people], title=REMARK_TITLE, link="/")
        assert sink.held.wait(60), log.read_text()
        accepted = len(sink.letters)
        assert _emailed(a, key) == accepted  # what the server has is marked; its goodbye is still pending
        worker.kill_pool()
        sink.released.set()
        assert _wait(lambda: _emailed(a, key) == 6, 30), log.read_text()
    finally:
        worker.stop()
    _letters_once(sink, people, f"[Наставник] {REMARK_TITLE}")


def test_a_digest_leaves_rows_another_session_holds_and_is_retried_for_them(world):
    """The digest's side of the rule above, without a worker: a letter goes with what is free, and the job
    reports the held rows (retried), which a later run sends once they are free."""
    a = world.school_a
    (person,) = _people(a, 1, "e")
    with schema_context(a.schema_name):
        for n in (1, 2):
            notifications_create(Notification, kind="round_started", key=f"drill:round:e{n}",
                                 recipient_ids=[person.pk], title=f"Раунд {n}", link="/")  # fmt: skip
        held = Notification.objects.get(key="drill:round:e2").pk
    holder = psycopg.connect(worker_database_url())
    try:
        holder.execute("SELECT set_config('search_path', %s, true)", [a.schema_name])
        holder.execute("SELECT 1 FROM core_notification WHERE id = %s FOR UPDATE", [held])
        with schema_context(a.schema_name), pytest.raises(RowsBusy):
            digest_send(
                Notification, host="school-a.localhost", site_title=a.short_name, audience=site_audience(a)
            )
    finally:
        holder.close()
    with schema_context(a.schema_name):
        assert digest_send(Notification, host="school-a.localhost", site_title=a.short_name,
                           audience=site_audience(a)) == 1  # fmt: skip
        assert not Notification.objects.filter(recipient_id=person.pk, emailed_at__isnull=True).exists()
    first, second = (m.body for m in mail.outbox if m.to == [person.email])
    assert "Раунд 1" in first and "Раунд 2" not in first and "Раунд 2" in second and "Раунд 1" not in second


# The region's events; school A has rows with the same keys.
R_DUE, R_ROUND = "drill:region-due:1", "drill:region-round:1"
R_DUE_TITLE, R_ROUND_TITLE = "До срока раунда «Весна» 7 дней", "Начат раунд мониторинга «Осень»"
S_DUE_TITLE, S_ROUND_TITLE = "Школьное: до срока раунда 7 дней", "Школьное: начат раунд"


def _region_emailed(key: str) -> int:
    return RegionNotification.objects.filter(key=key, emailed_at__isnull=False).count()


def test_region_killed_mid_send_every_notification_is_mailed_once(world, broker, sink, tmp_path):  # noqa: F811
    """The region site's jobs (public schema) on the same engine: 10 regional admins and inspectors, one
    immediate event and the digest. A school holds rows of the same events (same keys, some for the same
    people): the region's jobs never touch or mail them. A school curator who has region rows but no region
    role (an inspector who left) is not mailed either."""
    people = []
    for n in range(1, 11):
        user = User.objects.create_user(f"r{n:02d}@drill.test", None, last_name=f"Регион {n}")
        if n <= 5:
            membership_grant(user=user, role=Role.REGIONAL_ADMIN)
        else:
            membership_grant(user=user, role=Role.INSPECTOR, municipality=world.m1 if n <= 8 else world.m2)
        people.append(user)
    ids = [u.pk for u in people]
    curators = _people(world.school_a, 3, "s")
    left = curators[0]  # has region rows from when they were an inspector; now only a school's curator
    RegionNotification.objects.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())
    with schema_context(world.school_a.schema_name):
        Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())
        school_ids = [*ids, *(u.pk for u in curators)]
        notifications_create(Notification, kind="round_due", key=R_DUE, recipient_ids=school_ids,
                             title=S_DUE_TITLE, link="/checklist/")  # fmt: skip
        notifications_create(Notification, kind="round_started", key=R_ROUND, recipient_ids=school_ids,
                             title=S_ROUND_TITLE, link="/checklist/")  # fmt: skip
    notifications_create(RegionNotification, kind="round_started", key=R_ROUND, recipient_ids=[*ids, left.pk],
                         title=R_ROUND_TITLE, link="/rounds/")  # fmt: skip
    log = tmp_path / "worker.log"
    worker = _worker(broker, log)
    try:
        # 1. The pool process dies while the 6th immediate letter waits at DATA; the message is put back and a
        # fresh pool process sends the other five.
        sink.hold(b"DATA", after=5)
        assert len(region_notify(kind="round_due", key=R_DUE, recipient_ids=[*ids, left.pk],
                                 title=R_DUE_TITLE, link="/rounds/")) == 11  # fmt: skip
        assert sink.held.wait(60), log.read_text()
        assert len(sink.letters) == 5 and _region_emailed(R_DUE) == 5
        worker.kill_pool()
        sink.released.set()
        assert _wait(lambda: _region_emailed(R_DUE) == 10, 30), log.read_text()
        assert _wait(lambda: len(sink.letters) == 10, 5)

        # 2. The whole worker dies during the region's digest (as the beat sends it: no schema, so public).
        sink.hold(b"DATA", after=5)
        region_notifications_digest_task.delay()
        assert sink.held.wait(60), log.read_text()
        assert len(sink.letters) == 10 + 5 and _region_emailed(R_ROUND) == 5
        worker.kill_all()
        sink.released.set()
    finally:
        worker.stop()
    try:
        assert _unacknowledged(broker) == 1
        _redeliver_unacknowledged(broker)
        worker = _worker(broker, log)
        assert _wait(lambda: _region_emailed(R_ROUND) == 10, 60), log.read_text()
        assert _wait(lambda: len(sink.letters) == 10 + 10, 5), len(sink.letters)
    finally:
        worker.stop()

    for user in people:
        letters = sink.to(user.email)
        subjects = Counter(str(letter["Subject"]).strip() for letter in letters)
        assert subjects == Counter(
            {f"[Наставник] {R_DUE_TITLE}": 1, f"[Наставник] Сводка уведомлений за {_today()}": 1}
        ), (user.email, subjects)
        body = "".join(letter.get_content() for letter in letters)
        for key in (R_DUE, R_ROUND):  # links to this person's own region rows, on the region's host
            row = RegionNotification.objects.get(key=key, recipient_id=user.pk)
            assert f"://localhost:8000/notifications/{row.pk}/open/" in body, body
        assert "school-" not in body and "Школьное" not in body
    assert all(not sink.to(u.email) for u in curators)  # nor the one who left the region
    assert RegionNotification.objects.filter(recipient_id=left.pk, emailed_at__isnull=True).count() == 2
    with schema_context(world.school_a.schema_name):  # the school's rows of the same events: untouched
        assert Notification.objects.filter(key__in=[R_DUE, R_ROUND], emailed_at__isnull=True).count() == 26
    assert sink.begun == len(sink.letters) + 2  # the two held letters, begun by the killed processes
