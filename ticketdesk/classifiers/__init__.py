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
           "load_classifiers", "build_classifier", "ChainClassifier", "ConfigurationError", "choose", "local_classifier"]

log = logging.getLogger(__name__)

BUILTINS = ("keyword", "learned", "openai", "gemini")
ENTRY_POINT_GROUP = "ticketdesk.classifiers"
FIELDS = ("category", "priority")


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


def choose(config: Mapping) -> tuple[str, ...]:
    """The chain `TICKETDESK_CLASSIFIER` names, asked in order, keyword always last.

    `auto` means gemini if it has a key, else openai if it has a key, else the desk's learned model for the
    fields where it beat keyword when it was trained (until one is trained, that is keyword alone)."""
    raw = config.get("TICKETDESK_CLASSIFIER") or "auto"
    names = [name.strip() for name in raw.split(",") if name.strip()] or ["auto"]
    if names == ["auto"]:
        names = ["gemini"] if config.get("GEMINI_API_KEY") else ["openai"] if config.get("OPENAI_API_KEY") \
            else ["learned"]
    elif "auto" in names:
        raise ConfigurationError("TICKETDESK_CLASSIFIER=auto stands alone; name a chain instead, "
                                 "for example learned,openai,keyword")
    if len(set(names)) < len(names):
        raise ConfigurationError(f"TICKETDESK_CLASSIFIER={raw!r} names a classifier twice")
    if "keyword" in names and names[-1] != "keyword":
        raise ConfigurationError(f"TICKETDESK_CLASSIFIER={raw!r}: keyword is the last resort, so it comes last")
    return tuple(names) if names[-1] == "keyword" else (*names, "keyword")


def build_classifier(config: Mapping) -> "ChainClassifier":
    classes = load_classifiers()
    names = choose(config)
    unknown = [name for name in names if name not in classes]
    if unknown:
        raise ConfigurationError(
            f"TICKETDESK_CLASSIFIER={unknown[0]!r} is not a registered classifier; "
            f"choose one of: auto, {', '.join(sorted(classes))} (or a chain of them, such as learned,openai,keyword)")
    links = [classes[name].from_config(config) for name in names[:-1]]
    if (config.get("TICKETDESK_CLASSIFIER") or "auto") == "auto":
        for link in links:
            if link.name == "learned":
                link.only_if_better = True
    breakers = {link.name: CircuitBreaker(config.get("CLASSIFIER_BREAKER_FAILURES", 3),
                                          config.get("CLASSIFIER_BREAKER_SECONDS", 30.0))
                for link in links if not getattr(link, "local", False)}
    return ChainClassifier(links, classes["keyword"].from_config(config), breakers)


def local_classifier(config: Mapping) -> "ChainClassifier":
    """What fills `auto` fields when a ticket is created: the learned model where it is confident, else
    keyword. Never a network call, so creating a ticket never waits on a provider."""
    classes = load_classifiers()
    links = [classes["learned"].from_config(config)] if "learned" in classes else []
    return ChainClassifier(links, classes["keyword"].from_config(config), {})


class ChainClassifier:
    """Asks each classifier in turn for the fields still unanswered; keyword answers whatever is left.

    A classifier that abstains (the learned one, unsure) is passed over silently. One that fails, or that
    its circuit breaker skips after repeated failures, is passed over with a note saying why."""

    def __init__(self, links: list, fallback: Classifier, breakers: Mapping[str, CircuitBreaker]):
        self.links = links
        self.fallback = fallback
        self.breakers = breakers
        self.name = links[0].name if links else fallback.name

    @property
    def names(self) -> tuple[str, ...]:
        return (*(link.name for link in self.links), self.fallback.name)

    def classify(self, description: str, title: str = "") -> Suggestion:
        answers: dict[str, tuple[str, float | None, str]] = {}
        failed: list[tuple[str, str]] = []
        for link in self.links:
            breaker = self.breakers.get(link.name)
            if breaker is not None and not breaker.allow():
                failed.append((link.name, f"{breaker.last_error}; not asked again for up to {breaker.cooldown:g} s "
                                          f"after {breaker.failures} failures in a row"))
                continue
            try:
                got = _fields(link, description, title)
            except Exception as e:
                reason = _reason(e)
                failed.append((link.name, reason))
                if breaker is not None:
                    breaker.failed(reason)
                log.warning("classifier %s failed (%s); the next in the chain answers", link.name, reason)
                continue
            if breaker is not None:
                breaker.succeeded()
            for name in FIELDS:
                if name not in answers and name in got:
                    answers[name] = (*got[name], link.name)
            if len(answers) == len(FIELDS):
                break
        if len(answers) < len(FIELDS):
            rest = self.fallback.classify(description, title)
            answers.setdefault("category", (rest.category, None, rest.provider))
            answers.setdefault("priority", (rest.priority, None, rest.provider))
        (category, c_conf, c_by), (priority, p_conf, p_by) = answers["category"], answers["priority"]
        note = None
        if failed:
            names = ", ".join(name for name, _ in failed)
            reasons = "; ".join(reason for _, reason in failed)
            answered = c_by if c_by == p_by else f"{c_by} and {p_by}"
            note = f"{names} {'is' if len(failed) == 1 else 'are'} unavailable ({reasons}); " \
                   f"suggested by the {answered} classifier{'s' if c_by != p_by else ''} instead"
        confidence = {name: value for name, value in (("category", c_conf), ("priority", p_conf)) if value is not None}
        providers = {"category": c_by, "priority": p_by} if c_by != p_by else {}
        return Suggestion(category, priority, c_by, note=note, confidence=confidence, providers=providers)


def _fields(link, description: str, title: str) -> dict:
    """A classifier's answer per field; plugins that only `classify` answer both, with no confidence."""
    if hasattr(link, "fields"):
        return link.fields(description, title)
    answer = link.classify(description, title)
    return {"category": (answer.category, None), "priority": (answer.priority, None)}


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
