"""IMPORT-2 / Q-IDEM (acks_late) on a real task queue: a Celery worker against Redis and the
PostgreSQL test database commits a "skip invalid rows" import; the worker is SIGKILLed in
the middle of the commit and a new one started; the unacknowledged task comes back (the
broker's visibility timeout, short here) and the import finishes with every person exactly
once and the counts right. The worker machinery is test_jobs_celery's. Skipped, with the
reason printed, when no Redis broker is configured or the database is not PostgreSQL (a
worker process cannot share SQLite's test database)."""

import shutil
import tempfile
import warnings

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Lower

from leads import tasks
from leads.imports import services
from leads.models import ImportedRow, ImportRun, Lead

from . import import_files
from .test_jobs_celery import BROKER, Celery, _wait

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 6000  # three batches of 2,000
BAD = 3  # rows without a last name: skipped


def _file() -> bytes:
    body = import_files.csv_rows(ROWS, domain="celery-imp.example").decode().splitlines()
    for i in (5, 2500, 5500):  # row numbers in the file, the header is row 1
        first, _last, rest = body[i].split(",", 2)
        body[i] = f"{first},,{rest}"
    return ("\n".join(body) + "\n").encode()


@pytest.fixture
def broker_url():
    """The configured broker as it is (no beat here, so no beat lock to clear); the queue is
    this run's own."""
    if not BROKER.startswith(("redis://", "rediss://")):
        reason = "no Redis broker configured (CELERY_BROKER_URL unset); CI sets it"
        print(f"SKIPPED test_imports_celery: {reason}")
        pytest.skip(reason)
    if connection.vendor != "postgresql":
        reason = "the worker needs the PostgreSQL test database (SQLite is per process)"
        print(f"SKIPPED test_imports_celery: {reason}")
        pytest.skip(reason)
    return BROKER


def test_q_idem_import_survives_a_killed_worker(broker_url, users):
    run = services.import_upload(by=users["mops"], file_name="celery.csv", content=_file())
    assert (run.to_create, run.errors) == (ROWS - BAD, BAD)
    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.QUEUED, mode=ImportRun.Mode.SKIP_INVALID
    )
    tmp = tempfile.mkdtemp(prefix="gtm-itest-imp-")
    celery = Celery(broker_url, tmp)
    celery.env["CELERY_VISIBILITY_TIMEOUT"] = "3"
    try:
        celery.worker()
        # to the broker, as services.import_commit queues it (the test settings run tasks
        # eagerly in-process; send_task always sends)
        app = tasks.import_commit_task.app
        with app.connection_for_write(broker_url) as conn, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            app.send_task(
                tasks.import_commit_task.name, (run.pk,), queue=celery.queue, connection=conn
            )

        def mid_commit():
            done = ImportRun.objects.filter(pk=run.pk).values_list("done_rows", flat=True)[0]
            return 0 < done < ROWS

        _wait(mid_commit, 180, "the commit to be under way", celery, every=0.01)
        celery.kill("worker")  # SIGKILL in the middle of the commit
        killed = ImportRun.objects.get(pk=run.pk)
        assert killed.state == ImportRun.State.RUNNING and 0 < killed.done_rows < ROWS
        celery.worker()  # a new worker: the unacknowledged task is delivered again
        _wait(
            lambda: ImportRun.objects.get(pk=run.pk).state == ImportRun.State.DONE,
            180,
            "the import to finish after the restart",
            celery,
            every=0.2,
        )
    finally:
        celery.kill("worker")
    run.refresh_from_db()
    assert (run.created, run.updated, run.skipped, run.done_rows) == (ROWS - BAD, 0, BAD, ROWS)
    people = Lead.objects.filter(email__endswith="@celery-imp.example")
    assert people.count() == ROWS - BAD
    twice = (
        people.annotate(key=Lower("email")).values("key").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not twice.exists()  # every person exactly once
    assert ImportedRow.objects.filter(run=run).count() == ROWS - BAD
    assert sorted(run.row_errors.values_list("row", flat=True)) == [6, 2501, 5501]
    assert "killed" not in run.log
    shutil.rmtree(tmp, ignore_errors=True)
