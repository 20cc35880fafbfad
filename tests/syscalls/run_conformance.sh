#!/usr/bin/env bash
# Syscall conformance suite: runs every tests/syscalls/X program natively and
# inside sandboxd (`sandboxctl run -- PROG`) and compares them case by case.
#
# usage: tests/syscalls/run_conformance.sh [BUILD_DIR] [TEST...]
#   BUILD_DIR       default: <repo>/build (programs in BUILD_DIR/tests/syscalls/)
#   TEST...         only these programs (e.g. mem files)
# environment:
#   SANDBOXCTL      the CLI to use (default BUILD_DIR/bin/sandboxctl); a stand-in
#                   script that execs "$3..." natively is handy for testing this runner
#   SB_TIMEOUT      seconds per program run (default 30)
#   SB_NATIVE_ONLY  if 1, only check that every case passes natively
#
# A program prints blocks of lines, each ending with `ok NAME` or
# `not ok NAME` (see sbtest.h). A case passes when it is `ok` natively and its
# whole block is byte-identical in the sandbox. A case the host cannot run
# (`skip NAME` natively, e.g. namespaces refused in a CI container) passes
# if it is `ok` in the sandbox; `skip` in the sandbox is a failure. One more case per program,
# `PROG:exit`, compares the exit status and any output after the last case.
# Prints `PASS prog/case` or `FAIL prog/case` (with a diff) per case, then the
# totals; the last line is `N passed, M failed`. Exits 1 if anything failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build}
[[ $# -gt 0 ]] && shift
build=$(cd "$build" 2>/dev/null && pwd || echo "$build")
sandboxctl=${SANDBOXCTL:-$build/bin/sandboxctl}
[[ $sandboxctl == */* && $sandboxctl != /* ]] && sandboxctl=$PWD/$sandboxctl # we cd / below
timeout_s=${SB_TIMEOUT:-30}
native_only=${SB_NATIVE_ONLY:-0}

if [[ $# -gt 0 ]]; then
  tests=("$@")
else
  tests=()
  for src in "$here"/*.c; do tests+=("$(basename "$src" .c)"); done
fi

cd /
work=$(mktemp -d /tmp/sb-conformance.XXXXXX)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
skipped=0

# Known gaps of the sandbox: `prog/case` or `prog:exit` lines in
# known_failures.txt, each with the reason. Such a case failing in the
# sandbox is reported XFAIL and counted as skipped; passing, it is XPASS and
# fails the run, so the list cannot go stale.
declare -A known=()
if [[ -f $here/known_failures.txt ]]; then
  while read -r name _; do
    [[ -z $name || $name == \#* ]] || known[$name]=1
  done <"$here/known_failures.txt"
fi

pass_raw() { echo "PASS $1"; passed=$((passed + 1)); }
pass() {
  if [[ -n ${known[$1]:-} && $native_only != 1 ]]; then
    echo "FAIL $1 (XPASS: it passes now; remove it from tests/syscalls/known_failures.txt)"
    failed=$((failed + 1))
  else
    pass_raw "$1"
  fi
}
# sandbox_fail CASE REASON: a sandbox-side failure, expected if listed.
sandbox_fail() {
  if [[ -n ${known[$1]:-} ]]; then
    echo "XFAIL $1 (known: see tests/syscalls/known_failures.txt)"
    skipped=$((skipped + 1))
    return 1
  fi
  fail "$@"
}
fail() {
  echo "FAIL $1${2:+ ($2)}"
  failed=$((failed + 1))
}
indent() { sed 's/^/    /'; }

# run OUT_PREFIX CMD... : runs with a timeout, stdout to OUT.out, stderr to
# OUT.err, exit status to OUT.rc. Never fails.
run() {
  local out=$1
  shift
  local rc=0
  # The group's 2>/dev/null silences bash's "Terminated"/"Killed" job notice only.
  { timeout -k 5 "$timeout_s" "$@" >"$out.out" 2>"$out.err" </dev/null || rc=$?; } 2>/dev/null
  echo "$rc" >"$out.rc"
}

# split FILE DIR : writes each case's block to DIR/<case>, the case names in
# order to DIR.cases, output after the last case to DIR.trailer and
# duplicate case names to DIR.dups.
split_cases() {
  local file=$1 dir=$2
  mkdir -p "$dir"
  awk -v dir="$dir" '
    { buf[n++] = $0 }
    /^((not )?ok|skip) [A-Za-z0-9_.:-]+$/ {
      name = $0; sub(/^((not )?ok|skip) /, "", name)
      if (seen[name]++) print name > (dir ".dups")
      print name > (dir ".cases")
      f = dir "/" name
      for (i = 0; i < n; i++) print buf[i] > f
      close(f); n = 0
    }
    END { for (i = 0; i < n; i++) print buf[i] > (dir ".trailer") }
  ' "$file"
  touch "$dir.cases" "$dir.trailer" "$dir.dups"
}

sandbox_usable=1
sandbox_reason=""
if [[ $native_only != 1 && ! -x $sandboxctl ]]; then
  sandbox_usable=0
  sandbox_reason="sandboxctl not found or not executable: $sandboxctl"
  echo "conformance: $sandbox_reason; every case will fail in the sandbox" >&2
fi

for t in "${tests[@]}"; do
  prog=$build/tests/syscalls/$t
  if [[ ! -x $prog ]]; then
    fail "$t" "program not built: $prog"
    continue
  fi
  n=$work/$t.native
  s=$work/$t.sandbox
  run "$n" "$prog"
  split_cases "$n.out" "$n"
  if [[ -s $n.dups ]]; then
    fail "$t" "duplicate case names: $(tr '\n' ' ' <"$n.dups")"
  fi

  if [[ $native_only == 1 ]]; then
    while read -r c; do
      if tail -n1 "$n/$c" | grep -q '^skip '; then
        echo "SKIP $t/$c (natively: $(head -n1 "$n/$c" | sed 's/^ *//'))"
        skipped=$((skipped + 1))
      elif tail -n1 "$n/$c" | grep -q '^ok '; then pass "$t/$c"; else
        fail "$t/$c" "fails natively"
        indent <"$n/$c"
      fi
    done <"$n.cases"
    if [[ $(cat "$n.rc") == 0 && ! -s $n.trailer ]]; then pass "$t:exit"; else
      fail "$t:exit" "native exit status $(cat "$n.rc")"
      indent <"$n.err" | tail -n 20
    fi
    continue
  fi

  if [[ $sandbox_usable == 1 ]]; then
    run "$s" "$sandboxctl" run --bind "$repo" -- "$prog"
  else
    : >"$s.out"
    echo "$sandbox_reason" >"$s.err"
    echo 127 >"$s.rc"
  fi
  split_cases "$s.out" "$s"
  sandbox_rc=$(cat "$s.rc")
  native_rc=$(cat "$n.rc")
  why_sandbox="sandbox exit status $sandbox_rc"
  [[ $sandbox_rc == 124 || $sandbox_rc == 137 ]] && why_sandbox="sandbox timed out after ${timeout_s}s"
  [[ $sandbox_usable == 0 ]] && why_sandbox=$sandbox_reason

  shown_stderr=0
  show_stderr() {
    if [[ $shown_stderr == 0 && -s $s.err ]]; then
      echo "    --- sandbox stderr (last 20 lines) ---"
      tail -n 20 "$s.err" | indent
      shown_stderr=1
    fi
  }

  while read -r c; do
    if tail -n1 "$n/$c" | grep -q '^skip '; then
      # The host cannot run this case (say, no namespaces in a CI
      # container): the sandbox must still pass its own checks.
      if [[ -f $s/$c ]] && tail -n1 "$s/$c" | grep -q '^ok '; then
        pass "$t/$c"
      elif sandbox_fail "$t/$c" "skipped natively, not ok in the sandbox"; then
        indent <"$s/$c" 2>/dev/null || true
      fi
    elif ! tail -n1 "$n/$c" | grep -q '^ok '; then
      fail "$t/$c" "fails natively"
      indent <"$n/$c"
    elif [[ ! -f $s/$c ]]; then
      if sandbox_fail "$t/$c" "missing from sandbox output; $why_sandbox"; then
        [[ $sandbox_usable == 1 ]] && show_stderr
      fi
    elif cmp -s "$n/$c" "$s/$c"; then
      pass "$t/$c"
    else
      if sandbox_fail "$t/$c" "differs (- native, + sandbox)"; then
        diff -u --label native --label sandbox "$n/$c" "$s/$c" | tail -n +3 | indent || true
      fi
    fi
  done <"$n.cases"
  # Cases only the sandbox printed.
  while read -r c; do
    [[ -f $n/$c ]] || fail "$t/$c" "only in sandbox output"
  done <"$s.cases"

  if [[ $native_rc == "$sandbox_rc" && $native_rc == 0 ]] && cmp -s "$n.trailer" "$s.trailer"; then
    pass "$t:exit"
  elif sandbox_fail "$t:exit" "native exit status $native_rc, $why_sandbox"; then
    if ! cmp -s "$n.trailer" "$s.trailer"; then
      diff -u --label native --label sandbox "$n.trailer" "$s.trailer" | tail -n +3 | indent || true
    fi
    show_stderr
  fi
done

total=$((passed + failed))
echo "conformance: $total cases in ${#tests[@]} programs"
if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed == 0 ]]
