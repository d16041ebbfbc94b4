"""Where a 100-ticket page spends its Python time, in-process: the figures behind selecting plain rows,
answering with `ticket_json` instead of marshmallow's dump, and keeping the standard JSON encoder."""
import json
import statistics
import timeit

from ticketdesk import create_app
from ticketdesk.extensions import db
from ticketdesk.models import Ticket
from ticketdesk.record.queries import ticket_page
from ticketdesk.schemas import TicketSchema, ticket_json


def _ms(function, number: int = 200) -> float:
    return statistics.median(timeit.repeat(function, number=number, repeat=5)) / number * 1000


def measure_encoders(url: str, headers: dict[str, str]) -> dict[str, float]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "TICKETDESK_CLASSIFIER": "keyword"})
    schema = TicketSchema(many=True)
    with app.app_context():
        rows_query = ticket_page(limit=100)
        objects_query = rows_query.with_only_columns(Ticket)
        rows = db.session.execute(rows_query).all()
        data = [ticket_json(row) for row in rows]
        figures = {
            "fetch as ORM objects (not used)": _ms(lambda: db.session.scalars(objects_query).all()),
            "fetch as column rows (used)": _ms(lambda: db.session.execute(rows_query).all()),
            "marshmallow `TicketSchema(many=True).dump` (not used)": _ms(lambda: schema.dump(rows)),
            "`ticket_json` per row (used)": _ms(lambda: [ticket_json(row) for row in rows]),
            "JSON encode, standard library (used)": _ms(lambda: json.dumps(data)),
        }
        db.session.rollback()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = headers["Authorization"]
    figures["whole request `GET /api/tickets/`, Flask test client"] = _ms(lambda: client.get("/api/tickets/"), 50)
    with app.app_context():
        db.engine.dispose()
    return figures
