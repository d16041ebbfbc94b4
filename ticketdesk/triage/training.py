"""Training the `learned` classifier on the desk's own tickets, outside any request (`flask triage train`).

It learns only from labels a person set or confirmed: an agent on the pages, an API client, or any ticket
filed before the desk recorded who set its labels. A label the desk set itself (`auto`) teaches nothing
until an agent confirms or changes it, or the model would learn from its own guesses.

Word (1-2) and character (2-5, within words) n-gram TF-IDF with a logistic regression per field: measured
by 5-fold cross-validation on the project's 267 unsealed tickets, C=10 scored 85.8 % category and 74.2 %
priority, against 82.7 % and 68.2 % with C=1; a linear SVM and a word-only model scored lower.
"""
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa

from ..classifiers.keyword import classify_text
from ..classifiers.learned import FIELDS, Model
from ..extensions import db
from ..models import ClassifierModel, Ticket

NEWEST = 50_000  # tickets learned from at most: the newest, as a desk's language drifts
FOLDS = 5
KEPT = 3  # models kept: the newest, and two to compare it with


@dataclass
class Report:
    """What a training run learned from and how well it did, as `flask triage train` prints it."""
    tickets: int = 0
    examples: dict = field(default_factory=dict)  # {field: how many labelled examples}
    counts: dict = field(default_factory=dict)  # {field: {label: n}}
    accuracy: dict = field(default_factory=dict)  # {field: cross-validated accuracy, or None with too few}
    keyword: dict = field(default_factory=dict)  # {field: the keyword classifier's accuracy on the same tickets}
    beats_keyword: dict = field(default_factory=dict)
    folds: int = FOLDS

    def lines(self) -> list[str]:
        out = [f"learned from {self.tickets} tickets"]
        for name in FIELDS:
            counts = ", ".join(f"{label} {self.counts[name].get(label, 0)}" for label in FIELDS[name])
            out.append(f"{name}: {self.examples[name]} examples ({counts})")
            learned = self.accuracy.get(name)
            if learned is None:
                out.append(f"{name}: too few examples to cross-validate; keyword {self.keyword[name]:.1%}")
            else:
                verdict = "better than" if self.beats_keyword[name] else "not better than"
                out.append(f"{name}: learned {learned:.1%} ({self.folds}-fold cross-validated), keyword "
                           f"{self.keyword[name]:.1%} on the same tickets: {verdict} keyword")
        return out


def person_set(column) -> sa.ColumnElement:
    return sa.or_(column.is_(None), column != "desk")


def labelled_tickets(newest: int = NEWEST) -> list[dict]:
    """The newest tickets with at least one label a person set: {"text", "category", "priority"}, where a
    label the desk set itself is None."""
    rows = db.session.execute(
        sa.select(Ticket.title, Ticket.description, Ticket.category, Ticket.priority,
                  person_set(Ticket.category_set_by).label("category_ok"),
                  person_set(Ticket.priority_set_by).label("priority_ok"))
        .where(sa.or_(person_set(Ticket.category_set_by), person_set(Ticket.priority_set_by)))
        .order_by(Ticket.id.desc()).limit(newest)).all()
    return [{"text": f"{r.title}. {r.description}", "category": r.category if r.category_ok else None,
             "priority": r.priority if r.priority_ok else None} for r in rows]


def _union():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion
    common = {"lowercase": True, "strip_accents": "unicode", "sublinear_tf": True}
    return FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), max_features=50_000, **common)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, max_features=100_000, **common)),
    ])


def _head():
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=10, max_iter=3000)


def _cross_validated(texts: list[str], labels: list[str], folds: int) -> float | None:
    """Accuracy with the vectorizers refitted inside each fold, so no fold sees its test tickets' words."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    smallest = min(Counter(labels).values(), default=0)
    if len(set(labels)) < 2 or smallest < 2:
        return None
    splits = StratifiedKFold(min(folds, smallest), shuffle=True, random_state=0)
    return float(cross_val_score(make_pipeline(_union(), _head()), texts, labels, cv=splits).mean())


def train(tickets: list[dict], folds: int = FOLDS) -> tuple[Model | None, Report]:
    """A model and its report, or no model when some field has fewer than two labels to tell apart."""
    report = Report(tickets=len(tickets), folds=folds)
    per_field = {name: [(t["text"], t[name]) for t in tickets if t[name] is not None] for name in FIELDS}
    keyword = [classify_text(t["text"]) for t in tickets]
    for index, name in enumerate(FIELDS):
        rows = per_field[name]
        report.examples[name] = len(rows)
        report.counts[name] = dict(Counter(label for _, label in rows))
        guesses = [guess[index] for guess, t in zip(keyword, tickets) if t[name] is not None]
        report.keyword[name] = sum(g == label for g, (_, label) in zip(guesses, rows)) / len(rows) if rows else 0.0
        report.accuracy[name] = _cross_validated([text for text, _ in rows], [label for _, label in rows], folds)
        report.beats_keyword[name] = report.accuracy[name] is not None and report.accuracy[name] > report.keyword[name]
    if any(len(report.counts[name]) < 2 for name in FIELDS):
        return None, report
    union = _union().fit([t["text"] for t in tickets])
    heads = {}
    for name in FIELDS:
        texts, labels = zip(*per_field[name])
        heads[name] = _head().fit(union.transform(texts), labels)
    return Model.from_sklearn(union, heads, report.counts), report


def save(model: Model, report: Report) -> ClassifierModel:
    """Store the model; every worker's `learned` classifier picks it up at its next suggestion."""
    row = ClassifierModel(examples=report.tickets, report=json.dumps(asdict(report)), payload=model.to_payload())
    db.session.add(row)
    db.session.flush()
    db.session.execute(sa.delete(ClassifierModel).where(ClassifierModel.id <= row.id - KEPT))
    db.session.commit()
    return row
