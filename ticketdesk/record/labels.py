"""The labels a classifier suggests and people set, and who set them: how (`agent` on the pages, `client`
through the API, `desk` when a classifier filled an `auto` field) and by whom (the actor, so an admin can
leave one actor's labels out of training)."""

LABELS = ("category", "priority")


def stamp(names, setter: str, actor: str | None) -> dict:
    """The columns that say who set each label in `names`: `{name}_set_by` and `{name}_labelled_by` (None
    when the desk set it)."""
    return {**{f"{name}_set_by": setter for name in names},
            **{f"{name}_labelled_by": None if setter == "desk" else actor for name in names}}


def set_by_desk(ticket, name: str) -> bool:
    """Whether the desk itself set the ticket's label `name` (a guess no person has confirmed yet)."""
    return getattr(ticket, f"{name}_set_by") == "desk"
