"""The job engine: work that must not run inside a request (mail delivery, the sweep, retraining) goes to
Huey's queue and a `flask worker` process runs it.

Huey, not Celery: the same Huey code runs on Redis (`JOB_BROKER_URL=redis://…`, shared by every web process
and worker on any host) and on a SQLite file (the embedded default, nothing to install), so `make run` and
production take one code path; Celery would need a broker even for a first look, and beat as a separate
scheduler. A task is named here and registered on each app's Huey with the app's context around it.

Periodic work runs once per period however many workers tick: each period is a numbered slot claimed in the
database (periods.py), so the first worker to reach a slot runs it and the others skip it."""
import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey

from .periods import claim

log = logging.getLogger(__name__)

QUEUE = "ticketdesk"
TASKS: dict = {}  # name -> function, filled by @task in the packages that own the work
PERIODIC: dict = {}  # name -> (setting holding its period in seconds, function)


def task(name: str):
    """Register `fn` as the job `name`; `enqueue(name, …)` runs it in a worker, inside the app's context."""
    def register(fn):
        TASKS[name] = fn
        return fn
    return register


def periodic(name: str, every):
    """Register `fn` to run once per period: `every(config)` gives the period in seconds (0 or less: never)."""
    def register(fn):
        PERIODIC[name] = (every, fn)
        TASKS[name] = fn
        return fn
    return register


def build_huey(url: str):
    """The queue `JOB_BROKER_URL` names: redis://, rediss://, sqlite:///path, or memory:// (tests)."""
    scheme = urlsplit(url).scheme
    options = {"results": False, "utc": True}
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey(QUEUE, url=url, **options)
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE, filename=path, **options)
    if scheme == "memory":
        return MemoryHuey(QUEUE, **options)
    raise RuntimeError(f"JOB_BROKER_URL must be redis://host:6379/1 or sqlite:///path, got {url!r}")


class Jobs:
    """One app's queue with the app's tasks on it."""

    def __init__(self, app: Flask):
        self.app = app
        self.huey = build_huey(app.config["JOB_BROKER_URL"])
        self.tasks = {name: self.huey.task(name=name)(self._in_app(fn)) for name, fn in TASKS.items()}
        self.huey.periodic_task(lambda _now: True, name="jobs.tick")(self._in_app(self.tick))

    def _in_app(self, fn):
        app = self.app

        def run(*args):
            with app.app_context():
                return fn(*args)
        run.__name__ = fn.__name__
        return run

    def enqueue(self, name: str, *args, delay: float | None = None) -> bool:
        """Queue `name(*args)`; False (logged) when the queue cannot be reached: whatever the job was for
        is already committed, and the periodic sweep finds it."""
        try:
            if delay:
                self.tasks[name].schedule(args, delay=delay)
            else:
                self.tasks[name](*args)
            return True
        except Exception:  # Redis down or the SQLite queue locked: never the request's failure
            log.warning("could not queue %s%r; the sweep will pick it up", name, args, exc_info=True)
            return False

    def tick(self) -> list[str]:
        """Each worker's periodic wake-up: queue every periodic job whose current period nobody ran yet."""
        started = []
        for name, (every, _fn) in PERIODIC.items():
            seconds = every(current_app.config)
            if seconds > 0 and claim(name, seconds):
                started.append(name)
                self.enqueue(name)
        return started

    def run_pending(self) -> int:
        """Run what is queued and due, in this process, as a worker would (tests); how many ran. A job
        that is not due yet goes to the schedule, as the worker puts it."""
        ran = 0
        while (job := self.huey.dequeue()) is not None:
            if self.huey.ready_to_run(job):
                self.huey.execute(job)
                ran += 1
            else:
                self.huey.add_schedule(job)
        return ran


def jobs() -> Jobs:
    return current_app.extensions["jobs"]


def enqueue(name: str, *args, delay: float | None = None) -> bool:
    return jobs().enqueue(name, *args, delay=delay)


def init_app(app: Flask) -> None:
    app.extensions["jobs"] = Jobs(app)
    from .cli import worker_command
    app.cli.add_command(worker_command)
