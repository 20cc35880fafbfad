#!/usr/bin/env bash
# Isolation of the container's files (issue 5): (a) `sandboxctl run` gives
# the host's / read-only below a tmpfs overlay: the sandbox sees its own
# writes, deletes, renames, chmods and truncates, and the host stays byte
# for byte and stat for stat as it was; (b) rootfs symlinks (absolute, to
# /etc/shadow, `..` chains) resolve inside the root; (c) nothing outside the
# container's mounts can be opened (/proc/self/root/.., /proc/1/root, `..`
# from a bind mount's root, a symlink in a bind mount pointing out); (d)
# bind mounts: rw writes reach the host, ro gives EROFS, a file can be
# bound, noexec refuses execve (EACCES, also as a script's interpreter)
# and mmap(PROT_EXEC) (EPERM); (e) the annotation dev.sandboxd.overlay=none
# makes root.readonly=false write through to the host root, as asked.
#
# usage: tests/e2e/isolation.sh [BUILD_DIR] [CASE-REGEX]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout_s=60
. "$here/common.bash" "$@"
warn_if_no_sandboxctl

# Scratch host directories live outside /tmp: the sandbox's /tmp is its own
# tmpfs, so host files there could not be reached to test deletes.
work=$(mktemp -d /var/tmp/sb-isolation.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cd /

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

# snapshot PATH...: every name, type, mode, owner, size, mtime, inode and
# link count below PATH, and the checksum of every regular file.
snapshot() {
  find "$@" -xdev \( -path /proc -o -path /sys \) -prune -o \
    -printf '%p %y %m %U %G %s %T@ %i %n %l\n' 2>/dev/null | sort
  find "$@" -xdev -type f -size -2M -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum
}

# --- (a) host / with an overlay -------------------------------------------
s=$work/scratch
mkdir -p "$s/tree/sub" "$s/dir/inner"
echo keep >"$s/trunc"
echo gone >"$s/del"
echo moved >"$s/ren"
echo mode >"$s/mode"
chmod 644 "$s/mode"
echo times >"$s/time"
echo hard >"$s/hard"
echo t >"$s/tree/sub/f"
echo d >"$s/dir/inner/f"
# /etc, /usr and /root are checked only at their top level (their full
# trees are large and other programs may change them meanwhile), plus the
# files the sandbox touches.
host_state() {
  snapshot "$s"
  find /etc /usr /root -maxdepth 1 -printf '%p %y %m %U %s %T@ %i %n\n' 2>/dev/null | sort
  sha256sum /etc/passwd /etc/hosts /usr/bin/env 2>&1
  stat -c '%n %a %s %Y %i %h' /etc/passwd /etc/hosts /usr/bin/env /etc /usr /root 2>&1
}
host_state >"$work/host.before"

# The sandbox's changes, each checked from inside.
cat >"$s.sh" <<EOF
set -e
S=$s
echo new >/etc/sb-isolation-new
echo 'sb:x:1:1::/:/bin/sh' >>/etc/passwd
chmod 600 /etc/hosts
rm -f /usr/bin/env
mkdir -p /usr/sb-isolation-dir && echo y >/usr/sb-isolation-dir/f
mkdir -p /root && echo r >/root/sb-isolation-file
truncate -s 0 \$S/trunc
rm \$S/del
mv \$S/ren \$S/ren2
chmod 700 \$S/mode
touch -d 2001-02-03 \$S/time
ln \$S/hard \$S/hard2
rm -rf \$S/tree
mv \$S/dir \$S/dir2
echo new-in-scratch >\$S/created
[ "\$(cat /etc/sb-isolation-new)" = new ]
[ "\$(tail -n 1 /etc/passwd)" = 'sb:x:1:1::/:/bin/sh' ]
[ "\$(stat -c %a /etc/hosts)" = 600 ]
[ ! -e /usr/bin/env ]
[ "\$(cat /usr/sb-isolation-dir/f)" = y ]
[ "\$(cat /root/sb-isolation-file)" = r ]
[ ! -s \$S/trunc ] && [ ! -e \$S/del ] && [ ! -e \$S/ren ] && [ "\$(cat \$S/ren2)" = moved ]
[ "\$(stat -c %a \$S/mode)" = 700 ]
[ "\$(stat -c %Y \$S/time)" = "\$(date -d 2001-02-03 +%s)" ]
[ "\$(stat -c %h \$S/hard)" = 2 ]
[ ! -e \$S/tree ] && [ ! -e \$S/dir ] && [ "\$(cat \$S/dir2/inner/f)" = d ]
[ "\$(ls \$S | tr '\n' ' ')" = "created dir2 hard hard2 mode ren2 time trunc " ]
echo sandbox-sees-its-changes
EOF
check overlay_sandbox_sees_changes sandbox-sees-its-changes "$sandboxctl" run -- /bin/bash "$s.sh"
if selected overlay_host_untouched; then
  host_state >"$work/host.after"
  if cmp -s "$work/host.before" "$work/host.after"; then pass overlay_host_untouched; else
    fail overlay_host_untouched "the host changed"
    diff "$work/host.before" "$work/host.after" | head -n 20 | indent
  fi
fi
# coreutils names OVERLAYFS_SUPER_MAGIC "overlayfs".
check overlay_is_the_root_fs overlayfs "$sandboxctl" run -- /usr/bin/stat -f -c %T /
check overlay_off_is_read_only ro "$sandboxctl" run --overlay=none -- /bin/sh -c \
  'echo x >/etc/sb-isolation-ro 2>/dev/null || echo ro'
check overlay_run_to_run_fresh absent "$sandboxctl" run -- /bin/sh -c \
  '[ -e /etc/sb-isolation-new ] && echo present || echo absent'

# --- (b)-(e): bundles ------------------------------------------------------
bb=$(command -v busybox) || bb=
if [[ -z $bb ]]; then
  echo "SKIP: busybox not installed (bundle cases)"
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
fi
# A busybox rootfs with its own /etc/shadow and hostile symlinks.
mkroot() {
  local r=$1
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/dev" "$r/proc" "$r/a/b/c" "$r/data" "$r/ro" "$r/nx"
  cp "$bb" "$r/bin/busybox"
  for c in sh cat echo ls touch stat readlink; do ln -s busybox "$r/bin/$c"; done
  echo rootfs-shadow >"$r/etc/shadow"
  ln -s /etc/shadow "$r/shadow-abs"
  ln -s ../../../../../../../../etc/shadow "$r/a/b/c/shadow-up"
  ln -s ../../../../../../../../etc/passwd "$r/a/b/c/passwd-up"
  ln -s /../../../etc/passwd "$r/passwd-abs"
  ln -s /a/b/c/shadow-up "$r/chain"
}
host_first=$(head -c 12 /etc/shadow 2>/dev/null || echo unreadable)
b=$work/bundle
mkroot "$b/rootfs"
# The bind sources: rw and ro directories, a noexec one, a file, and a
# secret next to them that must stay out of reach.
mkdir -p "$work/rw" "$work/rodir" "$work/nxdir"
echo secret >"$work/secret"
echo in-ro >"$work/rodir/f"
ln -s ../secret "$work/rw/out-rel"
ln -s "$work/secret" "$work/rw/out-abs"
cp "$bb" "$work/nxdir/busybox"
printf '#!/bin/sh\necho script-ran\n' >"$work/nxdir/script"
chmod 755 "$work/nxdir/script"
printf '#!/nx/busybox sh\necho interp-ran\n' >"$b/rootfs/bin/uses-nx"
chmod 755 "$b/rootfs/bin/uses-nx"
echo file-content >"$work/bound-file"
config() { # config READONLY [ANNOTATIONS]
  cat <<JSON
{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":$1},
 ${2:+\"annotations\":$2,}
 "process":{"args":["/bin/sh"],"env":["PATH=/bin"],"cwd":"/"},
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
           {"destination":"/dev","type":"tmpfs","source":"tmpfs"},
           {"destination":"/data","type":"bind","source":"$work/rw","options":["rbind","rw"]},
           {"destination":"/ro","type":"none","source":"../rodir","options":["bind","ro","nosuid","nodev","rprivate"]},
           {"destination":"/nx","type":"bind","source":"$work/nxdir","options":["bind","noexec"]},
           {"destination":"/etc/bound","type":"bind","source":"$work/bound-file","options":["bind","rw"]}]}
JSON
}
# /etc/bound needs a mount point in a read-only root.
touch "$b/rootfs/etc/bound"
config true >"$b/config.json"
sbx=("$sandboxctl" run --bundle "$b" -- /bin/sh -c)

for sym in shadow-abs a/b/c/shadow-up chain; do
  check "symlink_inside_root_${sym//\//_}" rootfs-shadow "${sbx[@]}" "cat /$sym"
done
check symlink_dotdot_to_missing_enoent enoent "${sbx[@]}" \
  'cat /a/b/c/passwd-up 2>/dev/null || echo enoent'
check symlink_abs_dotdot_enoent enoent "${sbx[@]}" 'cat /passwd-abs 2>/dev/null || echo enoent'
check symlink_never_host no-host-shadow "${sbx[@]}" \
  "for p in /shadow-abs /a/b/c/shadow-up /chain /etc/shadow /../../etc/shadow; do cat \$p; done | grep -qF '$host_first' && echo host-shadow || echo no-host-shadow"

check proc_self_root_dotdot_is_root "a bin chain" "${sbx[@]}" 'ls /proc/self/root/../.. | head -3 | tr "\n" " " | sed "s/ $//"'
check proc_1_root_is_root rootfs-shadow "${sbx[@]}" 'cat /proc/1/root/etc/shadow'
check proc_1_root_dotdot_stays rootfs-shadow "${sbx[@]}" 'cat /proc/1/root/../../../etc/shadow'
check bind_dotdot_is_root rootfs-shadow "${sbx[@]}" 'cat /data/../etc/shadow && cd /data/../.. && [ ! -e secret ]'
check bind_symlink_out_rel enoent "${sbx[@]}" 'cat /data/out-rel 2>/dev/null || echo enoent'
check bind_symlink_out_abs enoent "${sbx[@]}" 'cat /data/out-abs 2>/dev/null || echo enoent'
check bind_dotdot_no_secret enoent "${sbx[@]}" 'cat /data/../secret /ro/../secret 2>/dev/null || echo enoent'

check bind_rw_reaches_host written "${sbx[@]}" 'echo from-sandbox >/data/new && cat /data/new >/dev/null && echo written'
if selected bind_rw_host_sees; then
  if [[ $(cat "$work/rw/new" 2>/dev/null) == from-sandbox ]]; then pass bind_rw_host_sees; else
    fail bind_rw_host_sees "the host has no $work/rw/new"
  fi
fi
check bind_ro_erofs "in-ro Read-only file system" "${sbx[@]}" \
  'echo $(cat /ro/f) $(touch /ro/x 2>&1 | grep -o "Read-only file system")'
check bind_file "file-content bound-rw" "${sbx[@]}" 'a=$(cat /etc/bound); echo bound-rw >/etc/bound && echo $a $(cat /etc/bound)'
if selected bind_file_host_sees; then
  if [[ $(cat "$work/bound-file") == bound-rw ]]; then pass bind_file_host_sees; else
    fail bind_file_host_sees "host file: $(cat "$work/bound-file")"
  fi
fi
check noexec_execve_eacces "126 Permission denied" "${sbx[@]}" \
  '/nx/busybox true 2>/tmp/e; echo $? $(grep -o "Permission denied" /tmp/e)'
check noexec_script_eacces "126 Permission denied" "${sbx[@]}" \
  '/nx/script 2>/tmp/e; echo $? $(grep -o "Permission denied" /tmp/e)'
check noexec_interpreter_eacces "126 Permission denied" "${sbx[@]}" \
  '/bin/uses-nx 2>/tmp/e; echo $? $(grep -o "Permission denied" /tmp/e)'
check noexec_read_ok ok "${sbx[@]}" 'cat /nx/busybox >/dev/null && echo ok'
check mounts_ro_flags "ro,nosuid,nodev,relatime" "${sbx[@]}" 'grep " /ro " /proc/self/mounts | cut -d" " -f4'
check mounts_noexec_flags "rw,nodev,noexec,relatime" "${sbx[@]}" 'grep " /nx " /proc/self/mounts | cut -d" " -f4'

# mmap(PROT_EXEC) of a file on a noexec mount: EPERM (a bundle over the
# host's / so python3 is there).
if [[ -x /usr/bin/python3 ]]; then
  h=$work/hostbundle
  mkdir -p "$h"
  cat >"$h/config.json" <<JSON
{"ociVersion":"1.0.2","root":{"path":"/","readonly":true},
 "process":{"args":["/bin/true"],"env":["PATH=/usr/bin:/bin"],"cwd":"/"},
 "mounts":[{"destination":"$work/nxdir","type":"bind","source":"$work/nxdir","options":["noexec"]}]}
JSON
  check noexec_mmap_eperm "EPERM ok" "$sandboxctl" run --bundle "$h" -- /usr/bin/python3 -c "
import errno, mmap
f = open('$work/nxdir/busybox', 'rb')
try:
    mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC)
    print('mapped')
