"""Retraining in the background: the worker trains the learned classifier every TRAIN_EVERY_HOURS on the
labels agents set or confirmed since, and every web worker picks the new model up at its next suggestion."""
import logging

from ..jobs import periodic
from .training import labelled_tickets, save, train

log = logging.getLogger(__name__)


@periodic("triage.retrain", every=lambda config: config["TRAIN_EVERY_HOURS"] * 3600)
def retrain() -> int | None:
    """The new model's id, or None when there is not yet enough to learn from (the chain skips `learned`)."""
    model, report = train(labelled_tickets())
    if model is None:
        log.info("retrain: nothing saved; every field needs examples of at least two labels")
        return None
    row = save(model, report)
    log.info("retrain: saved model #%s from %s tickets", row.id, row.examples)
    return row.id
