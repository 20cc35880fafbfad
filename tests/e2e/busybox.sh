#!/usr/bin/env bash
# End-to-end: Debian's static busybox (and a few dynamically linked host
# programs) run natively and in a one-off sandboxd sandbox
# (`sandboxctl run -- CMD`) must print byte-identical stdout and exit with
# the same status. Also checks the kernel's identity (uname) and the error
# for a missing program.
#
# usage: tests/e2e/busybox.sh [BUILD_DIR] [CASE-NAME-REGEX]
# environment: SANDBOXCTL (default BUILD_DIR/bin/sandboxctl), SB_TIMEOUT
# (seconds per command, default 30).
# Prints PASS/FAIL per case; the last line is `N passed, M failed`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.bash" "$@"  # repo, build, filter, sandboxctl; the helpers
timeout_s=${SB_TIMEOUT:-30}
bb=/bin/busybox

export TZ=UTC LC_ALL=C
umask 022
cd /

if [[ ! -x $bb ]]; then
  echo "FAIL setup (no $bb: apt-get install busybox-static)"
  echo "0 passed, 1 failed"
  exit 1
fi
warn_if_no_sandboxctl

work=$(mktemp -d /tmp/sb-e2e-busybox.XXXXXX)
# The fixed tree lives in the build dir, not /tmp: the sandbox has its own /tmp.
root=$build/tests/e2e/busybox-tree
tree=$root/tree
trap 'rm -rf "$work" "$root"' EXIT

make_tree() {
  rm -rf "$root"
  mkdir -p "$tree/sub/deeper"
  printf 'alpha\nbeta\ngamma\nbeta\ndelta\nalpha\nepsilon\n' >"$tree/words"
  printf '10\n9\n100\n-3\n42\n7\n' >"$tree/numbers"
  printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\n' >"$tree/passwd"
  printf 'the quick brown fox\njumps over the lazy dog\nfoo bar foo\n' >"$tree/text"
  : >"$tree/empty"
  head -c 5000 /dev/zero | tr '\0' 'x' >"$tree/big"
  printf '#!/bin/sh\necho script\n' >"$tree/script.sh"
  chmod 755 "$tree/script.sh"
  chmod 600 "$tree/passwd"
  printf 'deep\n' >"$tree/sub/deeper/file"
  ln -s words "$tree/link-to-words"
  ln -s sub/deeper "$tree/link-to-dir"
  local stamp='2020-01-02 03:04:05 UTC'
  find "$root" -exec touch -h -d "$stamp" {} +
}
make_tree


# compare NAME STDIN CMD... : runs CMD natively and in the sandbox.
compare() {
  local name=$1 in=$2
  shift 2
  selected "$name" || return 0
  local n=$work/$name.native s=$work/$name.sandbox
  run "$n" "$in" "$@"
  if [[ $timeouts -ge 3 ]]; then
    fail "$name" "not run in the sandbox: 3 sandbox runs in a row timed out"
    return
  fi
  run "$s" "$in" "$sandboxctl" run --bind "$repo" -- "$@"
  local nrc srcc
  nrc=$(cat "$n.rc")
  srcc=$(cat "$s.rc")
  # Stop waiting on a sandbox that hangs on everything (CI has a time budget).
  if [[ $srcc == 124 || $srcc == 137 ]]; then timeouts=$((timeouts + 1)); else timeouts=0; fi
  if [[ $nrc == "$srcc" ]] && cmp -s "$n.out" "$s.out"; then
    pass "$name"
    return
  fi
  local why="exit status native $nrc, sandbox $srcc"
  [[ $srcc == 124 || $srcc == 137 ]] && why+=" (timed out after ${timeout_s}s)"
  cmp -s "$n.out" "$s.out" || why+="; stdout differs"
  fail "$name" "$why"
  echo "\$ $*" | indent
  if ! cmp -s "$n.out" "$s.out"; then
    diff -u --label native --label sandbox "$n.out" "$s.out" | tail -n +3 | head -n 30 | indent || true
  fi
  if [[ -s $s.err ]]; then
    echo "    --- sandbox stderr ---"
    tail -n 10 "$s.err" | indent
  fi
}

# bbx NAME ARGS... : a busybox applet with no stdin.
bbx() {
  local name=$1
  shift
  compare "$name" /dev/null "$bb" "$@"
}

