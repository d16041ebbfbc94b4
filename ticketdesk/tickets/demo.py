"""Realistic demo tickets for `flask seed-demo`: a first look at the desk, and data for load tests."""
import random
from datetime import datetime, timedelta, timezone
from functools import cache

from ..triage.language import detect

# (category, priority, title, description); {n}, {amount}, {name}, {product} are filled in at random
TEMPLATES = [
    ("billing", "high", "Charged twice for {product}", "My card was charged twice ({amount} each) for the {product} subscription this month. Please refund the duplicate."),
    ("billing", "medium", "Invoice {n} is missing our VAT number", "Our VAT number is not on invoice {n}. Could you reissue it? Our accountant needs it this week."),
    ("billing", "low", "Annual plan discount?", "Is the annual {product} plan cheaper than paying monthly? Just wondering before our renewal."),
    ("billing", "high", "Refund still not received", "I cancelled {product} three weeks ago and was promised a refund of {amount}. Nothing has arrived yet."),
    ("billing", "medium", "Update the card on file", "Our company card expires this month. The billing page keeps showing the old card when I try to update it."),
    ("billing", "critical", "Checkout failing for every customer", "Since this morning every payment on our store fails at checkout with 'card declined'. We are losing all sales."),
    ("technical", "critical", "{product} is down for all users", "{product} returns 502 Bad Gateway for all users since 09:40 UTC. Nobody on our team can work."),
    ("technical", "high", "Export to CSV crashes", "Exporting the {product} report to CSV fails with error 500 every time. I need the data for a meeting tomorrow."),
    ("technical", "medium", "Dashboard loads slowly", "The dashboard takes {n} seconds to load in the morning. It works in the end, just slow."),
    ("technical", "low", "Typo on the settings page", "Small typo on the settings page: 'Notifcations'. Cosmetic only."),
    ("technical", "high", "API returns 500 on POST /orders", "Our integration gets HTTP 500 on every POST /v2/orders since yesterday. Orders from {name}'s shop are not created."),
    ("technical", "medium", "Android app crashes on calendar", "The Android app crashes when I open the calendar tab. The web version works as a workaround."),
    ("technical", "critical", "Data missing after sync", "After the sync last night all projects created this week disappeared for the whole team. Please restore them."),
    ("technical", "medium", "Webhook deliveries delayed", "Webhook events for {product} arrive up to {n} minutes late. We can poll the API meanwhile."),
    ("account", "high", "Can't log in", "I cannot log in to {product} since this morning; the password reset email never arrives."),
    ("account", "medium", "Change the email on my account", "Please change the email on my account from {name}@oldcompany.example to my new address."),
    ("account", "critical", "Account hacked", "Someone hacked {name}'s admin account, changed the password and is emailing our customers."),
    ("account", "high", "Locked out after losing my phone", "I lost my phone and can't get the two-factor code. I'm locked out and need access today."),
    ("account", "low", "How do I change my profile picture?", "Where can I upload a new profile picture? I couldn't find it in settings."),
    ("account", "medium", "Invite a new admin", "How do I invite {name} to our team and give them admin permissions?"),
    ("general", "low", "Feature request: dark theme", "A dark theme in the {product} mobile app would be great. Thanks for considering it!"),
    ("general", "low", "Thanks to your support team", "Just wanted to say thank you to {name} from support, very helpful last week."),
    ("general", "medium", "Data processing agreement", "Our legal team needs your data processing agreement before we roll {product} out to {n} more staff."),
    ("general", "low", "Support hours", "What are your support hours? Are you available on weekends?"),
    ("general", "medium", "Partnership inquiry", "We are a reseller in {country} and would like to discuss a partnership for {product}."),
    ("billing", "high", "Cobro duplicado", "Me han cobrado dos veces la suscripción de {product} ({amount}). Necesito el reembolso."),
    ("technical", "critical", "Service indisponible", "Le service {product} est indisponible pour tous les utilisateurs depuis ce matin."),
    ("account", "high", "Kann mich nicht anmelden", "Ich kann mich nicht bei {product} anmelden, die E-Mail zum Zurücksetzen kommt nicht an."),
    ("general", "low", "Sugestão", "Seria ótimo ter um aplicativo do {product} para tablet. Obrigado!"),
]
PRODUCTS = ["Helpdesk Pro", "Invoicer", "Calendar Sync", "Storefront", "Analytics", "Team Chat", "Mobile App"]
NAMES = ["Maria", "Ahmed", "Chen", "Olivia", "Lucas", "Priya", "Tomasz", "Aiko", "João", "Fatima"]
COUNTRIES = ["Canada", "Brazil", "Germany", "Spain", "Japan", "Kenya", "Australia"]
STATUSES = ["open"] * 40 + ["in_progress"] * 20 + ["resolved"] * 25 + ["closed"] * 15


def demo_tickets(count: int, *, days: int = 90, seed: int | None = None, now: datetime | None = None):
    """Yield `count` ticket rows (dicts ready for a bulk insert) spread over the last `days` days."""
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    span = days * 86400
    for _ in range(count):
        category, priority, title, description = template = rng.choice(TEMPLATES)
        fill = {"product": rng.choice(PRODUCTS), "name": rng.choice(NAMES), "country": rng.choice(COUNTRIES),
                "n": rng.randint(2, 99999), "amount": f"${rng.randint(9, 499)}.{rng.randint(0, 99):02d}"}
        created = now - timedelta(seconds=rng.uniform(0, span))
        yield {"title": title.format(**fill)[:200], "description": description.format(**fill),
               "category": category, "priority": priority, "status": rng.choice(STATUSES),
               "created_at": created, "updated_at": created, "language": language(template)}


@cache
def language(template: tuple) -> str:
    """Each template's language, detected once (the fill-ins are names and numbers, not words)."""
    return detect(template[2], template[3])
