#!/usr/bin/env python3
"""Write tests/data/python_random.json: test vectors from CPython's own `random` module.

tests/python_random.rs checks `microgpt::python_random::PyRandom`, and the CPython algorithms that
`microgpt::rng::RandomSource` builds on it, against these vectors bit for bit. Regenerate with

    python3 tools/python_random_vectors.py

under CPython 3.11 (the version whose `random.py` the Rust code follows). The output is
deterministic: running the script twice writes identical bytes.

Every float is stored as its IEEE-754 bit pattern, a hex string such as "0x3fe4f8b588e368f1", so
the comparison is exact and does not depend on any JSON parser's float conversion. Every group of
vectors also records the `random()` that follows it, which pins how many raw outputs the group
consumed.
"""

import json
import math
import platform
import random
import struct
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "python_random.json"

# Karpathy's names.txt has 32,033 names; microgpt.py shuffles them first thing.
N_DOCS = 32033
# microgpt.py's parameter count with its defaults (vocab 27, n_embd 16, block 16, one layer):
# wte 27*16 + wpe 16*16 + lm_head 27*16 + attention 4*16*16 + MLP 2*64*16.
N_PARAMS = 4192
VOCAB = 27


def hexf(x):
    """The IEEE-754 bits of a float, as a hex string."""
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def then_random(r):
    return hexf(r.random())


def checksum(perm):
    """sum(i * p[i]): equal for two permutations of range(n) only if they agree almost surely."""
    return sum(i * p for i, p in enumerate(perm))


def softmax(logits, temperature):
    scaled = [l / temperature for l in logits]
    m = max(scaled)
    exps = [math.exp(s - m) for s in scaled]
    total = sum(exps)
    return [e / total for e in exps]


def softmax_weights(t):
    """A deterministic stand-in for the model's next-token distribution at step t."""
    logits = [3.0 * math.sin(1.7 * i + 0.9 * t) - 0.05 * i for i in range(VOCAB)]
    return softmax(logits, 0.5)


def random_vectors():
    groups = []
    # Seed 42 at length: it crosses the first twist (624 outputs) and the next one.
    # The others pin the key: 0 is the key [0], 2**32 - 1 the largest one-word key, 2**32 and
    # 2**32 + 5 two-word keys with the high word 1, 2**64 - 1 two all-ones words.
    for seed, count in [(42, 1000), (0, 20), (1, 20), (2, 20), (2**32 - 1, 20), (2**32, 20),
                        (2**32 + 5, 20), (2**64 - 1, 20)]:
        r = random.Random(seed)
        groups.append({"seed": seed, "values": [hexf(r.random()) for _ in range(count)]})
    return groups


def getrandbits_vectors():
    groups = []
    for k in [1, 5, 31, 32, 33, 53, 64]:
        r = random.Random(42)
        values = [r.getrandbits(k) for _ in range(100)]
        groups.append({"seed": 42, "k": k, "values": values, "then_random": then_random(r)})
    return groups


def below_vectors():
    """random._randbelow(n), which randrange(n) and shuffle call; n up to the 64-bit limit."""
    assert random.Random._randbelow is random.Random._randbelow_with_getrandbits
    groups = []
    for n in [1, 2, 3, 5, 32, 33, 1000, 32033, 2**31 + 1, 2**32, 2**32 + 1, 3 * 2**40 + 7,
              2**63 + 1, 2**64 - 1]:
        r = random.Random(7)
        values = [r._randbelow(n) for _ in range(100)]
        groups.append({"seed": 7, "n": n, "values": values, "then_random": then_random(r)})
    return groups


def gauss_vectors():
    r = random.Random(42)
    values = [hexf(r.gauss(0, 0.08)) for _ in range(100)]
    return {"seed": 42, "mu": hexf(0.0), "sigma": hexf(0.08), "values": values,
            "then_random": then_random(r)}


def gauss_interleaved_vectors():
    # g = gauss(1.5, 2.0), r = random(). "grgg" draws a pair, calls random() while the spare is
    # held, returns the spare, draws a new pair; the rest mixes even and odd runs of each.
    pattern = "grgg" + "rrgggrgrrrggggrgrgggggrrgg" * 3
    r = random.Random(12345)
    ops = []
    for op in pattern:
        if op == "g":
            ops.append(["gauss", hexf(r.gauss(1.5, 2.0))])
        else:
            ops.append(["random", hexf(r.random())])
    return {"seed": 12345, "mu": hexf(1.5), "sigma": hexf(2.0), "ops": ops,
            "then_random": then_random(r)}


