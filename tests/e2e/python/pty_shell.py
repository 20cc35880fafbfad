"""Programs under a pseudo-terminal, driven through the master by Python's
pty module (os.forkpty: /dev/ptmx, TIOCGPTPEER or /dev/pts/N, setsid and
TIOCSCTTY). Run by tests/e2e/pty.sh natively and in the sandbox; each case
prints only deterministic text (markers the programs compute, the exact
echo of the line discipline, exit statuses). Every wait has a deadline.

usage: pty_shell.py CASE | --list
"""
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time

BUSYBOX = "/bin/busybox"
DEADLINE = 20.0  # seconds for any one expectation


class Session:
    def __init__(self, argv, env=None):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execve(argv[0], argv, env or {"PATH": "/bin:/usr/bin", "TERM": "dumb"})
            finally:
                os._exit(127)
        self.out = b""

    def write(self, data):
        os.write(self.fd, data)

    def read_until(self, pattern):
        """Reads until `pattern` (a regex on bytes) matches; returns the match."""
        end = time.monotonic() + DEADLINE
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.out)
            if m:
                return m
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("waiting for %r; have %r" % (pattern, self.out[-200:]))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # EIO: the replica side is gone
                    chunk = b""
                if not chunk:
                    raise EOFError("EOF waiting for %r; have %r" % (pattern, self.out[-200:]))
                self.out += chunk

    def finish(self):
        """Reads to EOF/EIO, then reaps the child; returns its status."""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], end - time.monotonic())
            if not r:
                break
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.out += chunk
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return status
            time.sleep(0.05)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return "timeout"


def describe(status):
    if status == "timeout":
        return "timeout"
    if os.WIFEXITED(status):
        return "exit %d" % os.WEXITSTATUS(status)
    return "signal %d" % os.WTERMSIG(status)


def case_cat_canonical():
    s = Session([BUSYBOX, "cat"])
    s.write(b"abc\x7fd\n")
    s.read_until(rb"d\r\nabd\r\n")
    s.write(b"one two\x17three\n")
    s.read_until(rb"three\r\none three\r\n")
    s.write(b"\x04")
    status = s.finish()
    print("transcript %r" % s.out)
    print("cat", describe(status))


def case_tty_attrs():
    s = Session([BUSYBOX, "sh", "-c",
                 "[ -t 0 ] && echo MARK$((0+1)) stdin-is-a-tty; "
                 "read go; echo MARK$((1+1)) size $(" + BUSYBOX + " stty size)"])
    fcntl.ioctl(s.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    s.write(b"go\n")
    status = s.finish()
    for m in re.findall(rb"MARK\d+[^\r\n]*", s.out):
        print(m.decode())
    print("sh", describe(status))


def case_busybox_sh_interactive():
    s = Session([BUSYBOX, "sh", "-i"], {"PATH": "/bin:/usr/bin", "TERM": "dumb", "PS1": "PROMPT> ",
                                        "HOME": "/"})
    fcntl.ioctl(s.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    prompts = 0

    def command(line):
        nonlocal prompts
        prompts += 1
        s.read_until(rb"(?s)(PROMPT> .*){%d}" % prompts)
        s.write(line)

    command(b"[ -t 0 ] && echo MARK$((0+1)) isatty\n")
    command(b"echo MARK$((1+1)) size $(stty size)\n")
    command(b"sh -c 'kill -INT $$'; echo not reached\n")
    command(b"echo MARK$((2+1)) killed-by-int rc=$?\n")
    # ^C to a foreground job: the job is in the foreground once it printed.
    command(b"echo MARK$((3+1)) started; sleep 10\n")
    s.read_until(rb"MARK4 started")
    time.sleep(0.5)
    s.write(b"\x03")
    command(b"echo MARK$((4+1)) after-int rc=$?\n")
    command(b"echo MARK$((5+1)) $(echo typo\x7f\x7f\x7f\x7fed)\n")
    command(b"exit 3\n")
    status = s.finish()
    for m in re.findall(rb"MARK\d+[^\r\n]*", s.out):
        print(m.decode())
    print("^C echoed:", b"^C" in s.out)
    print("sh", describe(status))


CASES = {
    "cat_canonical": case_cat_canonical,
    "tty_attrs": case_tty_attrs,
    "busybox_sh_interactive": case_busybox_sh_interactive,
}

if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        print("\n".join(CASES))
    else:
        CASES[sys.argv[1]]()
