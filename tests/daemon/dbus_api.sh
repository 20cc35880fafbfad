#!/usr/bin/env bash
# The D-Bus API end to end: a private system-like dbus-daemon with our policy
# (dbus/org.sandboxd.conf), sandboxd on it, driven by busctl and sandboxctl.
# Usage: dbus_api.sh BUILD_DIR. Prints PASS/FAIL per case and "N passed, M failed".
# Exit 77 (skipped) when dbus-daemon cannot run here.
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
command -v dbus-daemon >/dev/null || { echo "SKIP: dbus-daemon not installed (apt-get install dbus)"; exit 77; }
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root (creates a test user, owns a bus name)"; exit 77; }

T=$(mktemp -d /tmp/sbdbus.XXXXXX); chmod 755 "$T"
INST=t$$
USER_NAME=sbtest$$
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.2
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  userdel "$USER_NAME" 2>/dev/null
  groupdel sandboxd-admin 2>/dev/null
  [[ -n ${KEEP_T:-} ]] || rm -rf "$T"
}
trap cleanup EXIT

cat > "$T/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$T/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_destination="org.freedesktop.DBus"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="*"/>
  </policy>
  <include>$SRC/dbus/org.sandboxd.conf</include>
</busconfig>
CONF
# The policy's group must exist before dbus-daemon reads it.
groupadd -f sandboxd-admin
useradd -M -N -g nogroup -G sandboxd-admin "$USER_NAME" 2>/dev/null || useradd -M "$USER_NAME"
dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile --nosyslog 2>"$T/bus.log" &
PIDS+=($!)
for _ in $(seq 50); do [[ -S $T/bus ]] && break; sleep 0.1; done
[[ -S $T/bus ]] || { echo "SKIP: dbus-daemon did not start: $(cat "$T/bus.log")"; exit 77; }
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/bus
chmod 777 "$T/bus"


# A bundle over a busybox root.
BB=$(command -v busybox) || { echo "SKIP: busybox not installed"; exit 77; }
mkdir -p "$T/bundle/rootfs/bin" "$T/bundle/rootfs/tmp" "$T/bundle/rootfs/dev"
cp "$BB" "$T/bundle/rootfs/bin/busybox"
for c in sh sleep echo true cat hostname ls stat; do ln -s busybox "$T/bundle/rootfs/bin/$c"; done
cat > "$T/bundle/config.json" <<'JSON'
{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true},
 "process":{"args":["/bin/sleep","30"],"env":["PATH=/bin"],"cwd":"/"}}
JSON
# Two more over a copy of that root (without the root container's
# /__runsc_containers__), each with its own host name; the init records its
# own PID in the container's /tmp.
cp -a "$T/bundle/rootfs" "$T/childroot"
# The root container (c1, created first) mounts its children there.
mkdir -m 0700 "$T/bundle/rootfs/__runsc_containers__"
for h in alpha beta; do
  mkdir -p "$T/$h"
  ln -s "$T/childroot" "$T/$h/rootfs"
  cat > "$T/$h/config.json" <<JSON
{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true},"hostname":"$h",
 "process":{"args":["/bin/sh","-c","echo \$\$ > /tmp/pid; exec sleep 30"],"env":["PATH=/bin"],"cwd":"/"}}
JSON
done
mkdir -p "$T/badbundle/rootfs"
echo '{"ociVersion":"1","root":{"path":"rootfs"},"process":{"args":["/bin/sh"]},"mounts":[{"destination":"/d","type":"nfs","source":"h:/e"}]}' > "$T/badbundle/config.json"

echo "stop_timeout_sec = 2" > "$T/sandboxd.conf"
${SANDBOXD_WRAP:-} "$BUILD/bin/sandboxd" --name "$INST" --config "$T/sandboxd.conf" 2>"$T/sandboxd.log" &
SBD=$!
PIDS+=($SBD)
DEST=org.sandboxd.Instance.$INST
for _ in $(seq 100); do busctl --system status "$DEST" >/dev/null 2>&1 && break; sleep 0.1; done

pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
# expect NAME CMD...: succeeds
expect() { local n=$1; shift; local out; if out=$("$@" 2>&1); then ok "$n"; else bad "$n" "$out"; fi; }
# (busctl prints only an error's message; sandboxctl prints its name too.)
# expect_err NAME ERROR CMD...: fails with ERROR in its output
expect_err() {
  local n=$1 e=$2; shift 2; local out
  out=$("$@" 2>&1) && { bad "$n" "succeeded: $out"; return; }
  [[ $out == *"$e"* ]] && ok "$n" || bad "$n" "wanted $e, got: $out"
}
CTL=("$BUILD/bin/sandboxctl" -M "$INST")
BC=(busctl --system)
M=(/org/sandboxd/Manager org.sandboxd.Manager)
C1=/org/sandboxd/container/c1

# -H [USER@]HOST: argument checks, and a clear error when ssh cannot connect.
expect_err remote_needs_value '-H needs a value' "${CTL[0]}" -H
expect_err remote_bad_host 'is not [USER@]HOST' "${CTL[0]}" -H -x list
expect_err remote_unreachable 'cannot reach the system bus of nobody@127.0.0.1:1 over ssh' \
  timeout 30 "${CTL[0]}" -H nobody@127.0.0.1:1 list
expect name_owned "${BC[@]}" status "$DEST"
expect create_busctl "${BC[@]}" call "$DEST" "${M[@]}" CreateContainer ssa{sv} c1 "$T/bundle" 0
expect create_ctl "${CTL[@]}" create c2 "$T/bundle"
expect_err invalid_id org.sandboxd.Error.InvalidArgs "${CTL[@]}" create -bad "$T/bundle"
expect_err exists org.sandboxd.Error.AlreadyExists "${CTL[@]}" create c1 "$T/bundle"
expect_err not_found org.sandboxd.Error.NotFound "${CTL[@]}" status nope
expect_err bad_mount 'mount type "nfs" at /d' "${CTL[@]}" create c3 "$T/badbundle"
expect_err wrong_state org.sandboxd.Error.WrongState "${CTL[@]}" exec c1 -- /bin/true
expect get_container "${BC[@]}" call "$DEST" "${M[@]}" GetContainer s c1
expect prop_state_created bash -c "${BC[*]} get-property $DEST $C1 org.sandboxd.Container State | grep -q created"

