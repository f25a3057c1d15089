#!/usr/bin/env bash
# Prints the path of a usable `temporal` CLI binary (the Temporal dev server) on stdout.
# Shared by the README demo, `npm test` and .ci/run. Progress goes to stderr.
#
# Order: $TEMPORAL_CLI_PATH, `temporal` on PATH, the cached build, a fresh `go install`
# into the cache. When TEMPORAL_ADDRESS is set the caller uses that server and needs no
# binary: we print nothing and exit 0.
# v1.5.1 is pinned because later tags carry a `replace` directive that `go install` refuses.
set -euo pipefail

VERSION="v1.5.1"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql/temporal-cli-${VERSION}"
CACHED_BIN="${CACHE_DIR}/temporal"

if [[ -n "${TEMPORAL_ADDRESS:-}" ]]; then
  echo "provision: TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS} is set; using that server, no binary needed" >&2
  exit 0
fi

if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
  if [[ -x "${TEMPORAL_CLI_PATH}" ]]; then
    echo "${TEMPORAL_CLI_PATH}"
    exit 0
  fi
  echo "provision: TEMPORAL_CLI_PATH=${TEMPORAL_CLI_PATH} is not an executable file" >&2
  exit 1
fi

if command -v temporal >/dev/null 2>&1; then
  command -v temporal
  exit 0
fi

if [[ -x "${CACHED_BIN}" ]]; then
  echo "${CACHED_BIN}"
  exit 0
fi

if command -v go >/dev/null 2>&1; then
  echo "provision: building the Temporal CLI ${VERSION} with Go into ${CACHE_DIR}" >&2
  echo "provision: this downloads Go modules and takes several minutes the first time" >&2
  mkdir -p "${CACHE_DIR}"
  # Test files run in parallel and each may ask at once: one builds, the others wait for it
  # (a second concurrent `go install` would only compete for the same cores).
  exec 9>"${CACHE_DIR}/.build.lock"
  flock 9
  if [[ -x "${CACHED_BIN}" ]]; then
    echo "${CACHED_BIN}"
    exit 0
  fi
  # Build into a temporary directory first so an interrupted build never leaves a
  # half-written binary where the next run would trust it.
  TMP_BIN_DIR="$(mktemp -d "${CACHE_DIR}/build.XXXXXX")"
  trap 'rm -rf "${TMP_BIN_DIR}"' EXIT
  if GOBIN="${TMP_BIN_DIR}" go install "github.com/temporalio/cli/cmd/temporal@${VERSION}" >&2; then
    mv "${TMP_BIN_DIR}/temporal" "${CACHED_BIN}"
    echo "provision: built ${CACHED_BIN}" >&2
    echo "${CACHED_BIN}"
    exit 0
  fi
  echo "provision: go install of the Temporal CLI failed (see above)" >&2
fi

cat >&2 <<MSG
provision: no Temporal CLI found. Do one of:
  - set TEMPORAL_ADDRESS=host:port to use a Temporal server you already run;
  - set TEMPORAL_CLI_PATH to a 'temporal' binary (https://docs.temporal.io/cli);
  - install Go (>= 1.24) and re-run: it builds github.com/temporalio/cli@${VERSION}
    into ${CACHE_DIR}.
MSG
exit 1
