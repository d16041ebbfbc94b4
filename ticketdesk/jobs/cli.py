"""`flask worker`: one worker process of the job engine, on any host that reaches the database and the
queue; add processes (or hosts) to deliver faster."""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from huey.consumer import Consumer, Scheduler

from config import database_label


@click.command("worker", help="Run the job worker: mail delivery, the sweep, retraining (stop with Ctrl-C).")
@click.option("--threads", type=click.IntRange(min=1), help="Jobs run at once (default JOB_WORKERS).")
@with_appcontext
def worker_command(threads: int | None) -> None:
    app = current_app._get_current_object()
    jobs = app.extensions["jobs"]
    tick = app.config["JOB_TICK_SECONDS"]

    class Ticking(Scheduler):
        periodic_task_seconds = tick

    class Worker(Consumer):
        scheduler_class = Ticking

    logging.getLogger("huey").setLevel(app.config["LOG_LEVEL"])
    click.echo(f"worker: queue {_label(app.config['JOB_BROKER_URL'])}, {threads or app.config['JOB_WORKERS']} "
               f"threads, periodic work checked every {tick:g} s", err=True)
    Worker(jobs.huey, workers=threads or app.config["JOB_WORKERS"], worker_type="thread", periodic=True,
           scheduler_interval=1, initial_delay=0.05, max_delay=1.0).run()


def _label(url: str) -> str:
    return database_label(url) if "://" in url and not url.startswith("memory") else url
