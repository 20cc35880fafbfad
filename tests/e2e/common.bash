# common.bash: what the e2e suites share (sourced by tests/e2e/*.sh; not a
# suite itself, so not named *.sh, which scripts/test runs).
#
# Counters and result lines (PASS/FAIL, the closing `N passed, M failed`),
# case selection by regex ($filter), and `run`, which runs one command with
# a timeout and keeps its stdout, stderr and exit status for comparison.
# The sourcing script sets $filter and $timeout_s.

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