# sh_case NAME SCRIPT : `busybox sh -c SCRIPT`.
sh_case() { compare "sh_$1" /dev/null "$bb" sh -c "$2"; }

# --- busybox applets -------------------------------------------------------
bbx echo echo hello world
bbx echo_n echo -n no newline
bbx echo_e echo -e 'tab\there\nnewline'
bbx printf printf '%s-%d-%x-%5.2f|%-4s|\n' abc 42 255 3.14159 ab
bbx cat cat "$tree/words" "$tree/text"
compare cat_stdin "$tree/text" "$bb" cat
bbx cat_missing cat "$tree/no-such-file"
bbx ls_la ls -la --color=never "$tree"
bbx ls_la_sub ls -la --color=never "$tree/sub" "$tree/sub/deeper"
bbx ls_1 ls -1 --color=never "$tree"
bbx ls_missing ls --color=never "$tree/no-such-file"
bbx wc wc "$tree/words" "$tree/text" "$tree/big"
bbx wc_l wc -l "$tree/words"
compare wc_stdin "$tree/text" "$bb" wc -w
bbx sort sort "$tree/words"
bbx sort_n sort -n "$tree/numbers"
bbx sort_ru sort -r -u "$tree/words"
bbx uniq_c sh -c "$bb sort $tree/words | $bb uniq -c"
bbx uniq uniq "$tree/words"
bbx head head -n 3 "$tree/words"
bbx head_c head -c 7 "$tree/text"
bbx tail tail -n 2 "$tree/words"
bbx tail_c tail -c 10 "$tree/text"
compare tr "$tree/text" "$bb" tr a-z A-Z
compare tr_d "$tree/text" "$bb" tr -d aeiou
bbx cut cut -d: -f1,7 "$tree/passwd"
bbx cut_c cut -c 1-5 "$tree/text"
bbx sed sed -e 's/foo/bar/g' -e 's/^the/THE/' "$tree/text"
bbx sed_n sed -n '2p;$p' "$tree/words"
bbx grep grep -n beta "$tree/words"
bbx grep_c grep -c a "$tree/words"
bbx grep_v_e grep -v -e alpha -e beta "$tree/words"
bbx grep_nomatch grep zzz "$tree/words"
bbx grep_r grep -r deep "$tree/sub"
bbx awk awk -F: '{ s += $3; n++ } END { print n, s; print toupper($1) }' "$tree/passwd"
bbx awk_printf awk 'BEGIN { for (i = 1; i <= 3; i++) printf "%d^2=%d\n", i, i * i }'
bbx md5sum md5sum "$tree/words" "$tree/big" "$tree/empty"
bbx sha256sum sha256sum "$tree/words" "$tree/big"
bbx seq seq 1 5
bbx seq_step seq 10 -3 1
bbx expr expr 6 '*' 7
bbx expr_zero expr 0 + 0
bbx expr_str expr length hello
bbx basename basename /a/b/c.txt .txt
bbx dirname dirname /a/b/c
bbx true true
bbx false false
bbx env_i env -i A=1 B=2 env
bbx id id
bbx id_u id -u
bbx date_year date +%Y
bbx date_fixed date -u -d @1577934245 '+%F %T'
bbx sleep sleep 1
bbx uname_m uname -m
bbx uname_s uname -s
bbx stat_size stat -c '%s %a %F' "$tree/words" "$tree/sub" "$tree/link-to-words"
bbx readlink readlink "$tree/link-to-words"
bbx test_file test -f "$tree/words"
bbx test_missing test -e "$tree/nope"

