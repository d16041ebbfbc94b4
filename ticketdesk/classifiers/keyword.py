"""The built-in classifier: weighted words and phrases in English, Spanish, French, German and Portuguese.

No network, microseconds per call. Text is case-folded and stripped of accents; a phrase is matched
longest-first; `word*` matches any word starting with `word` (inflections, German compounds). A term
right after a negator ("not a billing question", "no rush") does not count for what it names.
"""
import re
import unicodedata
from functools import lru_cache

from .base import Classifier, Suggestion, register

# --- categories -----------------------------------------------------------------------------------
CATEGORY_TERMS = {
    "billing": {
        3: "charged twice|double charge|duplicate charge|charged|overcharged|refund*|invoice*|billing|billed|"
           "bill|receipt*|subscription*|vat|sales tax|tax exempt|purchase order|checkout|payment*|"
           "credit card|pricing|discount*|price*|"
           "cobr*|factur*|reembols*|suscripcion*|tarjeta|importe|descuento*|cif|"
           "debite*|prelevement*|rembours*|tva|abonnement*|tarif*|paiement*|resilier|"
           "abbuch*|abgebucht|rechnung*|erstatt*|abo|zahlung*|rabatt*|umsatzsteuer*|abrechnung*|kundigen|"
           "fatura*|nota fiscal|cnpj|assinatura*|cartao|pagamento*|desconto*|preco*|money back|fee|fees|coupon*|bank transfer|transferencia|formule*|prelev*|estorno|monatsabo|jahresabo|zuruckzahlen|devuelvan el dinero|indevida",
        2: "charge|charges|paid|pay|card|plan|plans|cancel*|trial|upgrade*|downgrade*|annual|monthly|yearly|"
           "plan anual|mensual|mensal|anual|preis*|kosten|cost|costs|seat|seats|dinero|cargo|pagar|tarif|aceptan",
    },
    "technical": {
        3: "error*|bug*|crash*|outage|502|503|500|404|bad gateway|api|webhook*|timeout*|times out|freez*|"
           "sync*|integration*|export*|import*|upload*|not working|doesn t work|does not work|broken|"
           "database|server|data loss|lost data|disappeared|vulnerability|typo|tooltip|render*|renders|"
           "slow*|loads|load|loading|printer|printing|contrast|android|ios|browser|safari|chrome|firefox|"
           "no funciona|se cierra|caid*|lent*|perdida de datos|se han perdido|tipografico|exportar|"
           "erreur*|panne*|indisponible|plante|perte de donnees|disparu*|orthographe|"
           "fehler*|ausgefallen|ausfall*|totalausfall|langsam*|absturz*|datenverlust*|verschwunden|tippfehler|"
           "erro|fora do ar|trav*|importacao|perda de dados|perdemos|digitacao|demora*|blank|scheduled|chart*|grafico*|misaligned|alignment|desalinhado|footer|icon*|icone|unscharf|flou*|drag and drop|time out|bulk edit|no responde|no envia|nicht erreichbar|fecha sozinho|hangt|validation|not responding|desktop version",
        2: "app|application|aplicacion|aplicativo|site|page|pagina|link|docs|report*|informe*|relatorio*|colour*|color*|symbol|records|dienst|servicio|servico|agenda|kalender|celulares|correos|"
           "notification*|emails arrive|pdf|csv|xlsx|excel|screen|mobile|system|sistema|plataforma|"
           "dashboard|tableau de bord|enregistrement|speicher*|update|actualizacion|atualizacao|"
           "mise a jour|calendar|search*|file|files|data|datos|donnees|daten|dados|zeilen|lignes|linhas|"
           "filas|rows",
    },
    "account": {
        3: "log in|login*|logging in|logins|sign in|signing in|signed in|password*|2fa|two factor|"
           "locked out|hacked|username|profile*|sso|verification email|suspended|"
           "permission*|deactivate*|ownership|display name|session*|credentials|reset link|"
           "iniciar sesion|contrasena*|hackead*|bloquead*|permisos|"
           "connecter|connexion|mot de passe|pirate*|bloque|"
           "anmeld*|passwort*|gehackt|gesperrt|administratorrecht*|"
           "senha*|invadid*|fazer login|entrar na conta|permisso*|authenticator|authentifi*|zwei faktor*|took over|disabled|forgot|olvide|esqueci|restablecer|redefinicao|administrator*|administrador|zugang|acces|collaborateur*",
        2: "account*|user|users|usuario*|utilisateur*|benutzer*|invite*|admin*|role|roles|access|companera|membro|entfernen|"
           "email address|change email|delete my account|activate*|merged|owner|member*|organisation|"
           "cuenta|compte|konto*|conta|correo electronico|adresse email|e mail adresse|e mail|acesso|acceso|"
           "zugriff|droits|colleague|employee|team|equipo|equipe",
    },
    "general": {
        3: "feature request|suggestion*|sugerencia*|sugestao|vorschlag*|verbesserungsvorschlag|feedback|"
           "thank*|gracias|merci|vielen dank|danke|obrigad*|roadmap|feuille de route|partnership|"
           "partenariat|parceria|reseller|revendeur|revenda|support hours|opening hours|horario*|horaires|"
           "offnungszeiten|office|training|webinar*|seminarios|cursos|formacion|schulung*|treinamento*|"
           "case study|referral|newsletter|marketing|compliment|idea|would be great|would be nice|"
           "processing agreement|subprocessors|questionnaire|soc 2|procurement|vpat|accessib*|"
           "screen reader|complaint|response time|contrato|auftragsverarbeitungsvertrag|rechtsabteilung|"
           "legal|ce serait bien|seria genial|seria otimo|ware schon|love the product|design|job|position|sponsor*|conference|certificate|iso 27001|audit|certification*|juridique|felicit*|bravo|lob|elogio|parabens|brilliant|plans for",
        2: "question|wondering|curious|demo|language|available in|portuguese|weekend*|week end|sabados|"
           "wochenende|atienden|atendem|atendimento|atencion|reconsider|keep it up|fantastic|excellent|"
           "great service|amelioration|partner*|empleados|funcionarios|new team members|super|mac",
    },
}

