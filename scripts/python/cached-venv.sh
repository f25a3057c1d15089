#!/usr/bin/env bash
# Creates (or reuses) a Python virtual environment under
# ${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql/NAME-VERSIONS holding exactly the pinned
# requirements given, and prints the venv's path on its last line. New pins get a new venv
# (pip's cache makes that cheap), so a run still using the old one is never pulled from
# under it. Usage: cached-venv.sh NAME REQUIREMENT...
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: $0 NAME REQUIREMENT..." >&2
  exit 2
fi
name="$1"
shift

# The pinned versions: pkg==1.2 pkg2==3.4 -> 1.2-3.4.
versions="$(printf '%s\n' "$@" | sed 's/.*==//' | paste -sd-)"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql"
venv="$cache_root/$name-$versions"
stamp="$venv/.installed"
python_bin="${PYTHON:-python3}"

mkdir -p "$cache_root"
# Tests started at once may ask for the same venv: one builds it, the others wait.
exec 9>"$venv.lock"
flock 9
if [ ! -f "$stamp" ]; then
  rm -rf "$venv"
  "$python_bin" -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
  touch "$stamp"
fi

echo "$venv"
