# lib.bash: what the cases of debian.sh share (sourced first by each case,
# natively and in the sandbox alike). Each case works in its own fresh
# directory under /tmp ($W, also $HOME so no host dotfile is read), removed
# on exit, and prints only what must be the same natively and sandboxed.
set -uo pipefail
# Only stdin, stdout and stderr: natively the harness may leak others
# (sandboxctl passes these three only).
for fd in /proc/self/fd/*; do
  fd=${fd##*/}
  [[ $fd -gt 2 ]] && eval "exec $fd>&-"
done
unset fd
W=$(mktemp -d /tmp/sb-debian.XXXXXX) || exit 99
export HOME=$W TMPDIR=$W
cd "$W" || exit 99
trap 'cd /; rm -rf "$W"' EXIT

# norm: the case's directory is a mktemp name, different on every run; it
# is printed as /W.
norm() { sed "s|$W|/W|g"; }

# skip WHY : ends the case as skipped (status 77, WHY on stdout's last
# line); debian.sh reports it as SKIP, natively or sandboxed.
skip() {
  echo "SKIP: $*"
  exit 77
}

# need PROG... : skips the case unless every PROG is installed.
need() {
  local p
  for p; do
    command -v "$p" >/dev/null || skip "$p not installed"
  done
}

# have PROG : whether PROG is installed (for optional parts of a case).
have() { command -v "$1" >/dev/null; }

# need_proc_fd_open : skips the case unless /proc/self/fd/N (and so
# /dev/fd/N, bash's process substitution) can be opened. The sandbox does
# not serve that open yet; it is another change's, after which this probe
# passes and the case runs.
need_proc_fd_open() {
  [[ $(cat /dev/fd/3 3<<<ok 2>/dev/null) == ok ]] ||
    skip "open of /proc/self/fd/N not supported (needed for /dev/fd/N, process substitution)"
}
