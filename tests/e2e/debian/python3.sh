# python3 (Debian's, not whatever python3 is first in PATH): json, sqlite3,
# hashlib, zlib, ctypes, subprocess, tempfile, shutil and pathlib, each
# printing what it computed.
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 -S - <<'PY' 2>&1 | norm
import json, sqlite3, hashlib, zlib, ctypes, ctypes.util, subprocess
import tempfile, shutil, pathlib, os, sys

# json: round trip with nesting, unicode and sorting.
doc = {"name": "sandboxd", "n": [1, 2.5, None, True], "u": "h\u00e9llo \u2603",
       "nested": {"b": [{"x": i, "sq": i * i} for i in range(4)], "a": {}}}
s = json.dumps(doc, sort_keys=True, ensure_ascii=True)
print("json", s)
print("json roundtrip", json.loads(s) == doc, len(json.dumps(doc, indent=2)))

# sqlite3: a table on disk, an index, an aggregate, a transaction rolled back.
con = sqlite3.connect("py.db")
con.execute("create table t (k integer primary key, v text, w real)")
with con:
    con.executemany("insert into t (v, w) values (?, ?)",
                    ((f"row{i}", i / 7) for i in range(2000)))
con.execute("create index tv on t (v)")
try:
    with con:
        con.execute("delete from t")
        raise RuntimeError("roll back")
except RuntimeError:
    pass
print("sqlite", con.execute("select count(*), sum(k), round(sum(w), 4), max(v) from t").fetchone())
print("sqlite like", con.execute("select count(*) from t where v like 'row19%'").fetchone()[0])
print("sqlite journal", con.execute("pragma journal_mode=wal").fetchone()[0],
      con.execute("pragma integrity_check").fetchone()[0])
con.close()
print("sqlite file", os.path.getsize("py.db") > 0)

# hashlib: several digests of a known megabyte.
data = bytes(range(256)) * 4096
for algo in ("md5", "sha1", "sha256", "sha512", "blake2b", "sha3_256"):
    print("hash", algo, hashlib.new(algo, data).hexdigest()[:32])
print("pbkdf2", hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex()[:32])

# zlib: compress, decompress, crc32, adler32, streaming.
z = zlib.compress(data, 9)
print("zlib", len(z), zlib.decompress(z) == data, hex(zlib.crc32(data)), hex(zlib.adler32(data)))
d = zlib.decompressobj()
out = b"".join(d.decompress(z[i:i + 1000]) for i in range(0, len(z), 1000)) + d.flush()
print("zlib stream", out == data)

# ctypes: libc calls, a callback through qsort, a struct, memory.
libc = ctypes.CDLL(ctypes.util.find_library("c"))
print("ctypes strlen", libc.strlen(b"sandboxd"), "getpid", libc.getpid() == os.getpid())
arr = (ctypes.c_int * 8)(5, 3, 9, 1, 7, 2, 8, 6)
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
libc.qsort(arr, len(arr), ctypes.sizeof(ctypes.c_int), CMP(lambda a, b: a[0] - b[0]))
print("ctypes qsort", list(arr))
class TM(ctypes.Structure):
    _fields_ = [(n, ctypes.c_int) for n in ("sec", "min", "hour", "mday", "mon", "year", "wday", "yday", "isdst")] + [("gmtoff", ctypes.c_long), ("zone", ctypes.c_char_p)]
t = ctypes.c_long(1700000000)
tm = TM()
libc.gmtime_r(ctypes.byref(t), ctypes.byref(tm))
print("ctypes gmtime", tm.year + 1900, tm.mon + 1, tm.mday, tm.hour, tm.min, tm.sec, tm.wday)
buf = ctypes.create_string_buffer(64)
libc.snprintf(buf, 64, b"%d-%s-%05.1f", 42, b"x", ctypes.c_double(3.14159))
print("ctypes snprintf", buf.value)
m = ctypes.create_string_buffer(b"abcdef")
ctypes.memmove(m, b"XY", 2)
print("ctypes memmove", m.value)

