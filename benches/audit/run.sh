#!/usr/bin/env bash
# Audits the sample build: Lighthouse (mobile), axe-core (light and dark) and the Nu HTML Checker.
# A benchmark, not a test: see README.md. Usage: benches/audit/run.sh [OPTIONS] [PAGE...]
#   PAGE: home, module, timeline, search, or a path inside the regency site ("kontak/");
#   default: home module timeline search.
#   OPTIONS (passed to audit.mjs): --regency NAME, --no-lighthouse, --no-axe, --no-vnu,
#   --no-results-file.
# Exit code: 0 clean, 1 when axe found a violation or vnu an error, 2 when a tool could not run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

for tool in node npm java cargo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "audit: $tool is not installed" >&2; exit 2; }
done
[ -x "$CHROME_PATH" ] || { echo "audit: no Chromium at $CHROME_PATH (apt-get install chromium)" >&2; exit 2; }

# The pinned npm packages, installed from the lock file when missing or older than the lock.
# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; the system's Java is used.
cd "$here"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "audit: npm ci (benches/audit)" >&2
  npm ci --ignore-scripts --no-audit --no-fund >&2
fi

# The sample project, built with the release binary into a folder of its own.
(cd "$repo" && cargo build --release --quiet)
tmp="$(mktemp -d "${TMPDIR:-/tmp}/bimtek-audit-XXXXXX")"
"$repo/target/release/bimtek" build --root "$repo" --out "$tmp/output" >&2
echo "audit: site in $tmp/output, reports in $tmp/reports" >&2

exec node "$here/audit.mjs" --site "$tmp/output" --reports "$tmp/reports" "$@"
