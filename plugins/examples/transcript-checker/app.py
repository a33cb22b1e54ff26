"""A goodwill policy plugin in Python: the transcript checker.

It reads what the agent said (`transcript`) and flags three answers the
customer-service essays in `shared/seeds/` warn about, in English, Estonian,
Russian and Croatian:

- blame-shifting: "it's not our fault, it's the lab" (outsourcing never
  removes responsibility);
- policy as the answer: "that's our policy", "rules are rules";
- no one can decide: "there is nothing I can do", "I'm not authorised".

A transcript is a string (lines may start with `agent:` / `customer:`, and
then only the agent's lines are read) or a list of `{speaker, text}` turns.
The language comes from the record's `language` field (`en`, `et`, `ru`,
`hr`); without it every language is tried.

Configuration (`[plugins.config]` in goodwill.toml):
- `languages`: the languages to check, e.g. `["et", "ru"]`;
- `extra_phrases`: more regular expressions per check, e.g.
  `{ "policy-as-answer" = ["so steht es in den agb"] }`.
"""

import json
import re

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.types import (
    CheckDoc,
    Description,
    Evaluation,
    Finding,
    Level,
    Severity,
)

# Phrases, as regular expressions over lowercased text with straight quotes.
PHRASES = {
    "blame-shifting": {
        "en": [
            r"\bnot (?:our|my) fault\b",
            r"\b(?:it'?s|that'?s|it is|that is) (?:the )?\w+(?:'s)? fault\b",
            r"\bblame (?:the|our) \w+",
            r"\b(?:not|isn'?t) our (?:responsibility|problem)\b",
            r"\bout of our hands\b",
            r"\byou(?: should| need to)? (?:take it up|contact|call) (?:with )?the (?:lab|courier|supplier|manufacturer|partner)\b",
            r"\byou should have read\b",
        ],
        "et": [
            r"\b(?:see )?(?:pole|ei ole) (?:meie|minu) süü\b",
            r"\bsüüdi on\b",
            r"\bon süüdi\b",
            r"\b(?:pole|ei ole) meie vastutus\b",
            r"\bpöörduge otse\b",
            r"\b\w+ süü\b",
        ],
        "ru": [
            r"\b(?:это )?не (?:наша|моя) вина\b",
            r"\bмы не виноваты\b",
            r"\bвиноват[аоы]? \w+",
            r"\b(?:это )?не наша (?:ответственность|проблема)\b",
            r"\bобращайтесь (?:в|к) \w+",
        ],
        "hr": [
            r"\bnije (?:naša|moja) (?:krivnja|krivica|greška)\b",
            r"\bkriv(?:a|o|i)? je \w+",
            r"\bnismo mi krivi\b",
            r"\bnije naša odgovornost\b",
            r"\bobratite se (?:izravno )?\w+",
        ],
    },
    "policy-as-answer": {
        "en": [
            r"\b(?:that'?s|that is|it'?s|it is) (?:our|the|company) policy\b",
            r"\bcompany policy\b",
            r"\bour policy (?:says|is|does not|doesn'?t)\b",
            r"\brules are rules\b",
            r"\bagainst (?:our |the )?policy\b",
            r"\bi don'?t make the rules\b",
        ],
        "et": [
            r"\b(?:selline|see) on (?:meie|ettevõtte) (?:poliitika|kord|reegel)\b",
            r"\bettevõtte poliitika\b",
            r"\breeglid on reeglid\b",
            r"\b(?:meie )?reeglid ei luba\b",
            r"\bselline on kord\b",
        ],
        "ru": [
            r"\bтакова (?:наша )?политика\b",
            r"\b(?:это|такая) (?:наша )?политика компании\b",
            r"\bэто наша политика\b",
            r"\bполитика компании\b",
            r"\bправила есть правила\b",
            r"\bтаковы правила\b",
            r"\bтак положено\b",
        ],
        "hr": [
            r"\b(?:to je|takva je) naša politika\b",
            r"\bpolitika (?:tvrtke|poduzeća|banke|trgovine)\b",
            r"\bpravila su pravila\b",
            r"\btakva su pravila\b",
            r"\bpravila ne dopuštaju\b",
        ],
    },
    "no-one-can-decide": {
        "en": [
            r"\b(?:there'?s|there is) nothing (?:i|we) can do\b",
            r"\bi'?m not (?:authori[sz]ed|allowed)\b",
            r"\bi am not (?:authori[sz]ed|allowed)\b",
            r"\b(?:nobody|no one|no-one) (?:here )?can (?:decide|approve|make (?:that|an) exception)\b",
            r"\b(?:we|i) (?:can'?t|cannot) make (?:an )?exceptions?\b",
        ],
        "et": [
            r"\bma ei saa (?:siin )?midagi teha\b",
            r"\bmul (?:pole|ei ole) (?:selleks )?õigust\b",
            r"\bkeegi ei saa (?:seda )?otsustada\b",
            r"\b(?:ma ei tohi|me ei tee) erandeid?\b",
        ],
        "ru": [
            r"\bя ничего не могу (?:с этим )?сделать\b",
            r"\bничем не могу помочь\b",
            r"\b(?:я не уполномочен|у меня нет полномочий)\b",
            r"\bникто не может (?:это )?решить\b",
            r"\bисключений (?:мы )?не делаем\b",
        ],
        "hr": [
            r"\bne mogu (?:tu )?ništa (?:učiniti|napraviti)\b",
            r"\bnemam ovlasti\b",
            r"\bnitko ne može (?:to )?odlučiti\b",
            r"\bne radimo iznimke\b",
        ],
    },
}

