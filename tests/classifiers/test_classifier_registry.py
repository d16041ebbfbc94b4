"""The classifier registry: built-ins, `auto`, unknown names, and plugins from installed packages."""
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.fixtures import FIXTURES
from ticketdesk.classifiers import (
    ChainClassifier,
    ConfigurationError,
    base,
    choose,
    load_classifiers,
)

PLUGIN = FIXTURES / "plugin_example"


def test_builtins_register_themselves():
    assert {"keyword", "learned", "openai", "gemini"} <= set(load_classifiers())


@pytest.mark.parametrize("config, expected", [
    ({}, ("learned", "keyword")),
    ({"TICKETDESK_CLASSIFIER": "auto"}, ("learned", "keyword")),
    ({"OPENAI_API_KEY": "k"}, ("openai", "keyword")),
    ({"GEMINI_API_KEY": "k"}, ("gemini", "keyword")),
    ({"GEMINI_API_KEY": "k", "OPENAI_API_KEY": "k"}, ("gemini", "keyword")),
    ({"TICKETDESK_CLASSIFIER": "keyword", "OPENAI_API_KEY": "k"}, ("keyword",)),
    ({"TICKETDESK_CLASSIFIER": "openai"}, ("openai", "keyword")),
    ({"TICKETDESK_CLASSIFIER": "learned,openai,keyword"}, ("learned", "openai", "keyword")),
    ({"TICKETDESK_CLASSIFIER": " learned , gemini "}, ("learned", "gemini", "keyword")),
])
def test_auto_prefers_gemini_then_openai_then_the_learned_model_and_keyword_always_ends_the_chain(config, expected):
    assert choose(config) == expected


@pytest.mark.parametrize("chain, complaint", [
    ("keyword,learned", "keyword is the last resort"),
    ("learned,learned", "names a classifier twice"),
    ("auto,keyword", "auto stands alone"),
])
def test_a_chain_that_cannot_mean_what_it_says_stops_start_up(chain, complaint):
    with pytest.raises(ConfigurationError, match=complaint):
        make_app("sqlite://", TICKETDESK_CLASSIFIER=chain)


def test_the_app_asks_an_llm_first_and_keyword_last():
    app = make_app("sqlite://", TICKETDESK_CLASSIFIER="auto", GEMINI_API_KEY="k")
    classifier = app.extensions["ticketdesk.classifier"]
    assert isinstance(classifier, ChainClassifier)
    assert classifier.names == ("gemini", "keyword") and set(classifier.breakers) == {"gemini"}
    assert make_app("sqlite://", TICKETDESK_CLASSIFIER="keyword").extensions["ticketdesk.classifier"].names == ("keyword",)
    chain = make_app("sqlite://", TICKETDESK_CLASSIFIER="learned,openai").extensions["ticketdesk.classifier"]
    assert chain.names == ("learned", "openai", "keyword") and set(chain.breakers) == {"openai"}


def test_an_unknown_classifier_stops_start_up_listing_the_registered_names():
    with pytest.raises(ConfigurationError) as error:
        make_app("sqlite://", TICKETDESK_CLASSIFIER="gemeni")
    message = str(error.value)
    assert "'gemeni'" in message
    assert "auto, gemini, keyword, learned, openai" in message


def test_a_keyword_only_desk_does_not_import_the_provider_sdks():
    code = ("import sys; from tests.conftest import make_app; "
            "app = make_app('sqlite://'); app.test_client().post('/api/tickets/classify/', json={'description': 'x'}); "
            "print(sorted(m for m in ('openai', 'google.genai') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent.parent)
    assert out.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory):
    """The example plugin, built and installed by pip into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(PLUGIN)], check=True)
    return target


@pytest.fixture
def plugin_on_path(installed_plugin, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_plugin))
    yield
    for name in ("shouty", "broken"):
        base._registry.pop(name, None)


def test_a_plugin_from_an_installed_package_is_registered_and_chosen(plugin_on_path):
    assert "shouty" in load_classifiers()
    app = make_app("sqlite://", TICKETDESK_CLASSIFIER="shouty", SHOUTY_LEVEL="high")
    client = app.test_client()
    loud = client.post("/api/tickets/classify/", json={"description": "NOTHING WORKS AT ALL"}).json
    calm = client.post("/api/tickets/classify/", json={"description": "a quiet question"}).json
    assert loud == {"suggested_category": "general", "suggested_priority": "high", "provider": "shouty"}
    assert calm["suggested_priority"] == "low"


def test_a_broken_plugin_is_logged_not_fatal(plugin_on_path, caplog):
    classes = load_classifiers()
    assert "broken" not in classes and "keyword" in classes
    assert "classifier plugin 'broken'" in caplog.text


def test_a_plugin_that_fails_falls_back_to_keyword(plugin_on_path, monkeypatch):
    import ticketdesk_shouty

    def fail(self, description, title=""):
        raise ConnectionError("plugin backend down")
    monkeypatch.setattr(ticketdesk_shouty.ShoutyClassifier, "classify", fail)
    client = make_app("sqlite://", TICKETDESK_CLASSIFIER="shouty").test_client()
    body = client.post("/api/tickets/classify/", json={"description": "I was charged twice"}).json
    assert body["provider"] == "keyword" and body["suggested_category"] == "billing"
    assert "shouty is unavailable (ConnectionError)" in body["note"]
