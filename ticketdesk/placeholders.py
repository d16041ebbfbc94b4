"""The placeholders a saved reply may hold, a fixed set filled by plain text substitution (never by
rendering agent text as a template, which would let a template run code). In the kernel: the schemas
refuse unknown ones, and the conversations fill them in."""
import re

PLACEHOLDERS = {
    "requester.name": lambda t: (t.requester_name or t.requester_email or "") if t.requester else "",
    "requester.email": lambda t: t.requester_email or "",
    "ticket.id": lambda t: str(t.id),
    "ticket.title": lambda t: t.title,
}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_.]+)\s*\}\}")


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def fill(body: str, ticket) -> str:
    """`body` with each known placeholder replaced by the ticket's value (an unknown one is left as typed)."""
    return PLACEHOLDER.sub(lambda m: PLACEHOLDERS[m[1]](ticket) if m[1] in PLACEHOLDERS else m[0], body)