CHECKS = [
    CheckDoc(
        "blame-shifting",
        Severity.WARNING,
        Level.PARTNERSHIP,
        "The agent put the blame on a partner, another department or the customer. "
        "Outsourcing never removes the company's responsibility.",
    ),
    CheckDoc(
        "policy-as-answer",
        Severity.WARNING,
        Level.PARTNERSHIP,
        'The agent answered a problem with the policy itself ("that\'s our policy") '
        "instead of with what can be done.",
    ),
    CheckDoc(
        "no-one-can-decide",
        Severity.WARNING,
        Level.AVAILABILITY,
        "The agent could not decide and named no one who could: nobody could make an "
        "exception to policy.",
    ),
]

LANGUAGES = ("en", "et", "ru", "hr")
AGENT = re.compile(r"^\s*(?:agent|agentas|агент|оператор|operater|operator|klienditeenindaja)\s*:\s*", re.I)
SPEAKER = re.compile(r"^\s*[\w .-]{1,24}:\s*")


def compile_phrases(languages, extra):
    compiled = {}
    for check, by_language in PHRASES.items():
        patterns = [p for lang in languages for p in by_language[lang]]
        patterns += extra.get(check, [])
        compiled[check] = [re.compile(p, re.I) for p in patterns]
    return compiled


STATE = {"languages": LANGUAGES, "extra": {}, "compiled": compile_phrases(LANGUAGES, {})}


def agent_lines(transcript):
    """What the agent said, line by line."""
    if isinstance(transcript, list):
        lines = []
        for turn in transcript:
            if isinstance(turn, dict):
                speaker = str(turn.get("speaker", "")).lower()
                if speaker in ("", "agent", "operator", "staff", "employee"):
                    lines.append(str(turn.get("text", "")))
            elif isinstance(turn, str):
                lines.append(turn)
        return lines
    lines = str(transcript).splitlines()
    labelled = [l for l in lines if SPEAKER.match(l)]
    if labelled and any(AGENT.match(l) for l in labelled):
        return [AGENT.sub("", l) for l in lines if AGENT.match(l)]
    return lines


def normalise(text):
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return " ".join(text.lower().split())


