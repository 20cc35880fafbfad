#!/usr/bin/env bash
# End-to-end: the sandbox's /proc. Debian's procps `ps` lists the
# sandbox's processes and only those, and the shapes of /proc files (field
# names, order, column counts) read by host programs in the sandbox are
# those the host's Linux prints.
#
# usage: tests/e2e/procfs.sh [BUILD_DIR] [CASE-NAME-REGEX]
# environment: SANDBOXCTL (default BUILD_DIR/bin/sandboxctl), SB_TIMEOUT
# (seconds per command, default 30).
# Prints PASS/FAIL per case; the last line is `N passed, M failed[, K skipped]`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.bash" "$@" # repo, build, filter, sandboxctl; the helpers
timeout_s=${SB_TIMEOUT:-30}
skipped=0

export LC_ALL=C
cd /
warn_if_no_sandboxctl
work=$(mktemp -d /tmp/sb-e2e-procfs.XXXXXX)
trap 'rm -rf "$work"' EXIT

# sandbox OUT CMD... : CMD in a one-off sandbox.
sandbox() {
  local out=$1
  shift
  run "$out" /dev/null "$sandboxctl" run -- "$@"
}

if selected ps_aux_lists_only_the_sandbox; then
  if [[ ! -x /bin/ps ]]; then
    echo "SKIP ps_aux_lists_only_the_sandbox (no /bin/ps: apt-get install procps)"
    skipped=$((skipped + 1))
  else
    o=$work/ps
    sandbox "$o" /bin/sh -c 'sleep 5 & /bin/ps aux; kill $!'
    # The header, the shell (pid 1), its sleep and ps itself: nothing else.
    lines=$(wc -l <"$o.out")
    if [[ $(cat "$o.rc") == 0 && $lines == 4 ]] &&
      head -n1 "$o.out" | grep -q '^USER  *PID %CPU %MEM' &&
      grep -Eq '^[a-z0-9]+ +1 .* /bin/sh -c sleep 5' "$o.out" &&
      grep -Eq '^[a-z0-9]+ +[0-9]+ .* sleep 5$' "$o.out" &&
      grep -Eq '^[a-z0-9]+ +[0-9]+ .* /bin/ps aux$' "$o.out"; then
      pass ps_aux_lists_only_the_sandbox
    else
      fail ps_aux_lists_only_the_sandbox "exit status $(cat "$o.rc"), $lines lines"
      indent <"$o.out"
      tail -n 5 "$o.err" | indent
    fi
  fi
fi

if selected ps_ef_parents; then
  if [[ -x /bin/ps ]]; then
    o=$work/psef
    sandbox "$o" /bin/sh -c '/bin/ps -o pid=,ppid=,comm= -e'
    # sh is 1 with parent 0; ps is its child.
    if [[ $(cat "$o.rc") == 0 ]] && grep -Eq '^ +1 +0 sh$' "$o.out" &&
      grep -Eq '^ +[0-9]+ +1 ps$' "$o.out" && [[ $(wc -l <"$o.out") == 2 ]]; then
      pass ps_ef_parents
    else
      fail ps_ef_parents "exit status $(cat "$o.rc")"
      indent <"$o.out"
    fi
  fi
fi