# Signals: watch StateChanged / ProcessExited / PropertiesChanged meanwhile.
timeout 20 busctl --system monitor "$DEST" >"$T/monitor.log" 2>&1 &
MON=$!; PIDS+=($MON); sleep 0.5
expect start_ctl "${CTL[@]}" start c1
expect prop_running bash -c "${BC[*]} get-property $DEST $C1 org.sandboxd.Container State | grep -q running"
INIT=$("${BC[@]}" get-property "$DEST" $C1 org.sandboxd.Container InitPid | awk '{print $2}')
[[ $INIT -gt 0 ]] && ok init_pid || bad init_pid "$INIT"
expect props_all "${BC[@]}" get-property "$DEST" $C1 org.sandboxd.Container Id Bundle CreatedAt
out=$("${CTL[@]}" exec c1 -- /bin/echo hello 2>&1)
[[ $out == hello ]] && ok exec_output || bad exec_output "$out"
"${CTL[@]}" exec c1 -- /bin/sh -c 'exit 7'; rc=$?
[[ $rc -eq 7 ]] && ok exec_status || bad exec_status "rc=$rc"
expect_err exec_bad_argv 'argv is empty' "${BC[@]}" call "$DEST" $C1 org.sandboxd.Container Exec asasssaha{sv} 0 0 / "" 0 0
expect_err exec_not_found org.sandboxd.Error.NotFound "${CTL[@]}" exec c1 -- nosuchprog
expect list_ctl bash -c "'${CTL[0]}' -M $INST list | grep -q 'c1 .*running'"
expect list_json bash -c "'${CTL[0]}' -M $INST --json list | grep -q '\"id\":\"c1\"'"
expect list_busctl "${BC[@]}" call "$DEST" "${M[@]}" ListContainers
expect status_ctl "${CTL[@]}" status c1
expect ps_ctl bash -c "'${CTL[0]}' -M $INST ps c1 | grep -q 'sleep 30'"
expect ps_busctl "${BC[@]}" call "$DEST" $C1 org.sandboxd.Container ListProcesses
expect_err resume_running org.sandboxd.Error.WrongState "${CTL[@]}" resume c1
expect pause "${CTL[@]}" pause c1
expect prop_paused bash -c "${BC[*]} get-property $DEST $C1 org.sandboxd.Container State | grep -q paused"
expect ps_paused bash -c "'${CTL[0]}' -M $INST ps c1 | grep 'sleep 30' | grep -q paused"
expect_err exec_paused org.sandboxd.Error.WrongState "${CTL[@]}" exec c1 -- /bin/true
expect_err pause_paused org.sandboxd.Error.WrongState "${CTL[@]}" pause c1
expect resume_busctl "${BC[@]}" call "$DEST" $C1 org.sandboxd.Container Resume
expect prop_resumed bash -c "${BC[*]} get-property $DEST $C1 org.sandboxd.Container State | grep -q running"
out=$("${CTL[@]}" exec c1 -- /bin/echo after-resume 2>&1)
[[ $out == after-resume ]] && ok exec_after_resume || bad exec_after_resume "$out"
# Multi-container: a child's tree is under the root container's
# /__runsc_containers__/ID (root-only); the child sees neither that nor the
# root's files; deleting the running child kills it and releases its mounts.
expect create_child "${CTL[@]}" create cv "$T/alpha"
expect start_child "${CTL[@]}" start cv
for _ in $(seq 50); do "${CTL[@]}" exec cv -- cat /tmp/pid >/dev/null 2>&1 && break; sleep 0.1; done
out=$("${CTL[@]}" exec c1 -- ls /__runsc_containers__ 2>&1)
[[ $out == *cv* && $out == *c2* ]] && ok root_lists_children || bad root_lists_children "$out"
out=$("${CTL[@]}" exec c1 -- stat -c %a /__runsc_containers__ 2>&1)
[[ $out == 700 ]] && ok children_dir_root_only || bad children_dir_root_only "$out"
out=$("${CTL[@]}" exec c1 -- ls /__runsc_containers__/cv/bin 2>&1)
[[ $out == *busybox* ]] && ok root_sees_child_root || bad root_sees_child_root "$out"
out=$("${CTL[@]}" exec c1 -- cat /__runsc_containers__/cv/tmp/pid 2>&1)
[[ $out == 1 ]] && ok root_reads_child_tmp || bad root_reads_child_tmp "$out"
expect_err child_denied_for_user 'Permission denied' "${CTL[@]}" exec -u 1000 c1 -- ls /__runsc_containers__/cv
expect_err child_cannot_see_dir 'No such file' "${CTL[@]}" exec cv -- ls /__runsc_containers__
expect root_writes "${CTL[@]}" exec c1 -- sh -c 'echo r > /tmp/rootfile'
expect_err child_cannot_see_root 'No such file' "${CTL[@]}" exec cv -- cat /tmp/rootfile
expect_err delete_root_first 'is the root container' "${CTL[@]}" delete c1
expect delete_running_child "${CTL[@]}" delete cv
expect_err child_deleted org.sandboxd.Error.NotFound "${CTL[@]}" status cv
out=$("${CTL[@]}" exec c1 -- ls /__runsc_containers__ 2>&1)
[[ $out != *cv* && $out == *c2* ]] && ok child_mounts_released || bad child_mounts_released "$out"
expect_err bad_signal org.sandboxd.Error.InvalidArgs "${CTL[@]}" kill c1 99
expect_err bad_scope 'is not one of process' "${BC[@]}" call "$DEST" $C1 org.sandboxd.Container Signal ius 15 0 bogus
expect_err foreground_busctl 'does not track yet' "${BC[@]}" call "$DEST" $C1 org.sandboxd.Container Signal ius 15 0 foreground
expect_err delete_running org.sandboxd.Error.WrongState "${CTL[@]}" delete c1
expect_err wait_unknown org.sandboxd.Error.NotFound "${CTL[@]}" wait c1 9999
# Wait does not block other callers: a pending wait, then other calls.
"${CTL[@]}" wait c1 "$INIT" >/dev/null 2>&1 &
WAITER=$!
sleep 0.3
expect call_during_wait "${CTL[@]}" list
expect kill_ctl "${CTL[@]}" kill c1 KILL
wait $WAITER; rc=$?
[[ $rc -eq 137 ]] && ok wait_status || bad wait_status "rc=$rc"
sleep 0.3
expect prop_stopped bash -c "${BC[*]} get-property $DEST $C1 org.sandboxd.Container State | grep -q stopped"
# c2: kill --all, and delete over busctl.
expect start_c2 "${BC[@]}" call "$DEST" /org/sandboxd/container/c2 org.sandboxd.Container Start
expect kill_all "${CTL[@]}" kill --all c2 TERM
sleep 0.5
kill $MON 2>/dev/null; wait $MON 2>/dev/null
grep -q 'Member=StateChanged' "$T/monitor.log" && ok signal_state_changed || bad signal_state_changed "not seen"
grep -q 'Member=ProcessExited' "$T/monitor.log" && ok signal_process_exited || bad signal_process_exited "not seen"
grep -q 'Member=PropertiesChanged' "$T/monitor.log" && ok signal_properties_changed || bad signal_properties_changed "not seen"

