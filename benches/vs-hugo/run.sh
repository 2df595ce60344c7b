#!/usr/bin/env bash
# Build speed of bimtek against Hugo on the same pages (issue 7). From anywhere in the repository:
#
#     benches/vs-hugo/run.sh [--sizes 1000,10000] [--runs 5] [--regencies 1] [--seed 1]
#
# For each size N (national modules; 50000 only when asked, e.g. --sizes 1000,10000,50000) it
# generates one corpus with examples/corpus.rs, a bimtek project and the equivalent Hugo site, into
# target/vs-hugo/N/, then for each mode (minify on, minify off) builds both alternately (bimtek,
# hugo, bimtek, hugo, ...) --runs times each after one untimed warm-up of each, every run a full
# build into a new, empty folder (Hugo also gets --cleanDestinationDir and a fresh --cacheDir); the
# finished runs are deleted after each table, then the script waits 40 s, untimed (see run()).
# With minify on, each round also builds bimtek without its search index, to show what it adds.
# Wall time and peak RSS come from /usr/bin/time -f '%e %M'. Prints one markdown table per size and
# mode and writes the same to RESULTS.md beside this script. Needs cargo, Debian's hugo
# (/usr/bin/hugo, or HUGO=...) and GNU time (/usr/bin/time).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HUGO=${HUGO:-/usr/bin/hugo}
TIME=/usr/bin/time
SIZES=1000,10000
RUNS=5
REGENCIES=1
SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=${2:?--sizes needs a value}; shift ;;
    --runs) RUNS=${2:?--runs needs a value}; shift ;;
    --regencies) REGENCIES=${2:?--regencies needs a value}; shift ;;
    --seed) SEED=${2:?--seed needs a value}; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
for n in "${SIZE_LIST[@]}" "$RUNS" "$REGENCIES" "$SEED"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "error: not a number: $n" >&2; exit 2; }
done
[ "$RUNS" -ge 1 ] || { echo "error: --runs must be at least 1" >&2; exit 2; }

command -v cargo >/dev/null || { echo "error: cargo is not installed" >&2; exit 1; }
[ -x "$HUGO" ] || { echo "error: no hugo at $HUGO (apt-get install hugo, or set HUGO)" >&2; exit 1; }
[ -x "$TIME" ] || { echo "error: no GNU time at $TIME (apt-get install time)" >&2; exit 1; }

log() { echo "== $*" >&2; }

log "building bimtek and the corpus generator (release)"
(cd "$ROOT" && cargo build --release --quiet && cargo build --release --quiet --example corpus)
BIMTEK="${CARGO_TARGET_DIR:-$ROOT/target}/release/bimtek"
[ -x "$BIMTEK" ] || { echo "error: no bimtek binary at $BIMTEK" >&2; exit 1; }

WORK="$ROOT/target/vs-hugo"
mkdir -p "$WORK"
REPORT="$WORK/report.md"
: >"$REPORT"
# The report goes to the terminal and to RESULTS.md; progress (log) only to stderr.
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
say "# bimtek vs Hugo: build speed"
say ""
say "$(date -u '+%Y-%m-%d %H:%M UTC') · \`benches/vs-hugo/run.sh --sizes $SIZES --runs $RUNS --regencies $REGENCIES --seed $SEED\`"
say ""
say "- machine: $(nproc) cores (nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
say "- bimtek: $("$BIMTEK" --version) (commit $commit), $(rustc --version 2>/dev/null || echo 'rustc unknown')"
say "- hugo: $("$HUGO" version)"
say "- each row: $RUNS timed full builds after one untimed warm-up, the two tools alternating; wall time and peak RSS from \`/usr/bin/time -f '%e %M'\`; pages = HTML files in the output"

# run TOOL MODE DIR: one full build of DIR's bimtek project or Hugo site into DIR/run-TOOL/site.
# DIR/run-TOOL is deleted first, with whatever a tool keeps beside its output (bimtek's spare tree
# `.site.bimtek/`, Hugo's --cacheDir), so no run reuses anything from the one before. Appends
# "seconds kilobytes" to $STATS/TOOL-MODE and leaves the build's output in $LOGS/TOOL-MODE.log.
run() {
  local tool=$1 mode=$2 dir=$3 status=0
  local base="$dir/run-$tool"
  local -a cmd
  # The previous run's folder is moved aside, not deleted: on ext4 without a journal, for 35 s
  # after a deletion every new file skips the inodes just freed, one by one (perf: 60% of a
  # build's CPU in find_inode_bit and recently_deleted), and the runs measured the file system.
  if [ -e "$base" ]; then mv "$base" "$TRASH/$(date +%s%N)"; fi
  mkdir -p "$base"
  # Flush the previous runs' writes now, untimed: otherwise a build pays for the disk catching
  # up with whatever ran before it, and the runs drift slower as they go.
  sync
  if [ "$tool" = bimtek ]; then
    cmd=("$BIMTEK" build --root "$dir/bimtek" --out "$base/site")
    [ "$mode" = minify ] || cmd+=(--no-minify)
  elif [ "$tool" = bimtek-no-search ]; then
    # The same build without its search index, only to measure what the index adds.
    cmd=(env BIMTEK_BENCH_NO_SEARCH=1 "$BIMTEK" build --root "$dir/bimtek" --out "$base/site")
  else
    cmd=("$HUGO" -s "$dir/hugo" -d "$base/site" --cleanDestinationDir --cacheDir "$base/cache" --noBuildLock)
    [ "$mode" = minify ] && cmd+=(--minify)
  fi
  "$TIME" -f '%e %M' -o "$base/time.txt" "${cmd[@]}" >"$LOGS/$tool-$mode.log" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    echo "error: $tool failed (exit $status): ${cmd[*]}" >&2
    cat "$LOGS/$tool-$mode.log" >&2
    exit 1
  fi
  tail -n 1 "$base/time.txt" >>"$STATS/$tool-$mode"
}

