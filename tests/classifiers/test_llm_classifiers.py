"""The OpenAI and Gemini classifiers, through their real SDKs, against a local stub of each protocol.

Every failure (no key, timeout, 5xx, 429, garbage, out-of-set answer, refused connection) ends in the
keyword classifier's answer with a note, within the time budget, logged once and without secrets."""
import logging
import socket
import time

import pytest

from tests.conftest import make_app
from tests.fixtures.llm_stub import Reply, StubLLM
from ticketdesk.classifiers.llm import MAX_INPUT_CHARS

API_KEY = "sk-test-SECRET-123"
DESCRIPTION = "Someone hacked my account and changed the password"
TIMEOUT = 1.0
PROVIDERS = ["openai", "gemini"]


@pytest.fixture
def stub():
    with StubLLM() as server:
        yield server


def llm_client(provider, base_url, **overrides):
    settings = {"TICKETDESK_CLASSIFIER": provider, "CLASSIFIER_TIMEOUT": TIMEOUT}
    if provider == "openai":
        settings.update(OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=f"{base_url}/v1", OPENAI_MODEL="gpt-stub")
    else:
        settings.update(GEMINI_API_KEY=API_KEY, GEMINI_BASE_URL=base_url, GEMINI_MODEL="gemini-stub")
    settings.update(overrides)
    return make_app("sqlite://", **settings).test_client()


def classify(client, description=DESCRIPTION, **extra):
    return client.post("/api/tickets/classify/", json={"description": description, **extra})


def answer(category, priority):
    return Reply(text=f'{{"category": "{category}", "priority": "{priority}"}}')


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_provider_answers(stub, provider):
    stub.queue(answer("billing", "low"))
    response = classify(llm_client(provider, stub.url))
    assert response.status_code == 200
    assert response.json == {"suggested_category": "billing", "suggested_priority": "low", "provider": provider}
    assert len(stub.requests) == 1


def test_openai_request_is_a_strict_json_schema_chat_completion_at_temperature_zero(stub):
    classify(llm_client("openai", stub.url), title="Help")
    request = stub.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == "gpt-stub"
    assert request.body["temperature"] == 0
    assert request.body["response_format"]["type"] == "json_schema"
    schema = request.body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["category"]["enum"] == ["billing", "technical", "account", "general"]
    assert schema["properties"]["priority"]["enum"] == ["low", "medium", "high", "critical"]
    system, user = request.body["messages"]
    assert system["role"] == "system" and all(w in system["content"] for w in ("billing", "critical", "low"))
    assert user == {"role": "user", "content": f"Title: Help\nDescription: {DESCRIPTION}"}


def test_gemini_request_asks_for_json_matching_the_schema_at_temperature_zero(stub):
    classify(llm_client("gemini", stub.url))
    request = stub.requests[0]
    assert request.path in ("/v1/models/gemini-stub:generateContent", "/v1beta/models/gemini-stub:generateContent")
    assert request.headers["x-goog-api-key"] == API_KEY
    config = request.body["generationConfig"]
    assert config["temperature"] == 0
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["properties"]["category"]["enum"] == ["billing", "technical", "account", "general"]
    assert "billing" in request.body["systemInstruction"]["parts"][0]["text"]
    assert request.body["contents"][0]["parts"][0]["text"] == DESCRIPTION


@pytest.mark.parametrize("provider", PROVIDERS)
def test_long_descriptions_are_truncated_before_sending(stub, provider):
    classify(llm_client(provider, stub.url), description="word " * 5000)
    body = stub.requests[0].body
    sent = body["messages"][1]["content"] if provider == "openai" else body["contents"][0]["parts"][0]["text"]
    assert len(sent) <= MAX_INPUT_CHARS


