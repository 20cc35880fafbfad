#!/usr/bin/env bash
# `sandboxctl run --bundle DIR`: a one-off sandbox from an OCI bundle. The
# bundle's root (a busybox tree), read-only, or with an overlay; its
# process args, env, cwd, user and hostname; its mounts (tmpfs, our /dev,
# bind mounts); refusals named. tests/e2e/isolation.sh goes further.
#
# usage: tests/e2e/bundle.sh [BUILD_DIR] [CASE-REGEX]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout_s=30
. "$here/common.bash" "$@"
warn_if_no_sandboxctl

work=$(mktemp -d /tmp/sb-bundle.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd /

bb=$(command -v busybox) || { echo "SKIP: busybox not installed"; echo "0 passed, 0 failed"; exit 0; }
root=$work/b/rootfs
mkdir -p "$root/bin" "$root/tmp" "$root/dev" "$root/proc" "$root/work" "$root/data"
cp "$bb" "$root/bin/busybox"
for c in sh cat echo id hostname pwd ls touch env stat; do ln -s busybox "$root/bin/$c"; done
cat >"$work/b/config.json" <<'JSON'
{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true},"hostname":"bundled",
 "process":{"args":["/bin/sh","-c","echo from-args"],"env":["PATH=/bin","GREETING=hi"],
            "cwd":"/work","user":{"uid":1000,"gid":1000}},
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
           {"destination":"/dev","type":"tmpfs","source":"tmpfs"},
           {"destination":"/data","type":"tmpfs","source":"tmpfs",
            "options":["nosuid","nodev","mode=0750","size=1m","uid=1000","gid=1000"]}]}
JSON

# check NAME WANT CMD...: CMD's stdout is exactly WANT.
check() {
  local name=$1 want=$2
  shift 2
  selected "$name" || return 0
  run "$work/$name" /dev/null "$@"
  local got
  got=$(cat "$work/$name.out")
  if [[ $got == "$want" ]]; then pass "$name"; else
    fail "$name" "want '$want', got '$got' (exit $(cat "$work/$name.rc"))"
    indent <"$work/$name.err" | tail -n 5
  fi
}

check default_args from-args "$sandboxctl" run --bundle "$work/b"
check hostname bundled "$sandboxctl" run --bundle "$work/b" -- hostname
check env hi "$sandboxctl" run --bundle "$work/b" -- sh -c 'echo $GREETING'
check cwd /work "$sandboxctl" run --bundle "$work/b" -- pwd
check user "1000 1000" "$sandboxctl" run --bundle "$work/b" -- sh -c 'echo $(id -u) $(id -g)'
check tmpfs_mount_writable ok "$sandboxctl" run --bundle "$work/b" -- sh -c 'touch /data/x && echo ok'
check tmpfs_mount_mode 750 "$sandboxctl" run --bundle "$work/b" -- stat -c %a /data
check root_read_only ro "$sandboxctl" run --bundle "$work/b" -- sh -c 'touch /work/x 2>/dev/null || echo ro'
check proc_pid1 1 "$sandboxctl" run --bundle "$work/b" -- sh -c 'read a b </proc/self/stat; echo $a'
if selected nothing_reached_host; then
  if [[ ! -e $root/data/x && ! -e $root/work/x ]]; then pass nothing_reached_host; else
    fail nothing_reached_host "files appeared in the host rootfs"
  fi
fi
mkdir -p "$work/bad/rootfs"
echo '{"ociVersion":"1","root":{"path":"rootfs"},"process":{"args":["/bin/sh"]},"mounts":[{"destination":"/x","type":"nfs","source":"h:/e"}]}' >"$work/bad/config.json"
mkdir -p "$work/badopt/rootfs"
echo '{"ociVersion":"1","root":{"path":"rootfs"},"process":{"args":["/bin/sh"]},"mounts":[{"destination":"/x","type":"tmpfs","source":"t","options":["nosymfollow"]}]}' >"$work/badopt/config.json"
if selected unsupported_mount_named; then
  run "$work/bad" /dev/null "$sandboxctl" run --bundle "$work/bad"
  if [[ $(cat "$work/bad.rc") == 125 ]] && grep -q 'nfs' "$work/bad.err"; then pass unsupported_mount_named; else
    fail unsupported_mount_named "exit $(cat "$work/bad.rc"): $(cat "$work/bad.err")"
  fi
