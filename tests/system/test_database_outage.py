"""PostgreSQL restarted under a running app: requests during the outage get a quick 503, and the app
recovers by itself when the database is back. The test owns its PostgreSQL server (its own data
directory and port, through pg_ctl), never the machine's shared one."""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.conftest import make_app
from tests.fixtures.servers import free_port
from ticketdesk.extensions import db

PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)


class OwnPostgres:
    """A throwaway PostgreSQL server in a temporary directory; run as the `postgres` user when we are root."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="td-pg-")
        self.data, self.port = os.path.join(self.dir, "data"), free_port()
        self.as_owner = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_owner, os.path.join(PG_BIN, tool), *args], check=True, capture_output=True)

    def start(self) -> None:
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "start", "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_postgres():
    assert PG_BIN, "needs PostgreSQL's server binaries (initdb, pg_ctl) under /usr/lib/postgresql"
    server = OwnPostgres()
    server.start()
    yield server
    server.remove()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_an_outage_is_a_quick_503_and_the_app_recovers_by_itself(own_postgres):
    app = make_app(own_postgres.url)
    with app.app_context():
        flask_migrate.upgrade()
    client = app.test_client()
    before = client.post("/api/tickets/", json={"title": "Filed before", "description": "d", "category": "billing",
                                                "priority": "low"})
    assert before.status_code == 201
    assert client.get("/api/tickets/").status_code == 200  # the pool now holds a connection

    own_postgres.stop()
    for call in (lambda: client.get("/api/tickets/"), lambda: client.get(f"/api/tickets/{before.json['id']}/"),
                 lambda: client.get("/api/tickets/stats/"),
                 lambda: client.post("/api/tickets/", json={"title": "t", "description": "d", "category": "billing",
                                                            "priority": "low"}),
                 lambda: client.patch(f"/api/tickets/{before.json['id']}/", json={"status": "closed"})):
        response, seconds = timed(call)
        assert response.status_code == 503
        assert response.json == {"error": "Database unavailable"}
        assert response.headers["Retry-After"] == "5"
        assert seconds < 2
    page, seconds = timed(lambda: client.get("/"))
    assert page.status_code == 503 and "The database is unavailable" in page.get_data(as_text=True)
    assert page.mimetype == "text/html" and seconds < 2
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/tickets/classify/", json={"description": "refund please"}).status_code == 200

    own_postgres.start()
    listed = client.get("/api/tickets/")
    assert listed.status_code == 200
    assert [t["title"] for t in listed.json] == ["Filed before"]  # nothing lost, nothing half-written
    assert client.post("/api/tickets/", json={"title": "Filed after", "description": "d", "category": "billing",
                                              "priority": "low"}).status_code == 201
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM tickets")).scalar() == 2
        db.engine.dispose()
