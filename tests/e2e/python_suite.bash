# python_suite.bash: the shared body of the suites that run one Python
# script's cases natively and in a one-off sandbox (python.sh, sockets.sh,
# pty.sh). Not a suite itself (not named *.sh). Source it after setting
# `suite` (a name) and `script` (the .py, which lists its cases with
# --list and runs one with its name); pass the suite's "$@" (BUILD_DIR
# [CASE-REGEX]). Each case runs in its own interpreter; its stdout and
# exit status must be identical natively and in the sandbox. Skipped (only)
# if python3 or a program in $requires is not installed.
#
# environment: SANDBOXCTL (default BUILD_DIR/bin/sandboxctl), SB_TIMEOUT
# (seconds per command, default 60), PYTHON (default /usr/bin/python3).
# Prints PASS/FAIL per case; the last line is `N passed, M failed[, K skipped]`.

. "$here/common.bash" "$@"  # repo, build, filter, sandboxctl; the helpers
timeout_s=${SB_TIMEOUT:-60}
python=${PYTHON:-/usr/bin/python3}

export TZ=UTC LC_ALL=C PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0
unset PYTHONPATH PYTHONHOME
umask 022
cd /

for prog in "$python" ${requires:-}; do
  if [[ ! -x $prog ]]; then
    echo "SKIP $suite ($prog not installed)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
  fi
done
warn_if_no_sandboxctl

work=$(mktemp -d "/tmp/sb-e2e-$suite.XXXXXX")
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

echo "e2e $suite: $((passed + failed)) cases"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