def shuffle_vectors():
    groups = []
    for seed, n in [(42, 50), (42, N_DOCS), (3, 2)]:
        r = random.Random(seed)
        perm = list(range(n))
        r.shuffle(perm)
        groups.append({"seed": seed, "n": n, "prefix": perm[:50], "checksum": checksum(perm),
                       "then_random": then_random(r)})
    return groups


def choices_vectors():
    weight_sets = [
        ("integers", [1.0, 2.0, 3.0, 4.0]),
        ("zeros", [0.0, 1.0, 0.0, 0.0, 2.5, 0.0]),
        ("single", [0.3]),
        ("tenths", [0.1] * 10),
        ("softmax", softmax_weights(0)),
    ]
    groups = []
    for name, weights in weight_sets:
        r = random.Random(42)
        draws = [r.choices(range(len(weights)), weights=weights)[0] for _ in range(200)]
        groups.append({"name": name, "seed": 42, "weights": [hexf(w) for w in weights],
                       "draws": draws, "then_random": then_random(r)})
    return groups


def microgpt_vectors():
    """The draws microgpt.py makes, in its order: shuffle the documents, initialise every parameter
    with gauss(0, 0.08), then sample with choices. The sampling weights cycle through a few
    softmax-like vectors instead of coming from a model."""
    random.seed(42)  # the module-level generator, as microgpt.py uses it
    docs = list(range(N_DOCS))
    random.shuffle(docs)
    params = [hexf(random.gauss(0, 0.08)) for _ in range(N_PARAMS)]
    weights = [softmax_weights(t) for t in range(5)]
    draws = [random.choices(range(VOCAB), weights=weights[t % 5])[0] for t in range(100)]
    return {
        "seed": 42,
        "n_docs": N_DOCS,
        "shuffle_prefix": docs[:50],
        "shuffle_checksum": checksum(docs),
        "gauss_sigma": hexf(0.08),
        "gauss": params,
        "weights": [[hexf(w) for w in ws] for ws in weights],
        "draws": draws,
        "then_random": hexf(random.random()),
    }


def format_json(value, indent=0):
    """JSON with one key per line and lists of scalars packed into lines of about 100 characters."""
    pad = " " * indent
    inner = " " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {format_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        items = [inner + format_json(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    if isinstance(value, list):
        lines, line = [], []
        for v in (json.dumps(v) for v in value):
            if line and len(inner) + sum(len(s) + 2 for s in line) + len(v) > 100:
                lines.append(", ".join(line))
                line = []
            line.append(v)
        if line:
            lines.append(", ".join(line))
        if len(lines) <= 1:
            return "[" + "".join(lines) + "]"
        return "[\n" + ",\n".join(inner + l for l in lines) + "\n" + pad + "]"
    return json.dumps(value)


def main():
    if platform.python_implementation() != "CPython":
        sys.exit(f"need CPython, not {platform.python_implementation()}")
    if sys.version_info[:2] != (3, 11):
        print(f"warning: the Rust code follows CPython 3.11's random.py; this is "
              f"{platform.python_version()}", file=sys.stderr)
    data = {
        "about": "CPython random module test vectors, written by tools/python_random_vectors.py. "
                 "Floats are IEEE-754 bit patterns in hex.",
        "python": f"CPython {sys.version_info.major}.{sys.version_info.minor}",
        "random": random_vectors(),
        "getrandbits": getrandbits_vectors(),
        "below": below_vectors(),
        "gauss": gauss_vectors(),
        "gauss_interleaved": gauss_interleaved_vectors(),
        "shuffle": shuffle_vectors(),
        "choices": choices_vectors(),
        "microgpt": microgpt_vectors(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(format_json(data) + "\n")

    count = (sum(len(g["values"]) for g in data["random"])
             + sum(len(g["values"]) + 1 for g in data["getrandbits"])
             + sum(len(g["values"]) + 1 for g in data["below"])
             + len(data["gauss"]["values"]) + 1
             + len(data["gauss_interleaved"]["ops"]) + 1
             + sum(len(g["prefix"]) + 2 for g in data["shuffle"])
             + sum(len(g["draws"]) + 1 for g in data["choices"])
             + len(data["microgpt"]["shuffle_prefix"]) + 1 + N_PARAMS
             + len(data["microgpt"]["draws"]) + 1)
    print(f"wrote {count} vectors from CPython {platform.python_version()} to "
          f"{OUT.relative_to(OUT.parent.parent.parent)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
