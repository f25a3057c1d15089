#!/usr/bin/env bash
# The virtual environment holding the official Python connector, the reference peer.
# Prints the path of the venv's python on its last line. Pinned versions: bump them
# deliberately, the peer tests depend on them.
set -euo pipefail

CONNECTOR_VERSION="4.9.0"
PYARROW_VERSION="26.0.1"

venv="$(bash "$(dirname "$0")/../python/cached-venv.sh" peers-venv \
  "databricks-sql-connector==$CONNECTOR_VERSION" "pyarrow==$PYARROW_VERSION" | tail -n 1)"
echo "$venv/bin/python"
