"""Long jobs never block a request (UX, issue #22). With a broker a task goes to the task
queue; with the embedded default (no broker: `make run`) it runs on a thread of its own, so
the page answers at once and its progress bar moves while the job writes its progress row.
Tests run tasks in the request (BACKGROUND_THREADS off) unless a test asks for the thread."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections

log = logging.getLogger(__name__)


def run_soon(task, *args) -> None:
    """Queue `task(*args)` — call it from `transaction.on_commit`, so the job sees the rows
    its request wrote."""
    if not settings.CELERY_TASK_ALWAYS_EAGER or not settings.BACKGROUND_THREADS:
        task.delay(*args)
        return
    threading.Thread(target=_run, args=(task, args), name=f"job-{task.name}", daemon=True).start()


def _run(task, args) -> None:
    close_old_connections()
    try:
        task.apply(args, throw=True)
    except Exception:  # the task wrote its failure to its job row; the thread only logs it
        log.exception("background task %s failed", task.name)
    finally:
        connections.close_all()  # this thread's own connections
