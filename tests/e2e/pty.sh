#!/usr/bin/env bash
# End-to-end: pseudo-terminals. Debian's python3 runs
# tests/e2e/python/pty_shell.py, which drives programs under a pty through
# its master (pty.fork: /dev/ptmx, the replica as controlling terminal):
# busybox cat (canonical editing and echo), stty size (window size) and an
# interactive busybox sh (job control, ^C to a foreground job, line
# editing). Natively and in a one-off sandboxd sandbox; each case's output
# and exit status must be identical. Skipped (only) if /usr/bin/python3 or
# /bin/busybox is not installed.
#
# usage: tests/e2e/pty.sh [BUILD_DIR] [CASE-NAME-REGEX]
# environment and output: see python_suite.bash.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=pty
script=$here/python/pty_shell.py
requires=/bin/busybox
. "$here/python_suite.bash" "$@"