# --- busybox sh --------------------------------------------------------------
sh_case pipes "seq 1 20 | grep 1 | sort -r | head -n 3 | wc -l"
sh_case pipe_exit_status 'false | true; echo $?; true | false; echo $?'
sh_case redirect_tmp 'f=/tmp/sb-e2e-redir.$$; echo one > "$f"; echo two >> "$f"; cat < "$f"; wc -l < "$f"; rm "$f"; test -e "$f" || echo removed'
sh_case redirect_stderr 'ls /no-such-dir 2>/dev/null; echo "status $?"; echo to-stderr 1>&2; echo after'
sh_case redirect_fd 'exec 3>&1; echo via-fd3 >&3; exec 3>&-; echo closed'
sh_case subshell "cd $tree && (cd / && pwd) && pwd && (exit 7); echo \"sub=\$?\""
sh_case loops 'for i in 1 2 3; do echo "for $i"; done; i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo "while $i"; until [ $i -eq 0 ]; do i=$((i - 1)); done; echo "until $i"'
sh_case command_substitution 'x=$(echo inner | tr a-z A-Z); y=`echo back`; echo "[$x][$y][$(echo $(echo nested))]"'
sh_case here_document 'n=3; cat <<EOF
line one
value $((n * 2))
EOF
cat <<"RAW"
not $expanded
RAW'
sh_case functions_case 'f() { case "$1" in a*) echo "starts with a: $1";; *) echo "other: $1";; esac; return 4; }; f apple; f pear; echo "ret $?"'
sh_case variables 'set -- one two three; echo "$# $2 ${3%ee}"; v=abcdef; echo "${#v} ${v#ab} ${v%%d*}"; unset v; echo "${v:-default}"'
sh_case exit_status 'exit 3'
sh_case background_wait 'sleep 0.1 & wait $!; echo "waited $?"'
sh_case script_file "$tree/script.sh; echo rc=\$?"
sh_case killed_by_signal 'kill -TERM $$'

# --- dynamically linked host programs ----------------------------------------
compare host_true /dev/null /bin/true
compare host_echo /dev/null /bin/echo hi
compare host_ls /dev/null /bin/ls -la --color=never "$tree"
compare host_env /dev/null /usr/bin/env -i X=1 /usr/bin/env

# --- kernel identity -----------------------------------------------------------
if selected uname_identity; then
  host_id=$(uname -s -r -v -m)
  rc=0
  sb_id=$(timeout -k 5 "$timeout_s" "$sandboxctl" run --bind "$repo" -- "$bb" uname -s -r -v -m 2>"$work/uname.err" </dev/null) || rc=$?
  if [[ $rc == 0 && -n $sb_id && $sb_id != "$host_id" ]]; then
    pass uname_identity_is_ours
  else
    fail uname_identity_is_ours "sandbox exit $rc; sandbox '$sb_id' vs host '$host_id'"
    tail -n 5 "$work/uname.err" | indent
  fi
  rc=0
  sb_s=$(timeout -k 5 "$timeout_s" "$sandboxctl" run --bind "$repo" -- "$bb" uname -s 2>/dev/null </dev/null) || rc=$?
  if [[ $rc == 0 && $sb_s == Linux ]]; then pass uname_s_is_linux; else
    fail uname_s_is_linux "sandbox exit $rc, printed '$sb_s'"
  fi
fi

# --- a missing program -----------------------------------------------------------
if selected missing_program; then
  missing=/nonexistent/sb-e2e-no-such-program
  rc=0
  timeout -k 5 "$timeout_s" "$sandboxctl" run --bind "$repo" -- "$missing" >"$work/missing.out" 2>"$work/missing.err" </dev/null || rc=$?
  if [[ -x $sandboxctl && $rc != 0 && $rc != 124 ]] && grep -qF "$missing" "$work/missing.err"; then
    pass missing_program_fails_with_path
  else
    fail missing_program_fails_with_path "exit status $rc; stderr must name $missing"
    tail -n 5 "$work/missing.err" | indent
  fi
fi

# --- an unusable root, and the kernel's own pid ----------------------------------
if selected bad_root; then
  badroot=/nonexistent/sb-e2e-no-such-root
  rc=0
  timeout -k 5 "$timeout_s" "$sandboxctl" run --root "$badroot" -- /bin/true >/dev/null 2>"$work/badroot.err" </dev/null || rc=$?
  if [[ $rc == 125 ]] && grep -qF "$badroot" "$work/badroot.err"; then
    pass bad_root_fails_with_path
  else
    fail bad_root_fails_with_path "exit status $rc (want 125); stderr must name $badroot"
    tail -n 5 "$work/badroot.err" | indent
  fi
fi
if selected pid_is_ours; then
  # The shell's getpid() is answered by our kernel (the sandbox's init is
  # pid 1), never by the host.
  rc=0
  out=$(timeout -k 5 "$timeout_s" "$sandboxctl" run --bind "$repo" -- "$bb" sh -c 'echo $$ $PPID' 2>/dev/null </dev/null) || rc=$?
  if [[ $rc == 0 && $out == "1 0" ]]; then pass pid_is_ours; else
    fail pid_is_ours "sandbox exit $rc, printed '$out' (want '1 0')"
  fi
fi

echo "e2e busybox: $((passed + failed)) cases"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
