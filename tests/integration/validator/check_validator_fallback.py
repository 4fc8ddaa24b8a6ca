#!/usr/bin/env python3
"""check_validator_fallback.py - the last valid copy of a publication point
(make check-shared; needs root: yardstick's rsyncd binds port 873).

Repositories from ../shared/tools/mkrepo, served over rsync on loopback by
yardstick's Servers. Each scenario: a first run on the good repository
(ours and rpki-client, the oracle, each with its own cache), then one
publication point (ca1) is broken in the served tree and both run again:
  - manifest garbage, stale manifest (from a copy built 7 h earlier), CRL
    missing, a listed ROA missing, a listed ROA damaged, repository
    unreachable: the VRPs of ca1 still come out, as from rpki-client, with
    the fallback logged and counted (JSON metadata cachedpubpoints);
  - manifest number going backwards (ca0 #2 replaced by its #1 without its
    last ROA) and thisUpdate going backwards (ca1 from a copy built 2 h
    earlier): the fetched manifest is rejected and the last valid copy kept
    (RFC 9286 4.2.1), counted in regressedmanifests;
  - expiry: the repository moves on (a copy built 5 h later) with ca1 still
    broken; evaluated 7 h later (-P) the other CAs validate from the new
    copy while ca1's last valid copy (manifest nextUpdate +6 h) is stale:
    exactly ca1's VRPs are dropped.
  - an offline run (-n) uses the last valid copy too but writes nothing.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import validator_env  # noqa: E402

t = it.Suite()
env = validator_env.Env(t, "rsyncd on port 873")
ys = env.ys
W = t.tmp
V = it.prog("irrd_rpki_validator")
T0 = int(time.time()) // 60 * 60
CA1_ASNS = range(65536 + 1000, 65536 + 2000)


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


def mkrepo(name, *args):
    return env.mkrepo("mkrepo %s" % name, os.path.join(W, name), "--cas", "3", "--roas", "5", "--seed", "31",
                      "--mft-hours", "6", *args)


GOOD = mkrepo("good", "--now", iso(T0))
EARLY = mkrepo("early", "--now", iso(T0 - 2 * 3600))     # same numbers, older thisUpdate
STALE = mkrepo("stale", "--now", iso(T0 - 7 * 3600))     # manifests stale at T0
LATER = mkrepo("later", "--now", iso(T0 + 5 * 3600))     # the repository 5 h on
DELTA = mkrepo("delta", "--now", iso(T0), "--delta")     # ca0 at manifest #2
EXPECTED = ys.read_expected(GOOD)
CA1 = {v for v in EXPECTED if int(v.split(",")[0][2:]) in CA1_ASNS}
tls = ys.ensure_tls(os.path.join(W, "ys"))


class Mine:
    """Our validator with its own cache; rsync only (-R) like the oracle."""

    def __init__(self, name):
        self.dir = os.path.join(W, name, "mine")
        self.cache = os.path.join(self.dir, "cache")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.cache)
        self.log = ""
        self.meta = {}

    def run(self, tal, *extra):
        js = os.path.join(self.dir, "out.json")
        r = subprocess.run([V, "-R", "-t", tal, "-d", self.cache, "-s", "30", "-j", js] + list(extra),
                           capture_output=True, text=True, timeout=600)
        self.log = r.stderr
        self.rc = r.returncode
        try:
            with open(js) as f:
                j = json.load(f)
        except (OSError, ValueError):
            return None
        self.meta = j.get("metadata", {})
        return {ys.norm_vrp(x["asn"], x["prefix"], x["maxLength"]) for x in j["roas"]}


def served(src, name):
    """A copy of repository src to serve (and break)."""
    d = os.path.join(W, name, "repo")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(src, d)
    return d


def oracle(name):
    w = os.path.join(W, name, "rpki-client")
    os.makedirs(w, exist_ok=True)
    p = ys.RpkiClient(w, tls)
    p.reset()
    return p


def run_both(repo, mine, rc, serve=True):
    tal = os.path.join(repo, "tals", "mkrepo-rsync.tal")
    if serve:
        with ys.Servers(repo, os.path.join(W, "ys"), rsync=True, https=False):
            got = mine.run(tal)
            rc.run(tal, "rsync", timeout=600)
    else:
        got = mine.run(tal)
        rc.run(tal, "rsync", timeout=600)
    return got, rc.vrps()


def rclog(rc):
    try:
        with open(os.path.join(rc.work, "log-rsync.txt")) as f:
            return f.read()
    except OSError:
        return ""


def scenario(name, breaker, want_log, serve=True, src=GOOD):
    repo = served(src, name)
    mine, rc = Mine(name), oracle(name)
    exp = ys.read_expected(src)
    g1, o1 = run_both(repo, mine, rc)
    t.eq("%s: first run, exactly expected-vrps.csv" % name, g1, exp)
    t.eq("%s: first run, rpki-client agrees" % name, o1, exp)
    breaker(repo)
    g2, o2 = run_both(repo, mine, rc, serve)
    t.eq("%s: second run, the same VRPs as rpki-client (%d)" % (name, len(o2 or ())), g2, o2)
    t.eq("%s: second run, ca1's VRPs still there" % name, (g2 or set()) & CA1, CA1)
    t.contains("%s: logged" % name, mine.log, want_log)
    return mine, rc, repo


PP = os.path.join("rsync", "repo", "ca1")
_bumps = [0]


def bump(d):
    """New mtimes below d: mkrepo writes a whole tree within a second and
    same-size files, so rsync's quick check (size, mtime) would skip a
    replaced file."""
    _bumps[0] += 100
    ts = time.time() + _bumps[0]
    for root, _dirs, files in os.walk(d):
        for f in files:
            os.utime(os.path.join(root, f), (ts, ts))


def garbage_mft(repo):
    with open(os.path.join(repo, PP, "ca1.mft"), "wb") as f:
        f.write(b"\x30\x03\x02\x01\x00 not a manifest")


m, rc, repo = scenario("mft-garbage", garbage_mft,
                       "ca1.mft: failed fetch, continuing with #01 from the last valid copy")
t.eq("mft-garbage: counted in the JSON metadata", m.meta.get("cachedpubpoints"), 1)
t.eq("mft-garbage: nothing rejected", m.meta.get("failedpubpoints"), 0)
t.contains("mft-garbage: rpki-client also fell back (its log)", rclog(rc), "ca1.mft")

# the repository moves on (5 h later), ca1 still broken; evaluated at +7 h
# ca1's last valid copy (nextUpdate T0+6h) is stale: exactly ca1 goes
shutil.rmtree(os.path.join(repo, "rsync"))
shutil.copytree(os.path.join(LATER, "rsync"), os.path.join(repo, "rsync"))
bump(os.path.join(repo, "rsync"))
garbage_mft(repo)
with ys.Servers(repo, os.path.join(W, "ys"), rsync=True, https=False):
    g3 = m.run(os.path.join(repo, "tals", "mkrepo-rsync.tal"), "-P", str(T0 + 7 * 3600))
t.eq("expiry: at +7 h the others validate, ca1's expired last valid copy is dropped", g3, EXPECTED - CA1)
t.contains("expiry: the stale last valid copy logged", m.log,
           "ca1.crl (last valid copy): RFC 9286 section 6.4: CRL is stale")
t.eq("expiry: nothing from the last valid copy", m.meta.get("cachedpubpoints"), 0)
# and before it expires (+5.5 h, the same cache) ca1 is still there
g3b = m.run(os.path.join(repo, "tals", "mkrepo-rsync.tal"), "-n", "-P", str(T0 + 5 * 3600 + 1800))
t.eq("expiry: offline at +5.5 h ca1 still comes from its last valid copy", g3b, EXPECTED)
vdir = os.path.join(m.cache, "valid", "127.0.0.1", "rpki", "repo", "ca1")
t.check("the last valid copy is kept in CACHEDIR/valid/", os.path.exists(os.path.join(vdir, "ca1.mft")))


def stale_mft(repo):
    d = os.path.join(repo, PP)
    shutil.rmtree(d)
    shutil.copytree(os.path.join(STALE, PP), d)
    bump(d)


m, rc, repo = scenario("mft-stale", stale_mft, "ca1.crl: RFC 9286 section 6.4: CRL is stale")
t.contains("mft-stale: fallback logged", m.log, "ca1.mft: failed fetch, continuing with #01 from the last valid copy")


def missing_crl(repo):
    os.unlink(os.path.join(repo, PP, "ca1.crl"))


m, rc, repo = scenario("crl-missing", missing_crl, "")
t.eq("crl-missing: the CRL came from the last valid copy, nothing rejected", m.meta.get("failedpubpoints"), 0)


def missing_roa(repo):
    os.unlink(os.path.join(repo, PP, "r2.roa"))


scenario("roa-missing", missing_roa, "")


def damaged_roa(repo):
    with open(os.path.join(repo, PP, "r2.roa"), "ab") as f:
        f.write(b"\0")


scenario("roa-hash-mismatch", damaged_roa, "")


def no_server(repo):
    pass


scenario("unreachable", no_server, "rsync://127.0.0.1/rpki/", serve=False)


# thisUpdate going backwards: ca1 from the copy built 2 h earlier (#1 too)
def early_mft(repo):
    d = os.path.join(repo, PP)
    shutil.rmtree(d)
    shutil.copytree(os.path.join(EARLY, PP), d)
    bump(d)


m, rc, repo = scenario("thisupdate-backwards", early_mft,
                       "ca1.mft: RFC 9286 section 4.2.1: thisUpdate went backwards")
t.eq("thisupdate-backwards: counted (regressedmanifests)", m.meta.get("regressedmanifests"), 1)
t.eq("thisupdate-backwards: ca1 from its last valid copy", m.meta.get("cachedpubpoints"), 1)
print("# rpki-client 8.2 on thisUpdate backwards: %d VRPs" % len(rc.vrps() or ()))


# manifest number going backwards: ca0 #2 (all ROAs) replaced by #1 (without its
# last ROA, from RRDP serial 1's snapshot)
def ca0_serial1(repo):
    rr = os.path.join(repo, "https", "rrdp")
    sess = [d for d in os.listdir(rr) if os.path.isdir(os.path.join(rr, d))][0]
    snap = ET.parse(os.path.join(rr, sess, "1", "snapshot.xml")).getroot()
    d = os.path.join(repo, "rsync", "repo", "ca0")
    shutil.rmtree(d)
    os.makedirs(d)
    for p in snap:
        uri = p.get("uri")
        if uri and "/repo/ca0/" in uri:
            with open(os.path.join(d, uri.rsplit("/", 1)[1]), "wb") as f:
                f.write(base64.b64decode(p.text))
    bump(d)


repo = served(DELTA, "number-backwards")
mine, rc = Mine("number-backwards"), oracle("number-backwards")
g1, o1 = run_both(repo, mine, rc)
t.eq("number-backwards: first run (ca0 #2), expected-vrps.csv", g1, ys.read_expected(DELTA))
ca0_serial1(repo)
g2, o2 = run_both(repo, mine, rc)
t.eq("number-backwards: second run (ca0 #1 served), the last valid copy #2 kept", g2, ys.read_expected(DELTA))
t.contains("number-backwards: logged", mine.log,
           "ca0.mft: RFC 9286 section 4.2.1: manifest number went backwards (#01 of")
t.eq("number-backwards: counted (regressedmanifests)", mine.meta.get("regressedmanifests"), 1)
s1 = ys.read_expected(DELTA, "expected-vrps-serial1.csv")
print("# rpki-client 8.2 with ca0 #2 -> #1: %s" % (
    "serial 2's VRPs" if o2 == ys.read_expected(DELTA) else "serial 1's VRPs" if o2 == s1 else
    "%d VRPs" % len(o2 or ())))

# offline runs use the last valid copy and write nothing
marker = os.path.join(W, "marker")
open(marker, "w").close()
time.sleep(1.1)
g4 = mine.run(os.path.join(repo, "tals", "mkrepo-rsync.tal"), "-n")
t.eq("offline: the last valid copy is used", g4, ys.read_expected(DELTA))
newer = subprocess.run(["find", os.path.join(mine.cache, "valid"), "-newer", marker],
                       capture_output=True, text=True).stdout
t.eq("offline: nothing written below valid/", newer, "")
t.done()
