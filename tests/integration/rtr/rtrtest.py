"""rtrtest.py - shared by the RTR tests (tests/integration/rtr/): a small
router-side RTR client (versions 0-2, plain sockets or TLS), ROA and SLURM
files with the VRP set they must produce, rtrclient's output parsed, and
the daemon set-up (schema, config, start). Python 3 stdlib only."""
import base64
import ipaddress
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402

SERIAL_NOTIFY, SERIAL_QUERY, RESET_QUERY, CACHE_RESPONSE = 0, 1, 2, 3
IPV4_PREFIX, IPV6_PREFIX, END_OF_DATA, CACHE_RESET = 4, 6, 7, 8
ROUTER_KEY, ERROR_REPORT, ASPA = 9, 10, 11
HDR = struct.Struct(">BBHI")


class RtrError(Exception):
    pass


class Client:
    """One RTR session over a connected socket (or ssl socket)."""

    def __init__(self, sock, version=1, timeout=30.0):
        self.s = sock
        self.version = version
        self.buf = bytearray()
        self.s.settimeout(timeout)
        self.timeout = timeout

    @classmethod
    def tcp(cls, port, host="127.0.0.1", version=1, timeout=30.0):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect((host, port))
        return cls(s, version, timeout)

    def send(self, data):
        self.s.sendall(data)

    def reset_query(self):
        self.send(HDR.pack(self.version, RESET_QUERY, 0, 8))

    def serial_query(self, session, serial):
        self.send(HDR.pack(self.version, SERIAL_QUERY, session, 12) + struct.pack(">I", serial))

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.time()
            if left <= 0:
                raise socket.timeout("timed out")
            self.s.settimeout(left)
            d = self.s.recv(1 << 20)
            if not d:
                raise EOFError("connection closed")
            self.buf += d

    def pdu(self, timeout=None):
        """The next PDU as (version, type, header field, whole PDU bytes)."""
        deadline = time.time() + (timeout if timeout is not None else self.timeout)
        self._fill(8, deadline)
        ver, typ, field, length = HDR.unpack_from(self.buf, 0)
        if length < 8 or length > 1 << 20:
            raise RtrError(f"bad PDU length {length}")
        self._fill(length, deadline)
        raw = bytes(self.buf[:length])
        del self.buf[:length]
        return ver, typ, field, raw

    def read_answer(self, timeout=None):
        """Read a response to its End of Data (Serial Notifies before it are
        counted). Returns a dict: kind (data/reset/error), session, serial,
        timers, announced/withdrawn VRPs as lists of (prefix, maxlen, asn),
        router keys as (ski hex, asn, spki hex, flags), notifies, error."""
        r = {"kind": None, "announced": [], "withdrawn": [], "keys": [], "notifies": 0,
             "versions": set()}
        while True:
            ver, typ, field, raw = self.pdu(timeout)
            r["versions"].add(ver)
            if typ == SERIAL_NOTIFY:
                r["notifies"] += 1
                continue
            if typ == CACHE_RESPONSE:
                r["session"] = field
                continue
            if typ in (IPV4_PREFIX, IPV6_PREFIX):
                flags, plen, maxlen = raw[8], raw[9], raw[10]
                if typ == IPV4_PREFIX:
                    addr = ipaddress.IPv4Address(raw[12:16])
                    asn = struct.unpack(">I", raw[16:20])[0]
                else:
                    addr = ipaddress.IPv6Address(raw[12:28])
                    asn = struct.unpack(">I", raw[28:32])[0]
                v = (str(ipaddress.ip_network(f"{addr}/{plen}")), maxlen, asn)
                (r["announced"] if flags & 1 else r["withdrawn"]).append(v)
                continue
            if typ == ROUTER_KEY:
                flags = raw[2]
                ski = raw[8:28].hex()
                asn = struct.unpack(">I", raw[28:32])[0]
                r["keys"].append((ski, asn, raw[32:].hex(), flags))
                continue
            if typ == END_OF_DATA:
                r["kind"] = "data"
                r["session"] = field
                r["serial"] = struct.unpack(">I", raw[8:12])[0]
                if len(raw) >= 24:
                    r["timers"] = struct.unpack(">III", raw[12:24])
                else:
                    r["timers"] = None
                return r
            if typ == CACHE_RESET:
                r["kind"] = "reset"
                return r
            if typ == ERROR_REPORT:
                r["kind"] = "error"
                r["error"] = field
                el = struct.unpack(">I", raw[8:12])[0]
                tl = struct.unpack(">I", raw[12 + el:16 + el])[0]
                r["error_text"] = raw[16 + el:16 + el + tl].decode(errors="replace")
                return r
            raise RtrError(f"unexpected PDU type {typ}")

    def sync(self, timeout=None):
        self.reset_query()
        return self.read_answer(timeout)

    def closed(self, limit=5.0):
        """True if the server closes the connection within limit seconds
        (whatever it sends before is discarded)."""
        end = time.time() + limit
        while time.time() < end:
            self.s.settimeout(max(0.05, end - time.time()))
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            except OSError:
                return True
            if not d:
                return True
        return False

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def vrp_key(prefix, maxlen, asn):
    return (str(ipaddress.ip_network(prefix, strict=False)), int(maxlen), int(asn))


