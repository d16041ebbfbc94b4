"""The keyword classifier against labelled tickets in five languages, and the cases that trip naive matching.

`labelled_tickets.jsonl` is the set the word lists were developed on; `heldout_tickets.jsonl` was written
afterwards and never tuned against, so its figures say how well the classifier generalises."""
import json
from collections import Counter

import pytest

from tests.fixtures import FIXTURES
from ticketdesk.classifiers.keyword import KeywordClassifier

DATA = FIXTURES / "data"
classifier = KeywordClassifier()


def load(name):
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]


def accuracy(rows):
    answers = [classifier.classify(r["description"], r["title"]) for r in rows]
    category = sum(a.category == r["category"] for a, r in zip(answers, rows)) / len(rows)
    priority = sum(a.priority == r["priority"] for a, r in zip(answers, rows)) / len(rows)
    return category, priority


def constant_baseline(rows):
    return (Counter(r["category"] for r in rows)["general"] / len(rows),
            Counter(r["priority"] for r in rows)["medium"] / len(rows))


def measured(name, report_metric, remark=""):
    """The classifier's category and priority accuracy on the set `name` and a constant general/medium
    answer's, reported at the end of the run."""
    rows = load(name)
    category, priority = accuracy(rows)
    base_category, base_priority = constant_baseline(rows)
    report_metric(f"keyword classifier on {name} ({len(rows)} tickets, {len({r['lang'] for r in rows})} languages"
                  f"{remark}): category {category:.1%}, priority {priority:.1%} "
                  f"(constant general/medium: {base_category:.1%}, {base_priority:.1%})")
    return category, priority, base_category, base_priority


# severity_tickets.jsonl: 128 tickets written (2026-11-23) to teach severity without tone: impact at scale,
# money or law for critical; one person or team blocked for high; calm problems with a workaround; "URGENT!!!"
# on cosmetic ones. Before any tuning the keyword classifier scored 80.5 % category and 50.0 % priority on
# it; the severity cues were then written against it, so its figure below says only that they hold.
@pytest.mark.parametrize("name, min_category, min_priority", [
    ("labelled_tickets.jsonl", 0.95, 0.85),
    ("heldout_tickets.jsonl", 0.70, 0.70),
    ("severity_tickets.jsonl", 0.75, 0.85),
])
def test_accuracy_is_far_above_the_constant_general_medium(name, min_category, min_priority, report_metric):
    category, priority, base_category, base_priority = measured(name, report_metric)
    assert category >= min_category and priority >= min_priority
    assert category >= base_category + 0.4 and priority >= base_priority + 0.25


# tests/fixtures/data/sealed_tickets.jsonl: 302 tickets written (2026-11-23) by a session that had not studied the word
# lists, before any tuning against them, in six languages (Hindi in Latin script among them), with traps:
# calm words for severe problems, "URGENT!!!" on cosmetic ones, a keyword pointing at the wrong category.
# Labels: critical = many users down, data lost, a security exposure, money wrongly taken at scale or a legal
# deadline within a day; high = one user or team blocked with no workaround, one customer's money wrongly
# taken; medium = broken with a workaround, or a needed change that is not urgent; low = questions, cosmetic
# issues, requests, feedback (tone alone never raises it). Sealed: nothing may tune against it, and its
# hash below makes any edit show in review. Its figures are reported, not asserted beyond sanity.
SEALED = "sealed_tickets.jsonl"
SEALED_SHA256 = "09238990bcf1a1c4b5f460e3cc4be903d741d059f10b8a42fe6bd7d77c36b00f"


def test_the_sealed_set_is_unchanged():
    import hashlib
    assert hashlib.sha256((DATA / SEALED).read_bytes()).hexdigest() == SEALED_SHA256


def test_figures_on_the_sealed_set(report_metric):
    assert len(load(SEALED)) >= 300
    category, priority, base_category, base_priority = measured(SEALED, report_metric, ", sealed")
    assert category > base_category and priority > base_priority
    assert priority >= 0.60  # issue 13's bar, met after the severity cues (60.9 % before them, 63.6 % after)


def test_the_labelled_set_is_large_and_covers_every_label_and_language():
    rows = load("labelled_tickets.jsonl")
    assert len(rows) >= 150
    assert {r["category"] for r in rows} == {"billing", "technical", "account", "general"}
    assert {r["priority"] for r in rows} == {"low", "medium", "high", "critical"}
    assert {r["lang"] for r in rows} == {"en", "es", "fr", "de", "pt"}


@pytest.mark.parametrize("text, category, priority", [
    ("This is not a billing question: the export button crashes with an error.", "technical", "medium"),
    ("Not an account problem, but the invoice total is wrong", "billing", "medium"),
    ("I'm not locked out, just wondering how long a session lasts before I sign in again.", "account", "low"),
    ("Production outage: all users get 503 since 10:00", "technical", "critical"),
    ("We were charged twice for the same invoice", "billing", "high"),
    ("Our data loss after the sync affects the entire team", "technical", "critical"),
    ("I cannot log in, the password reset email never arrives", "account", "high"),
    ("Feature request: a dark theme would be nice. No rush.", "general", "low"),
    ("Not urgent, but the tooltip has a typo", "technical", "low"),
    ("URGENT!!! The save icon is one pixel too low", "technical", "low"),  # tone is not severity
    ("Not one of our 14 branches can create a work order", "general", "critical"),
    ("Payroll payment failed: 430 employees were not paid", "billing", "critical"),
    ("I can no longer see my projects and my clients are waiting", "general", "high"),
    ("The export is slow but finishes in the end; we can live with it for now", "technical", "medium"),
    ("Me han cobrado dos veces la suscripción", "billing", "high"),
    ("Impossible de me connecter, mot de passe refusé", "account", "high"),
    ("Das System ist für alle Benutzer ausgefallen", "technical", "critical"),
    ("Não consigo entrar na minha conta, a senha não é aceita", "account", "high"),
    ("", "general", "low"),
    ("Hello", "general", "low"),
    ("I can't log in", "account", "high"),
    ("Ich kann mich nicht anmelden", "account", "high"),
])
def test_phrases_negation_and_languages(text, category, priority):
    suggestion = classifier.classify(text)
    assert (suggestion.category, suggestion.priority, suggestion.provider) == (category, priority, "keyword")


def test_the_title_counts_too():
    assert classifier.classify("Please help", title="Charged twice").category == "billing"
