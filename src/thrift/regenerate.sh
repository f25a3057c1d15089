#!/usr/bin/env bash
# Regenerates ./generated from databricks.thrift. Needs the Thrift compiler
# (Debian: `apt-get install thrift-compiler`). The output is committed so users never need it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v thrift >/dev/null || { echo "thrift compiler not found: apt-get install thrift-compiler" >&2; exit 1; }
out="$here/generated"
rm -rf "$out" && mkdir -p "$out"
thrift --gen js:node,ts,es6 -out "$out" "$here/databricks.thrift"
# The generated code is CommonJS; this package is ESM. The marker makes Node load it as CommonJS.
printf '{ "type": "commonjs" }\n' > "$out/package.json"
echo "generated $(ls "$out" | wc -l) files in $out ($(thrift --version))"
