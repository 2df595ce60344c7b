#!/usr/bin/env python3
"""Accuracy of the Snowball Indonesian stemmer on tests/data/stem-pairs.tsv.

Usage (from the repository root):

    python3 benches/stemmer_snowball.py [PAIRS.tsv] [OTHER.tsv ...]

PAIRS.tsv defaults to tests/data/stem-pairs.tsv: lines of `word<TAB>root`,
lines starting with `#` and blank lines ignored. For an honest figure use the
held-out list, tests/data/stem-heldout.tsv, which was not used for tuning.

Each OTHER.tsv, if given, holds `word<TAB>stem` lines produced by another
stemmer (for instance bimtek's own, or Python Sastrawi's); its accuracy and
misses are printed beside Snowball's, in a column named after the file (its
base name less `.tsv`). A word of PAIRS.tsv missing from OTHER.tsv counts as
a miss.

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
    if any(a in ("-h", "--help") for a in argv[1:]):
        print(__doc__.strip())
        return 0
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

    others = []  # [(column name, path, {word: stem})]
    for path in argv[2:]:
        name = os.path.basename(path)
        if name.endswith(".tsv"):
            name = name[: -len(".tsv")]
        others.append((name or path, path, dict(read_tsv(path, "stem"))))

    total = len(pairs)
    snow_ok = sum(1 for w, r in pairs if snow[w] == r)
    print(f"pairs: {total} ({pairs_path})")
    print(f"snowball (indonesian): {snow_ok}/{total} correct ({pct(snow_ok, total)})")
    for name, path, stems in others:
        ok = sum(1 for w, r in pairs if stems.get(w) == r)
        absent = sum(1 for w, _ in pairs if w not in stems)
        note = f", {absent} words absent from it" if absent else ""
        print(f"{name} ({path}): {ok}/{total} correct ({pct(ok, total)}{note})")

    misses = [(w, r) for w, r in pairs if snow[w] != r or any(st.get(w) != r for _, _, st in others)]
    if not misses:
        print("no misses")
        return 0

    print()
    if not others:
        wide = max(len(w) for w, _ in misses)
        wroot = max(len(r) for _, r in misses)
        print(f"misses ({len(misses)}):")
        print(f"  {'word':<{wide}}  {'expected':<{wroot}}  snowball")
        for w, r in misses:
            print(f"  {w:<{wide}}  {r:<{wroot}}  {snow[w]}")
    else:
        # Side by side: every word some stemmer got wrong; `ok` marks a right answer.
        def cell(got, r):
            return "ok" if got == r else ("(absent)" if got is None else got)

        names = ["snowball"] + [name for name, _, _ in others]
        rows = [
            (w, r, cell(snow[w], r), *(cell(st.get(w), r) for _, _, st in others))
            for w, r in misses
        ]
        head = ("word", "expected", *names)
        widths = [max(len(x[i]) for x in rows + [head]) for i in range(len(head) - 1)]
        if len(others) == 1:
            stems = others[0][2]
            only_snow = sum(1 for w, r in misses if snow[w] != r and stems.get(w) == r)
            only_other = sum(1 for w, r in misses if snow[w] == r and stems.get(w) != r)
            both = len(misses) - only_snow - only_other
            print(f"misses: {len(misses)} words (snowball only {only_snow}, {names[1]} only {only_other}, both {both})")
        else:
            wrong = [sum(1 for x in rows if x[i] != "ok") for i in range(2, len(head))]
            alone = [sum(1 for x in rows if x[i] != "ok" and all(x[j] == "ok" for j in range(2, len(head)) if j != i))
                     for i in range(2, len(head))]
            every = sum(1 for x in rows if all(c != "ok" for c in x[2:]))
            per = ", ".join(f"{n} {k} ({a} alone)" for n, k, a in zip(names, wrong, alone))
            print(f"misses: {len(misses)} words ({per}; missed by all {every})")

        def line(cells):
            return "  " + "  ".join(f"{c:<{wd}}" for c, wd in zip(cells[:-1], widths)) + "  " + cells[-1]

        print(line(head))
        for row in rows:
            print(line(row))
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