except OSError as e:
    print(errno.errorcode[e.errno], end=' ')
mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ)
print('ok')"
fi

# --- (e) overlay on and off for root.readonly=false -------------------------
o=$work/obundle
mkroot "$o/rootfs"
touch "$o/rootfs/etc/bound"
config false >"$o/config.json"
check overlay_root_writable "rootfs-shadow changed" "$sandboxctl" run --bundle "$o" -- /bin/sh -c \
  'a=$(cat /etc/shadow); echo changed >/etc/shadow; echo made >/made; mkdir -p /new/dir; echo $a $(cat /etc/shadow)'
check overlay_root_mount_point_created ok "$sandboxctl" run --bundle "$o" -- /bin/sh -c \
  '[ -d /data ] && echo ok'
if selected overlay_root_host_untouched; then
  if [[ $(cat "$o/rootfs/etc/shadow") == rootfs-shadow && ! -e $o/rootfs/made && ! -e $o/rootfs/new ]]; then
    pass overlay_root_host_untouched
  else
    fail overlay_root_host_untouched "the bundle's rootfs changed"
  fi
fi
n=$work/nbundle
mkroot "$n/rootfs"
touch "$n/rootfs/etc/bound"
config false '{"dev.sandboxd.overlay":"none","org.example.other":"x"}' >"$n/config.json"
check overlay_none_writes_through made "$sandboxctl" run --bundle "$n" -- /bin/sh -c \
  'echo through >/made && echo changed >/etc/shadow && cat /made >/dev/null && echo made'