# row NAME PAGES FILE: one table row from the "seconds kilobytes" lines of FILE.
row() {
  local name=$1 pages=$2 file=$3
  sort -n -k1,1 "$file" | awk -v name="$name" -v pages="$pages" '
    { t[NR] = $1; if ($2 > rss) rss = $2 }
    END {
      median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      rate = median > 0 ? sprintf("%.0f", pages / median) : "n/a"
      printf "| %s | %d | %.2f | %.2f–%.2f | %s | %.0f |\n", name, pages, median, t[1], t[NR], rate, rss / 1024
    }'
}

# empty_trash: deletes the runs moved aside, then waits out ext4's 35 s (see run), untimed.
empty_trash() {
  rm -rf "$TRASH"
  mkdir -p "$TRASH"
  sync
  log "waiting 40 s after deleting the finished runs (ext4 reuses freed inodes slowly until then)"
  sleep 40
}

median() {
  sort -n -k1,1 "$1" | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

for n in "${SIZE_LIST[@]}"; do
  dir="$WORK/$n"
  log "generating $n modules x $REGENCIES regencies (bimtek project and Hugo site) in $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$ROOT" && cargo run --release --quiet --example corpus -- "$dir/bimtek" \
    --modules "$n" --regencies "$REGENCIES" --seed "$SEED" --hugo "$dir/hugo")
  LOGS="$dir/logs"
  STATS="$dir/stats"
  TRASH="$dir/trash"
  mkdir -p "$LOGS" "$STATS"
  empty_trash
  say ""
  say "## $(printf "%'d" "$n") modules × $REGENCIES regenc$([ "$REGENCIES" = 1 ] && echo y || echo ies)"
  for mode in minify no-minify; do
    log "$n modules, $mode: warm-up"
    run bimtek "$mode" "$dir"
    run hugo "$mode" "$dir"
    : >"$STATS/bimtek-$mode"
    : >"$STATS/hugo-$mode"
    : >"$STATS/bimtek-no-search-$mode"
    for i in $(seq 1 "$RUNS"); do
      log "$n modules, $mode: run $i of $RUNS"
      run bimtek "$mode" "$dir"
      run hugo "$mode" "$dir"
      if [ "$mode" = minify ]; then run bimtek-no-search "$mode" "$dir"; fi
    done
    bimtek_pages=$(find "$dir/run-bimtek/site" -name '*.html' | wc -l)
    hugo_pages=$(find "$dir/run-hugo/site" -name '*.html' | wc -l)
    bimtek_files=$(find "$dir/run-bimtek/site" -type f | wc -l)
    hugo_files=$(find "$dir/run-hugo/site" -type f | wc -l)
    bimtek_mb=$(du -sm "$dir/run-bimtek/site" | cut -f1)
    hugo_mb=$(du -sm "$dir/run-hugo/site" | cut -f1)
    hugo_warnings=$(grep -c -E '^(WARN|ERROR)' "$LOGS/hugo-$mode.log" || true)
    if [ "$mode" = minify ]; then
      title="minify on (\`bimtek build\` vs \`hugo --minify\`)"
    else
      title="minify off (\`bimtek build --no-minify\` vs \`hugo\`)"
    fi
    say ""
    say "### $title"
    say ""
    say "| tool | pages (HTML files) | median wall s | min–max s | pages/s | peak RSS MB |"
    say "|---|---:|---:|---:|---:|---:|"
    say "$(row bimtek "$bimtek_pages" "$STATS/bimtek-$mode")"
    say "$(row Hugo "$hugo_pages" "$STATS/hugo-$mode")"
    say ""
    ratio=$(awk -v b="$(median "$STATS/bimtek-$mode")" -v h="$(median "$STATS/hugo-$mode")" \
      'BEGIN { if (h > 0 && b > 0) printf "%.2f (bimtek %.1f× %s)", b / h, (b < h ? h / b : b / h), (b < h ? "faster" : "slower"); else print "n/a" }')
    say "bimtek/Hugo median time: **$ratio**. All files: bimtek $bimtek_files ($bimtek_mb MB), Hugo $hugo_files ($hugo_mb MB); Hugo warnings: $hugo_warnings."
    if [ -s "$STATS/bimtek-no-search-$mode" ]; then
      share=$(awk -v b="$(median "$STATS/bimtek-$mode")" -v s="$(median "$STATS/bimtek-no-search-$mode")" \
        'BEGIN { if (s > 0) printf "%+.0f%%", (b / s - 1) * 100; else print "n/a" }')
      say ""
      say "The search index adds **$share** to bimtek's median time: $(median "$STATS/bimtek-no-search-$mode") s without it (\`BIMTEK_BENCH_NO_SEARCH=1\`, same runs, interleaved)."
    fi
    empty_trash
  done
done

# Earlier runs stay below the new one, newest first.
earlier=""
if [ -f "$HERE/RESULTS.md" ]; then
  earlier=$(awk 'NR == 1 || /^See README.md beside this file/ || /^# Earlier runs$/ { next } { print }' "$HERE/RESULTS.md")
fi
{
  cat "$REPORT"
  echo ""
  echo "See README.md beside this file for what is compared and the caveats."
  if [ -n "$earlier" ]; then
    echo ""
    echo "# Earlier runs"
    echo "$earlier"
  fi
} >"$HERE/RESULTS.md.new"
mv "$HERE/RESULTS.md.new" "$HERE/RESULTS.md"
log "wrote $HERE/RESULTS.md"
