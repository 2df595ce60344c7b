#!/usr/bin/env python3
"""Accuracy of the Snowball Indonesian stemmer on tests/data/stem-pairs.tsv.

Usage (from the repository root):

    python3 benches/stemmer_snowball.py [PAIRS.tsv] [OTHER.tsv]

PAIRS.tsv defaults to tests/data/stem-pairs.tsv: lines of `word<TAB>root`,
lines starting with `#` and blank lines ignored.

OTHER.tsv, if given, holds `word<TAB>stem` lines produced by another stemmer
(for instance bimtek's own); its accuracy and misses are printed beside
Snowball's. A word of PAIRS.tsv missing from OTHER.tsv counts as a miss.

Needs the PyPI package `snowballstemmer` (pip install snowballstemmer);
exits 2 when it is missing or a file cannot be read, 0 otherwise.
"""

import os
import sys

DEFAULT_PAIRS = os.path.join("tests", "data", "stem-pairs.tsv")


def read_tsv(path, what):
    """Return [(word, value)] from a `word<TAB>value` file, in file order."""
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\r\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) != 2 or not parts[0] or not parts[1]:
                    print(f"error: {path}:{n}: expected `word<TAB>{what}`, got {line!r}", file=sys.stderr)
                    sys.exit(2)
                rows.append((parts[0].strip(), parts[1].strip()))
    except OSError as e:
        print(f"error: cannot read {path}: {e}", file=sys.stderr)
        sys.exit(2)
    return rows


def pct(n, total):
    return f"{100.0 * n / total:.1f}%" if total else "n/a"


def main(argv):
    if len(argv) > 3 or any(a in ("-h", "--help") for a in argv[1:]):
        print(__doc__.strip())
        return 0 if len(argv) <= 3 else 2
    try:
        import snowballstemmer
    except ImportError:
        print(
            "error: the Python package `snowballstemmer` is missing.\n"
            "install it with:  pip install snowballstemmer",
            file=sys.stderr,
        )
        return 2

    pairs_path = argv[1] if len(argv) > 1 else DEFAULT_PAIRS
    pairs = read_tsv(pairs_path, "root")
    if not pairs:
        print(f"error: {pairs_path} holds no pairs", file=sys.stderr)
        return 2

    stemmer = snowballstemmer.stemmer("indonesian")
    snow = {w: stemmer.stemWord(w) for w, _ in pairs}

    other = None
    if len(argv) > 2:
        other = {}
        for w, s in read_tsv(argv[2], "stem"):
            other[w] = s

    total = len(pairs)
    snow_ok = sum(1 for w, r in pairs if snow[w] == r)
    print(f"pairs: {total} ({pairs_path})")
    print(f"snowball (indonesian): {snow_ok}/{total} correct ({pct(snow_ok, total)})")
    if other is not None:
        other_ok = sum(1 for w, r in pairs if other.get(w) == r)
        absent = sum(1 for w, _ in pairs if w not in other)
        note = f", {absent} words absent from it" if absent else ""
        print(f"other ({argv[2]}): {other_ok}/{total} correct ({pct(other_ok, total)}{note})")

    misses = [(w, r) for w, r in pairs if snow[w] != r or (other is not None and other.get(w) != r)]
    if not misses:
        print("no misses")
        return 0

    print()
    if other is None:
        wide = max(len(w) for w, _ in misses)
        wroot = max(len(r) for _, r in misses)
        print(f"misses ({len(misses)}):")
        print(f"  {'word':<{wide}}  {'expected':<{wroot}}  snowball")
        for w, r in misses:
            print(f"  {w:<{wide}}  {r:<{wroot}}  {snow[w]}")
    else:
        # Side by side: every word either stemmer got wrong; `ok` marks a right answer.
        def cell(got, r):
            return "ok" if got == r else ("(absent)" if got is None else got)

        rows = [(w, r, cell(snow[w], r), cell(other.get(w), r)) for w, r in misses]
        widths = [max(len(x[i]) for x in rows + [("word", "expected", "snowball", "other")]) for i in range(3)]
        only_snow = sum(1 for w, r in misses if snow[w] != r and other.get(w) == r)
        only_other = sum(1 for w, r in misses if snow[w] == r and other.get(w) != r)
        both = len(misses) - only_snow - only_other
        print(f"misses: {len(misses)} words (snowball only {only_snow}, other only {only_other}, both {both})")
        print(f"  {'word':<{widths[0]}}  {'expected':<{widths[1]}}  {'snowball':<{widths[2]}}  other")
        for w, r, s, o in rows:
            print(f"  {w:<{widths[0]}}  {r:<{widths[1]}}  {s:<{widths[2]}}  {o}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
