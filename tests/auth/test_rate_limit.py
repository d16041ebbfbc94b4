"""POST /api/tickets/classify/ is limited per client: an LLM call costs money. In memory by default;
through Redis, every worker and host shares one count; with Redis unreachable, suggestions still work."""
import re
import uuid

import pytest
import redis

from tests.conftest import make_app
from tests.fixtures.servers import free_port

BODY = {"description": "I was charged twice"}


def classify(client, address="10.0.0.1"):
    return client.post("/api/tickets/classify/", json=BODY, environ_base={"REMOTE_ADDR": address})


def test_the_limit_answers_429_json_with_retry_after():
    client = make_app("sqlite://", CLASSIFY_RATE_LIMIT="3 per minute").test_client()
    assert [classify(client).status_code for _ in range(3)] == [200] * 3
    response = classify(client)
    assert response.status_code == 429
    assert re.fullmatch(r"Request was throttled\. Expected available in \d+ seconds?\.", response.json["detail"])
    wait = int(re.search(r"\d+", response.json["detail"]).group())
    assert response.headers["Retry-After"] == str(wait) and 1 <= wait <= 60


def test_the_limit_is_per_client_and_only_on_classify(make_ticket, database_url_for_run):
    client = make_app(database_url_for_run, CLASSIFY_RATE_LIMIT="2 per minute").test_client()
    for _ in range(2):
        classify(client, "10.0.0.1")
    assert classify(client, "10.0.0.1").status_code == 429
    assert classify(client, "10.0.0.2").status_code == 200  # another agent is not held up
    for _ in range(5):
        assert client.get("/api/tickets/", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_behind_a_proxy_each_forwarded_client_has_its_own_count():
    client = make_app("sqlite://", CLASSIFY_RATE_LIMIT="2 per minute", PROXY_HOPS=1).test_client()

    def via_proxy(address):
        return client.post("/api/tickets/classify/", json=BODY, headers={"X-Forwarded-For": address},
                           environ_base={"REMOTE_ADDR": "172.18.0.2"})  # every request comes from the proxy
    assert [via_proxy("203.0.113.7").status_code for _ in range(3)] == [200, 200, 429]
    assert via_proxy("198.51.100.4").status_code == 200


def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_limit():
    client = make_app("sqlite://", CLASSIFY_RATE_LIMIT="2 per minute").test_client()
    statuses = [client.post("/api/tickets/classify/", json=BODY, headers={"X-Forwarded-For": f"10.9.9.{n}"},
                            environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]


@pytest.fixture
def redis_url():
    """The machine's Redis (every TicketDesk machine runs one on 127.0.0.1:6379); database 15, keys prefixed."""
    url = "redis://127.0.0.1:6379/15"
    assert redis.Redis.from_url(url).ping()
    return url


def test_through_redis_two_workers_share_one_count(redis_url):
    prefix = f"test-{uuid.uuid4().hex}"  # a count of this test's own
    settings = {"CLASSIFY_RATE_LIMIT": "3 per minute", "RATELIMIT_STORAGE_URI": redis_url,
                "RATELIMIT_KEY_PREFIX": prefix}
    worker_a = make_app("sqlite://", **settings).test_client()
    worker_b = make_app("sqlite://", **settings).test_client()
    assert [classify(worker_a).status_code for _ in range(2)] == [200, 200]
    assert classify(worker_b).status_code == 200
    assert classify(worker_b).status_code == 429
    assert classify(worker_a).status_code == 429
    assert any(prefix in key.decode() for key in redis.Redis.from_url(redis_url).keys("*"))


def test_with_redis_unreachable_suggestions_still_work():
    client = make_app("sqlite://", CLASSIFY_RATE_LIMIT="2 per minute",
                      RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0").test_client()
    assert [classify(client).status_code for _ in range(3)] == [200, 200, 429]  # counted in memory meanwhile
