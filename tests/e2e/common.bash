# common.bash: what the e2e suites share (sourced by tests/e2e/*.sh; not a
# suite itself, so not named *.sh, which scripts/test runs).
#
# Counters and result lines (PASS/FAIL, the closing `N passed, M failed`),
# case selection by regex ($filter), and `run`, which runs one command with
# a timeout and keeps its stdout, stderr and exit status for comparison.
# Source it as `. "$here/common.bash" "$@"` (BUILD_DIR [CASE-REGEX]): it
# sets repo, build, filter and sandboxctl (SANDBOXCTL overrides). The
# sourcing script sets $timeout_s.

repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build}
build=$(cd "$build" 2>/dev/null && pwd || echo "$build")
filter=${2:-}
sandboxctl=${SANDBOXCTL:-$build/bin/sandboxctl}
# Absolute, because the suites cd / before running anything.
[[ $sandboxctl == */* && $sandboxctl != /* ]] && sandboxctl=$PWD/$sandboxctl

warn_if_no_sandboxctl() {
  if [[ ! -x $sandboxctl ]]; then
    echo "e2e: sandboxctl not found or not executable: $sandboxctl; every sandbox run will fail" >&2
  fi
}

passed=0
failed=0
timeouts=0 # consecutive sandbox runs that timed out
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
  echo "FAIL $1${2:+ ($2)}"
  failed=$((failed + 1))
}
indent() { sed 's/^/    /'; }
selected() { [[ -z ${filter:-} || $1 =~ $filter ]]; }

# run OUT STDIN CMD... : stdout/stderr/status of CMD into OUT.{out,err,rc}.
run() {
  local out=$1 in=$2 rc=0
  shift 2
  # The group's 2>/dev/null silences bash's "Terminated" job notice only.
  { timeout -k 5 "$timeout_s" "$@" >"$out.out" 2>"$out.err" <"$in" || rc=$?; } 2>/dev/null
  echo "$rc" >"$out.rc"
}