fi
if selected unsupported_option_named; then
  run "$work/badopt" /dev/null "$sandboxctl" run --bundle "$work/badopt"
  if [[ $(cat "$work/badopt.rc") == 125 ]] && grep -q 'nosymfollow' "$work/badopt.err"; then pass unsupported_option_named; else
    fail unsupported_option_named "exit $(cat "$work/badopt.rc"): $(cat "$work/badopt.err")"
  fi
fi
mkdir -p "$work/badbind/rootfs"
echo '{"ociVersion":"1","root":{"path":"rootfs"},"process":{"args":["/bin/sh"]},"mounts":[{"destination":"/x","type":"bind","source":"/","options":["rshared"]}]}' >"$work/badbind/config.json"
if selected unsupported_bind_option_named; then
  run "$work/badbind" /dev/null "$sandboxctl" run --bundle "$work/badbind"
  if [[ $(cat "$work/badbind.rc") == 125 ]] && grep -q '"rshared" of the bind mount at /x' "$work/badbind.err"; then
    pass unsupported_bind_option_named
  else
    fail unsupported_bind_option_named "exit $(cat "$work/badbind.rc"): $(cat "$work/badbind.err")"
  fi
fi
mkdir -p "$work/badsrc/rootfs"
echo '{"ociVersion":"1","root":{"path":"rootfs"},"process":{"args":["/bin/sh"]},"mounts":[{"destination":"/x","type":"bind","source":"no-such-src"}]}' >"$work/badsrc/config.json"
if selected missing_bind_source_named; then
  run "$work/badsrc" /dev/null "$sandboxctl" run --bundle "$work/badsrc"
  if [[ $(cat "$work/badsrc.rc") == 125 ]] && grep -q 'no-such-src' "$work/badsrc.err"; then
    pass missing_bind_source_named
  else
    fail missing_bind_source_named "exit $(cat "$work/badsrc.rc"): $(cat "$work/badsrc.err")"
  fi
fi
# Bind mounts and the overlay root (root.readonly=false): a rw bind of a
# host directory at a mount point the overlay creates, and a tmpfs noexec.
mkdir -p "$work/ob/rootfs/bin" "$work/hostdir"
cp "$bb" "$work/ob/rootfs/bin/busybox"
for c in sh cat echo touch; do ln -s busybox "$work/ob/rootfs/bin/$c"; done
cat >"$work/ob/config.json" <<JSON
{"ociVersion":"1.0.2","root":{"path":"rootfs"},
 "process":{"args":["/bin/sh","-c","echo hi >/srv/host/f && touch /made && cat /srv/host/f"],"env":["PATH=/bin"]},
 "mounts":[{"destination":"/srv/host","type":"bind","source":"$work/hostdir","options":["rbind","rw"]},
           {"destination":"/scratch","type":"tmpfs","source":"t","options":["noexec"]}]}
JSON
check bind_and_overlay_root hi "$sandboxctl" run --bundle "$work/ob"
if selected bind_and_overlay_root_host; then
  if [[ $(cat "$work/hostdir/f" 2>/dev/null) == hi && ! -e $work/ob/rootfs/made && ! -e $work/ob/rootfs/srv ]]; then
    pass bind_and_overlay_root_host
  else
    fail bind_and_overlay_root_host "host: $(ls -R "$work/ob/rootfs" "$work/hostdir" | tr '\n' ' ')"
  fi
fi
check tmpfs_noexec 126 "$sandboxctl" run --bundle "$work/ob" -- sh -c \
  'busybox cp /bin/busybox /scratch/bb && busybox chmod 755 /scratch/bb; /scratch/bb true; echo $?'
if selected missing_bundle_named; then
  run "$work/missing" /dev/null "$sandboxctl" run --bundle "$work/nope"
  if [[ $(cat "$work/missing.rc") == 125 ]] && grep -q 'nope' "$work/missing.err"; then pass missing_bundle_named; else
    fail missing_bundle_named "exit $(cat "$work/missing.rc"): $(cat "$work/missing.err")"
  fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
