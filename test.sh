#!/usr/bin/env bash
# Runs every test of LeadFlow on a fresh machine: installs what the tests need and is missing
# (PostgreSQL server binaries, the npm test tools), then runs the whole solution's tests.
# Exit code: non-zero when anything failed. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\n== %s\n' "$*"; }

have_postgres() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: '$*' is missing and installing it needs root; run: sudo apt-get install -y $*" >&2
    exit 3
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "$@" >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
# The web form's browser test drives Debian's Chromium headless (a test tool cannot download its own browser here).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing missing test prerequisites: ${missing[*]}"
  apt_install "${missing[@]}"
  have_postgres || { echo "error: PostgreSQL binaries still missing after install" >&2; exit 3; }
fi

if [ -f tests/node/package-lock.json ]; then
  log "npm test tools (tests/node)"
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi

# The embedded Temporal server serves the Temporal Web UI, built by npm from EmbeddedTemporal/WebUi's lockfile
# into a cache keyed by its sources (~/.cache/leadflow/webui/<hash>): built here only when that cache misses.
log "Temporal Web UI of the embedded server (npm ci + vite build on a cache miss)"
dotnet run -c Release --project EmbeddedTemporal -- --ui-build only

results="$(mktemp -d)"
log "dotnet test LeadFlow.sln"
status=0
dotnet test LeadFlow.sln -c Release --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=normal" "$@" || status=$?

# One plain closing line for CI, summed over every test project's results file.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${f:-0}))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$((skipped + ${n:-0}))
  # A test host that crashed or aborted leaves an outcome other than Completed: that is a failure too.
  outcome="$(grep -o '<ResultSummary outcome="[A-Za-z]*"' "$trx" | head -1 | sed 's/.*="\(.*\)"/\1/')"
  if [ "$outcome" != "Completed" ]; then
    echo "error: $(basename "$trx"): test run outcome '$outcome'" >&2
    status=1
  fi
done
rm -rf "$results"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "error: no test ran" >&2
  status=1
fi
echo
echo "Summary: $passed passed, $failed failed, $skipped skipped"
exit "$status"