# subprocess: pipes, exit statuses, a pipeline, stdin, env, timeouts.
r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
print("subprocess", r.returncode, repr(r.stdout), repr(r.stderr))
p1 = subprocess.Popen(["seq", "1", "1000"], stdout=subprocess.PIPE)
p2 = subprocess.Popen(["awk", "{s+=$1} END {print s}"], stdin=p1.stdout, stdout=subprocess.PIPE, text=True)
p1.stdout.close()
print("pipeline", p2.communicate()[0].strip(), p1.wait(), p2.returncode)
print("stdin", subprocess.run(["tr", "a-z", "A-Z"], input="hello", capture_output=True, text=True).stdout)
print("env", subprocess.run(["sh", "-c", "echo $FOO"], env={"FOO": "bar", "PATH": os.environ["PATH"]}, capture_output=True, text=True).stdout.strip())
try:
    subprocess.run(["sleep", "5"], timeout=0.3)
except subprocess.TimeoutExpired as e:
    print("timeout", type(e).__name__, e.cmd)
print("check_output", subprocess.check_output("echo $((6*7))", shell=True).decode().strip())
p = subprocess.Popen(["sleep", "10"])
p.terminate()
print("terminated", p.wait())

# tempfile: named files and directories, spooled files.
with tempfile.NamedTemporaryFile("w+", suffix=".txt", delete=True) as f:
    f.write("temporary\n" * 3)
    f.flush()
    f.seek(0)
    print("tempfile", os.path.dirname(f.name) == os.getcwd(), f.name.endswith(".txt"), f.read().count("temporary"))
td = tempfile.mkdtemp(prefix="d-")
print("mkdtemp", os.path.isdir(td), oct(os.stat(td).st_mode & 0o777))
with tempfile.SpooledTemporaryFile(max_size=100) as sp:
    sp.write(b"x" * 50)
    r1 = sp._rolled
    sp.write(b"x" * 100)
    print("spooled", r1, sp._rolled, sp.tell())

# shutil and pathlib: a tree built, copied, archived, compared, removed.
root = pathlib.Path("tree")
for i in range(3):
    (root / f"d{i}" / "sub").mkdir(parents=True)
    for j in range(3):
        (root / f"d{i}" / "sub" / f"f{j}.txt").write_text(f"{i}:{j}\n" * (i + j + 1))
(root / "link").symlink_to("d0/sub/f0.txt")
shutil.copytree(root, "copy", symlinks=True)
print("pathlib glob", sorted(str(p) for p in pathlib.Path("copy").rglob("*.txt"))[:4])
print("pathlib sizes", sum(p.stat().st_size for p in pathlib.Path("copy").rglob("*") if p.is_file()))
print("pathlib link", os.readlink("copy/link"), pathlib.Path("copy/link").resolve().relative_to(pathlib.Path.cwd()))
arch = shutil.make_archive("arch", "gztar", root_dir="copy")
shutil.unpack_archive(arch, "unpacked")
print("archive", sorted(os.listdir("unpacked")), (pathlib.Path("unpacked/d2/sub/f2.txt").read_text() == (root / "d2/sub/f2.txt").read_text()))
shutil.move("unpacked/d1", "moved")
shutil.copy2("moved/sub/f1.txt", "f1.copy")
print("copy2", os.stat("f1.copy").st_mtime_ns == os.stat("moved/sub/f1.txt").st_mtime_ns)
shutil.rmtree("copy")
print("rmtree", os.path.exists("copy"), shutil.which("sh"), pathlib.Path("tree/d0").is_dir())
print("cwd", os.getcwd())

# resource: peak memory of this process and of a reaped child (wait4).
import resource
print("rusage self maxrss > 0", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0)
pid = os.fork()
if pid == 0:
    b = bytearray(32 << 20)
    for i in range(0, len(b), 4096):
        b[i] = 1
    os._exit(4)
_, st, ru = os.wait4(pid, 0)
print("wait4", os.waitstatus_to_exitcode(st), "child maxrss >= 32 MiB", ru.ru_maxrss >= 32 << 10)
print("children maxrss >= 32 MiB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >= 32 << 10)
PY
echo "status $?"
