#!/usr/bin/env bash
# Runs the whole ParkCharge test suite on a fresh Debian machine with the .NET SDK.
# It installs what the tests need when it is missing (PostgreSQL, HAProxy for the cluster tests, Chromium for the browser tests,
# Node.js and the npm packages of the conformance tests), starts a private PostgreSQL server for the run, and stops it afterwards.
# Usage: ./test.sh [extra arguments for dotnet test]
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '\033[1m[test.sh]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  say "installing $* (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# --- PostgreSQL --------------------------------------------------------------------------------
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  apt_install postgresql
fi
PG_BIN="$(pg_bin)"

PG_DIR="$(mktemp -d /tmp/parkcharge-test-pg.XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $(( 20000 + RANDOM % 30000 )))"
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
stop_pg() {
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT
say "starting PostgreSQL ($("$PG_BIN/postgres" --version)) on 127.0.0.1:$PG_PORT"
run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync -E UTF8 >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/server.log" \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
export PARKCHARGE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Pooling=false"

# --- HAProxy: the load balancer in front of the cluster tests' nodes (Debian's package) ------------
if [ ! -x /usr/sbin/haproxy ] && ! command -v haproxy >/dev/null; then
  apt_install haproxy
fi

# --- Chromium for the dashboard's browser tests (Playwright drives Debian's build; no browser download)
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# --- Node.js and the conformance tests' npm packages -------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
if [ -f tests/conformance/package.json ]; then
  if [ ! -d tests/conformance/node_modules ] || [ tests/conformance/package-lock.json -nt tests/conformance/node_modules ]; then
    say "installing the conformance tests' npm packages"
    (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
fi

# --- Formatting and naming (.editorconfig; naming rules are errors in every build too) ------------
say "checking formatting (dotnet format --verify-no-changes)"
set +e
dotnet format ParkCharge.slnx --verify-no-changes
format=$?
[ $format -eq 0 ] || say "formatting differs from .editorconfig: run 'dotnet format ParkCharge.slnx' (the suite runs anyway)"

# --- The suite -----------------------------------------------------------------------------------
say "running dotnet test"
output="$(mktemp /tmp/parkcharge-test-output.XXXXXX)"
dotnet test --solution ParkCharge.slnx "$@" 2>&1 | tee "$output"
status=${PIPESTATUS[0]}
if [ $status -ne 0 ] && grep -q '^failed ' "$output"; then
  # A failed test's own output can be long: name the failed tests once more, then the runner's summary again,
  # so that the end of the output (all a CI page may show) says what failed.
  printf '\nFailed tests (each with its error and output above):\n'
  grep '^failed ' "$output" | sed 's/^failed /  /'
  printf '\n'
  sed -n '/^Test run summary:/,$p' "$output"
fi
rm -f "$output"
set -e
[ $status -ne 0 ] || status=$format
exit $status
