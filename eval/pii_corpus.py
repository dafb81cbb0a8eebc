"""Generated support transcripts with known PII (Faker, several locales), for eval/bench_pii.py.

Customers are drawn from a fixed pool so that the same values recur across many transcripts
(the consistency check needs that). Every PII value put into a transcript is returned with it.
"""

from __future__ import annotations

import random
import re
import string
from pathlib import Path

LOCALES = {"en_US": "en", "en_GB": "en", "en_AU": "en", "fr_FR": "fr"}

EN = {
    "open": [
        "Hi, this is {name}. I can't get into my account.",
        "hello my name is {lname}, i need help with my card",
        "Hi, {first} here, calling about a payment I don't recognise.",
        "Good morning, I'm {name} and I was charged twice.",
    ],
    "agent_hi": [
        "Hello, you're speaking with {agent} from support. Thanks {first}, can you confirm "
        "the email on the account?",
        "Thank you, {title} {last}. This is {agent}. What's the email on file?",
        "Sure {lfirst}, i'm {lagent}. whats your email?",
    ],
    "email": ["Sure, it's {email}.", "{email}", "it should be {email} i think"],
    "agent_phone": [
        "And a phone number we can reach you on?",
        "Thanks. Best number to call you back?",
    ],
    "phone": ["{phone}", "Call me on {phone} after 5pm.", "my mobile is {phone}"],
    "card": [
        "The card number is {card}.",
        "my card number is {card}",
        "It's the card {card}, expiry 04/27.",
    ],
    "iban": ["Please refund it to my IBAN {iban}.", "refund to iban {iban} please"],
    "ip": ["The login came from {ip}, that wasn't me.", "someone logged in from ip {ip}"],
    "nid": ["My {nid_name} is {nid}.", "{nid_name}: {nid}"],
    "close": [
        "Got it, {title} {last}. I've opened a ticket for you, {first}.",
        "Thanks {first}, {agent} will follow up by email.",
        "ok {lfirst}, all done. anything else?",
    ],
}
FR = {
    "open": [
        "Bonjour, je suis {name}, je n'arrive plus à me connecter.",
        "bonjour je m'appelle {lname}, j'ai un souci avec ma carte",
        "Bonjour, ici {first}, j'appelle pour un paiement inconnu.",
    ],
    "agent_hi": [
        "Bonjour, {agent} à votre service. Merci {first}, pouvez-vous confirmer votre e-mail ?",
        "Merci {title} {last}. Quelle est l'adresse e-mail du compte ?",
    ],
    "email": ["Oui, c'est {email}.", "{email}"],
    "agent_phone": ["Et un numéro pour vous rappeler ?"],
    "phone": ["{phone}", "Appelez-moi au {phone} après 17h."],
    "card": ["Le numéro de carte est {card}.", "ma carte c'est {card}"],
    "iban": ["Merci de rembourser sur mon IBAN {iban}.", "iban {iban} svp"],
    "ip": ["La connexion venait de {ip}, ce n'était pas moi."],
    "nid": ["Mon {nid_name} est {nid}."],
    "close": [
        "C'est noté, {title} {last}. Un ticket est ouvert, {first}.",
        "Merci {first}, {agent} vous recontacte par e-mail.",
    ],
}


def _nino(rng: random.Random) -> str:
    first, second = "ABCEGHJKLMNPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
    while (p := rng.choice(first) + rng.choice(second)) in (
        "BG",
        "GB",
        "KN",
        "NK",
        "NT",
        "TN",
        "ZZ",
    ):
        pass
    d = "".join(rng.choice(string.digits) for _ in range(6))
    return f"{p} {d[:2]} {d[2:4]} {d[4:]} {rng.choice('ABCD')}"


def _customer(fk, locale: str, rng: random.Random) -> dict:
    female = rng.random() < 0.5
    first = fk.first_name_female() if female else fk.first_name_male()
    last = fk.last_name()
    phone = fk.phone_number().split("x")[0].strip()
    if locale == "en_US":
        nid_name, nid = "SSN", fk.ssn()
    elif locale == "en_GB":
        nid_name, nid = "National Insurance number", _nino(rng)
    elif locale == "fr_FR":
        nid_name, nid = "numéro de sécurité sociale", fk.ssn()
    else:
        nid_name, nid = "", ""
    return {
        "first": first,
        "last": last,
        "title": ("Ms." if female else "Mr.") if locale != "fr_FR" else ("Mme" if female else "M."),
        "email": fk.email(),
        "phone": phone,
        "card": fk.credit_card_number(),
        "iban": fk.iban(),
        "ip": fk.ipv4_public(),
        "nid_name": nid_name,
        "nid": nid,
    }


