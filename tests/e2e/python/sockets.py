"""AF_UNIX sockets from Python: one case per run (see tests/e2e/sockets.sh).

Prints only deterministic values; the output must be identical natively and
in the sandbox."""
import os
import socket
import sys
import tempfile
import threading


def case_socketpair():
    a, b = socket.socketpair()
    a.sendall(b"hello")
    print(b.recv(5))
    a.close()
    print(b.recv(5))  # EOF
    d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    d1.send(b"one")
    d1.send(b"two")
    print(d2.recv(10), d2.recv(10))
    print(a.family == socket.AF_UNIX, d1.type == socket.SOCK_DGRAM)


def case_stream_server_threads():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "srv.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    results = []
    lock = threading.Lock()

    def serve():
        for _ in range(4):
            conn, _ = srv.accept()
            with conn:
                data = b""
                while True:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(data.upper())

    def client(i):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(path)
        c.sendall(("client %d " % i).encode() * 1000)
        c.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            got += chunk
        c.close()
        with lock:
            results.append((i, len(got), got[:9]))

    t = threading.Thread(target=serve)
    t.start()
    cs = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for c in cs:
        c.start()
    for c in cs:
        c.join()
    t.join()
    srv.close()
    os.unlink(path)
    os.rmdir(d)
    for r in sorted(results):
        print(r)


def case_timeout_and_peercred():
    a, b = socket.socketpair()
    a.settimeout(0.05)
    try:
        a.recv(1)
    except socket.timeout:
        print("timeout")
    import struct
    cred = b.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", cred)
    print(pid == os.getpid(), uid == os.getuid(), gid == os.getgid())


def case_pass_fds():
    a, b = socket.socketpair()
    r, w = os.pipe()
    socket.send_fds(a, [b"x"], [w])
    msg, fds, flags, addr = socket.recv_fds(b, 10, 4)
    os.write(fds[0], b"through")
    print(msg, len(fds), os.read(r, 7))


def _worker(ns_list, i):
    ns_list.append(i * i)


def case_multiprocessing_manager():
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as m:
        lst = m.list()
        ps = [ctx.Process(target=_worker, args=(lst, i)) for i in range(4)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        print(sorted(lst))


def case_multiprocessing_connection():
    import multiprocessing
    from multiprocessing.connection import Client, Listener
    ctx = multiprocessing.get_context("fork")
    with Listener(family="AF_UNIX") as listener:
        address = listener.address

        def child():
            with Client(address, family="AF_UNIX") as c:
                c.send({"n": 42, "s": "hi"})
                print("child got", c.recv(), flush=True)

        p = ctx.Process(target=child)
        p.start()
        with listener.accept() as conn:
            print("parent got", conn.recv(), flush=True)
            conn.send([1, 2, 3])
        p.join()
        print("exit", p.exitcode)


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if sys.argv[1] == "--list":
        print("\n".join(CASES))
    else:
        CASES[sys.argv[1]]()
