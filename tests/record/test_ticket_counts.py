"""Stats read counts that triggers keep in the writing transaction: they must equal a direct count after
any mix of writes, rollbacks, bulk loads, concurrent writers and the migration that introduced them."""
import random
import threading
from datetime import datetime, timezone

import flask_migrate
import sqlalchemy as sa

from ticketdesk.extensions import db
from ticketdesk.models import CATEGORIES, PRIORITIES, STATUSES
from ticketdesk.stats.queries import ticket_stats


def direct_stats() -> dict:
    """What the stats must say, counted from the tickets themselves."""
    def count(column):
        rows = db.session.execute(sa.text(f"SELECT {column}, count(*) FROM tickets GROUP BY {column}")).all()
        return {value: n for value, n in rows}
    total = db.session.execute(sa.text("SELECT count(*) FROM tickets")).scalar()
    statuses, priorities, categories = count("status"), count("priority"), count("category")
    return {"total_tickets": total, "open_tickets": statuses.get("open", 0),
            "priority_breakdown": {p: priorities.get(p, 0) for p in PRIORITIES},
            "category_breakdown": {c: categories.get(c, 0) for c in CATEGORIES},
            "status_breakdown": {s: statuses.get(s, 0) for s in STATUSES}}


def counted(app) -> dict:
    with app.app_context():
        stats = ticket_stats()
        stats.pop("avg_tickets_per_day")
        return stats


def expected(app) -> dict:
    with app.app_context():
        return direct_stats()


def row(rng, **fields):
    now = datetime.now(timezone.utc)
    return {"title": "t", "description": "d", "category": rng.choice(CATEGORIES), "priority": rng.choice(PRIORITIES),
            "status": rng.choice(STATUSES), "created_at": now, "updated_at": now, **fields}


def test_counts_follow_creates_changes_and_deletes(app, client, make_ticket, insert_tickets):
    rng = random.Random(7)
    ids = [make_ticket(category=rng.choice(CATEGORIES), priority=rng.choice(PRIORITIES))["id"] for _ in range(30)]
    insert_tickets(row(rng) for _ in range(200))  # one multi-row statement
    for ticket_id in rng.sample(ids, 20):
        change = rng.choice([{"status": rng.choice(STATUSES)}, {"priority": rng.choice(PRIORITIES)},
                             {"category": rng.choice(CATEGORIES)}, {"title": "only the title"},
                             {"status": "closed", "priority": "low", "category": "general"}])
        assert client.patch(f"/api/tickets/{ticket_id}/", json=change).status_code == 200
    with app.app_context():
        db.session.execute(sa.text("UPDATE tickets SET status = 'closed' WHERE id % 3 = 0"))  # a set-based change
        db.session.execute(sa.text("DELETE FROM tickets WHERE id % 5 = 0"))
        db.session.commit()
    assert counted(app) == expected(app)
    assert counted(app)["total_tickets"] == 230 - len([i for i in range(1, 231) if i % 5 == 0])


def test_a_rolled_back_write_leaves_the_counts_alone(app, make_ticket):
    make_ticket()
    before = counted(app)
    with app.app_context():
        db.session.execute(sa.text("UPDATE tickets SET status = 'closed'"))
        db.session.execute(sa.text(
            "INSERT INTO tickets (title, description, category, priority, status) "
            "VALUES ('x', 'y', 'billing', 'high', 'open')"))
        db.session.rollback()
    assert counted(app) == before == expected(app)


def test_a_refused_ticket_is_not_counted(app, client, make_ticket):
    make_ticket()
    response = client.post("/api/tickets/", json={"title": "t", "description": "d", "category": "nope",
                                                  "priority": "high"})
    assert response.status_code == 400
    assert client.get("/api/tickets/stats/").json["total_tickets"] == 1


def test_emptying_the_table_empties_the_counts(app, make_ticket):
    for _ in range(3):
        make_ticket()
    with app.app_context():
        statement = "TRUNCATE tickets CASCADE" if db.engine.dialect.name == "postgresql" else "DELETE FROM tickets"
        db.session.execute(sa.text(statement))
        db.session.commit()
    assert counted(app)["total_tickets"] == 0


def test_the_migration_counts_tickets_that_already_exist(app):
    rng = random.Random(3)
    # the tickets table as revision 0001 left it
    old_tickets = sa.table("tickets", *(sa.column(name) for name in ("title", "description", "category", "priority",
                                                                     "status")))
    with app.app_context():
        flask_migrate.downgrade(revision="0001")
        db.session.execute(sa.insert(old_tickets), [
            {k: v for k, v in row(rng).items() if k not in ("created_at", "updated_at")} for _ in range(150)])
        db.session.commit()
        flask_migrate.upgrade()
        db.session.remove()
    assert counted(app) == expected(app)
    assert counted(app)["total_tickets"] == 150


def test_concurrent_writers_keep_the_counts_exact(app, database_url_for_run):
    """Eight connections create and move tickets at once, each change its own short transaction
    (on SQLite they take turns at the write lock; on PostgreSQL they meet on the count rows)."""
    engine = sa.create_engine(database_url_for_run, pool_size=8,
                              connect_args={"timeout": 30} if database_url_for_run.startswith("sqlite") else {})
    errors = []

    def writer(seed: int):
        rng = random.Random(seed)
        try:
            for _ in range(40):
                with engine.begin() as conn:
                    r = row(rng)
                    ticket_id = conn.execute(sa.text(
                        "INSERT INTO tickets (title, description, category, priority, status) "
                        "VALUES ('t', 'd', :category, :priority, :status) RETURNING id"), r).scalar()
                with engine.begin() as conn:  # move some ticket, often one another writer is moving too
                    conn.execute(sa.text("UPDATE tickets SET status = :s, priority = :p WHERE id = :id"),
                                 {"s": rng.choice(STATUSES), "p": rng.choice(PRIORITIES),
                                  "id": rng.choice([ticket_id, 1, 2, 3])})
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []
    assert counted(app) == expected(app)
    assert counted(app)["total_tickets"] == 320
