#!/usr/bin/env python3
"""check_validator_prune.py - after a completed online run, the cache keeps
only what the run's publication points referenced (make check-shared; needs
root: yardstick binds ports 873 and 443).

Two mkrepo repositories with the same keys: "two" with CAs ca0 and ca1,
"one" with ca0 only (ca1's certificate gone from the TA's manifest). Run 1
on "two" fills the cache and the last valid copies (CACHEDIR/valid); stale
copies of repositories no longer in use are planted (an RRDP directory, an
rsync module, a host, a valid/ tree). An offline run and a run where one
TAL yields no trust anchor leave everything. Run 2 on "one": ca1's last
valid copy and fetched files are gone, ca0's and the TA's stay, the planted
copies are gone, the VRPs are exactly those of "one". The same over rsync
only (-R): ca1's files leave both the module copy and valid/. There, the
two copies' files have mtimes in the same second and "one" is signed a
second later (same-size CRLs and manifests, other bytes): the validator's
rsync must compare mtimes to the nanosecond to fetch them.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import validator_env  # noqa: E402

t = it.Suite()
env = validator_env.Env(t, "rsyncd on port 873, HTTPS on 443")
ys = env.ys
W = t.tmp
V = it.prog("irrd_rpki_validator")


def mkrepo(name, cas, now):
    return env.mkrepo("mkrepo %s" % name, os.path.join(W, name), "--cas", cas, "--roas", "5", "--seed", "43",
                      "--now", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)))


# "one" is signed a second after "two": its CRLs and manifests differ from
# two's but have the same sizes
NOW = int(time.time())
TWO = mkrepo("two", 2, NOW - 1)
ONE = mkrepo("one", 1, NOW)
EXP_TWO = ys.read_expected(TWO)
EXP_ONE = ys.read_expected(ONE)
t.check("the repositories differ in ca1's VRPs", EXP_ONE < EXP_TWO and len(EXP_ONE) > 0,
        "%d vs %d" % (len(EXP_ONE), len(EXP_TWO)))
tls = ys.ensure_tls(os.path.join(W, "ys"))


def run(cache, tals, *extra):
    js = os.path.join(W, "out.json")
    if os.path.exists(js):
        os.unlink(js)
    args = [V, "-d", cache, "-s", "120", "--ca-file", os.path.join(tls, "ca.pem"), "-j", js]
    for tal in tals:
        args += ["-t", tal]
    p = subprocess.run(args + list(extra), capture_output=True, text=True, timeout=600)
    try:
        with open(js) as f:
            j = json.load(f)
    except (OSError, ValueError):
        return None, p.stderr
    return {ys.norm_vrp(x["asn"], x["prefix"], x["maxLength"]) for x in j["roas"]}, p.stderr


def files(d):
    out = set()
    for root, _dirs, fs in os.walk(d):
        for f in fs:
            out.add(os.path.relpath(os.path.join(root, f), d))
    return out


def plant(cache):
    """Stale copies of repositories no run refers to any more."""
    paths = [os.path.join(cache, "rrdp", "gone.example-0011223344556677", "gone.example", "x.roa"),
             os.path.join(cache, "rsync", "127.0.0.1", "oldmodule", "a", "x.roa"),
             os.path.join(cache, "rsync", "gone.example", "rpki", "x.roa"),
             os.path.join(cache, "valid", "gone.example", "rpki", "ca", "x.roa"),
             os.path.join(cache, "valid", "127.0.0.1", "rpki", "repo", "old", "x.roa")]
    for p in paths:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"stale")
    return paths


def served(src, mtime):
    """The repository served now: a copy at a fixed place (rsync/HTTPS), its
    files' mtimes set to mtime."""
    dst = os.path.join(W, "served")
    subprocess.run(["rm", "-rf", dst], check=True)
    subprocess.run(["cp", "-a", src, dst], check=True)
    for root, _dirs, fs in os.walk(dst):
        for f in fs:
            os.utime(os.path.join(root, f), ns=(mtime, mtime))
    return dst


# TALs: the same key and URIs in both repositories
TAL = os.path.join(TWO, "tals", "mkrepo.tal")
RTAL = os.path.join(TWO, "tals", "mkrepo-rsync.tal")
BADTAL = os.path.join(W, "nota.tal")
with open(TAL) as f:
    key = f.read().split("\n\n", 1)[1]
with open(BADTAL, "w") as f:
    f.write("rsync://127.0.0.1/rpki/no/such.cer\n\n" + key)

valid = lambda c: os.path.join(c, "valid", "127.0.0.1", "rpki", "repo")  # noqa: E731
SRV = served(TWO, (NOW - 200) * 10**9)

