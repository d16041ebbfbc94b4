"""The OpenAPI document: it covers every API route, says what the code does, and reads as a page."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ticketdesk.openapi.document import build_spec
from ticketdesk.ownership.schemas import SavedViewSchema
from ticketdesk.schemas import TicketSchema, text_pattern

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def documented_operations(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method != "parameters"}


def routed_operations(app) -> set[tuple[str, str]]:
    """Every (method, path) the app answers under /api/, in OpenAPI's spelling, slash-less twins folded."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint.startswith("openapi."):  # the document itself
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        path = path if path.endswith("/") else path + "/"
        found |= {(method, path) for method in rule.methods - IGNORED_METHODS}
    return found


def test_every_api_route_is_in_the_document_and_nothing_else_is(app, client):
    document = client.get("/api/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert routed_operations(app) == documented_operations(document)


def test_a_new_route_without_a_document_entry_is_noticed(app, client):
    """The check above can fail: an undocumented route shows up in the difference."""
    app.add_url_rule("/api/tickets/<id:ticket_id>/notes/", "notes", lambda ticket_id: "")
    missing = routed_operations(app) - documented_operations(client.get("/api/openapi.json").json)
    assert missing == {("GET", "/api/tickets/{ticket_id}/notes/")}


def test_every_operation_has_an_id_a_summary_and_its_error_answers(client):
    document = client.get("/api/openapi.json").json
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation["operationId"] and operation["summary"], (method, path)
            assert {"401", "403", "414"} <= operation["responses"].keys(), (method, path)
            if method in ("post", "patch") and "requestBody" in operation:  # "send again" takes no body
                assert {"400", "413", "415"} <= operation["responses"].keys(), (method, path)


def test_the_ticket_shape_is_what_the_api_writes(client, make_ticket):
    ticket = make_ticket()
    component = client.get("/api/openapi.json").json["components"]["schemas"]["Ticket"]
    assert list(component["properties"]) == list(ticket) == list(TicketSchema().fields)
    assert {name for name, p in component["properties"].items() if p.get("readOnly")} == {
        "id", "created_at", "updated_at", "created_by", "language", "triaged_by", "requester", "follows_up",
        "assignee", "team", "tags", "sla"}
    change = client.get("/api/openapi.json").json["components"]["schemas"]["TicketChange"]["properties"]
    assert {"assignee", "team", "tags", "add_tags", "remove_tags"} <= {n for n, p in change.items() if p.get("writeOnly")}


def test_the_document_names_the_conditional_and_retry_headers(client):
    paths = client.get("/api/openapi.json").json["paths"]
    one = paths["/api/tickets/{ticket_id}/"]
    assert "ETag" in one["get"]["responses"]["200"]["headers"]
    assert "304" in one["get"]["responses"]
    assert {p["name"] for p in one["patch"]["parameters"]} == {"If-Match"}
    assert "ETag" in one["patch"]["responses"]["412"]["headers"]
    assert {"Location", "ETag"} <= paths["/api/tickets/"]["post"]["responses"]["201"]["headers"].keys()
    assert "Retry-After" in paths["/api/tickets/classify/"]["post"]["responses"]["429"]["headers"]
    assert "Retry-After" in paths["/api/tickets/stats/"]["get"]["responses"]["503"]["headers"]


SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
texts = st.text(alphabet=st.one_of(st.sampled_from(SPACES + "\x00ab"), st.characters(codec="utf-8")),
                max_size=210) | st.builds(lambda pad, core: pad + core + pad, st.text(SPACES, max_size=3),
                                          st.text("xy ", min_size=195, max_size=204))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_the_documents_text_pattern_accepts_exactly_what_the_api_accepts(text):
    """The pattern is the fuzzer's only idea of a valid title; it must agree with the server's rule."""
    accepted = not TicketSchema(partial=True).validate({"title": text})
    assert bool(re.fullmatch(text_pattern(200), text)) == accepted


names = texts | st.builds(lambda pad, core, control: pad + core + control + core + pad, st.text(SPACES, max_size=3),
                          st.text("ab ", max_size=20), st.sampled_from("\x00\x08\t\n\x7f\x85\u200e\u202e\u2066"))


@settings(max_examples=400, deadline=None)
@given(names)
def test_a_names_documented_pattern_refuses_exactly_the_control_characters_the_api_refuses(text):
    """A view's, team's, calendar's or policy's name: the fuzzer found a name the pattern allowed and the API
    refused (a backspace between spaces), so the pattern must say what `_no_controls` says."""
    pattern = build_spec()["components"]["schemas"]["SavedView"]["properties"]["name"]["pattern"]
    accepted = not SavedViewSchema(partial=True).validate({"name": text})
    assert bool(re.fullmatch(pattern, text)) == accepted


def test_the_document_is_built_once_per_app(app, client):
    assert client.get("/api/openapi.json").json == build_spec()
    assert app.extensions["ticketdesk.openapi"] is app.extensions["ticketdesk.openapi"]


def test_the_reference_page_lists_every_operation_with_local_assets_only(client):
    document = client.get("/api/openapi.json").json
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for method, path in documented_operations(document):
        assert f'<code class="method">{method}</code> <code>{path}</code>' in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#", "data:")), url
    assert "<script>" not in html  # the CSP allows no inline script
    assert "Content-Security-Policy" in response.headers

