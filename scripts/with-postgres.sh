#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server on 127.0.0.1 and exports its URL as
# HEARTH_TEST_DATABASE_URL (a superuser URL: the tests create and drop databases).
# The cluster lives in a temporary folder and is stopped and removed on exit.
#   bash scripts/with-postgres.sh npx vitest run --project http
set -euo pipefail
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found: apt-get install -y postgresql" >&2; exit 1; }

dir=$(mktemp -d /tmp/hearth-pg.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$dir"
password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
echo "$password" > "$dir/password"
[ "$(id -u)" = 0 ] && chown postgres "$dir/password"
# Passwords over TCP (so that a wrong one is refused, as on a real server).
as_postgres "$PG_BIN/initdb" -D "$dir/data" -U hearth --pwfile="$dir/password" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
export HEARTH_TEST_DATABASE_URL="postgres://hearth:$password@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
