#!/usr/bin/env bash
# Prints the directory of PostgreSQL's server binaries (initdb, postgres,
# pg_ctl) that the db/postgres tests start a throwaway cluster with,
# installing Debian's `postgresql` package first when none is there: once
# per machine, as root (or through sudo), with apt-get. Only the binaries
# are used: the tests never start or touch the system-wide service.
# MINIBASE_PG_BIN names another bin directory instead, and nothing is
# installed.
set -euo pipefail
if [ -n "${MINIBASE_PG_BIN:-}" ]; then
  echo "$MINIBASE_PG_BIN"
  exit 0
fi
find_bin() {
  # The newest major version installed.
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | while read -r d; do
    [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && echo "$d"
  done | tail -n 1
}
bin=$(find_bin)
if [ -z "$bin" ]; then
  sudo=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "postgres.sh: no PostgreSQL server under /usr/lib/postgresql; install Debian's postgresql package, or set MINIBASE_PG_BIN" >&2; exit 1; }
    sudo=sudo
  fi
  echo "postgres.sh: installing Debian's postgresql (once; a minute or two)" >&2
  # The lock timeout waits for another apt-get (another checkout's tests)
  # instead of failing.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update >&2
  # postgresql-common first, told not to make the system-wide "main"
  # cluster the server package would otherwise create (and start, where
  # services start) on install: the tests want the binaries, nothing else.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends postgresql-common >&2
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/minibase-tests.conf >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends postgresql >&2
  bin=$(find_bin)
  [ -n "$bin" ] || { echo "postgres.sh: postgresql installed but no server binaries under /usr/lib/postgresql" >&2; exit 1; }
fi
echo "$bin"