if selected overlay_none_host_sees; then
  if [[ $(cat "$n/rootfs/made" 2>/dev/null) == through && $(cat "$n/rootfs/etc/shadow") == changed ]]; then
    pass overlay_none_host_sees
  else
    fail overlay_none_host_sees "the write did not reach $n/rootfs"
  fi
fi
check overlay_flag_none_writes_through made2 "$sandboxctl" run --overlay=none --bundle "$o" -- \
  /bin/sh -c 'echo through >/made2 && echo made2'
if selected overlay_flag_none_host_sees; then
  if [[ $(cat "$o/rootfs/made2" 2>/dev/null) == through ]]; then pass overlay_flag_none_host_sees; else
    fail overlay_flag_none_host_sees "the write did not reach $o/rootfs"
  fi
fi
# A read-only root without a mount point for a spec mount: an error naming it.
m=$work/mbundle
mkdir -p "$m/rootfs/bin"
cp "$bb" "$m/rootfs/bin/sh"
cat >"$m/config.json" <<JSON
{"ociVersion":"1","root":{"path":"rootfs","readonly":true},"process":{"args":["/bin/sh","-c","true"]},
 "mounts":[{"destination":"/nowhere","type":"bind","source":"$work/rw"}]}
JSON
if selected missing_mount_point_named; then
  run "$work/mm" /dev/null "$sandboxctl" run --bundle "$m"
  if [[ $(cat "$work/mm.rc") == 125 ]] && grep -q '/nowhere' "$work/mm.err"; then pass missing_mount_point_named; else
    fail missing_mount_point_named "exit $(cat "$work/mm.rc"): $(cat "$work/mm.err")"
  fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