# --- priorities: what urgency sounds like; medium is what is left when nothing stands out --------
PRIORITY_TERMS = {
    "critical": {
        4: "outage|all users|every user|every customer|all customers|all our customers|nobody|no one can|"
           "whole company|entire team|whole team|completely unavailable|service unavailable|site down|"
           "is down|are down|company is down|data loss|lost data|security breach|breach|vulnerability|"
           "exposed|hacked|losing all|every customer payment|all our admin|"
           "todos los usuarios|nadie|toda la empresa|perdida de datos|se han perdido|hackead*|"
           "tous les utilisateurs|panne generale|toute l equipe|toute l entreprise|perte de donnees|pirate*|"
           "alle benutzer|ausgefallen|totalausfall|niemand|ganze firma|ganzen unternehmen|datenverlust*|gehackt|"
           "todos os usuarios|fora do ar|ninguem|toda a empresa|perda de dados|perdemos|invadid*|none of our|total outage|no access to anything|took over|thousands|across all|all accounts|ningun cliente|todo esta parado|steht still|alle kunden|gesamter betrieb|todos os clientes|ninguem consegue|"
           # impact at scale, money or law: what makes a ticket critical whatever its tone
           "not one of our|nobody here|every one of our|entire organisation|entire organization|whole organisation|"
           "losing orders|losing sales|losing all sales|halting operations|standing idle|data leak|leak|security issue|"
           "security hole|another company s|unknown country|payout details|payroll|salaries|overdraft*|court|"
           "legal deadline|food safety|all merchants|every visitor|every store|all our stores|all our customers|"
           "ninguno de nuestros|todas las ventas|todas nuestras sucursales|todos nuestros|otro pais|datos bancarios|"
           "personne ne peut|faille de securite|fuite|tous nos magasins|keiner unserer|komplett still|alle unsere kunden|"
           "allen filialen|nenhum funcionario|totalmente parada|todas as lojas|dados de pagamento",
        2: "disappeared|production|caida|indisponible|urgently|disparu*|verschwunden|entire|deleted|nicht erreichbar|parado|no responde|"
           "502|503|any of our|none of the|revenue|all our|vanished|missing from|customers are|compliance|"
           "desaparecieron|sumiram",
    },
    "high": {
        3: "charged twice|charged again|twice|double payment|duplicate|unauthorized|never made|cannot|"
           "can not|unable|locked out|blocked|no workaround|"
           "no other way|stuck|suspended|not received|nothing has arrived|never arrives|expired|"
           "lost|all my input|still billed|full refund|depends on|double booked|missing them|"
           "no puedo|dos veces|duplicado|bloquead*|no he recibido|pierdo|otra vez|"
           "impossible|deux fois|bloque|toujours pas recu|encore facture|"
           "kann mich nicht|konnen keine|zweimal|doppelt*|gesperrt|keine erstattung|wieder abgebucht|"
           "nao consigo|duas vezes|duplicidade|duplicada|ainda nao recebi|de novo|money back|two times|no reconozco|nao reconheco|sin autorizacion|indevida|unberechtigt*|estorno|sofort|imediatamente|keep charging|continuez|not running|did not get|no tenemos otra forma|ne fonctionne plus|ne pouvons pas|nao conseguimos|no access|n ai plus acces|komme nicht|kommt nicht|disabled|can not get in|completely blocked|need this fixed|in an hour|ne peux plus|"
           # one person or team blocked, or one customer's money wrongly taken
           "can no longer|could not|completely stuck|want it back|rent money|had to cancel|are waiting|is waiting|"
           "removed me|payment taken|money taken|nothing arrived|never came|promised a refund|again this month|"
           "volvieron a cargar|me los devuelvan|nicht mehr|n arrive plus|no consigo|nao consegui*",
        2: "no longer|trotzdem|board meeting|deadline|biggest client|by hand",
        1: "urgent|asap|as soon as possible|immediately|urgente|dringend|"
           "today|hoy|aujourd hui|heute|hoje|every time|each time|jedes mal|toda vez|chaque|abgebucht|"
           "still shows|still|refund|locked|500|fails|failed|not being created|can t|i can t",
    },
    "low": {
        3: "no rush|not urgent|when you have time|just wondering|wondering|curious|feature request|"
           "suggestion*|would be great|would be nice|typo|cosmetic|minor|just letting you know|not blocking|"
           "not causing problems|just a suggestion|thank*|roadmap|nothing important|"
           "solo es una consulta|consulta|sugerencia*|nada importante|seria genial|gracias|"
           "simple question|rien de grave|ce serait bien|merci|"
           "nur eine frage|keine eile|nicht wichtig|vorschlag*|ware schon|danke|"
           "so uma duvida|duvida|sugestao|nada grave|seria otimo|obrigad*|"
           "tipografico|orthographe|tippfehler|digitacao|nicht dringend|no es urgente|nao e urgente|pas grave|very minor|slightly|un peu|etwas|um pouco|bravo|parabens|felicit*|lob|elogio|brilliant|"
           "just checking|off topic|only if easy|only a wish|just sharing|keep it up|one pixel|just want to know|"
           "no problem at all|someday|buen trabajo|nada mas",
        2: "question|how do i|how can i|where can i|where do i|how does|is it possible|do you have|"
           "do you offer|do you support|is there|feedback|idea|hours|horario*|horaires|offnungszeiten|"
           "ofrecen|tienen|proposez vous|existe t il|est ce qu il existe|bieten sie|gibt es|voces oferecem|"
           "small|pequeno|petite|kleiner|compliment|fantastic|love|great|nice|just wanted|how much|do you accept|aceptan|acceptez|sponsor*|super|"
           "how do|newsletter|case study|referral|training|webinar*|debating|gorgeous|meetup|what is the best|"
           "would love|any plans",
    },
    "medium": {
        3: "workaround|work around|works around|works fine|still works|works from|it works|retrying|"
           "not critical|just slow|sometimes|some events|funciona bien|funciona no final|al final funciona|"
           "fonctionne|finit par|klappt es|am ende|no final|sin embargo|in the end|finishes|workable|for now|"
           "nach einer weile|mas chegam|next quarter|next month|before our audit",
        4: "can live with|no harm|when you get a chance|we adjust|deduplicate",
        2: "but|pero|mais|aber|mas",
    },
}
PRIORITY_ORDER = ("critical", "high", "medium", "low")
PRIORITY_THRESHOLD = {"critical": 4, "high": 3, "low": 2, "medium": 3}

