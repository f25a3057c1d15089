#!/usr/bin/env bash
# Creates (or reuses) the virtual environment holding moto's S3-compatible server, which the
# result-sink tests and `npm run bench` start on loopback. Prints the path of the venv's
# `moto_server` on its last line. Cached in ${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql/s3-venv;
# pip's cache makes a rebuilt venv cheap. Pinned version: bump it deliberately.
set -euo pipefail

MOTO_VERSION="5.2.5"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql"
venv="$cache_root/s3-venv"
stamp="$venv/.installed-$MOTO_VERSION"
python_bin="${PYTHON:-python3}"

if [ ! -f "$stamp" ]; then
  mkdir -p "$cache_root"
  rm -rf "$venv"
  "$python_bin" -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
  touch "$stamp"
fi

echo "$venv/bin/moto_server"
