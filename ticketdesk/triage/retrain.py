"""Retraining in the background: the worker trains the learned classifier every TRAIN_EVERY_HOURS on the
labels agents set or confirmed since; a new model is deployed only if it scores at least as well as the
deployed one on the held-out tickets, and every web worker picks a deployed one up at its next suggestion."""
import logging

from ..jobs import periodic
from .training import retrain

log = logging.getLogger(__name__)


@periodic("triage.retrain", every=lambda config: config["TRAIN_EVERY_HOURS"] * 3600)
def retrain_job() -> int | None:
    """The deployed model's id after this run, or None when there is not yet enough to learn from."""
    row, report = retrain()
    if row is None:
        log.info("retrain: nothing saved; every field needs examples of at least two labels")
        return None
    log.info("retrain: model #%s from %s tickets %s", row.id, row.examples, report.comparison())
    return row.id if row.deployed else report.deployed_id
