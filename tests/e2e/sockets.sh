#!/usr/bin/env bash
# End-to-end: Debian's dynamically linked python3 runs
# tests/e2e/python/sockets.py (AF_UNIX socketpair, a threaded
# stream server, multiprocessing Manager and connection over AF_UNIX) natively
# and in a one-off sandboxd sandbox; each case runs in its own interpreter and
# its output and exit status must be identical in both. Skipped (only) if
# /usr/bin/python3 is not installed.
#
# usage: tests/e2e/sockets.sh [BUILD_DIR] [CASE-NAME-REGEX]
# environment and output: see python_suite.bash.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=sockets
script=$here/python/sockets.py
. "$here/python_suite.bash" "$@"
