"""What every classifier is, and the registry that maps names to classifiers.

A classifier module ends by calling `register(TheClass)`; the class is kept only when the package it
`requires` is installed (checked without importing it, so start-up stays cheap).
"""
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import ClassVar

from ..models import CATEGORIES, PRIORITIES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    category: str
    priority: str
    provider: str  # the classifier that answered the category
    note: str | None = None
    #: {field: 0..1} for the fields whose classifier knows how sure it is
    confidence: dict = field(default_factory=dict)
    #: {field: classifier}, when a chain's classifiers answered different fields
    providers: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.category not in CATEGORIES or self.priority not in PRIORITIES:
            raise ValueError(f"not a valid suggestion: {self.category!r}/{self.priority!r}")

    def by(self, name: str) -> str:
        """The classifier that answered the field `name`."""
        return self.providers.get(name, self.provider)

    def to_json(self) -> dict:
        body = {"suggested_category": self.category, "suggested_priority": self.priority,
                "provider": self.provider}
        if self.note:
            body["note"] = self.note
        if self.confidence:
            body["confidence"] = dict(self.confidence)
        if self.by("category") != self.by("priority"):
            body["providers"] = {"category": self.by("category"), "priority": self.by("priority")}
        return body


class ClassifierUnavailable(Exception):
    """The classifier cannot answer now (not configured, timed out, refused, answered nonsense)."""


class Classifier(ABC):
    """Base class for classifiers; a plugin may subclass it or just provide `name`, `from_config`, `classify`."""

    name: ClassVar[str]
    #: importable top-level package this classifier needs; without it, it is not registered
    requires: ClassVar[str | None] = None
    #: the configuration keys this classifier reads (documented in the README)
    settings: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def enabled(cls) -> bool:
        return cls.requires is None or find_spec(cls.requires) is not None

    @classmethod
    def from_config(cls, config: Mapping) -> "Classifier":
        return cls()

    #: answers from this machine, never over a network (no circuit breaker needed)
    local: ClassVar[bool] = False

    @abstractmethod
    def classify(self, description: str, title: str = "") -> Suggestion:
        """Suggest a category and priority; raise when unable, and the keyword classifier answers instead."""

    def fields(self, description: str, title: str = "") -> dict[str, tuple[str, float | None]]:
        """{field: (label, confidence or None)} for the fields this classifier answers; a classifier that
        may abstain for one field (`learned`) overrides this, and a chain asks the next one for the rest."""
        answer = self.classify(description, title)
        return {"category": (answer.category, answer.confidence.get("category")),
                "priority": (answer.priority, answer.confidence.get("priority"))}


_registry: dict[str, type[Classifier]] = {}


def register(cls: type[Classifier]) -> type[Classifier]:
    if getattr(cls, "enabled", lambda: True)():
        _registry[cls.name] = cls
    else:
        log.info("classifier %r not registered: package %r is not installed", cls.name, cls.requires)
    return cls


def registered() -> dict[str, type[Classifier]]:
    return dict(_registry)
