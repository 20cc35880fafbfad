# python3's pty.spawn running an interactive child (a shell that reads
# lines and answers) driven through the pty; the driver's stdin is not a
# tty (the suite gives it /dev/null).
. "$(dirname "$0")/lib.bash"
cat >child.sh <<'SH'
# Interactive: prompts, reads answers, reports what the terminal is.
[ -t 0 ] && echo "stdin is a tty" || echo "stdin is not a tty"
[ -t 1 ] && echo "stdout is a tty"
stty -a </dev/tty | grep -o 'icanon\|-icanon' | head -1
while :; do
  printf 'cmd> '
  IFS= read -r line || { echo "eof"; break; }
  case $line in
    add\ *) set -- $line; echo "sum=$(($2 + $3))" ;;
    upper\ *) echo "${line#upper }" | tr a-z A-Z ;;
    quit) echo "bye"; exit 3 ;;
    *) echo "unknown: $line" ;;
  esac
done
SH
# The transcript (what the child wrote and the line discipline echoed) goes
# to stdout; the pty writes "\r\n" for "\n" (onlcr), shown as "\n".
/usr/bin/python3 -S - <<'PY' 2>&1 | tr -d '\r'
import os, pty, sys
print("driver stdin is a tty:", os.isatty(0), flush=True)
# pty.spawn copies the master to our stdout and our stdin to the master;
# our stdin is /dev/null, so the child's input comes from the master_read
# hook: each prompt seen is answered with the next command.
cmds = [b"add 2 40", b"upper hello pty", b"bogus", b"quit"]
seen = bytearray()
def master_read(fd):
    data = os.read(fd, 1024)
    seen.extend(data)
    if seen.endswith(b"cmd> ") and cmds:
        os.write(fd, cmds.pop(0) + b"\n")
    return data
status = pty.spawn(["/bin/bash", "--norc", "--noprofile", "child.sh"], master_read)
print("exit status", os.waitstatus_to_exitcode(status), "commands left", len(cmds))
PY
