"""irrdtest.py - helpers for Python integration tests (stdlib only).

    #!/usr/bin/env python3
    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    import irrdtest as it

    t = it.Suite()
    db = it.new_db()
    cfg = it.write_config(t.tmp, db=db)
    t.check("schema", it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path]).returncode == 0)
    with it.Daemon(cfg) as d:
        t.eq("!v framing", it.whois(cfg.whois_port, "!v")[:1], b"A")
    t.done()

Output convention (scripts/run_tests.sh adds it up): one "PASS name" or
"FAIL name: why" line per check, last line "N passed, N failed", exit
status non-zero when something failed. The runner provides IRRD_BIN,
SRCDIR, TEST_DATA_DIR, IRRD_TEST_DATABASE_URL, IRRD_TEST_PG_* (see
scripts/suites.sh). Run one test alone: scripts/run_tests.sh test_name
"""
import atexit
import http.client
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
import free_port as _free_port  # noqa: E402

_db_seq = itertools.count(1)


def env(name):
    v = os.environ.get(name)
    if not v:
        print(f"FAIL environment: {name} is not set; run integration tests through "
              f"scripts/run_tests.sh (make test), e.g. scripts/run_tests.sh "
              f"{os.path.basename(sys.argv[0])}")
        print("0 passed, 1 failed")
        sys.exit(1)
    return v


def prog(name):
    """Absolute path of a program in the bin directory under test."""
    return os.path.join(env("IRRD_BIN"), name)


def srcdir():
    return env("SRCDIR")


class Suite:
    """Counts checks and prints PASS/FAIL lines; t.tmp is a private temp dir
    removed at exit."""

    def __init__(self):
        env("IRRD_TEST_DATABASE_URL")
        self.passed = 0
        self.failed = 0
        base = os.environ.get("IRRD_TEST_TMPDIR") or None
        self.tmp = tempfile.mkdtemp(prefix="it.", dir=base)
        os.chmod(self.tmp, 0o755)
        atexit.register(shutil.rmtree, self.tmp, True)

    def ok(self, name):
        self.passed += 1
        print(f"PASS {name}", flush=True)

    def fail(self, name, why):
        self.failed += 1
        print(f"FAIL {name}: {why}", flush=True)

    def check(self, name, cond, why="condition is false"):
        if cond:
            self.ok(name)
        else:
            self.fail(name, why)
        return bool(cond)

    def eq(self, name, got, want):
        if got == want:
            self.ok(name)
            return True
        self.fail(name, f"got {_short(got)}, want {_short(want)}")
        return False

    def contains(self, name, haystack, needle):
        if needle in haystack:
            self.ok(name)
            return True
        self.fail(name, f"{_short(needle)} not in {_short(haystack)}")
        return False

    def done(self):
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed else 0)


def _short(v, n=300):
    r = repr(v)
    return r if len(r) <= n else r[:n] + "..."


def free_port():
    """A TCP port on 127.0.0.1 that is free now (scripts/free_port.py)."""
    return _free_port.free_port()


def new_db(prefix="it"):
    """A fresh empty database in the test cluster; returns its url."""
    host, port, user = env("IRRD_TEST_PG_HOST"), env("IRRD_TEST_PG_PORT"), env("IRRD_TEST_PG_USER")
    name = f"{prefix}_{os.getpid()}_{next(_db_seq)}"
    subprocess.run(["createdb", "-h", host, "-p", port, "-U", user, "-E", "UTF8",
                    "-T", "template0", name], check=True)
    return f"postgresql://{user}@{host}:{port}/{name}"


def psql(url, sql):
    """Run SQL; returns a list of rows, each a list of strings."""
    r = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-c", sql],
                       check=True, capture_output=True, text=True)
    return [line.split("\t") for line in r.stdout.splitlines()]


