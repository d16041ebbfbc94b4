"""The quoted history a customer's mail program adds, cut in the customer's language, as Gmail, Outlook,
Apple Mail and Thunderbird write it; a customer's own text that merely says "wrote" is kept."""
import pytest

from tests.fixtures import hostile
from ticketdesk.mail_in.quotes import latest

ANSWER = "The second payment is still on my card."
HEADERS = {
    "en gmail": "On Mon, 23 Nov 2026 at 10:00, Example Support <support@example.com> wrote:",
    "en apple": "On 23 Nov 2026, at 10:00, Example Support <support@example.com> wrote:",
    "en thunderbird": "On 23/11/2026 10:00, Example Support wrote:",
    "es gmail": "El lun, 23 nov 2026 a las 10:00, Soporte (<support@example.com>) escribió:",
    "es short": "El lun, 23 nov 2026, Soporte escribió:",
    "de gmail": "Am Mo., 23. Nov. 2026 um 10:00 Uhr schrieb Example Support <support@example.com>:",
    "de thunderbird": "Am 23.11.26 um 10:00 schrieb Example Support:",
    "de apple": "Example Support <support@example.com> schrieb am 23. Nov. 2026 um 10:00:",
    "fr gmail": "Le lun. 23 nov. 2026 à 10:00, Example Support <support@example.com> a écrit :",
    "pt gmail": "Em seg., 23 de nov. de 2026 às 10:00, Suporte <support@example.com> escreveu:",
    "it gmail": "Il giorno lun 23 nov 2026 alle ore 10:00 Supporto <support@example.com> ha scritto:",
    "it short": "Il 23/11/2026 10:00, Supporto ha scritto:",
    "nl gmail": "Op ma 23 nov 2026 om 10:00 schreef Example Support <support@example.com>:",
    "sv gmail": "Den mån 23 nov. 2026 kl 10:00 skrev Example Support <support@example.com>:",
    "da gmail": "Den man. 23. nov. 2026 kl. 10.00 skrev Example Support <support@example.com>:",
    "pl gmail": "W dniu pon., 23.11.2026 o 10:00 Example Support <support@example.com> napisał(a):",
    "cs gmail": "Dne po 23. 11. 2026 v 10:00 Example Support <support@example.com> napsal:",
}
OUTLOOK = {
    "en": "-----Original Message-----\nFrom: Example Support <support@example.com>\nSent: Monday, November 23, 2026 10:00 AM\nTo: Ana\nSubject: RE: Invoice",
    "en no rule": "From: Example Support <support@example.com>\nSent: Monday, November 23, 2026 10:00 AM\nTo: Ana\nSubject: RE: Invoice",
    "es": "De: Soporte <support@example.com>\nEnviado: lunes, 23 de noviembre de 2026 10:00\nPara: Ana\nAsunto: RE: Factura",
    "de": "-----Ursprüngliche Nachricht-----\nVon: Support <support@example.com>\nGesendet: Montag, 23. November 2026 10:00\nAn: Ana\nBetreff: AW: Rechnung",
    "fr": "De : Support <support@example.com>\nEnvoyé : lundi 23 novembre 2026 10:00\nÀ : Ana\nObjet : RE: Facture",
    "pt": "De: Suporte <support@example.com>\nEnviada em: segunda-feira, 23 de novembro de 2026 10:00\nPara: Ana\nAssunto: RE: Fatura",
    "it": "Da: Supporto <support@example.com>\nInviato: lunedì 23 novembre 2026 10:00\nA: Ana\nOggetto: R: Fattura",
    "nl": "Van: Support <support@example.com>\nVerzonden: maandag 23 november 2026 10:00\nAan: Ana\nOnderwerp: RE: Factuur",
    "rule": "________________________________\nFrom: Example Support <support@example.com>\nSent: Monday, November 23, 2026 10:00",
}
QUOTED = "> Hello Ana,\n> we have refunded the second payment.\n>\n> --\n> Example Support"


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_a_reply_header_in_the_customers_language_starts_the_history(name):
    assert latest(f"{ANSWER}\n\nThanks,\nAna\n\n{HEADERS[name]}\n\n{QUOTED}\n") == f"{ANSWER}\n\nThanks,\nAna"


def test_a_header_wrapped_over_two_lines_is_still_recognised():
    wrapped = "On Mon, 23 Nov 2026 at 10:00, Example Support Team of the\nCompany <support@example.com> wrote:"
    assert latest(f"{ANSWER}\n\n{wrapped}\n{QUOTED}") == ANSWER


@pytest.mark.parametrize("name", sorted(OUTLOOK))
def test_outlooks_original_message_block_starts_the_history(name):
    assert latest(f"{ANSWER}\n\n{OUTLOOK[name]}\n\nHello Ana, we refunded it.") == ANSWER


def test_apple_mail_quoting_the_header_too_is_cut():
    assert latest(f"{ANSWER}\n\n> On 23 Nov 2026, at 10:00, Support <s@example.com> wrote:\n>\n{QUOTED}") == ANSWER


@pytest.mark.parametrize("footer", ["Sent from my iPhone", "Enviado desde mi iPhone", "Von meinem iPhone gesendet",
                                    "Envoyé de mon iPhone", "Get Outlook for Android", "-- \nAna Lima\nACME GmbH"])
def test_signatures_and_mobile_footers_are_cut(footer):
    assert latest(f"{ANSWER}\n\n{footer}") == ANSWER


@pytest.mark.parametrize("text", [
    "I wrote: the export crashes when the file has 2 sheets.",
    "On Monday I wrote: nothing changed.\nStill broken.",
    "My colleague wrote to you on 3 May about this:\nthe invoice is wrong.",
    "Am Montag schrieb ich schon: es geht nicht.",
    "El cliente escribió: no funciona",
])
def test_a_customers_own_text_that_says_wrote_is_kept(text):
    assert latest(text) == text


def test_a_reply_that_is_only_a_quote_keeps_the_whole_text():
    text = f"{HEADERS['en gmail']}\n{QUOTED}"
    assert latest(text) == text


def test_thousands_of_reply_headers_leave_what_the_customer_wrote():
    """The shape that drove a backtracking parser into tens of seconds (bench/hostile.py times it)."""
    bomb = hostile.quote_bomb().decode().split("\r\n\r\n", 1)[1]
    assert latest(bomb) == "The export fails again."
