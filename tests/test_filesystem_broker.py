"""The filesystem broker keeps all its state under the var folder, none in the working directory.

kombu's filesystem transport writes its exchange tables to ``control/`` relative to the current directory
unless told otherwise; that folder once ended up committed at the top of the repository.
"""

from celery import Celery
from kombu import Exchange, Queue

from config.celery import _configure_filesystem_broker


def test_the_filesystem_broker_writes_its_exchange_tables_under_var(settings, tmp_path, monkeypatch):
    work_dir = tmp_path / "cwd"
    work_dir.mkdir()
    monkeypatch.chdir(work_dir)
    settings.CELERY_FILESYSTEM_BROKER_DIR = tmp_path / "var" / "celery-broker"
    probe = Celery("probe", broker="filesystem://", set_as_current=False)
    _configure_filesystem_broker(sender=probe)

    exchange = Exchange("probe", type="direct")
    with probe.connection_for_write() as connection:
        queue = Queue("probe", exchange, routing_key="probe")(connection)
        queue.declare()
        connection.Producer().publish({"ping": 1}, exchange=exchange, routing_key="probe", declare=[queue])

    assert (settings.CELERY_FILESYSTEM_BROKER_DIR / "control" / "probe.exchange").exists()
    assert list(work_dir.iterdir()) == []
