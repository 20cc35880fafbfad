# What programs ask of the system: date -d @N, env, id, nproc, getconf,
# uname, ulimit/prlimit, /proc/self/fd, /proc/self/status, flock(1),
# timeout, nice, setsid, taskset, stdbuf, kill -l, util-linux bits.
. "$(dirname "$0")/lib.bash"
# The soft RLIMIT_NOFILE is the caller's (the harness's shell natively, the
# sandbox's defaults sandboxed): the same one for both. The hard limit
# stays each side's own and is not printed.
ulimit -Sn 1024
echo "== date"
date -d @1700000000
date -u -d @0 '+%Y-%m-%d %H:%M:%S %Z %z %s %j %U %A %B'
date -d '2024-02-29 12:34:56 UTC' +%s
TZ=America/New_York date -d @1700000000 '+%F %T %Z %z'
TZ=Asia/Kolkata date -d @1700000000 '+%F %T %Z %z'
date -d @1700000000.25 +%N
date -d '@1700000000 + 1 day' +%F 2>&1 || date -u -d '2023-11-14 +1 day' +%F
echo "== env"
# PWD, HOME and TMPDIR hold $W (normalised); `_` is the program's path.
env | sort | norm
env -u HOME -u TMPDIR -u PWD FOO=bar sh -c 'echo "$FOO $HOME"'
env -i A=1 B=2 /usr/bin/env
echo "== id"
id; id -u; id -g; id -un; id -Gn; groups
whoami; logname 2>&1 | sed 's/^logname: //' || true
echo "== nproc, getconf, uname"
nproc; nproc --all
for v in PAGESIZE PAGE_SIZE CLK_TCK ARG_MAX OPEN_MAX LONG_BIT _NPROCESSORS_ONLN _NPROCESSORS_CONF \
  NGROUPS_MAX HOST_NAME_MAX LOGIN_NAME_MAX LINE_MAX RE_DUP_MAX TTY_NAME_MAX \
  SYMLOOP_MAX STREAM_MAX TZNAME_MAX GNU_LIBC_VERSION GNU_LIBPTHREAD_VERSION _POSIX_THREADS \
  _POSIX_MONOTONIC_CLOCK _POSIX_CPUTIME _POSIX_TIMERS PTHREAD_KEYS_MAX ATEXIT_MAX; do
  echo "$v=$(getconf "$v" 2>&1)"
done
# CHILD_MAX (RLIMIT_NPROC) is sized from each machine's memory. pathconf
# is asked of /proc, the same filesystem on both sides (/ is the host's
# ext4 natively, the sandbox's root mount sandboxed; /tmp ext4 or tmpfs).
for v in NAME_MAX PATH_MAX PIPE_BUF LINK_MAX FILESIZEBITS POSIX_ALLOC_SIZE_MIN _POSIX_NO_TRUNC; do
  echo "$v /proc $(getconf "$v" /proc 2>&1)"
done
uname -s -m -o; uname -n >/dev/null && echo "uname -n ok"
arch; getconf LONG_BIT
echo "== ulimit, prlimit"
ulimit -Sn; ulimit -s; ulimit -c; ulimit -u >/dev/null && echo "ulimit -u ok"
(ulimit -n 64; ulimit -n; ls /proc/self/fd | wc -l)
prlimit --pid $$ --nofile --noheadings --output=RESOURCE,SOFT
prlimit --nofile=100:200 sh -c 'ulimit -n; ulimit -Hn'
echo "== /proc/self"
ls /proc/self/fd
ls /proc/self/fd 3</dev/null 7>/dev/null 12<"$0"
readlink /proc/self/fd/7 7</dev/null; readlink /proc/self/cwd | norm; readlink /proc/self/exe
# Pid, Tgid, PPid are the sandbox's own (its first process is 1): numbers
# normalised; the field names, order and other values must be the same.
cat /proc/self/status | head -n 10 | sed -E 's/^(Tgid|Pid|PPid|Ngid|TracerPid):\t[0-9]+$/\1:\tN/' | sed -E 's/^(TracerPid|Ngid):\tN$/&/'
grep -E '^(Uid|Gid|Groups|Threads|Seccomp|NoNewPrivs|Cpus_allowed_list|voluntary)' /proc/self/status | sed -E 's/^(voluntary_ctxt_switches):.*/\1/'
tr '\0' ' ' </proc/self/cmdline; echo
head -c 200 /proc/self/cmdline | xargs -0 printf '[%s]'; echo
echo "== flock"
touch lk
flock lk -c 'echo "locked once"'
flock lk sh -c 'touch held; sleep 1' &
while [ ! -e held ]; do sleep 0.02; done
flock -n lk true; echo "flock -n while held: $?"
flock -w 0.1 lk true; echo "flock -w 0.1 while held: $?"
flock -s lk -c 'echo shared after wait'
wait
flock -s -n lk true && echo "shared free: $?"
exec 9>lk2 && flock -x 9 && echo "fd lock $?" && flock -u 9 && exec 9>&-
echo "== timeout"
timeout 5 true; echo "timeout true $?"
timeout 0.3 sleep 5; echo "timeout expired $?"
timeout -s KILL 0.2 sleep 5; echo "timeout KILL $?"
timeout --preserve-status -s INT 0.2 sleep 5; echo "timeout preserve $?"
timeout -k 0.1 0.2 sh -c 'trap "" TERM; sleep 5'; echo "timeout -k $?"
timeout 5 sh -c 'exit 9'; echo "timeout child status $?"
echo "== nice, setsid, taskset, stdbuf, nohup, kill -l"
nice; nice -n 5 nice; nice -n 19 sh -c 'nice -n 5 nice'
setsid -w sh -c 'ps -o sid=,pgid=,pid= -p $$ | awk "{ print (\$1 == \$3), (\$2 == \$3) }"'
if command -v taskset >/dev/null; then taskset -p $$ | sed 's/.*: //'; taskset -c 0 sh -c 'taskset -cp $$ | sed "s/.*: //"'; fi
stdbuf -oL sh -c 'echo line buffered'
nohup sh -c 'echo nohup ran' >nohup.out 2>&1; cat nohup.out
kill -l | head -n 3; kill -l 15; kill -l TERM
echo "== util-linux"
printf 'b a\nd c\n' | rev
if have column; then printf 'a b c\nlong-word x y\n' | column -t; fi
if have hexdump; then printf 'ABCD' | hexdump -C; fi
getopt -o ab:c -l long: -- -a -b 1 --long=2 x y
printf 'x\n' | script -qc 'echo in script; tty >/dev/null && echo "has tty"' /dev/null | tr -d '\r'
mcookie | wc -c
uuidgen 2>/dev/null | wc -c || true
namei -l /usr/bin/env | tail -n 2
echo "== sleep, seq, factor, expr"
sleep 0.1 && echo slept; seq -s, 1 3 10; seq -w 8 11 | tr '\n' ' '; echo
factor 1234567890 2147483647; expr 7 \* 6; expr length hello; expr match abc 'a\(.\)'
echo end