def run(cmd, timeout=300, **kw):
    """subprocess.run with captured text output; never raises on exit status."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(cmd, timeout=timeout, **kw)


class Config:
    def __init__(self, path, whois_port, http_port, rtr_port, db):
        self.path = path
        self.whois_port = whois_port
        self.http_port = http_port
        self.rtr_port = rtr_port
        self.db = db


def write_config(directory, db=None, sources=("TEST",), sources_default=None,
                 roa_source=None, slurm_source=None, extra=None, name="irrd.yaml",
                 whois_port=None, http_port=None, rtr_port=None, source_options=None):
    """Write a daemon config into directory; returns a Config. Every source
    is authoritative with keep_journal and nrtm_access_list local unless
    source_options[name] says otherwise. extra: a dict merged into "irrd".
    The file is JSON, which is YAML too."""
    db = db or env("IRRD_TEST_DATABASE_URL")
    whois_port = whois_port or free_port()
    http_port = http_port or free_port()
    rtr_port = rtr_port or free_port()
    keyring = os.path.join(directory, "gnupg")
    os.makedirs(keyring, mode=0o700, exist_ok=True)
    srcs = {}
    for s in sources:
        srcs[s] = {"authoritative": True, "keep_journal": True, "nrtm_access_list": "local"}
        if source_options and s in source_options:
            srcs[s] = source_options[s]
    irrd = {
        "database_url": db,
        "piddir": directory,
        "access_lists": {"local": ["127.0.0.0/8", "::1/128"]},
        "server": {
            "whois": {"interface": "127.0.0.1", "port": whois_port},
            "http": {"interface": "127.0.0.1", "port": http_port, "status_access_list": "local"},
            "rtr": {"interface": "127.0.0.1", "port": rtr_port},
        },
        "auth": {"gnupg_keyring": keyring},
        "email": {"from": "irrd-test@example.net", "smtp": "127.0.0.1:25"},
        "sources_default": list(sources_default or sources),
        "sources": srcs,
        "log": {"level": "INFO"},
    }
    if roa_source or slurm_source:
        irrd["rpki"] = {}
        if roa_source:
            irrd["rpki"]["roa_source"] = roa_source
        if slurm_source:
            irrd["rpki"]["slurm_source"] = slurm_source
    if extra:
        _merge(irrd, extra)
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        json.dump({"irrd": irrd}, f, indent=2)
        f.write("\n")
    return Config(path, whois_port, http_port, rtr_port, db)


def _merge(a, b):
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            _merge(a[k], v)
        else:
            a[k] = v


def run_main(main, name):
    """Run main(): a crash (an exception) is one more failure, reported as
    its traceback, "FAIL NAME: why" and the counts line "0 passed, 1 failed"
    the runner reads last."""
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        print(f"FAIL {name}: {e}")
        print("0 passed, 1 failed")
        sys.exit(1)


def wait_for(cond, limit, step=0.5, errors=(Exception,)):
    """Call cond() every STEP seconds until it returns true (True) or LIMIT
    seconds pass (False); an exception of a type in ERRORS (none when it is
    ()) counts as not yet."""
    end = time.time() + limit
    while time.time() < end:
        try:
            if cond():
                return True
        except errors:
            pass
        time.sleep(step)
    return False


def wait_port(port, limit=30.0, host="127.0.0.1"):
    end = time.time() + limit
    while time.time() < end:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


class Daemon:
    """bin/irrd --config F --foreground, started in the background; waits
    until the whois port (or wait_port) accepts connections. stop() sends
    SIGTERM and returns the exit status (None if it had to be killed)."""

    def __init__(self, cfg, wait_port_=None, args=()):
        self.cfg = cfg
        self.log_path = os.path.join(os.path.dirname(cfg.path), "irrd.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([prog("irrd"), "--config", cfg.path, "--foreground", *args],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        atexit.register(self.kill)
        port = wait_port_ or cfg.whois_port
        if not wait_port(port, 30):
            self.kill()
            raise RuntimeError(f"irrd did not listen on port {port} within 30s; log:\n{self.log_text()}")

    def log_text(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, limit=20.0):
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(limit)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def whois(port, *queries, idle=3.0, timeout=30.0, host="127.0.0.1"):
    """Send the queries (one a line) on one connection; return the raw
    answer bytes, read until close or idle seconds of silence."""
    s = socket.create_connection((host, port), timeout=5)
    s.sendall("".join(q + "\n" for q in queries).encode())
    out = bytearray()
    end = time.time() + timeout
    while time.time() < end:
        s.settimeout(min(idle, max(0.01, end - time.time())))
        try:
            data = s.recv(65536)
        except (socket.timeout, OSError):
            break
        if not data:
            break
        out += data
    s.close()
    return bytes(out)


class WhoisConn:
    """A kept-open whois connection (send "!!" or "-k" first) with readers
    for the two framings."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.buf = bytearray()

    def send(self, line):
        self.s.sendall(line.encode() + b"\n")

    def _fill(self):
        data = self.s.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _line(self):
        while b"\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\n")
        line = bytes(self.buf[:i + 1])
        del self.buf[:i + 1]
        return line

    def read_bang(self):
        """One !-query answer: returns ("A", data), ("C", b""), ("D", b"")
        or ("F", message)."""
        line = self._line()
        if line.startswith(b"A"):
            n = int(line[1:].strip())
            while len(self.buf) < n:
                self._fill()
            data = bytes(self.buf[:n - 1])
            del self.buf[:n]
            end = self._line()
            if end != b"C\n":
                raise ValueError(f"expected C after A{n} data, got {end!r}")
            return "A", data
        if line in (b"C\n", b"D\n"):
            return line[:1].decode(), b""
        if line.startswith(b"F"):
            return "F", line[1:].strip()
        raise ValueError(f"unexpected answer line {line!r}")

    def read_ripe(self):
        """One RIPE-style answer, up to and including the closing blank lines."""
        while b"\n\n\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\n\n\n")
        data = bytes(self.buf[:i + 3])
        del self.buf[:i + 3]
        return data

    def close(self):
        self.s.close()


def http_get(port, path, host="127.0.0.1"):
    """Returns (status, body bytes)."""
    c = http.client.HTTPConnection(host, port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body
