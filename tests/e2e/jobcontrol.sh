#!/usr/bin/env bash
# End-to-end: job control and signals from the shell. Debian's static
# busybox sh (and coreutils' dynamically linked timeout) run natively and in
# a one-off sandboxd sandbox (`sandboxctl run -- CMD`) must print identical
# stdout and exit with the same status: background jobs killed by job id,
# trap handlers, `timeout`, and SIGSTOP/SIGCONT of a background loop (seen
# through a file that must not grow while the loop is stopped; only booleans
# are printed, so the output is deterministic).
#
# usage: tests/e2e/jobcontrol.sh [BUILD_DIR] [CASE-NAME-REGEX]
# environment: SANDBOXCTL (default BUILD_DIR/bin/sandboxctl), SB_TIMEOUT
# (seconds per command, default 30).
# Prints PASS/FAIL per case; the last line is `N passed, M failed`.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.bash" "$@"  # repo, build, filter, sandboxctl; the helpers
timeout_s=${SB_TIMEOUT:-30}
bb=/bin/busybox
coreutils_timeout=/usr/bin/timeout

export TZ=UTC LC_ALL=C
umask 022
cd /

if [[ ! -x $bb ]]; then
  echo "FAIL setup (no $bb: apt-get install busybox-static)"
  echo "0 passed, 1 failed"
  exit 1
fi
warn_if_no_sandboxctl

work=$(mktemp -d /tmp/sb-e2e-jobcontrol.XXXXXX)
trap 'rm -rf "$work"' EXIT


# compare NAME CMD... : runs CMD natively and in the sandbox.
compare() {
  local name=$1
  shift
  selected "$name" || return 0
  local n=$work/$name.native s=$work/$name.sandbox
  run "$n" /dev/null "$@"
  if [[ $timeouts -ge 3 ]]; then
    fail "$name" "not run in the sandbox: 3 sandbox runs in a row timed out"
    return
  fi
  run "$s" /dev/null "$sandboxctl" run --bind "$repo" -- "$@"
  local nrc src
  nrc=$(cat "$n.rc")
  src=$(cat "$s.rc")
  if [[ $src == 124 || $src == 137 ]] && [[ $nrc != "$src" ]]; then timeouts=$((timeouts + 1)); else timeouts=0; fi
  if [[ $nrc == "$src" ]] && cmp -s "$n.out" "$s.out"; then
    pass "$name"
    return
  fi
  local why="exit status native $nrc, sandbox $src"
  cmp -s "$n.out" "$s.out" || why+="; stdout differs"
  fail "$name" "$why"
  echo "\$ $*" | indent
  if ! cmp -s "$n.out" "$s.out"; then
    diff -u --label native --label sandbox "$n.out" "$s.out" | tail -n +3 | head -n 30 | indent || true
  fi
  if [[ -s $s.err ]]; then
    echo "    --- sandbox stderr ---"
    grep -v 'warning: unsupported' "$s.err" | tail -n 10 | indent
  fi
}

# sh_case NAME SCRIPT : `busybox sh -c SCRIPT` (sleep, timeout, kill: applets).
sh_case() { compare "$1" "$bb" sh -c "$2"; }

sh_case bg_kill_jobspec 'sleep 5 & kill %1; wait; echo $?'
sh_case bg_kill_wait_pid 'sleep 5 & p=$!; kill -TERM $p; wait $p; echo "status $?"'
# The child ignores SIGINT only once it runs (ash sets SIG_IGN after fork):
# give it time, or the kill races its start-up (natively too, by less).
sh_case bg_kill_int 'sleep 5 & p=$!; sleep 0.5; kill -INT $p; wait $p; echo "status $?"'
sh_case bg_exit_status '(sleep 0.1; exit 5) & wait $!; echo "status $?"'
sh_case kill_0_probe 'sleep 2 & p=$!; kill -0 $p && echo alive; kill $p; wait $p; kill -0 $p 2>/dev/null || echo gone'
sh_case trap_usr1 "trap 'echo got USR1' USR1; kill -USR1 \$\$; echo after"
sh_case trap_multi "trap 'echo got USR1' USR1; trap 'echo got USR2' USR2; trap 'echo bye' EXIT; kill -USR2 \$\$; kill -USR1 \$\$; echo after"
sh_case trap_ignore "trap '' TERM; kill -TERM \$\$; echo survived"
sh_case trap_from_child "trap 'echo got HUP' HUP; $bb sh -c 'kill -HUP \$PPID'; echo after"
sh_case busybox_timeout "$bb timeout 1 $bb sleep 5; echo \$?"
sh_case busybox_timeout_fast "$bb timeout 5 $bb true; echo \$?"
compare coreutils_timeout "$bb" sh -c "$coreutils_timeout 1 /bin/sleep 5; echo \$?"
compare coreutils_timeout_signal "$bb" sh -c "$coreutils_timeout -s KILL 1 /bin/sleep 5; echo \$?"

# The exact 124 of coreutils timeout, in both.
if selected coreutils_timeout_is_124; then
  for env in native sandbox; do
    pre=()
    [[ $env == sandbox ]] && pre=("$sandboxctl" run --bind "$repo" --)
    rc=0
    { timeout -k 5 "$timeout_s" "${pre[@]}" "$coreutils_timeout" 1 /bin/sleep 5 >/dev/null 2>"$work/t124-$env.err" </dev/null || rc=$?; } 2>/dev/null
    if [[ $rc == 124 ]]; then pass "coreutils_timeout_is_124_$env"; else
      fail "coreutils_timeout_is_124_$env" "exit status $rc"
      grep -v 'warning: unsupported' "$work/t124-$env.err" | tail -n 5 | indent
    fi
  done
fi

# SIGSTOP/SIGCONT of a background loop that appends to a file (in /tmp: the
# sandbox's own tmpfs). `echo` is a builtin, so the stopped subshell itself
# writes; while it is stopped the file must keep its size.
stop_cont='f=/tmp/sb-e2e-jc.$$; : >"$f"
( while :; do echo x >>"$f"; sleep 0.05; done ) &
p=$!
sleep 0.5
kill -STOP $p && echo stop_sent
sleep 0.3
a=$(wc -c <"$f"); sleep 1; b=$(wc -c <"$f")
[ "$a" -gt 0 ] && echo grew_before_stop=yes || echo grew_before_stop=no
[ "$a" -eq "$b" ] && echo frozen_while_stopped=yes || echo frozen_while_stopped=no
kill -CONT $p && echo cont_sent
sleep 0.5; c=$(wc -c <"$f")
[ "$c" -gt "$b" ] && echo grew_after_cont=yes || echo grew_after_cont=no
kill $p; wait $p; echo "wait_status $?"
sleep 0.2; d=$(wc -c <"$f"); sleep 0.3; e=$(wc -c <"$f")
[ "$d" -eq "$e" ] && echo frozen_after_kill=yes || echo frozen_after_kill=no
rm -f "$f"'
sh_case stop_cont_loop "$stop_cont"

# A stopped job can still be killed, and wait reports the kill.
sh_case stop_then_kill 'sleep 5 & p=$!; kill -STOP $p; sleep 0.2; kill -KILL $p; wait $p; echo "status $?"'
# SIGTERM to a stopped job takes effect only once it is continued.
sh_case stop_term_cont 'sleep 5 & p=$!; kill -STOP $p; sleep 0.2; kill -TERM $p; sleep 0.2; kill -0 $p && echo still_there; kill -CONT $p; wait $p; echo "status $?"'

echo "e2e jobcontrol: $((passed + failed)) cases"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
