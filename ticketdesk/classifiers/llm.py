"""What the LLM classifiers share: the prompt, the answer's schema and strict check, the time budget,
one retry on a transient failure, and a short-lived cache of answers."""
import hashlib
import json
import threading
import time
from abc import abstractmethod
from collections.abc import Mapping

from cachetools import TTLCache

from ..models import CATEGORIES, PRIORITIES
from .base import Classifier, ClassifierUnavailable, Suggestion

MAX_INPUT_CHARS = 4000  # a ticket longer than this is classified on its start; it bounds cost and latency
CACHE_SECONDS = 300
RETRY_MIN_SECONDS = 0.25  # don't start a retry with less time than this left

SYSTEM_PROMPT = """You triage customer support tickets for a help desk. Read the ticket (it may be written \
in any language) and answer with a JSON object {"category": ..., "priority": ...} using only these values.

category:
- billing: payments, charges, invoices, receipts, refunds, subscriptions, plans, pricing, taxes.
- technical: bugs, errors, crashes, outages, slowness, integrations, the API, data that is wrong or missing.
- account: signing in, passwords, two-factor authentication, locked or hacked accounts, profile, email \
change, users, roles and permissions, closing an account.
- general: questions, how-to, feedback, feature requests, anything that fits nowhere else.

priority:
- critical: the service is down or unusable for many users, data loss, a security breach, payments \
failing for everyone.
- high: a customer is blocked and has no workaround, was charged wrongly, or is locked out.
- medium: something is broken but there is a workaround, or only part of a feature fails.
- low: questions, how-to, cosmetic issues, feature requests, feedback, no urgency.

Judge by what the customer needs, not by single words: "this is not a billing question" is not billing."""

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {
        "category": {"type": "string", "enum": list(CATEGORIES)},
        "priority": {"type": "string", "enum": list(PRIORITIES)},
    },
    "required": ["category", "priority"],
    "additionalProperties": False,
}


def ticket_text(description: str, title: str = "") -> str:
    text = f"Title: {title.strip()}\nDescription: {description.strip()}" if title.strip() else description.strip()
    return text[:MAX_INPUT_CHARS]


def parse_answer(text: str | None) -> tuple[str, str]:
    """The (category, priority) in a model's answer; anything else is refused, never guessed."""
    if not text:
        raise ClassifierUnavailable("empty answer")
    try:
        answer = json.loads(text)
    except ValueError:
        raise ClassifierUnavailable("answer is not JSON") from None
    if not isinstance(answer, dict):
        raise ClassifierUnavailable("answer is not a JSON object")
    category = str(answer.get("category", "")).strip().lower()
    priority = str(answer.get("priority", "")).strip().lower()
    if category not in CATEGORIES or priority not in PRIORITIES:
        raise ClassifierUnavailable("answer is outside the allowed categories and priorities")
    return category, priority


class LLMClassifier(Classifier):
    """A classifier that asks a hosted model. Subclasses say how to ask (`_ask`) and what is worth a retry."""

    api_key_setting: str

    def __init__(self, *, api_key: str | None, model: str, base_url: str | None, timeout: float):
        self.api_key = api_key
        self.model = model
        self.base_url = base_url
        self.timeout = timeout
        self._cache = TTLCache(maxsize=512, ttl=CACHE_SECONDS)
        self._lock = threading.Lock()
        self._client = None

    @property
    def client(self):
        """The provider's SDK client, made on first use: a keyword-only desk never imports the SDK."""
        if self._client is None:
            self._client = self._make_client()
        return self._client

    @classmethod
    def from_config(cls, config: Mapping) -> "LLMClassifier":
        prefix = cls.api_key_setting.removesuffix("_API_KEY")
        return cls(api_key=config.get(cls.api_key_setting), model=config[f"{prefix}_MODEL"],
                   base_url=config.get(f"{prefix}_BASE_URL"), timeout=float(config["CLASSIFIER_TIMEOUT"]))

    def classify(self, description: str, title: str = "") -> Suggestion:
        if not self.api_key:
            raise ClassifierUnavailable(f"{self.api_key_setting} is not set")
        text = ticket_text(description, title)
        key = hashlib.sha256(text.encode()).digest()
        with self._lock:
            cached = self._cache.get(key)
        if cached:
            return cached
        category, priority = parse_answer(self._ask_within_budget(text))
        suggestion = Suggestion(category, priority, self.name)
        with self._lock:
            self._cache[key] = suggestion
        return suggestion

    def _ask_within_budget(self, text: str) -> str:
        deadline = time.monotonic() + self.timeout
        try:
            return self._ask(text, self.timeout)
        except Exception as e:
            remaining = deadline - time.monotonic()
            if not self._is_transient(e) or remaining < RETRY_MIN_SECONDS:
                raise
        return self._ask(text, remaining)

    @abstractmethod
    def _make_client(self):
        """Import the SDK and build its client, with the SDK's own retries off: the desk keeps the budget."""

    @abstractmethod
    def _ask(self, text: str, timeout: float) -> str | None:
        """Send the ticket to the model with the system prompt and answer schema; return its raw text."""

    @abstractmethod
    def _is_transient(self, error: Exception) -> bool:
        """Whether one immediate retry may succeed (a dropped connection, a 5xx); not a 429 or a timeout."""
