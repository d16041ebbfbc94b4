"""The agents' forms. Flask-WTF brings CSRF and rendering; the rules are the API's marshmallow schema,
so a page and the API accept and refuse exactly the same input."""
import re

from flask_wtf import FlaskForm
from marshmallow import Schema, ValidationError
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from .models import CATEGORIES, PRIORITIES, SAVED_REPLY_TITLE_MAX, STATUSES, TITLE_MAX
from .schemas import (
    MESSAGES,
    RequesterSchema,
    message_schema,
    saved_reply_schema,
    ticket_patch_schema,
    ticket_schema,
)


class RequesterNameSchema(RequesterSchema):
    """Only the name, as an agent corrects it on the requester's page (the email is who they are)."""

    class Meta:
        exclude = ("email",)

DISPLAY_NAMES = {"in_progress": "In progress"}  # a value shown otherwise than capitalised


def label(value: str) -> str:
    return DISPLAY_NAMES.get(value, value.capitalize())


def choices(values, blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice(v, label(v)) for v in values]
    return [SelectChoice("", blank), *options] if blank else options


# What a missing or unusable value asks the agent to do (the API keeps the contract's texts).
PROMPTS = {"title": "Give the ticket a short title.", "description": "Describe the problem.",
           "body": "Write the message first.", "kind": "Choose Reply to customer or Internal note.",
           "category": "Choose a category.", "priority": "Choose a priority.", "status": "Choose a status."}
TOO_LONG = MESSAGES["max_length"].split("{")[0]


def page_message(name: str, field, message: str) -> str:
    """The schema's message for `name`, said as what to do about it."""
    what = field.label.text.lower()
    if message.startswith(TOO_LONG):
        limit = re.search(r"\d+", message).group()
        return f"Shorten the {what} to {limit} characters or fewer (it has {len((field.data or '').strip())})."
    if message == MESSAGES["null_char"]:
        return f"Remove the invisible NUL character from the {what}."
    if message == MESSAGES["surrogate"]:
        return f"The {what} holds a broken character that cannot be stored; type it again."
    if message in (MESSAGES["required"], MESSAGES["blank"], MESSAGES["null"]) or message.endswith("a valid choice."):
        return PROMPTS.get(name, message)  # missing, blank, or not one of the choices: say what to give
    return message  # a rule of its own (a saved reply's unknown placeholder) says it best itself


class SchemaForm(FlaskForm):
    """A form whose fields are checked by a marshmallow schema after the CSRF check."""

    schema: Schema

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        raw = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        data = {k: v for k, v in raw.items() if v not in (None, "") or isinstance(self._fields[k], StringField)}
        try:
            self.cleaned = self.schema.load(data)
        except ValidationError as e:
            for name, messages in e.normalized_messages().items():
                field = self._fields.get(name)
                if field is not None:
                    field.errors = [*field.errors, *(page_message(name, field, m) for m in messages)]
            return False
        return valid