# Two containers side by side: their own PID 1, host name and /tmp; killing
# one leaves the other.
expect create_alpha "${CTL[@]}" create ca "$T/alpha"
expect create_beta "${CTL[@]}" create cb "$T/beta"
expect start_alpha "${CTL[@]}" start ca
expect start_beta "${CTL[@]}" start cb
for _ in $(seq 50); do "${CTL[@]}" exec cb -- cat /tmp/pid >/dev/null 2>&1 && break; sleep 0.1; done
for c in ca cb; do
  out=$("${CTL[@]}" exec $c -- cat /tmp/pid 2>&1)
  [[ $out == 1 ]] && ok "init_is_pid1_$c" || bad "init_is_pid1_$c" "$out"
done
out=$("${CTL[@]}" exec ca -- hostname 2>&1)
[[ $out == alpha ]] && ok hostname_alpha || bad hostname_alpha "$out"
out=$("${CTL[@]}" exec cb -- hostname 2>&1)
[[ $out == beta ]] && ok hostname_beta || bad hostname_beta "$out"
expect write_in_alpha "${CTL[@]}" exec ca -- sh -c 'echo a > /tmp/only-a'
expect_err invisible_in_beta 'No such file' "${CTL[@]}" exec cb -- cat /tmp/only-a
expect kill_all_alpha "${CTL[@]}" kill --all ca KILL
sleep 0.5
expect alpha_stopped bash -c "'${CTL[0]}' -M $INST status ca | grep -q stopped"
expect beta_running bash -c "'${CTL[0]}' -M $INST status cb | grep -q running"
out=$("${CTL[@]}" exec cb -- echo still-here 2>&1)
[[ $out == still-here ]] && ok beta_still_runs || bad beta_still_runs "$out"
expect kill_beta "${CTL[@]}" kill --all cb KILL
for c in cb ca c2; do expect "delete_$c" "${CTL[@]}" delete $c; done
expect delete_ctl "${CTL[@]}" delete c1
expect_err deleted_gone org.sandboxd.Error.NotFound "${CTL[@]}" status c1

