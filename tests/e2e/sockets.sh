#!/usr/bin/env bash
# End-to-end: Debian's dynamically linked python3 runs
# tests/e2e/python/sockets.py (AF_UNIX socketpair, a threaded
# stream server, multiprocessing Manager and connection over AF_UNIX) natively
# and in a one-off sandboxd sandbox; each case runs in its own interpreter and
# its output and exit status must be identical in both. Skipped (only) if
# /usr/bin/python3 is not installed.
#
# usage: tests/e2e/sockets.sh [BUILD_DIR] [CASE-NAME-REGEX]
# environment: SANDBOXCTL (default BUILD_DIR/bin/sandboxctl), SB_TIMEOUT
# (seconds per command, default 60), PYTHON (default /usr/bin/python3).
# Prints PASS/FAIL per case; the last line is `N passed, M failed[, K skipped]`.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.bash" "$@"  # repo, build, filter, sandboxctl; the helpers
timeout_s=${SB_TIMEOUT:-60}
python=${PYTHON:-/usr/bin/python3}
script=$here/python/sockets.py

export TZ=UTC LC_ALL=C PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0
unset PYTHONPATH PYTHONHOME
umask 022
cd /

if [[ ! -x $python ]]; then
  echo "SKIP python ($python not installed)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
warn_if_no_sandboxctl

work=$(mktemp -d /tmp/sb-e2e-sockets.XXXXXX)
trap 'rm -rf "$work"' EXIT


# compare CASE : the script's CASE natively and in the sandbox.
compare() {
  local name=$1
  selected "$name" || return 0
  local n=$work/$name.native s=$work/$name.sandbox
  run "$n" /dev/null "$python" -S "$script" "$name"
  if [[ $timeouts -ge 3 ]]; then
    fail "$name" "not run in the sandbox: 3 sandbox runs in a row timed out"
    return
  fi
  run "$s" /dev/null "$sandboxctl" run --bind "$repo" -- "$python" -S "$script" "$name"
  local nrc src
  nrc=$(cat "$n.rc")
  src=$(cat "$s.rc")
  if [[ $src == 124 || $src == 137 ]]; then timeouts=$((timeouts + 1)); else timeouts=0; fi
  if [[ $nrc != 0 ]]; then
    fail "$name" "fails natively (exit $nrc): the test itself is broken"
    tail -n 10 "$n.err" | indent
    return
  fi
  if [[ $nrc == "$src" ]] && cmp -s "$n.out" "$s.out"; then
    pass "$name"
    return
  fi
  local why="exit status native $nrc, sandbox $src"
  [[ $src == 124 || $src == 137 ]] && why+=" (timed out after ${timeout_s}s)"
  cmp -s "$n.out" "$s.out" || why+="; stdout differs"
  fail "$name" "$why"
  diff -u --label native --label sandbox "$n.out" "$s.out" | tail -n +3 | head -n 30 | indent || true
  if [[ -s $s.err ]]; then
    echo "    --- sandbox stderr ---"
    grep -v 'warning: unsupported' "$s.err" | tail -n 12 | indent
  fi
}

cases=$("$python" -S "$script" --list) || {
  echo "FAIL setup ($python $script --list failed)"
  echo "0 passed, 1 failed"
  exit 1
}
for c in $cases; do compare "$c"; done

echo "e2e sockets: $((passed + failed)) cases"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