class TicketForm(SchemaForm):
    schema = ticket_schema
    title = StringField("Title", render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    description = TextAreaField("Description", render_kw={"rows": 7})
    category = SelectField("Category", choices=choices(CATEGORIES, "Choose a category"), validate_choice=False)
    priority = SelectField("Priority", choices=choices(PRIORITIES, "Choose a priority"), validate_choice=False)
    requester_email = StringField("Requester's email", render_kw={"maxlength": 254, "autocomplete": "off",
                                                                   "type": "email"})
    requester_name = StringField("Requester's name", render_kw={"maxlength": 200, "autocomplete": "off"})
    # set by new.js to the suggestion shown, so the desk records whether the agent accepted it
    suggestion_id = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """The ticket's fields by the ticket schema; the requester, optional, by the requester schema."""
        valid = super().validate(extra_validators)
        email, name = (self.requester_email.data or "").strip(), (self.requester_name.data or "").strip()
        if not email and not name:
            return valid
        if not email:
            self.requester_email.errors = ["Give the requester's email too, or leave the name empty."]
            return False
        try:
            requester = RequesterSchema().load({"email": email, "name": name or None})
        except ValidationError as e:
            for key, messages in e.normalized_messages().items():
                field = self._fields[f"requester_{key}"]
                field.errors = [*field.errors, *(page_message(key, field, m) for m in messages)]
            return False
        if valid:
            self.cleaned["requester"] = requester
        return valid


class RequesterForm(SchemaForm):
    schema = RequesterNameSchema()
    name = StringField("Name", render_kw={"maxlength": 200, "autocomplete": "off"})


class MessageForm(SchemaForm):
    """The ticket page's composer: the clicked button (`name="kind"`) says reply or note."""
    schema = message_schema
    body = TextAreaField("Message", render_kw={"rows": 5})
    kind = StringField()  # rendered as the two submit buttons, not as a field
    then_status = SelectField("Then set the status", choices=[SelectChoice("", "Keep the status"),
                                                               SelectChoice("in_progress", "In progress"),
                                                               SelectChoice("resolved", "Resolved")],
                              validate_choice=False)  # anything else keeps the status


NO_ONE = "-"  # a macro's team or assignee choice that sets none (a blank choice keeps the ticket's)


class SavedReplyForm(SchemaForm):
    """A saved reply, and what it changes as a macro: each `set_` field blank keeps the ticket's value; the
    team and assignee choices are filled by the page from the desk's teams and agents."""
    schema = saved_reply_schema
    title = StringField("Title", render_kw={"maxlength": SAVED_REPLY_TITLE_MAX, "autocomplete": "off"})
    body = TextAreaField("Reply", render_kw={"rows": 6})
    set_status = SelectField("Status", choices=choices(STATUSES, "Keep"), default="")
    set_priority = SelectField("Priority", choices=choices(PRIORITIES, "Keep"), default="")
    set_category = SelectField("Category", choices=choices(CATEGORIES, "Keep"), default="")
    set_team = SelectField("Team", choices=[SelectChoice("", "Keep"), SelectChoice(NO_ONE, "No team")], default="")
    set_assignee = SelectField("Assignee", choices=[SelectChoice("", "Keep"), SelectChoice(NO_ONE, "Nobody")], default="")
    add_tags = StringField("Add tags", render_kw={"autocomplete": "off"})
    remove_tags = StringField("Remove tags", render_kw={"autocomplete": "off"})
    macro_note = TextAreaField("Internal note", render_kw={"rows": 3})

    def fill_choices(self, teams, agents) -> "SavedReplyForm":
        self.set_team.choices = [*self.set_team.choices[:2], *(SelectChoice(t.name, t.name) for t in teams)]
        self.set_assignee.choices = [*self.set_assignee.choices[:2], *(SelectChoice(a.email, a.email) for a in agents)]
        return self

    def show(self, reply) -> "SavedReplyForm":
        """The form as `reply` is saved (on a GET)."""
        changes = reply.changes or {}
        for name in ("status", "priority", "category", "team", "assignee"):
            if name in changes:
                self[f"set_{name}"].data = NO_ONE if changes[name] is None else changes[name]
        self.add_tags.data = " ".join(changes.get("add_tags", ()))
        self.remove_tags.data = " ".join(changes.get("remove_tags", ()))
        self.macro_note.data = reply.note or ""
        return self

    def validate(self, extra_validators=None) -> bool:
        """Title and body by the schema; the macro's fields into `changes` and `note` (their names and
        tags are checked as it is saved, conversations/macros.py)."""
        valid = super().validate(extra_validators)
        note = (self.macro_note.data or "").strip()
        try:
            saved_reply_schema.load({"title": "-", "body": "-", "note": note}) if note else None
        except ValidationError as e:
            self.macro_note.errors = [page_message("note", self.macro_note, m)
                                      for m in e.normalized_messages().get("note", [])]
            return False
        if valid:
            changes = {name: None if self[f"set_{name}"].data == NO_ONE else self[f"set_{name}"].data
                       for name in ("status", "priority", "category", "team", "assignee") if self[f"set_{name}"].data}
            for name in ("add_tags", "remove_tags"):
                if words := (self[name].data or "").replace(",", " ").split():
                    changes[name] = words
            self.cleaned.update(changes=changes, note=note or None)
        return valid


class TriageForm(SchemaForm):
    schema = ticket_patch_schema
    category = SelectField("Category", choices=choices(CATEGORIES), validate_choice=False)
    priority = SelectField("Priority", choices=choices(PRIORITIES), validate_choice=False)


class StatusForm(SchemaForm):
    schema = ticket_patch_schema
    status = SelectField("Status", choices=choices(STATUSES), validate_choice=False)


class OwnerForm(FlaskForm):
    """The ticket page's owner panel: the team, the assignee and the tags (space-separated), whose choices the
    page fills from the desk's teams and agents; the ownership rules check them (ownership/changes.py)."""
    team = SelectField("Team", validate_choice=False)
    assignee = SelectField("Assignee", validate_choice=False)
    tags = StringField("Tags", render_kw={"autocomplete": "off", "list": "tag-suggestions",
                                          "aria-describedby": "tags-hint"})