# ---- data ----

def make_roas(n, seed=7, v6_share=0.25):
    """n distinct ROAs as dicts {"asn", "prefix", "maxLength", "ta"}, v4 and
    v6, some with maxLength above the prefix length, ASNs written in all
    three forms the format allows."""
    rnd = random.Random(seed)
    seen = set()
    out = []
    tas = ["apnic", "arin", "ripe", "lacnic", "afrinic"]
    while len(out) < n:
        if rnd.random() < v6_share:
            plen = rnd.choice([32, 36, 40, 44, 48])
            net = ipaddress.IPv6Network(((0x2001 << 112) | (rnd.getrandbits(40) << 72), plen),
                                        strict=False)
            maxlen = min(128, plen + rnd.choice([0, 0, 0, 4, 8]))
        else:
            plen = rnd.choice([16, 19, 20, 22, 23, 24, 24, 24])
            a = rnd.randint(1, 223) << 24 | rnd.getrandbits(24)
            net = ipaddress.IPv4Network((a, plen), strict=False)
            maxlen = min(32, plen + rnd.choice([0, 0, 0, 1, 2, 8]))
        asn = rnd.randint(1, 4200000000)
        key = (str(net), maxlen, asn)
        if key in seen:
            continue
        seen.add(key)
        form = rnd.randrange(3)
        asv = f"AS{asn}" if form == 0 else (str(asn) if form == 1 else asn)
        out.append({"asn": asv, "prefix": str(net), "maxLength": maxlen, "ta": rnd.choice(tas)})
    return out


def roa_vrps(roas):
    out = set()
    for r in roas:
        a = r["asn"]
        asn = int(a[2:]) if isinstance(a, str) and a.upper().startswith("AS") else int(a)
        out.add(vrp_key(r["prefix"], r["maxLength"], asn))
    return out


def write_roas(path, roas):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"metadata": {"generated": int(time.time())}, "roas": roas}, f)
    os.replace(tmp, path)


def apply_slurm(vrps, slurm):
    """RFC 8416 on a VRP set: filters drop matching VRPs, assertions are
    added (filters do not apply to assertions)."""
    out = set()
    filters = slurm.get("validationOutputFilters", {}).get("prefixFilters", [])
    for v in vrps:
        net = ipaddress.ip_network(v[0])
        drop = False
        for f in filters:
            ok = True
            if "prefix" in f:
                fn = ipaddress.ip_network(f["prefix"])
                ok = net.version == fn.version and net.subnet_of(fn)
            if "asn" in f:
                ok = ok and v[2] == int(f["asn"])
            if ok:
                drop = True
                break
        if not drop:
            out.add(v)
    for a in slurm.get("locallyAddedAssertions", {}).get("prefixAssertions", []):
        net = ipaddress.ip_network(a["prefix"])
        out.add(vrp_key(a["prefix"], a.get("maxPrefixLength", net.prefixlen), a["asn"]))
    return out


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


# ---- rtrclient (RTRlib's tool) ----

