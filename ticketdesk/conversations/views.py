"""The requester's page: who they are (agents may correct the name) and every ticket they filed, newest first."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..forms import RequesterForm
from ..models import Requester, Ticket
from ..tickets.queries import ticket_count, ticket_page
from . import bp

SHOWN = 50  # tickets on the page; the list, filtered by this requester, pages through the rest


@bp.route("/requesters/<int:requester_id>", methods=["GET", "POST"])
def requester(requester_id: int):
    person = db.session.get(Requester, requester_id)
    if person is None:
        raise NotFound("There is no such requester.")
    form = RequesterForm(obj=person)
    if form.validate_on_submit():
        person.name = form.cleaned["name"]
        db.session.commit()
        flash("Name saved.", "success")
        return redirect(url_for("conversations.requester", requester_id=person.id))
    tickets = db.session.execute(ticket_page(requester=person.email, limit=SHOWN)).all()[:SHOWN]
    count, exact = ticket_count(requester=person.email)
    return render_template("conversations/requester.html", person=person, form=form, tickets=tickets,
                           count=count, exact=exact, shown=SHOWN)