class Policy(exports.Policy):
    def describe(self) -> Description:
        return Description(
            id="transcript-blame-and-policy-answers",
            title="Agents own the problem: no blame-shifting, no policy as the answer",
            owner="customer experience",
            summary=(
                "When a customer has a problem, the agent answers with what can be done, "
                "not with whose fault it is or with the policy itself, and either decides "
                "or names who can."
            ),
            levels=[Level.PARTNERSHIP, Level.AVAILABILITY],
            fees=[],
            windows=[],
            exception=None,
            promises=[],
            third_parties=[],
            complaints=None,
            checks=CHECKS,
            # Contract 0.2.0: the rest of a TOML policy's descriptive fields.
            # A conduct policy charges nothing, refuses nothing and runs no
            # automated flow, so they are all empty.
            jurisdiction=None,
            requires_purchase=None,
            signup=None,
            cancellation=None,
            money_owed=None,
            company_fault=None,
            remedies=[],
            refusals=[],
            automation=None,
            pricing=None,
        )

    def configure(self, config: str) -> None:
        try:
            table = json.loads(config)
        except ValueError as e:
            raise Err(f"config is not JSON: {e}")
        if not isinstance(table, dict):
            raise Err("config is not a table")
        unknown = set(table) - {"languages", "extra_phrases"}
        if unknown:
            raise Err(f"unknown setting `{sorted(unknown)[0]}` (expected `languages` or `extra_phrases`)")
        languages = table.get("languages", list(LANGUAGES))
        if not isinstance(languages, list) or not languages:
            raise Err("`languages` must be a non-empty list")
        for lang in languages:
            if lang not in LANGUAGES:
                raise Err(f"language `{lang}` is not one of {', '.join(LANGUAGES)}")
        extra = table.get("extra_phrases", {})
        if not isinstance(extra, dict):
            raise Err("`extra_phrases` must be a table of lists")
        for check, patterns in extra.items():
            if check not in PHRASES:
                raise Err(f"`extra_phrases` names `{check}`, not one of {', '.join(PHRASES)}")
            if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                raise Err(f"`extra_phrases.{check}` must be a list of strings")
            for p in patterns:
                try:
                    re.compile(p)
                except re.error as e:
                    raise Err(f"`extra_phrases.{check}`: `{p}` is not a regular expression: {e}")
        STATE["languages"] = tuple(languages)
        STATE["extra"] = extra
        STATE["compiled"] = compile_phrases(languages, extra)

    def evaluate(self, interaction: str) -> Evaluation:
        try:
            record = json.loads(interaction)
        except ValueError as e:
            raise Err(f"not JSON: {e}")
        if not isinstance(record, dict):
            raise Err("the interaction is not an object")
        transcript = record.get("transcript")
        if not transcript:
            return Evaluation(applies=False, enforced=False, benefit=None, findings=[])
        compiled = STATE["compiled"]
        language = record.get("language")
        if isinstance(language, str) and language.lower()[:2] in STATE["languages"]:
            lang = language.lower()[:2]
            compiled = compile_for(lang)
        findings = []
        lines = [normalise(l) for l in agent_lines(transcript)]
        for check in PHRASES:
            hit = first_match(compiled[check], lines)
            if hit is not None:
                line, phrase = hit
                findings.append(
                    Finding(
                        check_id=check,
                        message=f"the agent said \u201c{phrase}\u201d",
                        evidence=[("transcript", json.dumps(line, ensure_ascii=False))],
                    )
                )
        return Evaluation(
            applies=True,
            enforced=bool(findings),
            benefit=None,
            findings=findings,
        )


_BY_LANGUAGE = {}


def compile_for(lang):
    """The phrases of one language (and the configured extras), compiled once."""
    if lang not in _BY_LANGUAGE or _BY_LANGUAGE[lang][0] is not STATE["extra"]:
        _BY_LANGUAGE[lang] = (STATE["extra"], compile_phrases([lang], STATE["extra"]))
    return _BY_LANGUAGE[lang][1]


def first_match(patterns, lines):
    for line in lines:
        for p in patterns:
            m = p.search(line)
            if m:
                return line, m.group(0)
    return None
