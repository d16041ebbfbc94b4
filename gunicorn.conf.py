"""gunicorn settings, the same for `make run`, the container and the benchmark. gunicorn reads this file by
itself when started in this folder, so a plain `gunicorn wsgi:app` serves as production does.

HOST/PORT (from the environment or .env) choose the address (127.0.0.1:8000 by default; the container sets HOST=0.0.0.0).
WEB_CONCURRENCY and GUNICORN_THREADS size the pool; workers share nothing but the database.
"""
import multiprocessing
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from config import gunicorn_threads  # noqa: E402  (also loads the same .env the app reads)

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 8))
# Threads let a worker keep serving while one request waits on an LLM provider.
worker_class = "gthread"
threads = gunicorn_threads()
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = None  # the app logs one structured line per request (ticketdesk/request_log.py)
errorlog = "-"
# Trust X-Forwarded-* only from a proxy on this host unless told otherwise.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's runtime control socket sits at one path per user; nothing here uses it, and two servers
# on one machine (tests, benchmarks) would contend for it.
control_socket_disable = True


def on_starting(server):
    """In the master, once, before any worker: a configuration the app would refuse is refused here,
    and gunicorn prints the RuntimeError as one `Error: ...` line and exits 1, instead of every worker
    printing a traceback and the master restarting them."""
    from ticketdesk import checked_settings
    server.ticketdesk_settings = checked_settings()


def when_ready(server):
    """One line, once, that says what is running (the workers each build the app; they say nothing). With the
    embedded job queue (no JOB_BROKER_URL) the master also starts the one job worker that queue needs, so
    `make run` delivers mail with nothing else to start; with a broker, workers are started apart."""
    from ticketdesk.banner import startup_line

    address = ", ".join(server.cfg.bind)
    server.log.info(startup_line(server.ticketdesk_settings, address, server.cfg.workers, server.cfg.threads))
    if server.ticketdesk_settings["JOB_BROKER_URL"].startswith("sqlite:"):
        import subprocess
        server.ticketdesk_worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                                                    cwd=str(Path(__file__).resolve().parent))
        server.log.info("job worker started beside the web workers (embedded queue), pid %s",
                        server.ticketdesk_worker.pid)


def on_exit(server):
    """The embedded job worker stops with the server (SIGINT: it finishes the jobs it holds)."""
    worker = getattr(server, "ticketdesk_worker", None)
    if worker is not None and worker.poll() is None:
        import signal
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(15)
        except Exception:
            worker.kill()


def post_worker_init(worker):
    """Each worker loads the language and learned models before its first request, so no one waits for them."""
    from ticketdesk.triage.suggestion import warm_up
    warm_up(worker.wsgi)
