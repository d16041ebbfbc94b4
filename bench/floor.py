"""The floor a Flask desk can reach: the same four operations as the desk's create, classify, get one and
patch, in a minimal Flask + Flask-SQLAlchemy app on the same database, served by gunicorn with the same
worker model. No access control, no validation beyond the JSON's shape, no audit, counts or SLA of its own
(the database's triggers still fire: they are the table's). `make bench` reports desk ÷ floor per
operation, a figure that holds on any machine.

Served by `python -m gunicorn bench.floor:app` with FLOOR_DATABASE_URL set (bench/run.py does)."""
import os
import re
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Flask, abort, jsonify, request
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
WORDS = {"billing": re.compile(r"invoice|charge|refund|payment", re.I),
         "technical": re.compile(r"error|crash|fail|bug", re.I), "account": re.compile(r"password|login", re.I)}
FLOOR_AUTHOR = "bench-floor"
COLUMNS = ("id", "title", "description", "category", "priority", "status", "created_at", "updated_at", "version")


class Ticket(db.Model):
    __tablename__ = "tickets"

    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(200), nullable=False)
    description = sa.Column(sa.Text, nullable=False)
    category = sa.Column(sa.String(16), nullable=False)
    priority = sa.Column(sa.String(16), nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default="open")
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    updated_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    version = sa.Column(sa.Integer, nullable=False, default=1)
    created_by = sa.Column(sa.String(254))  # FLOOR_AUTHOR, so that the next bench run finds and deletes them


class Suggestion(db.Model):
    __tablename__ = "suggestions"

    id = sa.Column(sa.Integer, primary_key=True)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    category = sa.Column(sa.String(16), nullable=False)
    priority = sa.Column(sa.String(16), nullable=False)
    category_by = sa.Column(sa.String(32), nullable=False)
    priority_by = sa.Column(sa.String(32), nullable=False)


def as_json(ticket: Ticket) -> dict:
    data = {name: getattr(ticket, name) for name in COLUMNS}
    data["created_at"], data["updated_at"] = data["created_at"].isoformat(), data["updated_at"].isoformat()
    return data


def create_floor_app(url: str) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)

    @app.post("/api/tickets/")
    def create():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("title", "description")):
            abort(400)
        now = datetime.now(timezone.utc)
        ticket = Ticket(title=body["title"], description=body["description"], category=body.get("category", "general"),
                        priority=body.get("priority", "medium"), status="open", created_at=now, updated_at=now,
                        created_by=FLOOR_AUTHOR)
        db.session.add(ticket)
        db.session.commit()
        return jsonify(as_json(ticket)), 201

    @app.post("/api/tickets/classify/")
    def classify():
        """A keyword rule, and the suggestion kept, as the desk keeps it (so an agent's choice can be compared)."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("description"), str):
            abort(400)
        category = next((name for name, words in WORDS.items() if words.search(body["description"])), "general")
        suggestion = Suggestion(created_at=datetime.now(timezone.utc), category=category, priority="medium",
                                category_by="keyword", priority_by="keyword")
        db.session.add(suggestion)
        db.session.commit()
        return jsonify({"category": category, "priority": "medium", "suggestion_id": suggestion.id})

    @app.get("/api/tickets/<int:ticket_id>/")
    def get_one(ticket_id: int):
        return jsonify(as_json(db.get_or_404(Ticket, ticket_id)))

    @app.patch("/api/tickets/<int:ticket_id>/")
    def patch(ticket_id: int):
        body = request.get_json(silent=True)
        ticket = db.get_or_404(Ticket, ticket_id)
        if not isinstance(body, dict) or body.get("status") not in ("open", "in_progress", "resolved", "closed"):
            abort(400)
        ticket.status, ticket.updated_at = body["status"], datetime.now(timezone.utc)
        ticket.version += 1
        db.session.commit()
        return jsonify(as_json(ticket))

    return app


app = create_floor_app(os.environ["FLOOR_DATABASE_URL"]) if os.environ.get("FLOOR_DATABASE_URL") else None
