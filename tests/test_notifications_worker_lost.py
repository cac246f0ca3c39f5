"""A worker killed while it e-mails notifications: real prefork worker processes on Redis, a real SMTP server.

The SMTP server is a thread of this test (``MailSink``): it stores every letter it accepts, and it can hold
one letter at the DATA command, before the letter is accepted — the slow moment of a real mail server — so
the kill lands mid-send, at a known letter, without timing guesses. Each row of a notification must reach its
recipient once: none lost, none twice, and ``emailed_at`` set on all.
"""

import email
import email.policy
import os
import signal
import socketserver
import subprocess
import sys
import threading
from collections import Counter
from email.message import EmailMessage

import psutil
import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context
from kombu import Connection

from core.notifications.models import Notification
from core.notifications.services import notify
from tenants.models import Role, School, User
from tenants.notifications.engine import notifications_create
from tenants.services import membership_grant
from tenants.tasks import schools_run_task
from tests.test_export_worker_lost import _db_url, _wait, broker  # noqa: F401  (broker: a fixture)

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
                    self.server.data_begins()  # may hold here: the letter is not accepted yet
                    self._reply("354 End data with <CR><LF>.<CR><LF>")
                    data = self._read_data()
                    if data is None:
                        return  # the sender went away mid-letter: nothing accepted
                    self.server.accept(data)
                    self._reply("250 OK queued")
                elif verb == b"QUIT":
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
        lines = []
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
        self.hold_at = 0
        self.held, self.released = threading.Event(), threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def hold_after(self, letters: int) -> None:
        """Hold the letter that comes after the next ``letters`` ones, at DATA, until ``released`` is set."""
        self.held.clear()
        self.released.clear()
        with self._lock:
            self.hold_at = self.begun + letters + 1

    def data_begins(self) -> None:
        with self._lock:
            self.begun += 1
            holding = self.begun == self.hold_at
        if holding:
            self.held.set()
            self.released.wait(120)

    def accept(self, data: bytes) -> None:
        letter = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.letters.append(letter)  # type: ignore[arg-type]

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


class _Worker:
    """`celery worker` (prefork, one pool process) over the test database, Redis, and the SMTP sink."""

    def __init__(self, broker_url: str, log: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": _db_url(),
            # The local settings take EMAIL_BACKEND from the environment; the test settings keep mail in memory.
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "SITE_PORT": "",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(SMTP_PORT),
        }
        with open(log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
                 "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
                cwd=settings.BASE_DIR, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill_pool(self) -> None:
        children = psutil.Process(self.process.pid).children(recursive=True)
        assert children, "the worker has no pool process"
        for child in children:
            child.kill()

    def kill_all(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill_all()


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
        return conn.default_channel.client.zcard("unacked_index")


def _redeliver_unacknowledged(url: str) -> None:
    """What Redis does for a dead worker's messages once the visibility timeout (an hour) is over: now."""
    with Connection(url, transport_options={"visibility_timeout": 0}) as conn:
        conn.default_channel.qos.restore_visible(num=100)


def test_workers_killed_mid_send_mail_every_notification_once(world, broker, sink, tmp_path):  # noqa: F811
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
    log = str(tmp_path / "worker.log")
    worker = _Worker(broker, log)
    try:
        # 1. The pool process dies while the 11th immediate letter waits at DATA. Its transaction rolls back
        # (that row stays unsent); the worker's main process puts the message back (reject_on_worker_lost)
        # and a fresh pool process sends the other ten.
        sink.hold_after(10)
        with schema_context(a.schema_name):
            assert len(notify(kind="remark", key=REMARK, recipient_ids=ids_a, title=REMARK_TITLE,
                              link="/checklist/")) == 20  # fmt: skip
        assert sink.held.wait(60), open(log).read()
        assert len(sink.letters) == 10 and _emailed(a, REMARK) == 10  # marked in the sending transaction
        worker.kill_pool()
        sink.released.set()
        assert _wait(lambda: _emailed(a, REMARK) == 20, 30), open(log).read()
        assert _wait(lambda: len(sink.letters) == 20, 5)

        # 2. The whole worker dies during the digests (the beat's fan-out: one batch job, every school).
        sink.hold_after(10)
        schools_run_task.delay("core.notifications_digest")
        assert sink.held.wait(60), open(log).read()
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
        worker = _Worker(broker, log)
        assert _wait(lambda: _emailed(a, ROUND) == 20 and _emailed(b, ROUND) == 3, 60), open(log).read()
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
            Notification.objects.filter(key__in=[REMARK, ROUND]).delete()