# ---- RRDP ---------------------------------------------------------------------------------
cache = os.path.join(W, "cache")
with ys.Servers(SRV, os.path.join(W, "ys"), rsync=True, https=True):
    got, log = run(cache, [TAL])
    t.eq("run 1: exactly the VRPs of both CAs", got, EXP_TWO)
    v1 = files(valid(cache))
    t.check("run 1: last valid copies of ta, ca0 and ca1",
            {"ta/ta.mft", "ca0/ca0.mft", "ca1/ca1.mft", "ca1/r0.roa"} <= v1, sorted(v1))
    rrdp = os.path.join(cache, "rrdp")
    rdirs = os.listdir(rrdp)
    t.eq("run 1: one RRDP copy", len(rdirs), 1)
    rcopy = os.path.join(rrdp, rdirs[0]) if rdirs else rrdp
    t.check("run 1: ca1's files in the RRDP copy", any(f.endswith("repo/ca1/ca1.mft") for f in files(rcopy)))
    stale = plant(cache)

    got, log = run(cache, [TAL], "-n")
    t.eq("offline run: the same VRPs", got, EXP_TWO)
    t.check("offline run: the stale copies stay", all(os.path.exists(p) for p in stale),
            [p for p in stale if not os.path.exists(p)])

    got, log = run(cache, [TAL, BADTAL])
    t.eq("a TAL without trust anchor: the other's VRPs", got, EXP_TWO)
    t.check("a TAL without trust anchor: the run is incomplete, the stale copies stay",
            all(os.path.exists(p) for p in stale), [p for p in stale if not os.path.exists(p)])

SRV = served(ONE, (NOW - 100) * 10**9)
with ys.Servers(SRV, os.path.join(W, "ys"), rsync=True, https=True):
    got, log = run(cache, [TAL])
    t.eq("run 2 (ca1 removed): exactly the VRPs of ca0", got, EXP_ONE)
    v2 = files(valid(cache))
    t.check("run 2: ca1's last valid copy is gone", not any(f.startswith("ca1/") for f in v2), sorted(v2))
    t.check("run 2: ca1's directory is gone from valid/", not os.path.exists(os.path.join(valid(cache), "ca1")))
    t.check("run 2: ca0's and the TA's last valid copies stay",
            {"ta/ta.mft", "ca0/ca0.mft", "ca0/ca0.crl", "ca0/r0.roa"} <= v2, sorted(v2))
    t.check("run 2: ca1's files are gone from the RRDP copy",
            not any("repo/ca1/" in f for f in files(rcopy)) and any("repo/ca0/" in f for f in files(rcopy)),
            sorted(files(rcopy)))
    gone = [p for p in stale if os.path.exists(p)]
    t.check("run 2: the planted stale copies are gone", not gone, gone)
    t.check("run 2: their empty directories too",
            not os.path.exists(os.path.join(cache, "valid", "gone.example")) and
            not os.path.exists(os.path.join(cache, "rsync", "gone.example")) and
            not os.path.exists(os.path.join(valid(cache), "old")))
    t.eq("run 2: the RRDP copy in use stays", os.listdir(rrdp), rdirs)
    t.contains("run 2: the removal is logged", log, "no longer referenced removed")
    got, log = run(cache, [TAL], "-n")
    t.eq("offline after run 2: exactly the VRPs of ca0", got, EXP_ONE)

# ---- rsync only ---------------------------------------------------------------------------
cache = os.path.join(W, "cache-rsync")
module = os.path.join(cache, "rsync", "127.0.0.1", "rpki")
# both copies' files have mtimes within the same second, 0.6 s apart: rsync's
# quick check must compare nanoseconds to see one's rewritten same-size files
SRV = served(TWO, NOW * 10**9 + 100 * 10**6)
with ys.Servers(SRV, os.path.join(W, "ys"), rsync=True, https=False):
    got, log = run(cache, [RTAL], "-R")
    t.eq("rsync run 1: exactly the VRPs of both CAs", got, EXP_TWO)
    t.check("rsync run 1: ca1 in the module copy and valid/",
            os.path.exists(os.path.join(module, "repo", "ca1", "ca1.mft")) and
            os.path.exists(os.path.join(valid(cache), "ca1", "ca1.mft")))
    stale = plant(cache)
SRV = served(ONE, NOW * 10**9 + 700 * 10**6)
with ys.Servers(SRV, os.path.join(W, "ys"), rsync=True, https=False):
    got, log = run(cache, [RTAL], "-R")
    t.eq("rsync run 2: exactly the VRPs of ca0", got, EXP_ONE)
    if got != EXP_ONE:
        sys.stdout.write("# validator log:\n" + "".join("#   " + l + "\n" for l in log.splitlines()[-40:]))
    t.check("rsync run 2: ca1 gone from the module copy and valid/",
            not os.path.exists(os.path.join(module, "repo", "ca1")) and
            not os.path.exists(os.path.join(valid(cache), "ca1")))
    t.check("rsync run 2: ca0 stays in both",
            os.path.exists(os.path.join(module, "repo", "ca0", "ca0.mft")) and
            os.path.exists(os.path.join(valid(cache), "ca0", "ca0.mft")))
    t.check("rsync run 2: the planted rsync and valid/ copies are gone",
            not any(os.path.exists(p) for p in stale if "/rrdp/" not in p))
    t.check("rsync only: RRDP copies are left alone", os.path.exists(stale[0]))
t.done()
