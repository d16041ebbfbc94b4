"""Probes for load balancers and the compose health check: `/healthz` says the process answers,
`/readyz` that the database answers and holds the schema this code expects."""
import logging

import sqlalchemy as sa
from flask import Flask, jsonify

from .auto_migrate import head_revision
from .extensions import db

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    head = head_revision()

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        try:
            current = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        except sa.exc.SQLAlchemyError as e:
            log.warning("readiness check: database unreachable (%s)", type(e).__name__)
            db.session.rollback()
            return jsonify(status="unavailable", reason="database unreachable"), 503
        if current != head:
            return jsonify(status="unavailable", reason=f"schema at {current}, expected {head}"), 503
        return jsonify(status="ok", schema=head)