# Robustness: clients that vanish mid-call, floods, garbage arguments.
mkdir -p "$T/long"; ln -s "$T/childroot" "$T/long/rootfs"
echo '{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true},"process":{"args":["/bin/sleep","300"],"env":["PATH=/bin"],"cwd":"/"}}' > "$T/long/config.json"
CR=/org/sandboxd/container/cr
CI=(org.sandboxd.Container)
expect create_long "${CTL[@]}" create cr "$T/long"
expect start_long "${CTL[@]}" start cr
LONGINIT=$("${BC[@]}" get-property "$DEST" $CR org.sandboxd.Container InitPid | awk '{print $2}')
# A Wait whose caller is killed before the reply; then the process exits.
busctl --system --timeout=60 call "$DEST" $CR "${CI[@]}" Wait u "$LONGINIT" >/dev/null 2>&1 &
W1=$!
"${CTL[@]}" wait cr "$LONGINIT" >/dev/null 2>&1 &
W2=$!
sleep 0.5
kill -9 $W1 $W2; wait $W1 $W2 2>/dev/null
expect_err vanished_waiter_gone org.sandboxd.Error.NotFound "${CTL[@]}" wait cr 99999
for i in $(seq 20); do timeout 0.05 busctl --system call "$DEST" $CR "${CI[@]}" Wait u "$LONGINIT" >/dev/null 2>&1; done
expect alive_after_vanished "${CTL[@]}" list
# Floods: 4 clients x 500 calls (good, unknown and malformed) while another
# client is served. In-process with python3-dbus where present (a busctl per
# call would take minutes on a loaded machine), else 4 x 100 busctl calls.
flood() {
  if (cd / && python3 -c 'import dbus.types') 2>/dev/null; then
    (cd / && python3 - "$DEST") 2>>"$T/flood.log" <<'PY'
import sys, dbus
bus = dbus.SystemBus()
m = dbus.Interface(bus.get_object(sys.argv[1], "/org/sandboxd/Manager"), "org.sandboxd.Manager")
raw = bus.get_object(sys.argv[1], "/org/sandboxd/Manager")
for i in range(125):
    m.ListContainers()
    m.GetContainer("cr")
    for call in (lambda: m.GetContainer("no%d" % i),
                 lambda: raw.get_dbus_method("GetContainer", "org.sandboxd.Manager")(dbus.UInt32(7))):
        try:
            call()
            sys.exit("expected an error")
        except dbus.DBusException:
            pass
PY
    local rc=$?; echo "flood client rc=$rc" >>"$T/flood.log"; return $rc
  else
    for i in $(seq 25); do
      busctl --system call "$DEST" "${M[@]}" ListContainers
      busctl --system call "$DEST" "${M[@]}" GetContainer s cr
      busctl --system call "$DEST" "${M[@]}" GetContainer s "no$i"
      busctl --system call "$DEST" "${M[@]}" GetContainer u 7
    done >/dev/null 2>&1
    return 0
  fi
}
start=$(date +%s)
FL=(); for _ in 1 2 3 4; do flood & FL+=($!); done
served=0
for _ in 1 2 3 4 5; do out=$("${CTL[@]}" exec cr -- echo served 2>&1); [[ $out == served ]] && served=$((served + 1)); done
flood_ok=0; for p in "${FL[@]}"; do wait $p && flood_ok=$((flood_ok + 1)); done
[[ $flood_ok -eq 4 ]] && ok flood_clients_answered || bad flood_clients_answered "$flood_ok/4: $(tail -3 "$T/flood.log" 2>/dev/null)"
[[ $served -eq 5 ]] && ok served_during_flood || bad served_during_flood "$served/5: $out"
kill -0 $SBD 2>/dev/null && ok alive_after_flood || bad alive_after_flood "daemon gone"
expect responsive_after_flood "${CTL[@]}" status cr
echo "  (flood took $(($(date +%s) - start))s)"
# Garbage: wrong types, oversized, too many fds, invalid ids and signals.
expect_err wrong_signature 'org.freedesktop.DBus.Error.InvalidArgs' bash -c "dbus-send --system --print-reply --dest=$DEST /org/sandboxd/Manager org.sandboxd.Manager.GetContainer uint32:7 2>&1; false"
expect_err wrong_arg_count 'org.freedesktop.DBus.Error.InvalidArgs' bash -c "dbus-send --system --print-reply --dest=$DEST /org/sandboxd/Manager org.sandboxd.Manager.CreateContainer string:x 2>&1; false"
expect_err unknown_method 'org.freedesktop.DBus.Error.UnknownMethod' bash -c "dbus-send --system --print-reply --dest=$DEST /org/sandboxd/Manager org.sandboxd.Manager.Nope 2>&1; false"
expect_err unknown_object 'org.freedesktop.DBus.Error.UnknownObject' bash -c "dbus-send --system --print-reply --dest=$DEST /org/sandboxd/container/zz org.sandboxd.Container.Start 2>&1; false"
BIGARGV=$(seq 5000 | tr '\n' ' ')
expect_err argv_too_many 'more than 4096 entries' "${BC[@]}" call "$DEST" $CR "${CI[@]}" Exec asasssaha{sv} 5000 $BIGARGV 0 / "" 0 0
BIGENV="X=$(head -c 100000 /dev/zero | tr '\0' a)"
expect_err env_too_big 'larger than' "${BC[@]}" call "$DEST" $CR "${CI[@]}" Exec asasssaha{sv} 1 /bin/true 2 "$BIGENV" "$BIGENV" / "" 0 0
expect_err env_no_equals 'has no' "${BC[@]}" call "$DEST" $CR "${CI[@]}" Exec asasssaha{sv} 1 /bin/true 1 NOEQ / "" 0 0
# (busctl cannot send fds: python3-dbus where present.)
if (cd / && python3 -c 'import dbus.types') 2>/dev/null; then
  expect_err too_many_fds 'at most 3 stdio fds' env -C / python3 -c "
