#!/usr/bin/env bash
# End-to-end: Debian's programs from the host, natively and in a one-off
# sandboxd sandbox (host / as the root, /tmp a tmpfs), with the same output.
# Each case is a bash script tests/e2e/debian/CASE.sh that works in a fresh
# directory under /tmp (lib.bash) and prints what it computed; its stdout
# and exit status must be identical natively and sandboxed. What must
# differ between two runs (temporary names, times, PIDs) is normalised by
# the case itself, with a comment saying why.
#
# The cases: python3 (json, sqlite3, hashlib, zlib, ctypes, subprocess,
# tempfile, shutil, pathlib), sqlite3, gcc, g++ (C++17), make -j2, git,
# tar (gzip, xz), perl, a bash script (here-docs, traps, arrays, ...),
# find over /usr/share/doc, python3's pty.spawn driving an interactive
# child, then common coreutils/util-linux/etc. commands. `ps aux` listing
# the sandbox's processes and only those is procfs.sh's
# ps_aux_lists_only_the_sandbox.
#
# Wall times (native and sandboxed) are printed per case for the record;
# nothing asserts on them.
#
# usage: tests/e2e/debian.sh [BUILD_DIR] [CASE-NAME-REGEX]
# environment: SANDBOXCTL (default BUILD_DIR/bin/sandboxctl), SB_TIMEOUT
# (seconds per command, default 120).
# Prints PASS/FAIL/SKIP per case; the last line is `N passed, M failed[, K
# skipped]`. A case skips (exit 77, the reason on its last line) when a
# program it needs is not installed, or when it needs something the sandbox
# does not serve yet (named in the message); skipping sandboxed only is for
# what another change is adding, never to hide a wrong result.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.bash" "$@" # repo, build, filter, sandboxctl; the helpers
timeout_s=${SB_TIMEOUT:-120}
skipped=0

cd /
warn_if_no_sandboxctl
work=$(mktemp -d /tmp/sb-e2e-debian.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Both runs get the same small environment: Debian's programs only (no
# pyenv or /usr/local first in PATH), C locale, UTC.
clean_env=(/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C LANG=C TZ=UTC
  TERM=dumb SHELL=/bin/bash USER=root LOGNAME=root)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# compare CASE : tests/e2e/debian/CASE.sh natively and in the sandbox.
compare() {
  local name=$1 file=$here/debian/$1.sh
  selected "$name" || return 0
  local n=$work/$name.native s=$work/$name.sandbox t0 t1 t2
  t0=$(now)
  run "$n" /dev/null "${clean_env[@]}" /bin/bash "$file"
  t1=$(now)
  run "$s" /dev/null "$sandboxctl" run -- "${clean_env[@]}" /bin/bash "$file"
  t2=$(now)
  local nrc src times
  nrc=$(cat "$n.rc")
  src=$(cat "$s.rc")
  times="native $(elapsed "$t0" "$t1")s, sandbox $(elapsed "$t1" "$t2")s"
  if [[ $nrc == 77 || $src == 77 ]]; then
    local who=native f=$n.out
    [[ $nrc == 77 ]] || { who=sandbox; f=$s.out; }
    echo "SKIP $name ($who: $(tail -n 1 "$f" | sed 's/^SKIP: //'))"
    skipped=$((skipped + 1))
    return
  fi
  if [[ $nrc != 0 ]]; then
    fail "$name" "fails natively (exit $nrc): the test itself is broken"
    tail -n 10 "$n.out" "$n.err" | indent
    return
  fi
  if [[ $src == 0 ]] && cmp -s "$n.out" "$s.out"; then
    pass "$name ($times)"
    return
  fi
  local why="exit status native $nrc, sandbox $src"
  [[ $src == 124 || $src == 137 ]] && why+=" (timed out after ${timeout_s}s)"
  cmp -s "$n.out" "$s.out" || why+="; stdout differs"
  fail "$name" "$why; $times"
  diff -u --label native --label sandbox "$n.out" "$s.out" | tail -n +3 | head -n 40 | indent || true
  if [[ -s $s.err ]]; then
    echo "    --- sandbox stderr ---"
    grep -v 'warning: unsupported' "$s.err" | tail -n 12 | indent
  fi
}

for f in "$here"/debian/*.sh; do
  compare "$(basename "$f" .sh)"
done

# The program's stdin and stdout are host pipes here (the cases above get
# files): /proc/self/fd names them as Linux does, pipe:[INODE] with the
# inode fstat shows (the numbers differ between runs; the match is printed).
if selected host_stdio_pipes && [[ -x /usr/bin/python3 ]]; then
  prog='import os
for fd in (0, 1):
    name = os.readlink("/proc/self/fd/%d" % fd)
    print(fd, name.split("[")[0], name == "pipe:[%d]" % os.fstat(fd).st_ino)'
  n=$(echo | /usr/bin/python3 -S -c "$prog" | cat)
  s=$(echo | timeout -k 5 "$timeout_s" "$sandboxctl" run -- /usr/bin/python3 -S -c "$prog" 2>/dev/null | cat)
  if [[ $n == "$s" && -n $n ]]; then
    pass host_stdio_pipes
  else
    fail host_stdio_pipes "native: $(echo $n), sandbox: $(echo $s)"
  fi
fi

echo "e2e debian: $((passed + failed + skipped)) cases"
if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed == 0 ]]
