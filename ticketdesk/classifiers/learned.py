"""The classifier the desk trains on its own tickets (`flask triage train`, ticketdesk/triage/training.py).

Word and character n-gram TF-IDF with one logistic regression per field. The model is kept in the database
as arrays in compressed JSON, never pickled, so loading one runs no code; every worker notices a newer model
at its next suggestion and loads it, so training needs no restart. It answers a field only when it is
confident and has seen enough examples of every label; otherwise it abstains and the next classifier in
the chain answers that field.
"""
import base64
import json
import logging
import math
import threading
import zlib
from collections import Counter
from collections.abc import Mapping

import sqlalchemy as sa

from ..extensions import db
from ..generation import kept
from ..models import CATEGORIES, PRIORITIES, ClassifierModel
from .base import Classifier, ClassifierUnavailable, Suggestion, register

FIELDS = {"category": CATEGORIES, "priority": PRIORITIES}
log = logging.getLogger(__name__)
PAYLOAD_VERSION = 1


def _floats(array) -> str:
    import numpy as np
    return base64.b64encode(np.asarray(array, dtype="<f4").tobytes()).decode()


def _array(text: str, shape=None):
    import numpy as np
    array = np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64)
    return array.reshape(shape) if shape else array


class Model:
    """A trained model: TF-IDF vectorizers (parameters, vocabulary, idf) and per-field linear weights.

    Features are computed here with sklearn's own analyzers and TF-IDF formula (sublinear tf, idf, unit
    length per vectorizer), which a test holds equal to sklearn's pipeline."""

    def __init__(self, vectorizers: list[dict], fields: dict[str, dict]):
        self.vectorizers = vectorizers  # [{"params": {...}, "vocabulary": [...], "idf": array}]
        self.fields = fields  # {"category": {"classes": [...], "coef": 2-d array, "intercept": array, "counts": {}}}
        self._analyzers = None
        self._index = [{term: i for i, term in enumerate(v["vocabulary"])} for v in vectorizers]
        self._offsets = []
        offset = 0
        for v in vectorizers:
            self._offsets.append(offset)
            offset += len(v["vocabulary"])
        self.width = offset

    @classmethod
    def from_sklearn(cls, union, heads: Mapping, counts: Mapping) -> "Model":
        """From a fitted FeatureUnion of TfidfVectorizers and a fitted LogisticRegression per field."""
        vectorizers = []
        for _, vectorizer in union.transformer_list:
            vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
            params = {k: vectorizer.get_params()[k] for k in
                      ("analyzer", "ngram_range", "lowercase", "strip_accents", "sublinear_tf")}
            params["ngram_range"] = list(params["ngram_range"])
            vectorizers.append({"params": params, "vocabulary": vocabulary, "idf": vectorizer.idf_})
        fields = {name: {"classes": [str(c) for c in head.classes_], "coef": head.coef_,
                         "intercept": head.intercept_, "counts": dict(counts[name])}
                  for name, head in heads.items()}
        return cls(vectorizers, fields)

    def to_payload(self) -> bytes:
        body = {"version": PAYLOAD_VERSION,
                "vectorizers": [{"params": v["params"], "vocabulary": v["vocabulary"], "idf": _floats(v["idf"])}
                                for v in self.vectorizers],
                "fields": {name: {"classes": f["classes"], "coef": _floats(f["coef"]),
                                  "rows": len(f["coef"]), "intercept": _floats(f["intercept"]), "counts": f["counts"]}
                           for name, f in self.fields.items()}}
        return zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 6)

    @classmethod
    def from_payload(cls, payload: bytes) -> "Model":
        body = json.loads(zlib.decompress(payload))
        if body.get("version") != PAYLOAD_VERSION:
            raise ClassifierUnavailable(f"the stored model has format {body.get('version')!r}; retrain it")
        vectorizers = [{"params": v["params"], "vocabulary": v["vocabulary"], "idf": _array(v["idf"])}
                       for v in body["vectorizers"]]
        model = cls(vectorizers, {})
        model.fields = {name: {"classes": f["classes"], "coef": _array(f["coef"], (f["rows"], model.width)),
                               "intercept": _array(f["intercept"]), "counts": f["counts"]}
                        for name, f in body["fields"].items()}
        return model

    def features(self, text: str):
        import numpy as np
        if self._analyzers is None:
            from sklearn.feature_extraction.text import TfidfVectorizer
            self._analyzers = [TfidfVectorizer(**{**v["params"], "ngram_range": tuple(v["params"]["ngram_range"])})
                               .build_analyzer() for v in self.vectorizers]
        x = np.zeros(self.width)
        for analyze, index, offset, v in zip(self._analyzers, self._index, self._offsets, self.vectorizers):
            counts = Counter(i for i in map(index.get, analyze(text)) if i is not None)
            if not counts:
                continue
            columns = np.fromiter(counts, dtype=np.int64)
            weights = np.fromiter(counts.values(), dtype=np.float64)
            if v["params"]["sublinear_tf"]:
                weights = 1.0 + np.log(weights)
            weights *= v["idf"][columns]
            x[offset + columns] = weights / math.sqrt(float(weights @ weights))
        return x

    def probabilities(self, text: str) -> dict[str, dict[str, float]]:
        """Each field's probability per label."""
        import numpy as np
        x = self.features(text)
        answer = {}
        for name, f in self.fields.items():
            scores = f["coef"] @ x + f["intercept"]
            if len(f["classes"]) == 2:  # a binary logistic regression has one row: the second class's score
                p = 1.0 / (1.0 + math.exp(-scores[0]))
                probs = np.array([1.0 - p, p])
            else:
                exp = np.exp(scores - scores.max())
                probs = exp / exp.sum()
            answer[name] = dict(zip(f["classes"], probs.tolist()))
        return answer


