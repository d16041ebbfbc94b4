"""docker-compose.yml, the Dockerfile, .env.example and the README agree with the configuration.
(No Docker engine runs here, so these files are checked by reading them.)"""
import re
from pathlib import Path

import yaml

from config import ENVIRONMENT_VARIABLES

ROOT = Path(__file__).parent.parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()
README = (ROOT / "README.md").read_text()
ENV_EXAMPLE = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}  # read by compose itself, not by the app


def test_compose_has_a_healthy_postgres_15_with_a_volume():
    db = COMPOSE["services"]["db"]
    assert db["image"] == "postgres:15"
    volume = db["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data" and volume[0] in COMPOSE["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["environment"]["POSTGRES_DB"] and db["environment"]["POSTGRES_USER"]


def test_compose_web_is_built_here_and_waits_for_a_healthy_database():
    web = COMPOSE["services"]["web"]
    assert web["build"] == "."
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(str(p).endswith(":8000") for p in web["ports"])


def test_compose_web_points_at_the_db_service():
    web, db = COMPOSE["services"]["web"]["environment"], COMPOSE["services"]["db"]["environment"]
    url = web["DATABASE_URL"]
    assert url.startswith("postgresql://") and "@db:5432/" in url
    assert url.endswith("/" + db["POSTGRES_DB"]) and url.startswith(f"postgresql://{db['POSTGRES_USER']}:")
    assert web["TICKETDESK_ENV"] == "production"
    assert "?" in web["SECRET_KEY"], "compose must refuse to start without SECRET_KEY"


def test_compose_passes_only_settings_the_app_reads():
    web = COMPOSE["services"]["web"]["environment"]
    assert set(web) <= set(ENVIRONMENT_VARIABLES)
    for key in ("SECRET_KEY", "TICKETDESK_CLASSIFIER", "OPENAI_API_KEY", "OPENAI_BASE_URL", "GEMINI_API_KEY"):
        assert key in web


def test_every_variable_compose_takes_from_env_is_in_env_example():
    referenced = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE_TEXT))
    assert referenced <= ENV_EXAMPLE
    assert ENV_EXAMPLE <= set(ENVIRONMENT_VARIABLES) | COMPOSE_ONLY


def test_the_image_migrates_then_serves_with_the_gunicorn_config():
    cmd = re.search(r"^CMD (.+)$", DOCKERFILE, re.M).group(1)
    assert cmd.index("db upgrade") < cmd.index("gunicorn -c gunicorn.conf.py wsgi:app")
    assert "EXPOSE 8000" in DOCKERFILE and "HOST=0.0.0.0" in DOCKERFILE
    assert "pip install --no-cache-dir -r requirements.txt" in DOCKERFILE


def test_readme_starts_with_what_it_is_and_the_two_commands():
    head = README.split("\n## ")[0]
    assert head.startswith("# TicketDesk")
    assert "make run" in head and "make test" in head


def test_readme_configuration_table_lists_every_variable():
    table = README.split("## Configuration")[1].split("\n## ")[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)`", table, re.M))
    assert documented == set(ENVIRONMENT_VARIABLES)


def test_compose_shares_rate_limit_counts_through_its_redis():
    web, redis = COMPOSE["services"]["web"], COMPOSE["services"]["redis"]
    assert redis["image"].startswith("redis:") and "ping" in " ".join(redis["healthcheck"]["test"])
    assert web["environment"]["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_web_trusts_the_address_its_own_health_check_uses():
    """Production refuses other hosts (TRUSTED_HOSTS): the container's check of itself must stay one it trusts."""
    web = COMPOSE["services"]["web"]
    trusted = web["environment"]["TRUSTED_HOSTS"]
    check = web["healthcheck"]["test"][-1]
    host = re.search(r"http://([^:/]+)", check).group(1)
    assert trusted.endswith(f",{host}") and trusted.startswith("${TRUSTED_HOSTS:-")


def test_compose_worker_runs_the_same_image_as_a_job_worker_on_the_shared_queue():
    web, worker = COMPOSE["services"]["web"], COMPOSE["services"]["worker"]
    assert worker["build"] == web["build"] == "."
    assert worker["command"] == ["flask", "--app", "wsgi", "worker"]
    assert "ports" not in worker  # it serves nothing
    assert worker["stop_signal"] == "SIGINT"  # docker stop lets it finish the mail it is sending
    for service in ("db", "redis"):
        assert worker["depends_on"][service]["condition"] == "service_healthy"
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"  # the schema is migrated first
    shared = {k: v for k, v in web["environment"].items() if k != "WEB_CONCURRENCY"}
    assert {k: v for k, v in worker["environment"].items() if k != "JOB_WORKERS"} == shared
    assert web["environment"]["JOB_BROKER_URL"].startswith("redis://redis:6379/")
    assert web["environment"]["JOB_BROKER_URL"] != web["environment"]["RATELIMIT_STORAGE_URI"]
    assert set(worker["environment"]) <= set(ENVIRONMENT_VARIABLES)
    for key in ("SMTP_URL", "MAIL_FROM", "IMAP_URL", "IMAP_MOVE_TO", "MAIL_FETCH_SECONDS", "MAIL_ACKNOWLEDGE"):
        assert key in worker["environment"]  # the worker sends the mail and fetches the mailbox