# shape NAME FILE AWK [uniq] : the AWK program's view of FILE read by
# /bin/cat, natively and in the sandbox, must be the same. With `uniq`,
# the distinct lines only (files whose line count is the machine's: one
# line per mapping or mount).
shape() {
  local name=$1 file=$2 prog=$3 post=cat
  [[ ${4:-} == uniq ]] && post="sort -u"
  selected "$name" || return 0
  local n=$work/$name.native s=$work/$name.sandbox
  local cmd="/bin/cat $file | /usr/bin/awk '$prog' | $post"
  case ${4:-} in
    fd) cmd="echo | /bin/ls -l $file/ 2>&1 | /usr/bin/awk 'NR > 1 && \$9 <= 3 { t = \$11; sub(/:.*/, \"\", t); if (t ~ /^\\//) t = \"path\"; print \$9, \$10, t }'" ;;
    exe) cmd="/usr/bin/readlink $file" ;;
    ns) cmd="for f in $file/*; do echo \${f##*/} \$(/usr/bin/readlink \$f | /bin/sed -E 's/[0-9]+/N/'); done" ;;
    auxv) cmd="/usr/bin/od -A n -t u8 -w16 -v $file | /usr/bin/awk '\$1 != 33 && \$1 != 27 && \$1 != 28 { print \$1 }'" ;;
  esac
  run "$n" /dev/null /bin/sh -c "$cmd"
  sandbox "$s" /bin/sh -c "$cmd"
  if [[ $(cat "$n.rc") == 0 && $(cat "$s.rc") == 0 ]] && cmp -s "$n.out" "$s.out"; then
    pass "$name"
  else
    fail "$name" "exit status native $(cat "$n.rc"), sandbox $(cat "$s.rc")"
    diff -u --label native --label sandbox "$n.out" "$s.out" | tail -n +3 | head -n 30 | indent || true
  fi
}

keys='{ split($0, f, ":"); print f[1] }'
shape status_shape /proc/self/status "$keys"
shape stat_shape /proc/self/stat '{ sub(/.*\) /, ""); print NF + 2 }'
shape statm_shape /proc/self/statm '{ print NF }'
shape maps_shape /proc/self/maps '{ print (NF >= 5 && $1 ~ /^[0-9a-f]+-[0-9a-f]+$/ && $2 ~ /^[r-][w-][x-][ps]$/) }' uniq
shape smaps_shape /proc/self/smaps '/^[0-9a-f]+-/ { n++ } n == 1 && !/^[0-9a-f]+-/ { split($0, f, ":"); print f[1] }'
shape mounts_shape /proc/self/mounts '{ print NF }' uniq
shape mountinfo_shape /proc/self/mountinfo '{ for (i = 1; i <= NF; i++) if ($i == "-") print (i >= 7), NF - i }' uniq
shape limits_shape /proc/self/limits '{ print substr($0, 1, 25) }'
shape io_shape /proc/self/io "$keys"
shape meminfo_shape /proc/meminfo "$keys"
shape cpuinfo_shape /proc/cpuinfo '/^$/ { exit } { split($0, f, "\t"); print f[1] }'
shape proc_stat_shape /proc/stat '{ k = $1; if (k ~ /^cpu[0-9]/) k = "cpuN"; if (k ~ /^cpu/) print k, NF; else print k }'
shape uptime_shape /proc/uptime '{ print NF }'
shape loadavg_shape /proc/loadavg '{ print NF, ($4 ~ /^[0-9]+\/[0-9]+$/) }'
shape version_shape /proc/version '{ print $1, $2 }'
shape cmdline_shape /proc/self/cmdline '{ gsub(/\0/, "|"); print }'
shape environ_shape /proc/self/environ '{ n = split($0, f, "\0"); for (i = 1; i < n; i++) { split(f[i], kv, "="); print kv[1] } }'
# The descriptors of `echo | ls 2>&1`: three pipes and the directory being
# listed; the link targets' kinds, not their names.
shape fd_shape /proc/self/fd '{ print }' fd
shape exe_shape /proc/self/exe '' exe
shape ns_shape /proc/self/ns '' ns
# auxv: the order of the entry types. Left out of the host's list, by
# design: AT_SYSINFO_EHDR (33, no vDSO is mapped: time calls are system
# calls) and AT_RSEQ_FEATURE_SIZE/ALIGN (27, 28, newer hosts: rseq is not
# provided).
shape auxv_shape /proc/self/auxv '' auxv

echo "e2e procfs: $((passed + failed + skipped)) cases"
if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed == 0 ]]
