#!/usr/bin/env bash
# End-to-end stress: tests/e2e/stress/stress.c (built static as
# BUILD_DIR/tests/e2e/stress) forks 200 processes in waves, runs 64 threads
# contending on pthread mutexes and condition variables while SIGUSR1/SIGUSR2
# arrive at random times, and must print its deterministic results (the same
# as natively) and exit 0 in a one-off sandboxd sandbox. Host resources are
# counted around the run: every stub process the sandbox had must be gone,
# the host-wide number of stub processes must be back where it was, and no
# zombies may be left.
#
# usage: tests/e2e/stress.sh [BUILD_DIR]
# environment: SANDBOXCTL (default BUILD_DIR/bin/sandboxctl), SB_TIMEOUT
# (seconds for the sandboxed run, default 120).
# Prints PASS/FAIL per check; the last line is `N passed, M failed`.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build}
build=$(cd "$build" 2>/dev/null && pwd || echo "$build")
sandboxctl=${SANDBOXCTL:-$build/bin/sandboxctl}
[[ $sandboxctl == */* && $sandboxctl != /* ]] && sandboxctl=$PWD/$sandboxctl # we cd / below
timeout_s=${SB_TIMEOUT:-120}
prog=$build/tests/e2e/stress

export TZ=UTC LC_ALL=C
cd /

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
  echo "FAIL $1${2:+ ($2)}"
  failed=$((failed + 1))
}
indent() { sed 's/^/    /'; }

if [[ ! -x $prog ]]; then
  echo "FAIL setup (not built: $prog; ninja -C $build e2e_stress_program)"
  echo "0 passed, 1 failed"
  exit 1
fi

work=$(mktemp -d /tmp/sb-e2e-stress.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The stub processes' comm: the stub is exec'd from a memfd named
# "sandboxd-stub", so the host shows "memfd:sandboxd-" (comm is 15 bytes).
is_stub_comm() { [[ $1 == sandboxd-stub* || $1 == memfd:sandboxd* ]]; }

# host_procs: "PID PPID STATE COMM" for every host process.
host_procs() {
  local d pid ppid state comm
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    # comm may contain spaces; stat's field 2 is "(comm)".
    { read -r comm <"$d/comm"; } 2>/dev/null || continue
    state=$(sed -nE 's/^State:[[:space:]]+([A-Z]).*/\1/p' "$d/status" 2>/dev/null)
    ppid=$(sed -nE 's/^PPid:[[:space:]]+([0-9]+).*/\1/p' "$d/status" 2>/dev/null)
    [[ -n $state && -n $ppid ]] && echo "$pid $ppid $state $comm"
  done
}
count_stubs() {
  local pid ppid state comm n=0
  while read -r pid ppid state comm; do is_stub_comm "$comm" && n=$((n + 1)); done < <(host_procs)
  echo "$n"
}
# zombies PARENT-PID: zombie children of PARENT-PID, and zombie stubs anywhere.
zombies() {
  local pid ppid state comm
  while read -r pid ppid state comm; do
    [[ $state == Z ]] || continue
    if [[ $ppid == "$1" ]] || is_stub_comm "$comm"; then echo "$pid $ppid $comm"; fi
  done < <(host_procs)
}

# --- natively: the expected output ------------------------------------------
rc=0
{ timeout -k 5 60 "$prog" >"$work/native.out" 2>"$work/native.err" </dev/null || rc=$?; } 2>/dev/null
if [[ $rc == 0 ]]; then pass native_run; else
  fail native_run "exit status $rc: the test itself is broken"
  cat "$work/native.out" "$work/native.err" | tail -n 10 | indent
fi

# --- in the sandbox, watching its host processes ----------------------------
stubs_before=$(count_stubs)
start=$(date +%s)
timeout -k 5 "$timeout_s" "$sandboxctl" run --bind "$repo" -- "$prog" >"$work/sandbox.out" 2>"$work/sandbox.err" </dev/null &
tpid=$!
ctl_pid=""
max_threads=0
seen_stubs=() # "PID STARTTIME" of stubs whose parent was our sandboxctl
declare -A seen=()
while kill -0 "$tpid" 2>/dev/null; do
  if [[ -z $ctl_pid ]]; then
    ctl_pid=$(while read -r pid ppid state comm; do [[ $ppid == "$tpid" ]] && echo "$pid"; done < <(host_procs) | head -n1)
  fi
  if [[ -n $ctl_pid && -r /proc/$ctl_pid/status ]]; then
    t=$(sed -nE 's/^Threads:[[:space:]]+([0-9]+).*/\1/p' "/proc/$ctl_pid/status" 2>/dev/null)
    [[ -n $t && $t -gt $max_threads ]] && max_threads=$t
    # Its host children (the stubs).
    for p in $(ps -o pid= --ppid "$ctl_pid" 2>/dev/null); do
      [[ -n ${seen[$p]:-} ]] && continue
      st=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$p/stat" 2>/dev/null)
      [[ -n $st ]] || continue
      seen[$p]=1
      seen_stubs+=("$p $st")
    done
  fi
  sleep 0.2
done
rc=0
wait "$tpid" || rc=$?
elapsed=$(($(date +%s) - start))
echo "    sandboxed run: ${elapsed}s, exit $rc; sandboxctl pid ${ctl_pid:-?}, up to $max_threads host threads, ${#seen_stubs[@]} host children seen"

if [[ $rc == 0 ]]; then pass sandbox_run; else
  why="exit status $rc"
  [[ $rc == 124 || $rc == 137 ]] && why+=" (timed out after ${timeout_s}s)"
  fail sandbox_run "$why"
  echo "    --- sandbox stdout ---"
  tail -n 10 "$work/sandbox.out" | indent
  echo "    --- sandbox stderr ---"
  grep -v 'warning: unsupported' "$work/sandbox.err" | tail -n 10 | indent
fi
if cmp -s "$work/native.out" "$work/sandbox.out"; then pass sandbox_output_matches_native; else
  fail sandbox_output_matches_native
  diff -u --label native --label sandbox "$work/native.out" "$work/sandbox.out" | tail -n +3 | head -n 30 | indent
fi

# --- host resources afterwards ------------------------------------------------
# The sandboxctl process itself (and so all its threads) is gone.
if [[ -n $ctl_pid ]] && [[ -e /proc/$ctl_pid ]] && [[ $(sed -nE 's/^PPid:[[:space:]]+([0-9]+).*/\1/p' "/proc/$ctl_pid/status" 2>/dev/null) == "$tpid" ]]; then
  fail sandboxctl_gone "pid $ctl_pid still exists with $(sed -nE 's/^Threads:[[:space:]]+//p' "/proc/$ctl_pid/status") threads"
else
  pass sandboxctl_gone
fi
# Every host child of sandboxctl (its stubs) is gone; give them a moment.
left=()
for ((i = 0; i < 20; i++)); do
  left=()
  for s in "${seen_stubs[@]}"; do
    read -r p st <<<"$s"
    now=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$p/stat" 2>/dev/null)
    [[ -n $now && $now == "$st" ]] && left+=("$p($(cat "/proc/$p/comm" 2>/dev/null),$(sed -nE 's/^State:[[:space:]]+([A-Z]).*/\1/p' "/proc/$p/status" 2>/dev/null))")
  done
  [[ ${#left[@]} == 0 ]] && break
  sleep 0.25
done
if [[ ${#left[@]} == 0 ]]; then pass sandbox_host_children_gone; else
  fail sandbox_host_children_gone "${#left[@]} still there: ${left[*]:0:10}"
fi
# Host-wide stub count back to where it was (another sandbox running at the
# same time could disturb this; wait up to 5 s for it to settle).
for ((i = 0; i < 20; i++)); do
  stubs_after=$(count_stubs)
  [[ $stubs_after == "$stubs_before" ]] && break
  sleep 0.25
done
if [[ $stubs_after == "$stubs_before" ]]; then pass stub_count_unchanged; else
  fail stub_count_unchanged "host stub processes: $stubs_before before, $stubs_after after"
fi
z=$(zombies $$)
if [[ -z $z ]]; then pass no_zombies; else
  fail no_zombies "zombie processes left:"
  echo "$z" | head -n 10 | indent
fi

echo "e2e stress: $((passed + failed)) checks"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
