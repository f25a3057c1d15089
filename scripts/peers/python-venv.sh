#!/usr/bin/env bash
# Creates (or reuses) the virtual environment holding the official Python connector, the
# reference peer of issue 5. Prints the path of the venv's python on its last line.
# Cached in ${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql/peers-venv; pip's cache makes a
# rebuilt venv cheap. Pinned versions: bump them deliberately, the peer tests depend on them.
set -euo pipefail

CONNECTOR_VERSION="4.0.5"
PYARROW_VERSION="21.0.0"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql"
venv="$cache_root/peers-venv"
stamp="$venv/.installed-$CONNECTOR_VERSION-$PYARROW_VERSION"
python_bin="${PYTHON:-python3}"

if [ ! -f "$stamp" ]; then
  mkdir -p "$cache_root"
  rm -rf "$venv"
  "$python_bin" -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "databricks-sql-connector==$CONNECTOR_VERSION" "pyarrow==$PYARROW_VERSION" >&2
  touch "$stamp"
fi

echo "$venv/bin/python"