def build(n: int, seed: int = 0, customers_per_locale: int = 400) -> list[tuple[dict, dict]]:
    """Return ``n`` transcripts ``({"id", "language", "turns"}, pii_values)``."""
    from faker import Faker

    rng = random.Random(seed)
    pools = {}
    for loc in LOCALES:
        fk = Faker(loc)
        fk.seed_instance(seed)
        pools[loc] = (
            [_customer(fk, loc, rng) for _ in range(customers_per_locale)],
            [fk.first_name() for _ in range(20)],
        )
    out = []
    for i in range(n):
        loc = rng.choice(list(LOCALES))
        lang = LOCALES[loc]
        tpl = FR if lang == "fr" else EN
        cust = rng.choice(pools[loc][0])
        agent = rng.choice(pools[loc][1])
        v = {
            **cust,
            "name": f"{cust['first']} {cust['last']}",
            "lname": f"{cust['first']} {cust['last']}".lower(),
            "lfirst": cust["first"].lower(),
            "agent": agent,
            "lagent": agent.lower(),
        }
        steps = ["open", "agent_hi", "email", "agent_phone", "phone"]
        steps += rng.sample(["card", "iban", "ip"] + (["nid"] if cust["nid"] else []), k=2)
        steps.append("close")
        turns = []
        for s in steps:
            speaker = "agent" if s.startswith(("agent", "close")) else "customer"
            turns.append({"speaker": speaker, "text": rng.choice(tpl[s]).format(**v)})
        used = {k: cust[k] for k in ("email", "phone")}
        for s in steps:
            if s in ("card", "iban", "ip", "nid"):
                used[s] = cust[s]
        out.append(
            (
                {"id": f"t{i:05d}", "language": lang, "turns": turns},
                {"values": used, "names": [cust["first"], cust["last"], agent]},
            )
        )
    return out


# -- the hand-written support chats (eval/data/pii/support_chats/*.txt) ------------------------

_MARK = re.compile(r"\[\[(.+?)\|([A-Z_]+)\]\]")
CHAT_LABELS = {  # gold type -> coarse label of label_map.json (for token F2)
    "PERSON": "PERSON",
    "ADDRESS": "LOCATION",
    "LOCATION": "LOCATION",
    "ORG": "ORG",
    "DATE": "DATE",
    "EMAIL": "EMAIL",
    "PHONE": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN": "IBAN",
    "ID": "ID",
    "NATIONAL_ID": "ID",
    "USERNAME": "ID",
    "IP": "IP",
    "URL": "URL",
}


def parse_turn(line: str) -> tuple[str, list[dict]]:
    """Return the plain text of a marked-up turn and its gold spans."""
    out, spans, pos = [], [], 0
    n = 0
    for m in _MARK.finditer(line):
        out.append(line[pos : m.start()])
        n += len(line[pos : m.start()])
        value, label = m.group(1), m.group(2)
        if label not in CHAT_LABELS:
            raise ValueError(f"unknown label {label!r} in {line!r}")
        spans.append({"start": n, "end": n + len(value), "label": label})
        out.append(value)
        n += len(value)
        pos = m.end()
    out.append(line[pos:])
    return "".join(out), spans


def load_chats(folder: str | Path) -> list[dict]:
    """Read the hand-written chats: ``[{"id", "language", "turns": [{speaker, text, spans}]}]``."""
    chats: list[dict] = []
    for path in sorted(Path(folder).glob("*.txt")):
        lang = path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                chats.append({"id": line[3:].strip(), "language": lang, "turns": []})
            elif line[:2] in ("A:", "C:"):
                text, spans = parse_turn(line[2:].strip())
                speaker = "agent" if line[0] == "A" else "customer"
                chats[-1]["turns"].append({"speaker": speaker, "text": text, "spans": spans})
    return chats
