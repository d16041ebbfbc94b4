"""Contract line 6: POST /api/tickets/classify/."""
import pytest

from tests.conftest import make_app


@pytest.fixture
def client():
    return make_app("sqlite://").test_client()


def test_classify_answers_with_the_keyword_suggestion(client):
    response = client.post("/api/tickets/classify/", json={"description": "I was charged twice this month, refund please"})
    assert response.status_code == 200
    assert response.json == {"suggested_category": "billing", "suggested_priority": "high", "provider": "keyword"}


def test_classify_uses_the_title(client):
    body = client.post("/api/tickets/classify/", json={"description": "see title", "title": "Site down for all users"}).json
    assert (body["suggested_category"], body["suggested_priority"]) == ("technical", "critical")


@pytest.mark.parametrize("payload", [{}, {"description": ""}, {"description": "   \n\t"}, {"description": None},
                                     {"title": "only a title"}])
def test_a_missing_or_blank_description_is_400(client, payload):
    response = client.post("/api/tickets/classify/", json=payload)
    assert response.status_code == 400
    assert response.json == {"error": "Description is required"}


@pytest.mark.parametrize("payload, message", [
    ({"description": 42}, "Description must be a string"),
    ({"description": "ok", "title": ["x"]}, "Title must be a string"),
    ({"description": "a\x00b"}, "Description may not contain null characters"),
])
def test_a_description_of_the_wrong_kind_is_400(client, payload, message):
    response = client.post("/api/tickets/classify/", json=payload)
    assert response.status_code == 400 and response.json == {"error": message}


def test_an_unavailable_llm_adds_a_note(monkeypatch):
    client = make_app("sqlite://", TICKETDESK_CLASSIFIER="openai", OPENAI_API_KEY=None).test_client()
    body = client.post("/api/tickets/classify/", json={"description": "I cannot log in"}).json
    assert body["provider"] == "keyword"
    assert body["note"] == ("openai is unavailable (OPENAI_API_KEY is not set); "
                            "suggested by the keyword classifier instead")
