#!/usr/bin/env bash
# Runs "$@" with a throwaway PostgreSQL cluster and a throwaway Redis server, each on a free port,
# unless DATABASE_URL / REDIS_URL are already set. Both are stopped and deleted afterwards.
set -euo pipefail

tmp=$(mktemp -d /tmp/labelsp-services.XXXXXX)
pg_started=""
redis_started=""
run_as=()

cleanup() {
  if [ -n "$pg_started" ]; then
    "${run_as[@]}" "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$redis_started" ] && [ -f "$tmp/redis.pid" ]; then
    kill "$(cat "$tmp/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "${DATABASE_URL:-}" ]; then
  pgbin=$(find_pg_bin)
  if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
    echo "PostgreSQL server binaries (initdb, pg_ctl) not found: install them with 'sudo apt-get install postgresql'," >&2
    echo "or set DATABASE_URL to an existing PostgreSQL database." >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres system user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$tmp"
    run_as=(runuser -u postgres --)
  fi
  port=$(free_port)
  "${run_as[@]}" "$pgbin/initdb" -D "$tmp/pg" -A trust -U labelsp -E UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log" >&2; exit 1; }
  "${run_as[@]}" "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w \
    -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$tmp/pg.log" >&2; exit 1; }
  pg_started=1
  "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U labelsp labelsp
  export DATABASE_URL="postgres://labelsp@127.0.0.1:$port/labelsp"
fi

if [ -z "${REDIS_URL:-}" ]; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis-server not found: install it with 'sudo apt-get install redis-server', or set REDIS_URL." >&2
    exit 1
  fi
  rport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$tmp/redis.pid" --dir "$tmp" --logfile "$tmp/redis.log"
  redis_started=1
  for _ in $(seq 50); do
    redis-cli -p "$rport" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$rport/0"
fi

"$@"
