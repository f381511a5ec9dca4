"""Long jobs never block a request (issue #22): with the embedded default (no broker) the
re-score started by "Save and re-score" (LEAD-SCORE-1) runs on a thread of its own; the
request answers at once and the job's progress bar moves batch by batch to 100%."""

import threading

import pytest
from django.test import override_settings

import leads.tasks
from gtm_portal.core.models import JobRun
from leads.services import rescore
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gated_batches(monkeypatch):
    """The real re-score, held before each batch until the test lets it go on."""
    gate, waiting = threading.Semaphore(0), threading.Event()
    real = leads.tasks.rescore_batch

    def held(*args, **kwargs):
        waiting.set()
        assert gate.acquire(timeout=30), "the test never let the batch go"
        return real(*args, **kwargs)

    monkeypatch.setattr(leads.tasks, "rescore_batch", held)
    monkeypatch.setattr(leads.tasks, "batches", lambda ids: rescore.batches(ids, size=10))
    return gate, waiting


def _job(client, pk) -> str:
    return client.get(f"/leads/scoring/jobs/{pk}/", HTTP_HX_REQUEST="true").content.decode()


def _wait_for(predicate, timeout=30.0):
    done = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return True
        done.wait(0.05)
    return False


@override_settings(BACKGROUND_THREADS=True)
def test_the_re_score_runs_on_its_thread_and_the_bar_moves(client, users, gated_batches):
    gate, waiting = gated_batches
    open_leads = rescore.open_leads().count()
    LeadFactory.create_batch(max(0, 30 - open_leads), status="Raw")
    total = rescore.open_leads().count()
    client.force_login(users["mops"])
    r = client.post(
        "/leads/scoring/thresholds/", {"mql_threshold": 90, "inquiry_threshold": 10, "confirm": "1"}
    )
    assert r.status_code == 302  # answered while the job still waits at its first batch
    job = JobRun.objects.get(name="rescore")
    assert waiting.wait(30) and job.state == JobRun.State.RUNNING and job.done == 0
    assert 'hx-trigger="every 1s"' in _job(client, job.pk) and ">0%<" in _job(client, job.pk)
    gate.release()  # one batch of 10
    assert _wait_for(lambda: JobRun.objects.get(pk=job.pk).done == 10)
    moved = _job(client, job.pk)
    percent = JobRun.objects.get(pk=job.pk).percent
    assert 0 < percent < 100 and f">{percent}%<" in moved and "every 1s" in moved
    for _ in range((total + 9) // 10):
        gate.release()
    assert _wait_for(lambda: JobRun.objects.get(pk=job.pk).state == JobRun.State.DONE)
    finished = _job(client, job.pk)
    assert ">100%<" in finished and "every 1s" not in finished  # the polling stops
    assert JobRun.objects.get(pk=job.pk).done == total
