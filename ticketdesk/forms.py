"""The agents' forms. Flask-WTF brings CSRF and rendering; the rules are the API's marshmallow schema,
so a page and the API accept and refuse exactly the same input."""
from flask_wtf import FlaskForm
from marshmallow import Schema, ValidationError
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from .models import CATEGORIES, PRIORITIES, STATUSES, TITLE_MAX
from .schemas import ticket_patch_schema, ticket_schema

LABELS = {"in_progress": "In progress"}


def label(value: str) -> str:
    return LABELS.get(value, value.capitalize())


def choices(values, blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice(v, label(v)) for v in values]
    return [SelectChoice("", blank), *options] if blank else options


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
                    field.errors = [*field.errors, *messages]
            return False
        return valid


class TicketForm(SchemaForm):
    schema = ticket_schema
    title = StringField("Title", render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    description = TextAreaField("Description", render_kw={"rows": 7})
    category = SelectField("Category", choices=choices(CATEGORIES, "Choose a category"), validate_choice=False)
    priority = SelectField("Priority", choices=choices(PRIORITIES, "Choose a priority"), validate_choice=False)


class TriageForm(SchemaForm):
    schema = ticket_patch_schema
    category = SelectField("Category", choices=choices(CATEGORIES), validate_choice=False)
    priority = SelectField("Priority", choices=choices(PRIORITIES), validate_choice=False)


class StatusForm(SchemaForm):
    schema = ticket_patch_schema
    status = SelectField("Status", choices=choices(STATUSES), validate_choice=False)
