"""Processes, threads, signals and time, exercised from Python.

Run by tests/e2e/python.sh natively and in a sandboxd sandbox; the output of
the two runs must be identical, so every check prints deterministic text only
(counts, booleans, exit statuses), one line per check, prefixed by the case
name.

usage: python3 threads_signals.py [CASE...]   (default: every case)
"""

import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time


def out(case, *values):
    print(case + ":", *values, flush=True)


def case_threads():
    results = [0] * 8
    def work(i):
        results[i] = sum(range(i * 1000))
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out("threads", len(threads), sum(results), all(not t.is_alive() for t in threads))


def case_lock():
    lock = threading.Lock()
    counter = [0]
    def work():
        for _ in range(20000):
            with lock:
                counter[0] += 1
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out("lock", counter[0])


def case_condition():
    cond = threading.Condition()
    items = []
    done = []
    def consumer():
        got = 0
        while got < 100:
            with cond:
                while not items:
                    cond.wait(timeout=10)
                items.pop()
                got += 1
        done.append(got)
    c = threading.Thread(target=consumer)
    c.start()
    for i in range(100):
        with cond:
            items.append(i)
            cond.notify()
    c.join(timeout=30)
    out("condition", done, c.is_alive())


def case_queue():
    q = queue.Queue(maxsize=4)
    total = [0]
    def consumer():
        while True:
            v = q.get()
            if v is None:
                q.task_done()
                return
            total[0] += v
            q.task_done()
    consumers = [threading.Thread(target=consumer) for _ in range(3)]
    for t in consumers:
        t.start()
    for i in range(1000):
        q.put(i)
    for _ in consumers:
        q.put(None)
    q.join()
    for t in consumers:
        t.join()
    out("queue", total[0], q.empty())


def case_alarm():
    got = []
    old = signal.signal(signal.SIGALRM, lambda signum, frame: got.append(signum))
    start = time.monotonic()
    signal.alarm(1)
    while not got and time.monotonic() - start < 10:
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    signal.signal(signal.SIGALRM, old)
    out("alarm", got == [signal.SIGALRM], 0.8 <= elapsed < 5)


def case_setitimer():
    count = [0]
    old = signal.signal(signal.SIGALRM, lambda signum, frame: count.__setitem__(0, count[0] + 1))
    signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
    start = time.monotonic()
    while time.monotonic() - start < 1.0:
        time.sleep(0.005)
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    n = count[0]
    time.sleep(0.1)
    signal.signal(signal.SIGALRM, old)
    # ~50 expected in 1 s; demand 10, and none after disarming.
    out("setitimer", n >= 10, count[0] == n)


def case_subprocess():
    r = subprocess.run(["/bin/echo", "hello", "child"], stdout=subprocess.PIPE, timeout=30)
    out("subprocess_stdout", r.returncode, r.stdout)
    r = subprocess.run(["/usr/bin/tr", "a-z", "A-Z"], input=b"piped input\n",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    out("subprocess_stdin", r.returncode, r.stdout, r.stderr)
    r = subprocess.run(["/bin/sh", "-c", "exit 7"], timeout=30)
    out("subprocess_status", r.returncode)


def case_subprocess_timeout():
    start = time.monotonic()
    try:
        subprocess.run(["/bin/sleep", "30"], timeout=1)
        result = "no timeout"
    except subprocess.TimeoutExpired as e:
        result = "TimeoutExpired %g" % round(e.timeout)
    elapsed = time.monotonic() - start
    out("subprocess_timeout", result, elapsed < 10)


def case_fork():
    statuses = []
    for code in (0, 3, 42):
        pid = os.fork()
        if pid == 0:
            os._exit(code)
        wpid, status = os.waitpid(pid, 0)
        statuses.append((wpid == pid, os.WIFEXITED(status), os.WEXITSTATUS(status)))
    pid = os.fork()
    if pid == 0:
        os.kill(os.getpid(), signal.SIGTERM)
        os._exit(99)
    wpid, status = os.waitpid(pid, 0)
    statuses.append((wpid == pid, os.WIFSIGNALED(status), os.WTERMSIG(status)))
    out("fork_waitpid", statuses)


def case_epoll():
    r, w = os.pipe()
    ep = select.epoll()
    ep.register(r, select.EPOLLIN)
    before = ep.poll(0.1)
    os.write(w, b"x" * 10)
    after = ep.poll(5)
    data = os.read(r, 100)
    drained = ep.poll(0.05)
    os.close(w)
    hup = ep.poll(5)
    ep.close()
    os.close(r)
    out("epoll", before, [(fd == r, ev & select.EPOLLIN != 0) for fd, ev in after], len(data),
        drained, [(fd == r, ev & select.EPOLLHUP != 0) for fd, ev in hup])


def square(x):
    return x * x


def case_multiprocessing():
    import multiprocessing
    try:
        with multiprocessing.Pool(2) as pool:
            result = pool.map(square, range(20))
        out("multiprocessing_pool", sum(result), result[:5])
    except Exception as e:
        out("multiprocessing_pool", "error", type(e).__name__, e)


CASES = {
    "threads": case_threads,
    "lock": case_lock,
    "condition": case_condition,
    "queue": case_queue,
    "alarm": case_alarm,
    "setitimer": case_setitimer,
    "subprocess": case_subprocess,
    "subprocess_timeout": case_subprocess_timeout,
    "fork_waitpid": case_fork,
    "epoll": case_epoll,
    "multiprocessing_pool": case_multiprocessing,
}


def main(argv):
    names = argv[1:] or list(CASES)
    if names == ["--list"]:
        print("\n".join(CASES))
        return 0
    for name in names:
        CASES[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
