"""Training the `learned` classifier on the desk's own tickets, outside any request (`flask triage train`).

It learns only from labels a person set or confirmed: an agent on the pages, an API client, or any ticket
filed before the desk recorded who set its labels. A label the desk set itself (`auto`) teaches nothing
until an agent confirms or changes it, or the model would learn from its own guesses.

Retraining cannot be poisoned quietly: every fifth ticket (by id) is held out of training, and a new model
is deployed only if it scores at least as well as the deployed one, field by field, on the held-out labels
frozen when that one was deployed (relabelling old tickets cannot move the judge). Who gave each label is recorded, and an admin can exclude an actor's labels (`flask triage exclude`).

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
from ..models import ClassifierModel, Ticket, TrainingExclusion

NEWEST = 50_000  # tickets learned from at most: the newest, as a desk's language drifts
FOLDS = 5
KEPT = 3  # models kept besides the deployed one: the newest candidates, for the record
HELD_OUT = 5  # every HELD_OUT-th ticket (by id) is never trained on: the slice models are judged on


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
    held_out: int = 0  # held-out tickets both models were scored on
    score: dict = field(default_factory=dict)  # {field: this model's accuracy on them}
    deployed_id: int | None = None  # the model it was compared with
    deployed_score: dict = field(default_factory=dict)  # {field: that model's accuracy on the same tickets}
    deployed: bool = False
    excluded: int = 0  # labels left out because an admin excluded their actor

    def comparison(self) -> str:
        """One line for the log, the command and the dashboard: both scores, and what was decided."""
        mine = ", ".join(f"{name} {_percent(self.score.get(name))}" for name in FIELDS)
        if self.deployed_id is None:
            return (f"scored {mine} on {self.held_out} held-out tickets; no model was deployed before, so this one is"
                    if self.held_out else "no held-out tickets to score on yet; no model was deployed before, so this one is")
        theirs = ", ".join(f"{name} {_percent(self.deployed_score.get(name))}" for name in FIELDS)
        verdict = "deployed" if self.deployed else f"not deployed: model #{self.deployed_id} stays"
        return (f"scored {mine} on {self.held_out} held-out tickets, against the deployed model #{self.deployed_id}'s "
                f"{theirs}: {verdict}")

    def lines(self) -> list[str]:
        out = [f"learned from {self.tickets} tickets" + (f" ({self.excluded} labels from excluded actors left out)"
                                                          if self.excluded else "")]
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
    """The newest tickets with at least one label a person set: {"id", "text", "category", "priority",
    "excluded"}, where a label the desk set itself, or an excluded actor set, is None (`excluded` counts
    those of the latter)."""
    excluded = set(db.session.scalars(sa.select(TrainingExclusion.actor)))
    rows = db.session.execute(
        sa.select(Ticket.id, Ticket.title, Ticket.description, Ticket.category, Ticket.priority,
                  Ticket.category_labelled_by, Ticket.priority_labelled_by,
                  person_set(Ticket.category_set_by).label("category_ok"),
                  person_set(Ticket.priority_set_by).label("priority_ok"))
        .where(sa.or_(person_set(Ticket.category_set_by), person_set(Ticket.priority_set_by)))
        .order_by(Ticket.id.desc()).limit(newest)).all()
    tickets = []
    for r in rows:
        ticket = {"id": r.id, "text": f"{r.title}. {r.description}", "excluded": 0}
        for name in FIELDS:
            ok, actor = getattr(r, f"{name}_ok"), getattr(r, f"{name}_labelled_by")
            ticket[name] = getattr(r, name) if ok and actor not in excluded else None
            ticket[f"{name}_by"] = actor
            ticket["excluded"] += bool(ok and actor in excluded)
        if ticket["category"] is not None or ticket["priority"] is not None:
            tickets.append(ticket)
        elif ticket["excluded"]:
            tickets.append(ticket)  # counted, learns nothing
    return tickets


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
    excluded = sum(t.get("excluded", 0) for t in tickets)
    tickets = [t for t in tickets if t["category"] is not None or t["priority"] is not None]
    report = Report(tickets=len(tickets), folds=folds, excluded=excluded)
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


def held_out(ticket: dict) -> bool:
    return ticket["id"] % HELD_OUT == 0


def deployed_model() -> ClassifierModel | None:
    """The model suggestions use: the newest deployed one."""
    return db.session.scalars(sa.select(ClassifierModel).where(ClassifierModel.deployed)
                              .order_by(ClassifierModel.id.desc()).limit(1)).first()


def score(model: Model, tickets: list[dict]) -> dict:
    """{field: accuracy of the model's most likely label} on `tickets` (None for a field none of them has)."""
    found = {}
    for name in FIELDS:
        labelled = [t for t in tickets if t[name] is not None]
        right = sum(max(model.probabilities(t["text"])[name].items(), key=lambda item: item[1])[0] == t[name]
                    for t in labelled)
        found[name] = right / len(labelled) if labelled else None
    return found


def retrain(tickets: list[dict] | None = None) -> tuple[ClassifierModel | None, Report]:
    """Train on every ticket but the held-out slice, score the new model and the deployed one on the deployed
    one's judge, and store the new one, deployed only if it is at least as good on every field. Returns the
    stored row (None when nothing could be trained) and the report.

    The judge is frozen when a model is deployed: the held-out tickets' labels as they were then (later
    held-out tickets join at the next deployment). Relabelling old tickets cannot change it, so labels given
    in bad faith cannot make a worse model look better; an excluded actor's labels leave it too."""
    tickets = labelled_tickets() if tickets is None else tickets
    current = deployed_model()
    model, report = train([t for t in tickets if not held_out(t)])
    if model is None:
        return None, report
    fresh = [t for t in tickets if held_out(t)]
    frozen = json.loads(current.judge) if current is not None and current.judge else None
    judge = fresh if frozen is None else _judge(frozen)
    report.held_out, report.score = len(judge), score(model, judge)
    if current is None:
        report.deployed = True
    else:
        report.deployed_id = current.id
        report.deployed_score = score(Model.from_payload(current.payload), judge)
        report.deployed = bool(judge) and all(
            report.score[name] is None or (report.deployed_score[name] or 0) <= report.score[name] for name in FIELDS)
    next_judge = None
    if report.deployed:
        known = max((entry["id"] for entry in frozen or ()), default=0)
        next_judge = (frozen or []) + [_entry(t) for t in fresh if t["id"] > known]
    return save(model, report, next_judge), report


def _entry(ticket: dict) -> dict:
    return {"id": ticket["id"], **{name: ticket[name] for name in FIELDS},
            **{f"{name}_by": ticket.get(f"{name}_by") for name in FIELDS}}


def _judge(frozen: list[dict]) -> list[dict]:
    """The frozen held-out labels with their tickets' texts as they are now, without excluded actors' labels."""
    excluded = set(db.session.scalars(sa.select(TrainingExclusion.actor)))
    texts = {}
    ids = [entry["id"] for entry in frozen]
    for start in range(0, len(ids), 1000):
        for ticket_id, title, description in db.session.execute(sa.select(Ticket.id, Ticket.title, Ticket.description)
                                                                .where(Ticket.id.in_(ids[start:start + 1000]))):
            texts[ticket_id] = f"{title}. {description}"
    judge = []
    for entry in frozen:
        labels = {name: entry[name] if entry.get(f"{name}_by") not in excluded else None for name in FIELDS}
        if entry["id"] in texts and any(labels.values()):
            judge.append({"id": entry["id"], "text": texts[entry["id"]], **labels})
    return judge


def save(model: Model, report: Report, judge: list[dict] | None = None) -> ClassifierModel:
    """Store the model (deployed or not, as the report says) with the judge its successors face; every
    worker's `learned` classifier picks up a newly deployed one at its next suggestion. The deployed model and
    the KEPT newest are kept."""
    row = ClassifierModel(examples=report.tickets, report=json.dumps(asdict(report)), payload=model.to_payload(),
                          deployed=report.deployed, judge=json.dumps(judge) if judge is not None else None)
    db.session.add(row)
    db.session.flush()
    keep = deployed_model()
    db.session.execute(sa.delete(ClassifierModel).where(ClassifierModel.id <= row.id - KEPT,
                                                        ClassifierModel.id != (keep.id if keep else -1)))
    db.session.commit()
    return row


def last_training() -> dict | None:
    """The newest training's report (for the dashboard), with its model's id and when it was made."""
    row = db.session.execute(sa.select(ClassifierModel.id, ClassifierModel.created_at, ClassifierModel.report)
                             .order_by(ClassifierModel.id.desc()).limit(1)).first()
    if row is None:
        return None
    report = Report(**{k: v for k, v in json.loads(row.report).items() if k in Report.__dataclass_fields__})
    return {"id": row.id, "created_at": row.created_at, "report": report, "line": report.comparison()}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"