NEWEST = (sa.select(ClassifierModel.id, ClassifierModel.created_at).where(ClassifierModel.deployed)
          .order_by(ClassifierModel.id.desc()).limit(1))


class LearnedClassifier(Classifier):
    # the newest model, shared by every instance in the process (the configured chain and triage on create)
    _lock = threading.Lock()
    _loaded: tuple[tuple, Model, dict] | None = None

    name = "learned"
    requires = "sklearn"
    local = True  # answers from this machine: never waits on a network
    settings = ("LEARNED_MIN_EXAMPLES", "LEARNED_MIN_CONFIDENCE")

    def __init__(self, min_examples: int = 20, min_confidence: float = 0.4, only_if_better: bool = False):
        self.min_examples = min_examples
        self.min_confidence = min_confidence
        # `auto` on a desk without an LLM key: answer only the fields where this model beat keyword at training
        self.only_if_better = only_if_better

    @classmethod
    def from_config(cls, config: Mapping) -> "LearnedClassifier":
        return cls(int(config.get("LEARNED_MIN_EXAMPLES", 20)), float(config.get("LEARNED_MIN_CONFIDENCE", 0.4)))

    def current(self) -> tuple[Model, dict] | None:
        """The newest deployed model and its report (a retrained model that scored worse than the deployed one
        is stored but not used). Which one that is, is kept under the settings generation (training or
        deploying moves it); the model is loaded only when that changed."""
        newest = kept("learned.newest", lambda session: session.execute(NEWEST).first())
        if newest is None:
            return None
        key = (db.engine.url, *newest)  # ids restart when a database is rebuilt; the time they were made does not
        cls = type(self)
        loaded = cls._loaded
        if loaded is None or loaded[0] != key:
            with cls._lock:
                loaded = cls._loaded
                if loaded is None or loaded[0] != key:
                    row = db.session.get(ClassifierModel, newest.id)
                    loaded = (key, Model.from_payload(row.payload), json.loads(row.report))
                    cls._loaded = loaded
                    log.info("learned model #%s loaded (%s features, trained on %s tickets)",
                             row.id, loaded[1].width, row.examples)
        return loaded[1], loaded[2]

    def fields(self, description: str, title: str = "") -> dict[str, tuple[str, float]]:
        """The fields this model answers with confidence: {field: (label, confidence)}; {} when it abstains."""
        try:
            current = self.current()
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            raise ClassifierUnavailable("its model could not be read: the database is unavailable") from None
        if current is None:
            return {}
        model, report = current
        usable = [name for name, labels in FIELDS.items() if name in model.fields
                  and all(model.fields[name]["counts"].get(label, 0) >= self.min_examples for label in labels)
                  and (not self.only_if_better or report.get("beats_keyword", {}).get(name))]
        if not usable:
            return {}
        answer = {}
        for name, probs in model.probabilities(f"{title}. {description}" if title else description).items():
            label, confidence = max(probs.items(), key=lambda item: item[1])
            if name in usable and confidence >= self.min_confidence:
                answer[name] = (label, round(confidence, 2))
        return answer

    def warm_up(self) -> None:
        """Load the newest model, and scikit-learn's analyzers with it (about a second), before the first
        suggestion rather than during it; a worker calls this once after it starts."""
        current = self.current()
        if current is not None:
            current[0].features("warm up")

    def classify(self, description: str, title: str = "") -> Suggestion:
        answer = self.fields(description, title)
        if len(answer) < len(FIELDS):
            raise ClassifierUnavailable("the learned classifier is not confident of both fields")
        return Suggestion(answer["category"][0], answer["priority"][0], self.name,
                          confidence={name: confidence for name, (_, confidence) in answer.items()})


register(LearnedClassifier)