import sys, dbus
c = dbus.Interface(dbus.SystemBus().get_object('$DEST', '$CR'), 'org.sandboxd.Container')
try:
    c.Exec(['/bin/true'], dbus.Array([], 's'), '/', '', [dbus.types.UnixFd(0)] * 4, dbus.Dictionary({}, 'sv'))
except dbus.DBusException as e:
    sys.exit(e.get_dbus_name() + ': ' + e.get_dbus_message())
"
else
  echo "SKIP too_many_fds: python3-dbus not installed (busctl cannot send fds)"
fi
expect_err bad_option 'unknown option' "${BC[@]}" call "$DEST" $CR "${CI[@]}" Exec asasssaha{sv} 1 /bin/true 0 / "" 0 1 bogus b true
expect_err bad_user 'is not UID' "${BC[@]}" call "$DEST" $CR "${CI[@]}" Exec asasssaha{sv} 1 /bin/true 0 / "root" 0 0
expect_err relative_cwd 'is not absolute' "${BC[@]}" call "$DEST" $CR "${CI[@]}" Exec asasssaha{sv} 1 /bin/true 0 tmp "" 0 0
expect_err bad_id_get 'org.sandboxd.Error.InvalidArgs' "${CTL[@]}" status ../etc
expect_err long_id 'org.sandboxd.Error.InvalidArgs' "${CTL[@]}" create "$(head -c 100 /dev/zero | tr '\0' a)" "$T/long"
expect_err relative_bundle 'is not an absolute path' "${BC[@]}" call "$DEST" "${M[@]}" CreateContainer ssa{sv} cz rel 0
expect_err missing_bundle 'is not an existing directory' "${CTL[@]}" create cz /nonexistent
expect_err unknown_create_option 'unknown option' "${BC[@]}" call "$DEST" "${M[@]}" CreateContainer ssa{sv} cz "$T/long" 1 x b true
for sig in 0 65 -1; do
  expect_err "bad_signal_$sig" 'is not a valid signal number' busctl --system -- call "$DEST" $CR "${CI[@]}" Signal ius $sig 0 process
done
expect_err bad_wait_pid 'is not a valid pid' "${BC[@]}" call "$DEST" $CR "${CI[@]}" Wait u 0
expect_err signal_other_pid org.sandboxd.Error.NotFound "${CTL[@]}" kill --pid 424242 cr TERM
kill -0 $SBD 2>/dev/null && ok alive_after_garbage || bad alive_after_garbage "daemon gone"
# Deleting it ends the init: the pending Waits answer callers long gone.
expect delete_long "${CTL[@]}" delete cr
sleep 0.3
expect alive_after_replies_to_gone "${CTL[@]}" list

# Who may call: the bus refuses a plain user, the daemon refuses an admin-group
# member it was not configured to trust.
expect_err bus_denies_user 'Access denied' setpriv --reuid="$USER_NAME" --regid=nogroup --clear-groups \
  busctl --system call "$DEST" "${M[@]}" Shutdown
expect_err daemon_denies_user 'may not manage containers' setpriv --reuid="$USER_NAME" --regid=nogroup --init-groups \
  busctl --system call "$DEST" "${M[@]}" Shutdown

# Shutdown: every container stopped, exit 0.
expect shutdown "${BC[@]}" call "$DEST" "${M[@]}" Shutdown
for _ in $(seq 100); do kill -0 $SBD 2>/dev/null || break; sleep 0.1; done
wait $SBD; rc=$?
[[ $rc -eq 0 ]] && ok exit_0 || bad exit_0 "rc=$rc: $(tail -5 "$T/sandboxd.log")"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
