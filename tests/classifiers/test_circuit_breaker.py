"""A provider that keeps failing is skipped for a cool-down, so agents don't wait on it at every
keystroke, and is tried again afterwards; filing a ticket never waits on a provider at all."""
import threading
import time

import pytest

from tests.classifiers.test_llm_classifiers import (
    API_KEY,
    PROVIDERS,
    answer,
    classify,
    llm_client,
)
from tests.conftest import make_app
from tests.fixtures.llm_stub import Reply, StubLLM
from ticketdesk.classifiers.breaker import CircuitBreaker


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_breaker_opens_after_failures_in_a_row_and_lets_one_trial_through_after_the_cooldown():
    clock = FakeClock()
    breaker = CircuitBreaker(failures=3, cooldown=30, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failed("boom")
    assert breaker.allow()
    breaker.succeeded()  # a success in between resets the run
    for _ in range(3):
        assert breaker.allow()
        breaker.failed("boom")
    assert not breaker.allow() and breaker.last_error == "boom"
    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.allow()  # the one trial
    assert not breaker.allow()  # everyone else keeps skipping while it runs
    breaker.failed("still down")
    assert not breaker.allow()  # a failed trial opens it for another cool-down
    clock.now += 30.1
    assert breaker.allow()
    breaker.succeeded()
    assert all(breaker.allow() for _ in range(5))


def test_threads_are_not_queued_behind_a_slow_guarded_call():
    breaker = CircuitBreaker()
    assert breaker.allow()  # a slow call is in flight...
    started = time.monotonic()
    allowed = []
    others = [threading.Thread(target=lambda: allowed.append(breaker.allow())) for _ in range(3)]
    for t in others:
        t.start()
    for t in others:
        t.join()
    assert allowed == [True] * 3 and time.monotonic() - started < 0.1  # other threads decide at once


@pytest.fixture
def stub():
    with StubLLM() as server:
        yield server


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_failing_provider_is_skipped_then_tried_again(stub, provider):
    stub.default = Reply(status=500)
    client = llm_client(provider, stub.url, CLASSIFIER_BREAKER_FAILURES=2, CLASSIFIER_BREAKER_SECONDS=0.5)
    for _ in range(2):
        assert classify(client).json["provider"] == "keyword"
    asked = len(stub.requests)
    assert asked >= 2

    started = time.monotonic()
    skipped = classify(client).json
    assert time.monotonic() - started < 0.3
    assert len(stub.requests) == asked  # not asked at all
    assert skipped["provider"] == "keyword"
    assert skipped["note"].startswith(f"{provider} is unavailable (")
    assert "not asked again for up to 0.5 s after 2 failures in a row" in skipped["note"]
    assert API_KEY not in skipped["note"]

    time.sleep(0.6)
    stub.default = answer("billing", "low")
    back = classify(client, description="a new description, not cached").json
    assert (back["provider"], back["suggested_category"]) == (provider, "billing")
    assert len(stub.requests) == asked + 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_provider_answering_after_30_s_costs_at_most_the_budget_and_then_nothing(stub, provider):
    stub.default = Reply(text='{"category": "billing", "priority": "low"}', delay=30)
    client = llm_client(provider, stub.url, CLASSIFIER_TIMEOUT=1.0, CLASSIFIER_BREAKER_FAILURES=2)
    timings = []
    for n in range(4):
        started = time.monotonic()
        body = classify(client, description=f"ticket {n}: I was charged twice").json
        timings.append(time.monotonic() - started)
        assert body["provider"] == "keyword" and body["suggested_category"] == "billing"
    assert all(t < 1.0 + 1.0 for t in timings[:2]), timings  # within CLASSIFIER_TIMEOUT + 1 s
    assert all(t < 0.3 for t in timings[2:]), timings  # then skipped outright


@pytest.mark.parametrize("provider", PROVIDERS)
def test_filing_a_ticket_never_waits_on_the_provider(stub, provider, database_url_for_run):
    stub.default = Reply(text="{}", delay=30)
    settings = llm_client(provider, stub.url).application.config
    client = make_app(database_url_for_run, **{k: settings[k] for k in (
        "TICKETDESK_CLASSIFIER", "OPENAI_API_KEY", "OPENAI_BASE_URL", "GEMINI_API_KEY", "GEMINI_BASE_URL")}).test_client()
    started = time.monotonic()
    response = client.post("/api/tickets/", json={"title": "t", "description": "d", "category": "billing",
                                                  "priority": "low"})
    assert response.status_code == 201 and time.monotonic() - started < 1
    assert stub.requests == []
