"""The classifier registry: built-in classifiers and plugins, chosen by `TICKETDESK_CLASSIFIER`.

Built-ins register themselves exactly as plugins do; third-party packages add classifiers through the
`ticketdesk.classifiers` entry-point group (each entry point names a classifier class).
"""
import logging
from collections.abc import Mapping
from importlib import import_module
from importlib.metadata import entry_points

from .base import Classifier, ClassifierUnavailable, Suggestion, register, registered
from .breaker import CircuitBreaker

__all__ = ["Classifier", "ClassifierUnavailable", "Suggestion", "register", "registered",
           "load_classifiers", "build_classifier", "FallbackClassifier", "ConfigurationError"]

log = logging.getLogger(__name__)

BUILTINS = ("keyword", "openai", "gemini")
ENTRY_POINT_GROUP = "ticketdesk.classifiers"


class ConfigurationError(RuntimeError):
    pass


def load_classifiers() -> dict[str, type[Classifier]]:
    """Import the built-ins and every installed plugin; a broken plugin is logged, not fatal."""
    for module in BUILTINS:
        import_module(f"{__name__}.{module}")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            register(ep.load())
        except Exception:
            log.exception("classifier plugin %r (%s) failed to load", ep.name, ep.value)
    return registered()


def choose(config: Mapping) -> str:
    """`auto` means gemini if it has a key, else openai if it has a key, else keyword."""
    name = config.get("TICKETDESK_CLASSIFIER") or "auto"
    if name != "auto":
        return name
    if config.get("GEMINI_API_KEY"):
        return "gemini"
    if config.get("OPENAI_API_KEY"):
        return "openai"
    return "keyword"


def build_classifier(config: Mapping) -> Classifier:
    classes = load_classifiers()
    name = choose(config)
    if name not in classes:
        raise ConfigurationError(
            f"TICKETDESK_CLASSIFIER={name!r} is not a registered classifier; "
            f"choose one of: auto, {', '.join(sorted(classes))}")
    keyword = classes["keyword"].from_config(config)
    if name == "keyword":
        return keyword
    breaker = CircuitBreaker(config.get("CLASSIFIER_BREAKER_FAILURES", 3), config.get("CLASSIFIER_BREAKER_SECONDS", 30.0))
    return FallbackClassifier(classes[name].from_config(config), keyword, breaker)


class FallbackClassifier:
    """Asks the configured classifier; on any failure, or while it is skipped after repeated failures,
    the keyword classifier answers, with a note saying why."""

    def __init__(self, primary: Classifier, fallback: Classifier, breaker: CircuitBreaker | None = None):
        self.primary = primary
        self.fallback = fallback
        self.breaker = breaker or CircuitBreaker()
        self.name = primary.name

    def classify(self, description: str, title: str = "") -> Suggestion:
        if not self.breaker.allow():
            reason = (f"{self.breaker.last_error}; not asked again for up to {self.breaker.cooldown:g} s "
                      f"after {self.breaker.failures} failures in a row")
        else:
            try:
                answer = self.primary.classify(description, title)
            except Exception as e:
                reason = _reason(e)
                self.breaker.failed(reason)
                log.warning("classifier %s failed (%s); the %s classifier answered",
                            self.primary.name, reason, self.fallback.name)
            else:
                self.breaker.succeeded()
                return answer
        answer = self.fallback.classify(description, title)
        return Suggestion(answer.category, answer.priority, answer.provider,
                          note=f"{self.primary.name} is unavailable ({reason}); "
                               f"suggested by the {answer.provider} classifier instead")


def _reason(e: Exception) -> str:
    """A short, safe account of a failure: no key, no description, at most one line."""
    if isinstance(e, ClassifierUnavailable):
        text = str(e)
    else:
        text = type(e).__name__
        status = getattr(e, "status_code", None) or getattr(e, "code", None)
        if isinstance(status, int):
            text += f" {status}"
    return text.splitlines()[0][:200] if text else type(e).__name__
