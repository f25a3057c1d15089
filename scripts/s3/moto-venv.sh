#!/usr/bin/env bash
# The virtual environment holding moto's S3-compatible server, which the result-sink tests
# and the sinks benchmark start on loopback. Prints the path of the venv's `moto_server` on
# its last line. Pinned version: bump it deliberately.
set -euo pipefail

MOTO_VERSION="5.2.5"

venv="$(bash "$(dirname "$0")/../python/cached-venv.sh" s3-venv "moto[server]==$MOTO_VERSION" | tail -n 1)"
echo "$venv/bin/moto_server"