NEGATORS = {"not", "no", "never", "kein", "keine", "keinen", "pas", "non", "nao", "nunca",
            "jamais", "ni", "nothing", "isn", "without"}
# words that may stand between a negator and what it negates: "not a billing question", "not about my plan"
FILLERS = {"a", "an", "the", "my", "our", "about", "really", "actually", "related", "to", "un", "une",
           "una", "um", "uma", "ein", "eine", "einen", "el", "la", "le", "les", "o", "de", "du", "this",
           "it", "is", "s", "e", "es", "est", "ist", "question", "just", "sobre", "uber", "concernant", "or"}
# "I can not log in" reports a failure; it does not deny the topic
MODALS = {"can", "could", "do", "does", "did", "will", "would", "should", "may", "might", "must"}
BREAK = "."
MIN_CATEGORY_SCORE = 2


class Lexicon:
    """{label: {weight: "a|b c|stem*"}} compiled into phrase and stem lookups."""

    def __init__(self, table: dict):
        self.phrases: dict[tuple, list] = {}
        self.stems: dict[str, list] = {}
        self.longest = 1
        for label, by_weight in table.items():
            for weight, terms in by_weight.items():
                for term in terms.split("|"):
                    if term.endswith("*"):
                        self.stems.setdefault(term[:-1], []).append((label, weight))
                    else:
                        key = tuple(term.split())
                        self.longest = max(self.longest, len(key))
                        self.phrases.setdefault(key, []).append((label, weight))
        self.stem_hits = lru_cache(maxsize=8192)(self._stem_hits)

    def _stem_hits(self, word: str) -> tuple:
        for end in range(len(word), 2, -1):
            hits = self.stems.get(word[:end])
            if hits:
                return tuple(hits)
        return ()

    def score(self, tokens: list[str], negated: set[int]) -> dict[str, float]:
        """Total weight per label; each word counts once, in the longest phrase it starts.

        A negated term counts for nothing, and it and the word after it join `negated`, which the next
        lexicon's pass sees too: in "not a billing question", "question" is no low-priority signal."""
        totals: dict[str, float] = {}
        i, n = 0, len(tokens)
        while i < n:
            if tokens[i] == BREAK:
                i += 1
                continue
            hits, width = (), 1
            for length in range(min(self.longest, n - i), 0, -1):
                found = self.phrases.get(tuple(tokens[i:i + length]))
                if found:
                    hits, width = found, length
                    break
            if not hits:
                hits = self.stem_hits(tokens[i])
            if hits and (i in negated or _negated(tokens, i)):
                negated.update(range(i, i + width))
                if i + width < n and tokens[i + width] != BREAK:
                    negated.add(i + width)
            elif hits:
                for label, weight in hits:
                    totals[label] = totals.get(label, 0) + weight
            i += width
        return totals


