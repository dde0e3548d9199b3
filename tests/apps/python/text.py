"""json and re over the working directory's inputs: parsing, dumping, searching, substituting."""
import collections
import json
import os
import re
import tempfile

from common import run, section, show


@section
def json_roundtrip():
    rows = []
    with open("table.csv") as f:
        for line in f:
            ident, word, number, upper = line.rstrip("\n").split(",")
            rows.append({"id": int(ident), "word": word, "n": int(number),
                         "tags": [upper, word[:2]], "ratio": int(number) / 7,
                         "odd": int(ident) % 2 == 1 or None})
    text = json.dumps(rows, sort_keys=True)
    show("dumps length", len(text))
    back = json.loads(text)
    show("round trip", back == rows)
    show("indent", json.dumps(rows[3], indent=2, sort_keys=True).splitlines()[:4])
    show("floats", json.dumps([0.1, 1e300, -0.0, 2 ** 0.5, 1 / 3]))
    show("unicode", json.dumps({"caf\u00e9": "\u2603\U0001F600"}))
    show("ensure_ascii off", json.dumps("caf\u00e9", ensure_ascii=False))
    try:
        json.loads('{"a": [1, 2,, 3]}')
    except json.JSONDecodeError as e:
        show("decode error", (e.msg, e.lineno, e.colno))
    deep = json.loads("[" * 500 + "]" * 500)
    show("deep nesting", type(deep).__name__)
    totals = collections.Counter()
    for row in back:
        totals[row["word"]] += row["n"]
    show("totals", sorted(totals.items())[:5])


@section
def json_files():
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"numbers": list(range(1000)), "nested": {"a": {"b": [None, True, False]}}}, f)
    with open(f.name) as g:
        data = json.load(g)
    os.remove(f.name)
    show("file", (sum(data["numbers"]), data["nested"]))


@section
def regex_search():
    with open("big.txt") as f:
        text = f.read()
    show("findall omega", len(re.findall(r"\bomega\b", text)))
    pattern = re.compile(r"^(\d{6}) (\w+) (\w+) (\d+)$", re.MULTILINE)
    matches = pattern.findall(text)
    show("lines matched", len(matches))
    show("same words", sum(1 for m in matches if m[1] == m[2]))
    show("max number", max(int(m[3]) for m in matches))
    show("search", pattern.search(text, 1000).groups())
    show("named groups", re.match(r"(?P<id>\d+) (?P<word>\w+)", text).groupdict())
    words = collections.Counter(m[1] for m in matches)
    show("common", words.most_common(3))


@section
def regex_edit():
    with open("big.txt") as f:
        text = f.read()
    out, n = re.subn(r"(\w+) (\w+) (\d+)$", r"\3:\2:\1", text, flags=re.M)
    show("subn", (n, out.splitlines()[7]))
    show("sub with function", re.sub(r"\d+", lambda m: str(len(m.group())), "a1 b22 c333"))
    show("split", re.split(r"[,;]\s*", "a, b;c ,d"))
    show("ignorecase", re.findall(r"OMEGA \w+", text[:100000], re.I)[:3])
    show("lookaround", re.findall(r"(?<=alpha )\w+(?= \d)", text[:50000])[:5])
    show("verbose", bool(re.fullmatch(r"""
        \d{6}   # id
        \s\w+   # first word
    """, "000123 alpha", re.X)))
    show("unicode", re.findall(r"\w+", "caf\u00e9 na\u00efve \u00fcber"))
    show("escape", re.escape("a.b*c"))


run()
