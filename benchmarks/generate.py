"""A seeded generator of realistic chat fine-tuning JSONL, at any size.

Multi-turn conversations of prose and code, with non-ASCII text, tool calls, log-normal lengths,
and a small share of duplicates and defects, so a benchmark exercises every path of the
validator. The same seed and size always give the same bytes.

    python benchmarks/generate.py out.jsonl --size 200MB --seed 7

The prose draws from a Zipf-distributed lexicon made from the seed: a few hundred common English
words at the head, then several thousand words built from English morphemes and syllables, with
names, numbers of many shapes, punctuation and markdown at the rates of real chat data. A share
of the conversations switch to another language for a sentence or a passage (German, French,
Spanish, Russian, Greek, Chinese, Japanese, Korean), built from small per-language inventories;
a quarter of the answers carry code (Python, JavaScript, SQL, shell, JSON) whose identifiers
come from the lexicon.

Calibrated against the message texts of the chat-format files of the conformance corpus
(o200k_base ``encode_ordinary``: MB of UTF-8 text per CPU second, best of 3, on one machine):

    texts of                     MB/s   chars/token   non-ASCII chars   mean text
    corpus chat files (6.8 MB)   30.3   4.58          0.14%             567 chars
    seed 7, 20 MB (17.5 MB)      25.2   4.07          0.59%             380 chars
    version 1, 20 MB             50.4   5.29          0.15%             341 chars

The made words of the lexicon's tail take two tokens where real words of that rank take one,
hence the lower figures; the corpus is almost all English, the generator deliberately less so.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

#: Part of the cache names of generated files: bump it whenever the bytes for a seed change.
GENERATOR_VERSION = 2
#: The share of the lexicon's tail built from English morphemes; the rest are syllable words.
MORPHEME_SHARE = 0.9
#: The exponent of the lexicon's Zipf law (1 in natural language; a little more favours the head).
ZIPF_EXPONENT = 1.0

#: The head of the lexicon, most frequent first: function words and everyday words.
COMMON = """
the of and to a in is you that it for I on are with as be this was have or not at your by can
from if but we an will they all do there so my what which one more about their has would when
me use need please it's it's don't I'm you're can't also just like some out up get time how
other new been than make first these any only its them then were should could into see our
two may help here each file order know way data other because such very want while over well
where after before most those much many three same both between under through without during
since until again still even now never always often already however example number work thanks
account set check find run return list value make sure let's see next last day days week year
email address payment card refund shipping delivery customer product support service issue
error message request response model training dataset format code function table report line
text question answer change update problem result name type user system test version page
team project price cost plan option step time date status access link following available
different important possible small large long good great best right left high low full part
whole free open close start end keep add remove show give take try call send read write move
say said going looking working using based able own another every few less least other second
case point fact group level rate area form way side hand kind lot place thing things people
something nothing anything everything someone anyone here there why who whom whose yes no
around across against along among behind below above near within per via though although
unless whether either neither nor yet once twice half quite rather really simply probably
usually actually currently recently directly clearly exactly especially finally instead
therefore otherwise meanwhile I've we're they're that's there's isn't doesn't didn't won't
we'll you'll I'd you've wasn't aren't shouldn't wouldn't couldn't people world life hand
part child eye woman man place work week government company number group problem fact home
water room mother area money story month lot study book job word business night point
program question play power city community name president team minute idea body information
back parent face others level office door health person art war history party morning reason
research girl guy moment air teacher force education foot boy age policy process music market
sense nation college interest death experience effect class control care field development role
effort rate heart drug show leader light voice wife police mind price report decision son view
relationship town road arm difference value building action model season society tax director
position player record paper space ground form event official matter center couple site project
activity star table need court oil situation industry figure street image phone data picture
practice piece land product doctor wall patient worker news test movie north love support
technology step baby computer type attention film tree source organization hair window
evidence population site training feature cause quality detail chance include continue
provide become allow believe happen remember understand consider appear buy wait serve die
expect build stay fall cut reach kill remain suggest raise pass sell require decide pull
describe develop carry break receive agree support hit produce eat cover catch draw choose
simple clear recent certain personal strong similar local human major public real better sure
information available different important following including development experience
management business several provide because through between another without something
everything already together although actually possible probably necessary particular
government interest national international community political economic financial
additional original standard specific general technical professional individual current
previous separate related required including complete correct directly generally usually
especially significant structure function performance application environment requirement
operation statement position approach response material pressure condition customer
delivery shipping payment purchase address account password settings configuration
document documents database software hardware network security solution solutions
question questions example examples problems results services products features options
describe explain improve increase reduce support maintain receive continue consider
determine identify establish include contain require prepare provide process produce
understand remember recommend available interesting difficult different beautiful
important excellent particular practical reasonable responsible successful comfortable
""".split()

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
#: How English sentences most often begin.
_OPENERS = ("The", "The", "This", "It", "It", "You", "I", "We", "If", "In", "For", "To", "When",
            "That", "There", "Please", "Yes,", "Thanks,", "Also,", "However,", "So", "A", "Your",
            "Our", "Once", "After", "Before", "Since", "Most", "Some", "Each", "Then")
_PREFIXES = ("re", "un", "pre", "con", "dis", "in", "ex", "de", "com", "pro", "sub", "inter",
             "trans", "over", "out", "mis", "non", "per", "im", "en")
_ROOTS = ("port", "form", "struct", "duct", "tract", "spect", "press", "ject", "mit", "vert",
          "pose", "cept", "fer", "gress", "dict", "scribe", "log", "graph", "tain", "cur",
          "move", "serve", "sign", "pend", "vid", "vis", "act", "charge", "light", "work",
          "book", "hand", "land", "stone", "field", "wood", "water", "line", "time", "ship",
          "house", "pack", "track", "stock", "store", "mark", "print", "view", "load", "count",
          "fund", "bill", "claim", "grade", "frame", "scale", "flow", "path", "sort", "match",
          "block", "shift", "base", "note", "test", "plan", "part", "point", "bound", "stand",
          "hold", "turn", "ground", "cover", "trust", "train", "vent", "quest", "lect", "sist",
          "tend", "clude", "volve", "sume", "solve", "rupt", "fect", "duce", "mand", "gram",
          "phone", "meter", "cycle", "plant", "cell", "power", "guard", "spring", "room", "door",
          "road", "board", "card", "desk", "team", "deal", "lead", "build", "fix", "link", "tag",
          "step", "rule", "form", "feed", "fill", "cash", "rent", "lock", "sell", "buy", "box",
          "net", "web", "app", "site", "code", "text", "word", "page", "post", "mail", "chat",
          "call", "talk", "care", "health", "home", "life", "food", "farm", "rail", "air",
          "sea", "sun", "fire", "bank", "trade", "price", "cost", "rate", "sale", "shop", "tool",
          "gear", "wheel", "motor", "brand", "craft", "skill", "mind", "sense", "place", "stage",
          "range", "source", "class", "group", "state", "space", "sound", "heat", "back", "side",
          "top", "end", "set", "run", "way", "day", "night", "town", "star", "gold", "glass",
          "paper", "metal", "salt", "rock", "tree", "leaf", "seed", "root", "branch", "river",
          "rain", "snow", "wind", "storm", "cloud", "bird", "fish", "horse", "bear", "wolf",
          "king", "head", "heart", "foot", "arm", "eye", "face", "skin", "bone", "milk", "bread",
          "cake", "tea", "wine", "sugar", "corn", "rice", "fruit", "apple", "berry", "green",
          "blue", "red", "black", "white", "gray", "bright", "dark", "fast", "slow", "hard",
          "soft", "warm", "cold", "cool", "sharp", "smart", "clean", "fresh", "safe", "short",
          "long", "high", "low", "deep", "wide", "round", "square", "circle", "cross", "bridge",
          "tower", "wall", "gate", "yard", "garden", "park", "hall", "school", "market",
          "street", "corner", "edge", "center", "middle", "level", "layer", "surface", "shape",
          "size", "weight", "length", "speed", "force", "energy", "signal", "wave", "pulse",
          "beat", "song", "dance", "game", "sport", "race", "goal", "score", "win", "master",
          "order", "account", "refund", "report", "record", "result", "table", "server", "client",
          "driver", "window", "screen", "button", "menu", "option", "filter", "search", "update",
          "bag", "bed", "bell", "belt", "bit", "boat", "bottle", "bowl", "brain", "brick",
          "brush", "bus", "cap", "car", "chain", "chair", "chart", "chip", "clock", "cloth",
          "coat", "coin", "cup", "dish", "dust", "egg", "engine", "fan", "fence", "flag", "floor",
          "flower", "fork", "frog", "glove", "grain", "grass", "gun", "hammer", "hat", "hill",
          "hook", "ice", "iron", "jar", "jet", "key", "kit", "knife", "lake", "lamp", "leg",
          "lid", "lip", "map", "mask", "mat", "moon", "mouse", "nail", "nest", "oven", "pan",
          "pen", "pin", "pipe", "plate", "pot", "pump", "ring", "rope", "sail", "sand", "shirt",
          "shoe", "silk", "sky", "smoke", "soap", "sock", "spoon", "stick", "string", "table",
          "tent", "thread", "tile", "toe", "tooth", "toy", "truck", "tube", "vase", "wire",
          "bright", "calm", "fair", "firm", "flat", "fine", "grand", "kind", "loud", "main",
          "neat", "plain", "proud", "quick", "rich", "rough", "shy", "solid", "thick", "tight",
          "vast", "wild", "wise", "ask", "bring", "climb", "drink", "drive", "fly", "grow", "hang",
          "jump", "kick", "lift", "listen", "march", "pay", "pick", "push", "reach", "ride",
          "rise", "roll", "save", "shake", "shout", "sing", "sit", "sleep", "smile", "speak",
          "swim", "teach", "throw", "touch", "walk", "wash", "watch", "wish", "write", "yell")
_SUFFIXES = ("ing", "ed", "er", "ion", "ation", "ment", "ly", "ness", "able", "al", "ity",
             "ive", "ous", "ure", "s", "es", "or", "ant", "ent", "ist", "ize", "ful", "less",
             "ence", "ance", "ship", "age", "ory", "ic", "ary")
_LIGHT_SUFFIXES = ("ing", "ed", "er", "s", "ing", "ed")
_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
           "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr", "", "", "",
           "b", "d", "l", "m", "n", "p", "r", "s", "t")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "i", "o", "a", "e", "ea", "ai", "ou", "oo")
_CODAS = ("", "", "", "", "", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "ck", "ng",
          "ll")
_NAME_ENDS = ("a", "o", "en", "on", "ie", "y", "el", "an", "ia", "us", "er", "in", "ette", "is")
_SURNAME_ENDS = ("son", "man", "er", "ton", "ley", "berg", "ski", "ez", "ova", "field", "wood",
                 "ford", "ell", "ard", "ini", "ström", "ner")
_PLACE_ENDS = ("ville", "burg", "ton", "field", "port", "stad", "mouth", "haven", "dale",
               "ford", "heim", "ia")
_ACCENTED_NAMES = ("José", "François", "Zoë", "Björn", "Müller", "Renée", "Łukasz", "Dvořák",
                   "Gonçalves", "Jürgen", "Sørensen", "Ángel", "Chloé", "Núñez", "Ödön")
#: Typography and symbols that real chat text carries outside any foreign passage.
_SYMBOLS = ("—", "–", "…", "°C", "€", "£", "×", "→", "✓", "½", "±", "•")
_EMOJI = ("😀", "👍", "🙂", "🎉", "🙏", "😅", "🚀", "✅", "❤️", "🤔")
_SECRETISH = ("password", "token", "key", "secret", "credential", "auth", "pass", "passwd")

#: Per language: function words, then syllables and endings for content words; ``caps`` is the
#: share of content words written with a capital (German nouns).
_LANGUAGES: dict[str, dict[str, Any]] = {
    "de": {"words": "und der die das ist nicht mit ein eine ich sie wir auf für von zu den im "
                    "es auch sich bei nach über wird können müssen Sie noch nur schon wenn aber "
                    "oder dass dem des zum zur hat sind war werden man kann".split(),
           "syllables": "ver ge be schaf stra bü hö mä ein ar bei sch wer zeit an wand raum fahr "
                        "äu stel kun rech nung bestel lie fe ab gü grö zah".split(),
           "endings": "ung keit lich en er te ig haft ße heit ten lung tig".split(),
           "caps": 0.45, "end": "."},
    "fr": {"words": "le la les de des du et est un une pour dans que qui pas vous nous avec "
                    "sur au à être très où ça c'est il elle on ne se par plus mais comme aux "
                    "cette votre été déjà".split(),
           "syllables": "ré pré con fé li ter pa ro ve mi sai cou ra nou vel lè de ci dé "
                        "mar chan com man pai li vrai".split(),
           "endings": "tion ment eau ble é ée ère ète age ité eur euse ique".split(),
           "caps": 0.0, "end": "."},
    "es": {"words": "el la los las de y que en un una es por para con no se su al lo más está "
                    "también muy como pero sí ya hay sus del le me mi tu qué cómo".split(),
           "syllables": "ta ri co mo pe lo ne sa ti bre za gu ca de mu re en pa ga ví pú "
                        "cam bio".split(),
           "endings": "ción ado ero ía ña ón ido ente mente dad ista".split(),
           "caps": 0.0, "end": "."},
    "ru": {"words": "и в не на я что он с это как по но к у из за для мы вы от так уже "
                    "было можно нужно есть если".split(),
           "syllables": "про ва ни ко ре да ло ра ми по на ка бо жи го вер зна ком пла до "
                        "сто зака пере".split(),
           "endings": "ть ся ние ова ель ый ая ой ом ка ство ник".split(),
           "caps": 0.03, "end": "."},
    "el": {"words": "και το η ο να για με στο από την του είναι δεν θα σε τα οι".split(),
           "syllables": "πο λη κα τα ρι νο με γρα ερ γα το ση πα ρα δο".split(),
           "endings": "σμός ία ή φή σί ου ος ες ει".split(),
           "caps": 0.03, "end": "."},
    "ko": {"words": "이 가 은 는 을 를 에 의 도 와 고 서 요 니다 합니다 있습니다".split(),
           "syllables": "사 고 하 지 기 리 주 문 배 송 확 인 결 제 정 보 변 경 시 간 데 "
                        "이 터 용 방 법 필 요".split(),
           "endings": "를 은 는 에서 으로 하고".split(),
           "caps": 0.0, "end": "."},
    "zh": {"chars": "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生"
                    "会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文"
                    "无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些"
                    "与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等"
                    "几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少"
                    "关并内加化由却代产入先山五太水万市眼体别处总才场师书比住员九性通目",
           "comma": "，", "end": "。"},
    "ja": {"words": "は が を に の で と も です ます した から まで ない ください".split(),
           "kana": "カ キ ク ケ コ サ シ ス セ ソ タ ト ナ ニ ノ ハ フ マ ミ ム メ モ ラ リ ル "
                   "レ ロ ン パ ビ デ".split(),
           "chars": "日本語時間会社自分問題情報確認設定利用方法必要注文送料変更返品在庫",
           "comma": "、", "end": "。"},
}
_LANGUAGE_CODES = ("de", "fr", "es", "ru", "el", "zh", "ja", "ko")
_LANGUAGE_WEIGHTS = (24, 22, 20, 12, 4, 9, 6, 3)

#: The words programmers name things with most, ahead of the lexicon in identifiers.
_CODE_WORDS = ["data", "result", "items", "item", "value", "name", "user", "config", "path",
               "file", "response", "request", "count", "total", "index", "options", "params",
               "client", "session", "url", "status", "error", "message", "payload", "records",
               "row", "rows", "id", "ids", "size", "limit", "offset", "batch", "text", "line",
               "lines", "output", "input", "source", "target", "events", "order", "orders",
               "price", "amount", "customer", "product", "cache", "timeout", "retry", "format"]
_PY_MODULES = ("os", "re", "json", "logging", "datetime", "pathlib", "collections", "typing",
               "itertools", "functools", "csv", "math", "statistics", "dataclasses")
_SHELL = ("pip install {pkg}=={version}", "git checkout -b {ident}", "git log --oneline -n 5",
          "grep -rn \"{ident}\" src/", "python -m {pkg}.{ident} --{flag} {number}",
          "docker run --rm -p 8080:8080 {pkg}:{version}", "ls -la {path}",
          "curl -s https://api.{pkg}.com/v1/{ident}?limit={number} | jq '.{ident}'",
          "export {upper}_DIR=/var/lib/{pkg}", "mkdir -p {path} && cd {path}",
          "npm run {ident}", "tar -xzf {ident}-{version}.tar.gz", "make {ident}",
          "kubectl get pods -n {pkg}", "find . -name '*.{ext}' | wc -l")
SYSTEMS = ("You are a helpful customer support assistant for an online shop.",
           "You are a senior software engineer. Answer with working code.",
           "You are a concise assistant. Answer in one or two sentences.")
TOOLS = [{"type": "function", "function": {
    "name": "lookup_order", "description": "Look up an order by its number.",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}},
                   "required": ["order_id"]}}}]
_ORDER_QUESTIONS = ("Where is my order {order}?", "Can you check the status of order {order}?",
                    "Hi, my order {order} still hasn't arrived. Any update?",
                    "Has order {order} shipped yet?")


def _length(rng: random.Random, median: float, sigma: float = 0.8) -> int:
    return max(1, int(rng.lognormvariate(math.log(median), sigma)))


def _zipf_weights(count: int, exponent: float = ZIPF_EXPONENT, offset: float = 2.7) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent
                                     for rank in range(1, count + 1)))


class Lexicon:
    """The words of one seed: Zipf-weighted prose words, names, places, code identifiers."""

    def __init__(self, rng: random.Random, size: int = 4500) -> None:
        self.rng = rng
        made: set[str] = set(COMMON)
        ranked: list[tuple[float, str]] = []
        while len(ranked) < size:
            word, build = (self._morpheme_word() if rng.random() < MORPHEME_SHARE
                           else self._syllable_word())
            if 2 < len(word) < 16 and word not in made:
                made.add(word)
                # Frequent words are short and simply built, as in any language.
                ranked.append((build + rng.gauss(0, 1), word))
        built = [word for _, word in sorted(ranked)]
        self.words = list(dict.fromkeys(COMMON)) + built
        self.cum = _zipf_weights(len(self.words))
        # Identifiers: the longer everyday words first, then the made ones.
        self.content = [word for word in dict.fromkeys(_CODE_WORDS + COMMON[150:] + built)
                        if word.isalpha() and len(word) > 2
                        and not any(part in word for part in _SECRETISH)]
        self.content_cum = _zipf_weights(len(self.content), offset=10)
        self.first_names = self._unique(lambda: self._syllables(1, 2).capitalize()
                                        + rng.choice(_NAME_ENDS), 400)
        self.surnames = self._unique(lambda: self._syllables(1, 2).capitalize()
                                     + rng.choice(_SURNAME_ENDS), 600)
        self.places = self._unique(lambda: self._syllables(1, 2).capitalize()
                                   + rng.choice(_PLACE_ENDS), 200)
        self.first_cum = _zipf_weights(len(self.first_names), offset=5)
        self.surname_cum = _zipf_weights(len(self.surnames), offset=5)
        self.foreign = {code: self._foreign_lexicon(code, spec)
                        for code, spec in _LANGUAGES.items()}

    def _unique(self, make: Callable[[], str], count: int) -> list[str]:
        out: dict[str, None] = {}
        while len(out) < count:
            out[make()] = None
        return list(out)

    def _syllables(self, low: int, high: int) -> str:
        choice = self.rng.choice
        return "".join(choice(_ONSETS) + choice(_VOWELS) + choice(_CODAS)
                       for _ in range(self.rng.randint(low, high)))

    def _syllable_word(self) -> tuple[str, int]:
        word = self._syllables(1, 2)
        if self.rng.random() < 0.4:
            word += self.rng.choice(_SUFFIXES)
        return word, 3

    def _morpheme_word(self) -> tuple[str, int]:
        """A word made of English morphemes, and how complex its build is (0 to 2)."""
        rng = self.rng
        word = rng.choice(_ROOTS)
        roll = rng.random()
        if roll < 0.3:
            plural = "es" if word.endswith(("s", "sh", "ch", "x")) else "s"
            return word + rng.choice(("", plural, plural)), 0
        if roll < 0.75:
            suffix, build = rng.choice(_LIGHT_SUFFIXES), 1
        elif roll < 0.85:
            suffix, build = rng.choice(_SUFFIXES), 2
        elif roll < 0.92:
            return rng.choice(_PREFIXES) + word, 2
        else:
            return word + rng.choice(_ROOTS), 2
        if word.endswith("e") and suffix[0] in "aeiouy":
            word = word[:-1]
        elif suffix == "s" and word.endswith(("s", "sh", "ch", "x")):
            suffix = "es"
        return word + suffix, build

    def _foreign_lexicon(self, code: str, spec: dict[str, Any]) -> tuple[list[str], list[float]]:
        rng = self.rng
        words: list[str] = list(spec.get("words", ()))
        made = set(words)
        for _ in range(400):
            if "chars" in spec and "kana" not in spec:  # Chinese: words of one to three characters
                word = "".join(rng.choice(spec["chars"]) for _ in range(rng.choice((1, 2, 2, 3))))
            elif "kana" in spec:
                word = ("".join(rng.choice(spec["kana"]) for _ in range(rng.randint(2, 5)))
                        if rng.random() < 0.4 else
                        "".join(rng.choice(spec["chars"]) for _ in range(2)))
            else:
                word = "".join(rng.choice(spec["syllables"]) for _ in range(rng.randint(1, 3)))
                if rng.random() < 0.6:
                    word += rng.choice(spec["endings"])
                if rng.random() < spec["caps"]:
                    word = word.capitalize()
            if word not in made:
                made.add(word)
                words.append(word)
        return words, _zipf_weights(len(words))


class Writer:
    """Texts drawn from one lexicon with one random stream."""

    def __init__(self, rng: random.Random, lexicon: Lexicon) -> None:
        self.rng = rng
        self.lex = lexicon

    # -- pieces ---------------------------------------------------------------------------------

    def name(self) -> str:
        rng, lex = self.rng, self.lex
        roll = rng.random()
        if roll < 0.05:
            return rng.choice(_ACCENTED_NAMES)
        if roll < 0.2:
            return rng.choice(lex.places)
        first = rng.choices(lex.first_names, cum_weights=lex.first_cum)[0]
        if roll < 0.6:
            return first
        return first + " " + rng.choices(lex.surnames, cum_weights=lex.surname_cum)[0]

    def number(self) -> str:
        rng = self.rng
        shape = rng.randrange(12)
        if shape == 0:
            return str(rng.choice((rng.randint(1990, 2026), rng.randint(2015, 2026))))
        if shape == 1:
            return rng.choice("$$$€£") + f"{rng.lognormvariate(3.5, 1.3):,.2f}"
        if shape == 2:
            return f"{rng.randint(2, 60)}"
        if shape == 3:
            return f"{rng.randint(2, 500)} {rng.choice(('ml', 'kg', 'GB', 'MB', 'km', 'ms'))}"
        if shape == 4:
            return f"{rng.lognormvariate(2, 1):.1f}%"
        if shape == 5:
            return f"v{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        if shape == 6:
            return rng.choice(("#", "A", "ORD-", "INV-")) + str(rng.randint(10**4, 10**6))
        if shape == 7:
            year, month, day = rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28)
            roll = rng.random()
            if roll < 0.3:
                return f"{year}-{month:02d}-{day:02d}"
            if roll < 0.7:
                return f"{_MONTHS[month - 1]} {day}"
            return f"{day} {_MONTHS[month - 1]} {year}"
        if shape == 8:
            return f"{rng.randint(7, 20)}:{rng.choice(('00', '15', '30', '45'))}"
        if shape == 9:
            return f"{rng.choice((rng.randint(1, 999), rng.randint(1000, 99999))):,}"
        if shape == 10:
            return rng.choice(("two", "three", "four", "five", "ten", "twenty", "a dozen"))
        return f"{rng.randint(1, 12)} {rng.choice(('days', 'hours', 'minutes', 'weeks', 'items'))}"

    def ident(self, parts: int = 0) -> str:
        rng, lex = self.rng, self.lex
        count = parts or rng.choice((1, 2, 2, 2, 3))
        return "_".join(rng.choices(lex.content, cum_weights=lex.content_cum, k=count))

    def camel(self) -> str:
        head, *rest = self.ident().split("_")
        return head + "".join(part.capitalize() for part in rest)

    def sentence(self, count: int, end: str = ".") -> str:
        rng, lex = self.rng, self.lex
        words = rng.choices(lex.words, cum_weights=lex.cum, k=count)
        random_ = rng.random
        if random_() < 0.15:
            words[rng.randrange(count)] = self.name()
        if random_() < 0.17:
            words[rng.randrange(count)] = self.number()
        if count > 7:
            if random_() < 0.55:
                words[rng.randrange(2, count - 2)] += ","
            if count > 14 and random_() < 0.45:
                words[rng.randrange(2, count - 2)] += ","
            roll = random_()
            if roll < 0.06:
                start = rng.randrange(1, count - 4)
                stop = start + rng.randrange(1, 4)
                words[start] = "(" + words[start]
                words[stop] = words[stop].rstrip(",") + ")"
            elif roll < 0.10:
                start = rng.randrange(1, count - 4)
                stop = start + rng.randrange(0, 3)
                words[start] = '"' + words[start]
                words[stop] = words[stop].rstrip(",") + '"'
            elif roll < 0.13:
                words[rng.randrange(2, count - 2)] += ":"
            elif roll < 0.15:
                words[rng.randrange(2, count - 2)] += ";"
            elif roll < 0.19:
                words.insert(rng.randrange(2, count - 2), rng.choice(("-", "—", "–")))
            elif roll < 0.22:
                at = rng.randrange(1, count - 1)
                words[at] = "`" + self.ident() + ("()`" if random_() < 0.4 else "`")
        if random_() < 0.03:
            words.insert(rng.randrange(count), rng.choice(_SYMBOLS))
        if random_() < 0.5:
            words[0] = rng.choice(_OPENERS)
        else:
            words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words).rstrip(",:;") + end

    def sentence_length(self) -> int:
        return max(3, int(self.rng.gammavariate(3.0, 5.5)))

    def foreign_sentence(self, code: str) -> str:
        rng = self.rng
        spec = _LANGUAGES[code]
        words, cum = self.lex.foreign[code]
        count = self.sentence_length()
        picked = rng.choices(words, cum_weights=cum, k=count)
        end: str = spec["end"]
        if "comma" in spec:  # scripts written without spaces
            if count > 8:
                picked[rng.randrange(2, count - 2)] += spec["comma"]
            return "".join(picked) + end
        if count > 7 and rng.random() < 0.5:
            picked[rng.randrange(2, count - 2)] += ","
        if rng.random() < 0.2:
            picked[rng.randrange(count)] = self.number()
        text = " ".join(picked)
        if code == "es" and rng.random() < 0.3:
            return "¿" + text[:1].upper() + text[1:] + "?"
        return text[:1].upper() + text[1:] + end

    # -- texts ----------------------------------------------------------------------------------

    def paragraph(self, words: int, *, question: bool = False, language: str | None = None
                  ) -> str:
        rng = self.rng
        out: list[str] = []
        left = words
        while left > 0:
            count = min(self.sentence_length(), max(left, 3))
            left -= count
            if language is not None and rng.random() < 0.5:
                out.append(self.foreign_sentence(language))
                continue
            end = "?" if question and (left <= 0 or rng.random() < 0.2) else (
                "!" if rng.random() < 0.02 else ".")
            out.append(self.sentence(count, end))
        if rng.random() < 0.015:
            out.append(rng.choice(_EMOJI))
        return " ".join(out)

    def prose(self, median: int, *, question: bool = False, language: str | None = None) -> str:
        total = _length(self.rng, median)
        paragraphs = []
        while total > 0:
            size = min(total, _length(self.rng, 55, 0.5))
            total -= size
            paragraphs.append(self.paragraph(size, question=question and total <= 0,
                                             language=language))
        return "\n\n".join(paragraphs)

    def markdown(self, median: int, language: str | None) -> str:
        rng = self.rng
        blocks = []
        if rng.random() < 0.35:
            title = self.sentence(rng.randint(2, 5), "")
            blocks.append(rng.choice((f"## {title}", f"### {title}", f"**{title}**")))
        intro = self.paragraph(_length(rng, 30, 0.5), language=language)
        blocks.append(intro[:-1] + ":" if intro[-1] in ".!?。" else intro)
        numbered = rng.random() < 0.4
        items = []
        for number in range(1, rng.randint(3, 7)):
            item = self.sentence(self.sentence_length())
            if rng.random() < 0.4:
                item = f"**{self.sentence(rng.randint(1, 3), '')}**: {item}"
            items.append((f"{number}. " if numbered else "- ") + item)
        blocks.append("\n".join(items))
        if rng.random() < 0.7:
            blocks.append(self.paragraph(_length(rng, median // 3 or 1, 0.5), language=language))
        return "\n\n".join(blocks)

    def answer(self, median: int, language: str | None) -> str:
        rng = self.rng
        if rng.random() < 0.25:
            text = self.markdown(median, language)
        else:
            text = self.prose(median, language=language)
        if rng.random() < 0.25:
            lang, code = self.code()
            text += f"\n\n```{lang}\n{code}\n```"
            if rng.random() < 0.5:
                text += "\n\n" + self.paragraph(_length(rng, 25, 0.6))
        return text

    # -- code -----------------------------------------------------------------------------------

    def code(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.35:
            return "python", self.python()
        if roll < 0.55:
            return self.rng.choice(("javascript", "js", "typescript")), self.javascript()
        if roll < 0.7:
            return "sql", self.sql()
        if roll < 0.85:
            return self.rng.choice(("bash", "sh", "shell")), self.shell()
        return "json", self.json_value()

    def _literal(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return str(rng.choice((0, 1, 2, 10, 100, rng.randint(3, 5000))))
        if roll < 0.7:
            return json.dumps(self.ident(1) if rng.random() < 0.6 else self.sentence(3, ""))
        if roll < 0.8:
            return f"{rng.random() * 10:.2f}"
        return rng.choice(("None", "True", "False", "[]", "{}"))

    def python(self) -> str:
        rng = self.rng
        lines: list[str] = []
        if rng.random() < 0.6:
            modules = rng.sample(_PY_MODULES, rng.randint(1, 3))
            lines += [f"import {module}" for module in sorted(modules)] + [""]
        name, args = self.ident(), [self.ident(1) for _ in range(rng.randint(1, 3))]
        args = list(dict.fromkeys(args))
        lines.append(f"def {name}({', '.join(args)}):")
        lines.append(f'    """{self.sentence(rng.randint(4, 12))}"""')
        result = self.ident(rng.choice((1, 2)))
        lines.append(f"    {result} = []")
        for _ in range(rng.randint(2, 7)):
            item, attr, other = self.ident(1), self.ident(1), self.ident()
            source = rng.choice(args)
            kind = rng.randrange(7)
            if kind == 0:
                lines += [f"    for {item} in {source}:",
                          f"        if {item}.{attr} > {self._literal()}:",
                          f"            {result}.append({item}.{self.ident(1)})"]
            elif kind == 1:
                lines.append(f"    {other} = {source}.get({json.dumps(attr)}, {self._literal()})")
            elif kind == 2:
                lines += [f"    if {source} is None:", f"        return {self._literal()}"]
            elif kind == 3:
                lines.append(f"    {other} = [{item}.{attr} for {item} in {source} "
                             f"if {item}.{self.ident(1)}]")
            elif kind == 4:
                lines.append(f"    # {self.sentence(rng.randint(3, 10))}")
            elif kind == 5:
                lines.append(f'    logger.info("{self.sentence(rng.randint(2, 6), "")}: %s", '
                             f"{source})")
            else:
                lines.append(f"    {other} = {self.ident()}({source}, {self.ident(1)}="
                             f"{self._literal()})")
        lines.append(f"    return {result}")
        if rng.random() < 0.4:
            lines += ["", "", f"print({name}({', '.join(self._literal() for _ in args)}))"]
        return "\n".join(lines)

    def javascript(self) -> str:
        rng = self.rng
        name, arg = self.camel(), self.camel()
        lines = [f"{rng.choice(('async function', 'function', 'export async function'))} "
                 f"{name}({arg}) {{"]
        for _ in range(rng.randint(2, 6)):
            var, field = self.camel(), self.camel()
            kind = rng.randrange(5)
            if kind == 0:
                lines.append(f"  const {var} = await fetch(`/api/{self.ident(1)}/${{{arg}.id}}`);")
            elif kind == 1:
                lines += [f"  if (!{arg}.{field}) {{",
                          f"    throw new Error({json.dumps(self.sentence(rng.randint(2, 6)))});",
                          "  }"]
            elif kind == 2:
                lines.append(f"  const {var} = {arg}.{field}.filter((item) => item.{self.camel()}"
                             f" > {rng.randint(0, 100)});")
            elif kind == 3:
                lines.append(f"  // {self.sentence(rng.randint(3, 10))}")
            else:
                lines.append(f"  console.log('{self.ident(1)}', {arg}.{field});")
        lines += [f"  return {{ {self.camel()}: {arg}.{self.camel()}, ok: true }};", "}"]
        return "\n".join(lines)

    def sql(self) -> str:
        rng = self.rng
        table, other = self.ident(rng.choice((1, 2))), self.ident(1)
        columns = list(dict.fromkeys(self.ident(rng.choice((1, 1, 2)))
                                     for _ in range(rng.randint(1, 4))))
        lines = [f"SELECT {', '.join('t.' + column for column in columns)}, COUNT(*) AS total",
                 f"FROM {table} t"]
        if rng.random() < 0.5:
            lines.append(f"JOIN {other} o ON o.{table}_id = t.id")
        lines.append(f"WHERE t.{self.ident(1)} = '{self.ident(1)}'"
                     + (f" AND t.created_at >= '{rng.randint(2019, 2026)}-01-01'"
                        if rng.random() < 0.5 else ""))
        lines.append(f"GROUP BY {', '.join('t.' + column for column in columns)}")
        if rng.random() < 0.5:
            lines.append(f"ORDER BY total DESC\nLIMIT {rng.choice((10, 20, 50, 100))}")
        return "\n".join(lines) + ";"

    def shell(self) -> str:
        rng = self.rng
        out = []
        for template in rng.sample(_SHELL, rng.randint(1, 4)):
            ident = self.ident(1)
            out.append(template.format(
                pkg=ident, ident=self.ident(), flag=self.ident(1).replace("_", "-"),
                number=rng.randint(1, 500), version=f"{rng.randint(0, 4)}.{rng.randint(0, 30)}"
                f".{rng.randint(0, 9)}", path="/".join(self.ident(1) for _ in range(2)),
                upper=ident.upper(), ext=rng.choice(("py", "js", "json", "md", "csv"))))
        if rng.random() < 0.4:
            out.insert(0, f"# {self.sentence(rng.randint(3, 8))}")
        return "\n".join(out)

    def json_value(self) -> str:
        rng = self.rng

        def value(depth: int) -> Any:
            roll = rng.random()
            if roll < 0.2 and depth < 2:
                return {self.ident(): value(depth + 1) for _ in range(rng.randint(1, 4))}
            if roll < 0.3 and depth < 2:
                return [value(depth + 1) for _ in range(rng.randint(1, 3))]
            if roll < 0.55:
                return rng.randint(0, 10000)
            if roll < 0.65:
                return round(rng.random() * 100, 2)
            if roll < 0.72:
                return rng.choice((True, False, None))
            return self.ident(1) if rng.random() < 0.5 else self.sentence(rng.randint(2, 6))

        record = {self.ident(): value(0) for _ in range(rng.randint(2, 7))}
        return json.dumps(record, indent=2, ensure_ascii=False)


def _conversation(writer: Writer, index: int, *, tools: bool = True) -> dict[str, Any]:
    rng = writer.rng
    messages: list[dict[str, Any]] = []
    if rng.random() < 0.8:
        messages.append({"role": "system", "content": rng.choice(SYSTEMS)})
    record: dict[str, Any] = {"messages": messages}
    if rng.random() < 0.1 and tools:
        order = f"A{rng.randrange(10**6):06d}"
        messages += [
            {"role": "user", "content": rng.choice(_ORDER_QUESTIONS).format(order=order)},
            {"role": "assistant", "tool_calls": [{"id": f"call_{index}", "type": "function",
                "function": {"name": "lookup_order",
                             "arguments": json.dumps({"order_id": order})}}]},
            {"role": "tool", "tool_call_id": f"call_{index}",
             "content": json.dumps({"status": "shipped", "eta_days": rng.randrange(1, 6)})},
            {"role": "assistant", "content": writer.prose(30)},
        ]
        record["tools"] = TOOLS
        return record
    language = None
    if rng.random() < 0.08:
        language = rng.choices(_LANGUAGE_CODES, _LANGUAGE_WEIGHTS)[0]
    for _ in range(min(8, _length(rng, 1.2))):
        messages.append({"role": "user", "content": writer.prose(
            26, question=rng.random() < 0.6,
            language=language if rng.random() < 0.6 else None)})
        messages.append({"role": "assistant", "content": writer.answer(
            85, language if rng.random() < 0.6 else None)})
    return record


def _defect(rng: random.Random, record: dict[str, Any]) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        record["messages"][-1]["content"] = ""
    elif kind == 1:
        record["messages"] = [m for m in record["messages"] if m["role"] != "assistant"]
    elif kind == 2:
        record["messages"][0]["role"] = "bot"
    else:
        return json.dumps(record, ensure_ascii=False)[:-7]  # truncated line
    return json.dumps(record, ensure_ascii=False)


def lines(seed: int, *, plain: bool = False) -> Iterator[str]:
    """An endless, reproducible stream of JSONL lines (no newline).

    ``plain`` leaves out tool calls and defects (duplicates stay): system, user and assistant
    turns only, which every checker accepts, so one that stops at the first problem reads the
    whole file too.

    >>> next(lines(7)) == next(lines(7))
    True
    """
    rng = random.Random(seed)
    writer = Writer(rng, Lexicon(rng))
    recent: list[str] = []
    index = 0
    while True:
        index += 1
        roll = rng.random()
        if roll < 0.02 and recent:
            yield rng.choice(recent)  # an exact duplicate
            continue
        record = _conversation(writer, index, tools=not plain)
        line = (_defect(rng, record) if roll > 0.995 and not plain
                else json.dumps(record, ensure_ascii=False))
        if len(recent) < 1000:
            recent.append(line)
        else:
            recent[rng.randrange(1000)] = line
        yield line


def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?B?)?", text.strip(), re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    unit = (match.group(2) or "").upper().rstrip("B")
    return int(float(match.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[unit])


def generate(path: str, size: int, seed: int, *, plain: bool = False) -> int:
    """Write at least ``size`` bytes of JSONL to ``path``; return the number of lines."""
    written = count = 0
    with open(path, "w", encoding="utf-8") as out:
        for line in lines(seed, plain=plain):
            if written >= size:
                break
            out.write(line + "\n")
            written += len(line.encode("utf-8")) + 1
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--size", type=parse_size, default=parse_size("10MB"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plain", action="store_true",
                        help="no tool calls and no defects (system, user, assistant turns only)")
    args = parser.parse_args(argv)
    count = generate(args.output, args.size, args.seed, plain=args.plain)
    print(f"{args.output}: {count} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