CATEGORIES = Lexicon(CATEGORY_TERMS)
PRIORITIES = Lexicon(PRIORITY_TERMS)
_TOKEN = re.compile(r"[a-z0-9]+|[.,!?;:]")


def normalise(text: str) -> list[str]:
    """Case-folded, accent-free words, with clause breaks kept as '.' so negation stops at them."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2019", "'").replace("can't", "can not").replace("won't", "will not")
    text = text.replace("n't", " not")
    return [BREAK if t in ".,!?;:" else t for t in _TOKEN.findall(text)]


def _negated(tokens: list[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and i - j <= 4 and tokens[j] in FILLERS:
        j -= 1
    return j >= 0 and tokens[j] in NEGATORS and not (j > 0 and tokens[j - 1] in MODALS)


def classify_text(text: str) -> tuple[str, str]:
    tokens = normalise(text)
    negated: set[int] = set()
    categories = CATEGORIES.score(tokens, negated)
    best = max(categories, key=lambda c: (categories[c], c == "general"), default=None)
    category = best if best and categories[best] >= MIN_CATEGORY_SCORE else "general"

    priorities = PRIORITIES.score(tokens, negated)
    passing = [p for p in PRIORITY_ORDER if priorities.get(p, 0) >= PRIORITY_THRESHOLD[p]]
    if passing:
        priority = max(passing, key=lambda p: (priorities[p], -PRIORITY_ORDER.index(p)))
    else:
        priority = "low" if category == "general" else "medium"
    return category, priority


class KeywordClassifier(Classifier):
    name = "keyword"
    local = True

    def classify(self, description: str, title: str = "") -> Suggestion:
        category, priority = classify_text(f"{title}. {description}" if title else description)
        return Suggestion(category, priority, self.name)


register(KeywordClassifier)
