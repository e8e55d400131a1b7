#!/usr/bin/env bash
# `npm test` runs this first (pretest). It makes sure what the tests need is there, installs it
# when it can (Debian/Ubuntu, as root), and otherwise says on one line what is missing:
#   - Redis: the tests start a private redis-server of their own (test/setup/redis.ts) unless
#     REDIS_URL is set; this checks that the binary, or the Redis at REDIS_URL, is there.
#   - redis-cli and redis-sentinel (Debian packages redis-tools, redis-sentinel): the Redis Cluster
#     and Sentinel tests start their own topologies from them; without redis-sentinel they run
#     `redis-server --sentinel`, the same program.
#   - PostgreSQL at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test, trust auth).
#   - Chromium for the browser tests: CHROMIUM_PATH, /usr/bin/chromium or /usr/bin/chromium-browser.
# Exits 1 when Redis or PostgreSQL is missing (every integration test would fail); a missing
# Chromium is reported here and fails only the browser tests, with the same line.
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf '[test-services] %s\n' "$*"; }
missing=()

can_install() { [ "$(id -u)" -eq 0 ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=''
apt_install() {
  log "installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  local output
  output=$(mktemp)
  if { [ -n "$apt_updated" ] || apt-get update -qq; } >"$output" 2>&1 &&
    apt-get install -y -qq --no-install-recommends "$@" >>"$output" 2>&1; then
    apt_updated=1
    rm -f "$output"
    return 0
  fi
  tail -n 20 "$output" >&2
  rm -f "$output"
  return 1
}
listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_for() { # what host port seconds
  local deadline=$((SECONDS + $4))
  until listening "$2" "$3"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.5
  done
}
# host port database of a URL, without user or password (for messages and TCP checks).
url_parts() {
  node -e 'const u = new URL(process.argv[1]); console.log(u.hostname.replace(/^\[|\]$/g, ""), u.port || process.argv[2], decodeURIComponent(u.pathname.slice(1)))' "$1" "$2"
}

# --- Redis -------------------------------------------------------------------------------------
if [ -n "${REDIS_URL:-}" ]; then
  read -r redis_host redis_port _ < <(url_parts "$REDIS_URL" 6379 2>/dev/null || echo invalid 0)
  if [ "$redis_host" = invalid ]; then
    missing+=("Redis: REDIS_URL is not a valid URL (expected redis://HOST:PORT)")
  elif listening "$redis_host" "$redis_port"; then
    log "Redis: REDIS_URL (${redis_host}:${redis_port}); tests use only keys and queues of their own names"
  else
    missing+=("Redis: nothing answers at REDIS_URL (${redis_host}:${redis_port}): start that Redis, or unset REDIS_URL to let the tests start a private redis-server")
  fi
else
  if ! command -v redis-server >/dev/null 2>&1 && can_install; then apt_install redis-server || true; fi
  if command -v redis-server >/dev/null 2>&1; then
    log "Redis: the tests start a private redis-server on a free port (set REDIS_URL to use another Redis)"
  else
    missing+=("Redis: redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a Redis the tests may use")
  fi
fi

# --- redis-cli, redis-sentinel (the Cluster and Sentinel tests) ---------------------------------
if ! command -v redis-cli >/dev/null 2>&1 && can_install; then apt_install redis-tools || true; fi
if ! command -v redis-sentinel >/dev/null 2>&1 && can_install; then
  apt_install redis-sentinel || log "redis-sentinel: could not install it; the Sentinel tests run redis-server --sentinel instead"
fi
if command -v redis-cli >/dev/null 2>&1; then
  log "Redis Cluster and Sentinel tests: redis-cli $(command -v redis-sentinel >/dev/null 2>&1 && echo 'and redis-sentinel' || echo 'and redis-server --sentinel')"
elif command -v redis-server >/dev/null 2>&1; then
  missing+=("redis-cli is not installed (the Redis Cluster tests create their cluster with it): install it (Debian/Ubuntu: apt-get install redis-tools redis-sentinel; macOS: brew install redis)")
fi

# --- PostgreSQL --------------------------------------------------------------------------------
database_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
read -r pg_host pg_port pg_database < <(url_parts "$database_url" 5432 2>/dev/null || echo invalid 0 -)
# Prints "ok", "no-database" or the reason the connection failed.
pg_check() {
  node --input-type=module -e '
    import pg from "pg";
    const target = process.argv[1];
    const tryConnect = async (url) => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      try { await client.connect(); await client.query("SELECT 1"); return "ok"; }
      catch (error) { return error.code === "3D000" ? "no-database" : error.message || error.code; }
      finally { await client.end().catch(() => {}); }
    };
    const state = await tryConnect(target);
    if (state !== "no-database") { console.log(state); process.exit(0); }
    // The server answers but the database is missing: create it, as the maintenance database allows.
    const url = new URL(target); const name = decodeURIComponent(url.pathname.slice(1)); url.pathname = "/postgres";
    const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
    try { await admin.connect(); await admin.query(`CREATE DATABASE "${name.replace(/"/g, "\"\"")}"`); console.log("created"); }
    catch (error) { console.log(`cannot create database ${name}: ${error.message}`); }
    finally { await admin.end().catch(() => {}); }
  ' "$database_url"
}
pg_local() { [ "$pg_host" = 127.0.0.1 ] || [ "$pg_host" = localhost ] || [ "$pg_host" = ::1 ]; }
if [ "$pg_host" = invalid ]; then pg_state='DATABASE_URL is not a valid URL'; else pg_state=$(pg_check); fi
if [ "$pg_state" != ok ] && [ "$pg_state" != created ] && pg_local && can_install; then
  installed_now=''
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql && installed_now=1
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$version" ]; then
    if [ -n "$installed_now" ]; then
      # A server installed just now for the tests: let user postgres in over loopback without a password.
      hba="/etc/postgresql/$version/main/pg_hba.conf"
      sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
    fi
    if ! listening "$pg_host" "$pg_port"; then
      log "starting PostgreSQL $version"
      if pg_ctlcluster --skip-systemctl-redirect "$version" main start; then
        wait_for PostgreSQL "$pg_host" "$pg_port" 60 || true
      fi
    elif [ -n "$installed_now" ]; then
      pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
    fi
    pg_state=$(pg_check)
  fi
fi
case "$pg_state" in
  ok) log "PostgreSQL: ${pg_host}:${pg_port} (database ${pg_database})" ;;
  created) log "PostgreSQL: ${pg_host}:${pg_port}: created database ${pg_database}" ;;
  *) missing+=("PostgreSQL: cannot use ${pg_host}:${pg_port} (database ${pg_database}): ${pg_state}. Install and start PostgreSQL (Debian/Ubuntu: apt-get install postgresql) with trust auth for user postgres on 127.0.0.1, or set DATABASE_URL to a database the tests may use") ;;
esac

# --- Chromium (browser tests) ------------------------------------------------------------------
find_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] && printf '%s' "$CHROMIUM_PATH"
    return
  fi
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -x "$candidate" ]; then
      printf '%s' "$candidate"
      return
    fi
  done
}
chromium=$(find_chromium)
if [ -z "$chromium" ] && [ -z "${CHROMIUM_PATH:-}" ] && can_install; then
  apt_install chromium || true
  chromium=$(find_chromium)
fi
if [ -n "$chromium" ]; then
  log "Chromium: $chromium"
elif [ -n "${CHROMIUM_PATH:-}" ]; then
  log "Chromium: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file; the browser tests will fail until it is"
else
  log "Chromium: none; the browser tests will fail: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary"
fi

if [ ${#missing[@]} -gt 0 ]; then
  for line in "${missing[@]}"; do log "MISSING $line"; done
  exit 1
fi