def assert_fell_back(response, provider):
    assert response.status_code == 200
    body = response.json
    assert body["provider"] == "keyword"
    assert body["suggested_category"] == "account" and body["suggested_priority"] == "critical"
    assert provider in body["note"] and "keyword" in body["note"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_slow_provider_is_abandoned_within_the_timeout(stub, provider):
    client = llm_client(provider, stub.url)
    # a first, quick answer builds the SDK's client (a one-off cost of its own, which on a busy machine took
    # a second) so that what is timed below is the provider's slowness alone
    stub.queue(answer("general", "low"), Reply(text='{"category": "billing", "priority": "low"}', delay=TIMEOUT + 3))
    assert classify(client, description="A first question to warm up").json["provider"] == provider
    started = time.monotonic()
    response = classify(client)
    elapsed = time.monotonic() - started
    assert_fell_back(response, provider)
    assert elapsed < TIMEOUT + 1
    assert len(stub.requests) == 2  # the warm-up and the slow one: a timeout spends the budget, no retry


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_server_error_is_retried_once_then_falls_back(stub, provider):
    stub.queue(Reply(status=500), Reply(status=503), answer("billing", "low"))
    assert_fell_back(classify(llm_client(provider, stub.url)), provider)
    assert len(stub.requests) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_server_error_then_success_uses_the_retry(stub, provider):
    stub.queue(Reply(status=502), answer("technical", "high"))
    body = classify(llm_client(provider, stub.url)).json
    assert (body["provider"], body["suggested_category"], body["suggested_priority"]) == (provider, "technical", "high")
    assert "note" not in body


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rate_limited_falls_back_without_hammering(stub, provider):
    stub.queue(Reply(status=429, headers={"Retry-After": "20"}))
    assert_fell_back(classify(llm_client(provider, stub.url)), provider)
    assert len(stub.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("text", ["I think it is billing", '{"category": "shopping", "priority": "low"}',
                                  '{"category": "billing", "priority": "whenever"}', '["billing", "low"]', ""])
def test_garbage_or_out_of_set_answers_fall_back(stub, provider, text):
    stub.queue(Reply(text=text))
    assert_fell_back(classify(llm_client(provider, stub.url)), provider)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_no_api_key_falls_back_without_a_request(stub, provider):
    client = llm_client(provider, stub.url, OPENAI_API_KEY=None, GEMINI_API_KEY=None)
    response = classify(client)
    assert_fell_back(response, provider)
    assert "_API_KEY is not set" in response.json["note"]
    assert stub.requests == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_refused_connection_falls_back_quickly(provider):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # bound, never listening: connections are refused
        started = time.monotonic()
        response = classify(llm_client(provider, dead))
    assert_fell_back(response, provider)
    assert time.monotonic() - started < TIMEOUT + 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_identical_descriptions_are_answered_from_the_cache(stub, provider):
    client = llm_client(provider, stub.url)
    stub.queue(answer("billing", "low"))
    first = classify(client).json
    assert classify(client).json == first
    assert len(stub.requests) == 1
    classify(client, description="Something else entirely")
    assert len(stub.requests) == 2


def test_openai_compatible_server_without_json_schema_gets_json_object(stub):
    stub.queue(Reply(status=400, body={"error": {"message": "response_format json_schema is not supported",
                                                 "type": "invalid_request_error"}}),
               answer("billing", "medium"), answer("general", "low"))
    client = llm_client("openai", stub.url)
    body = classify(client).json
    assert (body["provider"], body["suggested_category"]) == ("openai", "billing")
    assert [r.body["response_format"] for r in stub.requests] == [
        stub.requests[0].body["response_format"], {"type": "json_object"}]
    assert stub.requests[0].body["response_format"]["type"] == "json_schema"
    classify(client, description="another ticket")
    assert stub.requests[2].body["response_format"] == {"type": "json_object"}  # remembered


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_failure_is_logged_once_without_key_or_description(stub, provider, caplog):
    stub.queue(Reply(status=500), Reply(status=500))
    with caplog.at_level(logging.DEBUG):
        classify(llm_client(provider, stub.url))
    ours = [r for r in caplog.records if r.name.startswith("ticketdesk.classifiers") and r.levelno >= logging.WARNING]
    assert len(ours) == 1
    assert provider in ours[0].getMessage()
    assert API_KEY not in caplog.text
    assert DESCRIPTION not in caplog.text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_title_is_sent_too(stub, provider):
    classify(llm_client(provider, stub.url), title="Urgent: hacked")
    body = stub.requests[0].body
    sent = body["messages"][1]["content"] if provider == "openai" else body["contents"][0]["parts"][0]["text"]
    assert sent.startswith("Title: Urgent: hacked\n")
