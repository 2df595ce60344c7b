#!/usr/bin/env bash
# bimtek's search against Pagefind on the same sites (issue 4). From anywhere in the repository:
#
#     benches/search-vs-pagefind/run.sh [--verbose] [--runs N] [--modules N] [--keep]
#
# Installs Pagefind and playwright-core (pinned in package-lock.json) into this folder if missing,
# builds the sample project and a generated project (examples/corpus.rs, 1,000 modules in 5
# regencies) with the release binary into a temporary folder, runs Pagefind over one regency of
# each, then measures both engines in headless Chromium (/usr/bin/chromium, or $CHROMIUM) and
# writes RESULTS.md beside this script. --verbose also lists every file the first query fetched;
# --keep leaves the temporary folder (printed) to look at. Needs cargo, node >= 18, npm, chromium.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
MODULES=1000
REGENCIES=5
SEED=1
RUNS=7
KEEP=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --verbose|-v) EXTRA+=(--verbose) ;;
    --runs) RUNS=$2; shift ;;
    --modules) MODULES=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done
[ -x "$CHROMIUM" ] || { echo "error: no Chromium at $CHROMIUM (apt-get install chromium, or set CHROMIUM)" >&2; exit 1; }

cd "$HERE"
if [ ! -x node_modules/.bin/pagefind ] || [ ! -d node_modules/playwright-core ]; then
  echo "== installing pagefind and playwright-core (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "== building bimtek and the corpus generator (release)"
(cd "$ROOT" && cargo build --release --quiet --bin bimtek --example corpus)
BIMTEK="$ROOT/target/release/bimtek"
CORPUS="$ROOT/target/release/examples/corpus"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bimtek-search-bench.XXXXXX")
if [ "$KEEP" = 1 ]; then echo "== keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(seconds)" 'BEGIN { printf "%.2f", b - a }'; }

echo "== building the sample project"
t=$(seconds)
out=$("$BIMTEK" build --root "$ROOT" --out "$WORK/sample"); echo "${out%%$'\n'*}"
SAMPLE_BUILD=$(elapsed "$t")

echo "== generating and building $MODULES modules in $REGENCIES regencies"
"$CORPUS" "$WORK/corpus" --modules "$MODULES" --regencies "$REGENCIES" --seed "$SEED"
t=$(seconds)
out=$("$BIMTEK" build --root "$WORK/corpus" --out "$WORK/generated"); echo "${out%%$'\n'*}"
GENERATED_BUILD=$(elapsed "$t")
# The first regency, alphabetically (it carries one local override like every other).
GEN=$(cd "$WORK/generated" && for d in */; do [ -d "$d/cari" ] && { echo "${d%/}"; break; }; done)

PAGEFIND_NOTES=()
for site in "$WORK/sample/landak" "$WORK/generated/$GEN"; do
  echo "== pagefind over ${site#"$WORK"/}"
  t=$(seconds)
  npx --no-install pagefind --site "$site" --quiet
  whole=$(elapsed "$t")
  t=$(seconds)
  npx --no-install pagefind --site "$site" --glob "modul/**/*.html" --output-subdir pagefind-modul --quiet
  modules=$(elapsed "$t")
  pages=$(find "$site" -name '*.html' | wc -l)
  PAGEFIND_NOTES+=(--note "Pagefind indexing of ${site#"$WORK"/} ($pages HTML pages): ${whole} s for the whole folder, ${modules} s for modul/ only.")
done

echo "== measuring (this takes several minutes)"
node bench.mjs \
  --site "sample/landak=$WORK/sample/landak" \
  --site "generated/$GEN=$WORK/generated/$GEN" \
  --quality "sample/landak" \
  --runs "$RUNS" \
  --chromium "$CHROMIUM" \
  --out "$HERE/RESULTS.md" \
  --note "bimtek build (every regency, search index included): sample ${SAMPLE_BUILD} s, generated project ($MODULES modules x $REGENCIES regencies, corpus seed $SEED) ${GENERATED_BUILD} s." \
  "${PAGEFIND_NOTES[@]}" \
  "${EXTRA[@]}"
echo "== wrote $HERE/RESULTS.md"