def rtrclient_export(args, timeout=60):
    """rtrclient -e -t csv SOCKET...: the exported VRP set, or (None, why)."""
    try:
        r = it.run(["rtrclient", "-e", "-t", "csv", *args], timeout=timeout)
    except subprocess.TimeoutExpired:
        # it retries forever when it cannot sync
        return None, f"rtrclient did not finish a sync within {timeout} s"
    if r.returncode != 0:
        return None, f"rtrclient exit {r.returncode}: {r.stderr[-600:]}"
    out = set()
    for line in r.stdout.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 4 or not parts[1].isdigit():
            continue
        asn = int(parts[3])
        if asn < 0:     # rtrclient's csv template prints the ASN as a signed int
            asn += 1 << 32
        out.add(vrp_key(f"{parts[0]}/{parts[1]}", parts[2], asn))
    return out, r.stderr


UPDATE_RE = re.compile(r"^([+-])\s+(\S+)\s+(\d+)\s+-\s+(\d+)\s+(\d+)\s*$")


def parse_rtrclient_updates(text):
    """Lines "+ 192.0.2.0   24 -  24   64496" of rtrclient -p: lists of
    added and removed VRPs, in order."""
    added, removed = [], []
    for line in text.splitlines():
        m = UPDATE_RE.match(line)
        if not m:
            continue
        v = vrp_key(f"{m.group(2)}/{m.group(3)}", m.group(4), m.group(5))
        (added if m.group(1) == "+" else removed).append(v)
    return added, removed


class Follower:
    """A long-running `rtrclient -p -s ...` whose output is collected."""

    def __init__(self, args, path):
        self.path = path
        self.f = open(path, "wb")
        self.proc = subprocess.Popen(["stdbuf", "-oL", "-eL", "rtrclient", "-p", "-k", "-s", *args],
                                     stdout=self.f, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def text(self):
        self.f.flush()
        with open(self.path, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_for(self, pattern, count=1, limit=30.0):
        end = time.time() + limit
        while time.time() < end:
            if len(re.findall(pattern, self.text())) >= count:
                return True
            if self.proc.poll() is not None:
                return len(re.findall(pattern, self.text())) >= count
            time.sleep(0.1)
        return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.f.close()


# ---- daemon ----

def setup_daemon(t, roa_path, slurm_path=None, rtr=None, extra=None, name="irrd.yaml", db=None):
    """Schema in a new database and a config whose rpki.roa_source is
    roa_path; rtr: settings merged into server.rtr. Returns the Config."""
    db = db or it.new_db("rtr")
    ex = {"rpki": {"roa_source": "file://" + roa_path, "notify_invalid_enabled": False},
          "server": {"rtr": dict(rtr or {})}}
    if slurm_path:
        ex["rpki"]["slurm_source"] = "file://" + slurm_path
    if extra:
        it._merge(ex, extra)
    cfg = it.write_config(t.tmp, db=db, extra=ex, name=name)
    r = it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path])
    if r.returncode != 0:
        t.fail("schema", r.stderr)
    return cfg


def rewrite_config(cfg, mutate):
    """Load cfg.path (JSON), let mutate(dict) change it, write it back."""
    with open(cfg.path) as f:
        doc = json.load(f)
    mutate(doc["irrd"])
    with open(cfg.path, "w") as f:
        json.dump(doc, f, indent=2)


def wait_data(port, host="127.0.0.1", limit=60.0, serial=None, version=1, ssl_wrap=None, count=None):
    """Poll with Reset Queries until the cache has data (and, if given,
    that serial or that many VRPs); returns the answer or None."""
    end = time.time() + limit
    last = None
    while time.time() < end:
        try:
            c = Client.tcp(port, host, version)
            if ssl_wrap:
                c = Client(ssl_wrap(c.s), version)
            a = c.sync(30)
            c.close()
            last = a
            if a["kind"] == "data" and (serial is None or a["serial"] == serial) and \
                    (count is None or len(a["announced"]) == count):
                return a
        except (OSError, EOFError, RtrError):
            pass
        time.sleep(0.2)
    return None


def metric(text, name):
    """The value of an unlabelled (or first labelled) metric line."""
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None
