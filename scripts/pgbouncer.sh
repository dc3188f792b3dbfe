#!/usr/bin/env bash
# A PgBouncer for tests and benchmarks, in transaction pooling mode in front of the local PostgreSQL
# (docs/operations.md, "PgBouncer"). Debian's package (bookworm: 1.18) is used as it is; the Debian service is never
# touched: this writes its own config into a folder and runs its own instance.
#
#   scripts/pgbouncer.sh start [DIR]   write DIR/pgbouncer.ini and start (reuses a running instance of DIR)
#   scripts/pgbouncer.sh stop  [DIR]   stop the instance of DIR (a no-op when none runs)
#   scripts/pgbouncer.sh status [DIR]  exit 0 when the instance of DIR answers
#
# DIR defaults to /tmp/margin-pgbouncer. Environment: PGBOUNCER_PORT (6432), PGBOUNCER_UPSTREAM_HOST (127.0.0.1),
# PGBOUNCER_UPSTREAM_PORT (5432), PGBOUNCER_POOL_SIZE (20 server connections per database), PGBOUNCER_USER_CONNS
# (60 server connections in all for the user, so parallel test files stay under PostgreSQL's max_connections).
# On success the last stdout line is the URL to use, e.g. postgres://postgres@127.0.0.1:6432 (add /DBNAME).
set -euo pipefail

cmd="${1:-start}"
dir="${2:-/tmp/margin-pgbouncer}"
port="${PGBOUNCER_PORT:-6432}"
upstream_host="${PGBOUNCER_UPSTREAM_HOST:-127.0.0.1}"
upstream_port="${PGBOUNCER_UPSTREAM_PORT:-5432}"
pool_size="${PGBOUNCER_POOL_SIZE:-20}"
user_conns="${PGBOUNCER_USER_CONNS:-60}"
bin=/usr/sbin/pgbouncer
pidfile="$dir/pgbouncer.pid"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

# Answers on the port: pg_isready speaks the startup handshake, which PgBouncer answers like a server.
answers() { pg_isready -q -h 127.0.0.1 -p "$port" -d pgbouncer -U postgres 2>/dev/null; }

case "$cmd" in
  stop)
    if running; then
      pid="$(cat "$pidfile")"
      # SIGINT is PgBouncer's safe shutdown (running transactions finish first); SIGTERM after 5 s ends it at once.
      kill -INT "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; fi
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "pgbouncer: stopped ($dir)" >&2
    fi
    exit 0
    ;;
  status)
    running && answers
    exit $?
    ;;
  start) ;;
  *)
    echo "usage: $0 start|stop|status [DIR]" >&2
    exit 2
    ;;
esac

if [ ! -x "$bin" ]; then
  echo "pgbouncer: $bin not found. Install Debian's package: sudo apt-get install -y pgbouncer (as root: apt-get install -y pgbouncer)." >&2
  exit 1
fi

url="postgres://postgres@127.0.0.1:${port}"
if running && answers; then
  echo "pgbouncer: already running on 127.0.0.1:${port} ($dir)" >&2
  echo "$url"
  exit 0
fi

mkdir -p "$dir"
# PgBouncer refuses to run as root; when this script is root the instance runs as postgres, which must own its
# folder (log, pid and socket files).
as_pg=()
if [ "$(id -u)" = 0 ]; then
  as_pg=(runuser -u postgres --)
  chown postgres "$dir"
fi

# auth_type = trust: the local PostgreSQL trusts 127.0.0.1 too; the auth_file still has to name every user that may
# log in (trust checks the name, not the password).
printf '"postgres" ""\n' > "$dir/userlist.txt"
cat > "$dir/pgbouncer.ini" <<EOF
; Written by scripts/pgbouncer.sh; see docs/operations.md "PgBouncer".
[databases]
; Any database name maps to the same name on the server, so per-test and per-bench databases work unlisted.
* = host=${upstream_host} port=${upstream_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir = ${dir}
pidfile = ${pidfile}
logfile = ${dir}/pgbouncer.log
auth_type = trust
auth_file = ${dir}/userlist.txt
admin_users = postgres
stats_users = postgres
pool_mode = transaction
; Server connections per (database, user) pool, and in all for the user across databases.
default_pool_size = ${pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_user_connections = ${user_conns}
max_client_conn = 1000
; A pool whose database a test dropped is forgotten after a minute instead of an hour.
autodb_idle_timeout = 60
; Only what common clients send and PgBouncer does not track. Margin's pooler mode sends no other startup
; parameter; a client that still sends statement_timeout, enable_seqscan… is refused ("unsupported startup
; parameter"), which shows a pooler-mode misconfiguration at once instead of silently dropping its limits.
ignore_startup_parameters = extra_float_digits
; Transaction pooling hands a server connection to another client after every transaction; nothing to reset.
server_reset_query =
server_check_delay = 10
log_connections = 0
log_disconnections = 0
EOF
chmod 644 "$dir/pgbouncer.ini" "$dir/userlist.txt"
rm -f "$pidfile"

"${as_pg[@]}" "$bin" -d "$dir/pgbouncer.ini"
for _ in $(seq 1 50); do answers && break; sleep 0.1; done
if ! answers; then
  echo "pgbouncer: did not start on 127.0.0.1:${port}; see $dir/pgbouncer.log:" >&2
  tail -n 20 "$dir/pgbouncer.log" >&2 || true
  exit 1
fi
echo "pgbouncer: running on 127.0.0.1:${port}, transaction pooling, config $dir/pgbouncer.ini" >&2
echo "$url"
