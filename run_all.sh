#!/usr/bin/env bash
# One command from a bare machine to a rendered audit:
#   ./run_all.sh [hiring-audit run options]   set up if needed, then run the audit
#   ./run_all.sh test [pytest options]        set up if needed, then run the test suite
#   ./run_all.sh lab [--run DIR] [--dry-run]  set up, add the analysts' extra, open the notebooks in JupyterLab
# Set-up: a virtual environment in .venv with the pinned dependencies (rebuilt when
# pyproject.toml or requirements.lock change), and the Debian libraries the PDF renderer needs;
# `test` adds the spark extra and a Java runtime (Debian openjdk-17-jre-headless) where missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.deps-stamp"
LOG="$ROOT/.install.log"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 DEBIAN_FRONTEND=noninteractive

say() { printf '[run_all] %s\n' "$*"; }
die() { printf '[run_all] error: %s\n' "$*" >&2; exit 1; }

# --- Python ------------------------------------------------------------------------------
PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null 2>&1 || die "python3 not found; install Python 3.10 or newer"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || die "python3 is $("$PY" -c 'import platform; print(platform.python_version())'); this tool needs Python 3.10 or newer"

# --- Debian packages (only what is missing) ------------------------------------------------
apt_install() {
  local missing=("$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "Debian packages missing (${missing[*]}) and not root: install them with apt-get"
    sudo="sudo -n"
  fi
  say "installing Debian packages: ${missing[*]}"
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >>"$LOG" 2>&1 \
    || die "apt-get install ${missing[*]} failed (details in $LOG)"
}
need_deb=()
if command -v dpkg >/dev/null 2>&1; then
  "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1 || need_deb+=("python3-venv")
  for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_deb+=("$pkg")
  done
  # the test suite runs the monitor's Spark engine, which needs a Java runtime
  if [ "${1:-}" = "test" ] && ! command -v java >/dev/null 2>&1 && [ ! -x "${JAVA_HOME:-/nonexistent}/bin/java" ]; then
    need_deb+=("openjdk-17-jre-headless")
    if [ -w /usr/share ]; then mkdir -p /usr/share/man/man1; fi  # the JRE's postinst fails without it on slim images
  fi
  # the tests' browser checks load the rendered pages in a real headless browser
  if [ "${1:-}" = "test" ]; then dpkg -s chromium >/dev/null 2>&1 || need_deb+=("chromium"); fi
  apt_install "${need_deb[@]+"${need_deb[@]}"}"
fi

# --- virtual environment --------------------------------------------------------------------
want_stamp="$(cat pyproject.toml requirements.lock | "$PY" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read() + sys.version.encode()).hexdigest())')"
have_stamp="$(cat "$STAMP" 2>/dev/null || true)"
if [ ! -x "$VENV/bin/python" ] || [ "$want_stamp" != "$have_stamp" ]; then
  say "creating .venv and installing pinned dependencies (a few minutes on a fresh machine) ..."
  t0=$SECONDS
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" >>"$LOG" 2>&1 || die "python3 -m venv failed (details in $LOG)"
  "$VENV/bin/python" -m pip install -q --progress-bar off -c requirements.lock -e '.[test]' >>"$LOG" 2>&1 \
    || die "installing Python dependencies failed (details in $LOG)"
  echo "$want_stamp" >"$STAMP"
  say "environment ready in $((SECONDS - t0)) s"
fi
# the spark extra (pyspark, ~450 MB) only for the test suite; the audit itself never loads it
if [ "${1:-}" = "test" ] && [ "$(cat "$VENV/.spark-stamp" 2>/dev/null || true)" != "$want_stamp" ]; then
  say "installing the spark extra for the test suite ..."
  "$VENV/bin/python" -m pip install -q --progress-bar off -c requirements.lock -e '.[test,spark]' >>"$LOG" 2>&1 \
    || die "installing the spark extra failed (details in $LOG)"
  echo "$want_stamp" >"$VENV/.spark-stamp"
fi

# --- run --------------------------------------------------------------------------------------
if [ "${1:-}" = "test" ]; then
  shift
  say "running the test suite ..."
  exec "$VENV/bin/python" -m pytest "$@"
fi
if [ "${1:-}" = "lab" ]; then
  shift
  if [ "$(cat "$VENV/.lab-stamp" 2>/dev/null || true)" != "$want_stamp" ]; then
    say "installing the analysts' extra (JupyterLab) ..."
    "$VENV/bin/python" -m pip install -q --progress-bar off -c requirements.lock -e '.[dev]' >>"$LOG" 2>&1 \
      || die "installing the analysts' extra failed (details in $LOG)"
    echo "$want_stamp" >"$VENV/.lab-stamp"
  fi
  say "starting JupyterLab on notebooks/, pointed at reports/latest (Ctrl-C stops it) ..."
  exec "$VENV/bin/hiring-audit" lab "$@"
fi
say "running the audit ..."
exec "$VENV/bin/hiring-audit" run "$@"
