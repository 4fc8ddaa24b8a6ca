#!/usr/bin/env python3
"""check_validator_rsync_limit.py - the total limits of one rsync repository
(--max-repo-size, --max-repo-files; make check-shared, needs root for
yardstick's rsyncd on port 873).

A mkrepo repository served over rsync; a first run fills the cache (and the
last valid copies). Then the served module grows: 300 unlisted 1 MB files
(over a 40 MB limit), or 600 small files (over a 300-file limit). The run
stops the transfer, removes the module's copy (the disk is freed), logs
why, and every VRP still comes out of the last valid copies. Without the
tight limits the same tree is fetched and the unlisted files are ignored.
The same for an RRDP copy (measured after the sync): over the file limit it
is removed too, and the rsync fallback with it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import validator_env  # noqa: E402

t = it.Suite()
env = validator_env.Env(t, "rsyncd on port 873")
ys = env.ys
W = t.tmp
V = it.prog("irrd_rpki_validator")
repo = env.mkrepo("mkrepo", os.path.join(W, "repo"), "--cas", "2", "--roas", "5", "--seed", "41")
EXPECTED = ys.read_expected(repo)
TAL = os.path.join(repo, "tals", "mkrepo-rsync.tal")
cache = os.path.join(W, "cache")
module = os.path.join(cache, "rsync", "127.0.0.1", "rpki")
junk = os.path.join(repo, "rsync", "repo", "ca1", "junk")


def run(*extra):
    js = os.path.join(W, "out.json")
    if os.path.exists(js):
        os.unlink(js)
    t0 = time.monotonic()
    p = subprocess.run([V, "-R", "-t", TAL, "-d", cache, "-s", "120", "-j", js] + list(extra),
                       capture_output=True, text=True, timeout=600)
    secs = time.monotonic() - t0
    try:
        with open(js) as f:
            j = json.load(f)
    except (OSError, ValueError):
        return None, {}, p.stderr, secs
    return ({ys.norm_vrp(x["asn"], x["prefix"], x["maxLength"]) for x in j["roas"]}, j["metadata"], p.stderr,
            secs)


def du(d):
    total = files = 0
    for root, _dirs, fs in os.walk(d):
        for f in fs:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
                files += 1
            except OSError:
                pass
    return total, files


with ys.Servers(repo, os.path.join(W, "ys"), rsync=True, https=False):
    got, meta, log, _ = run("--max-repo-size", "40000000", "--max-repo-files", "300")
    t.eq("first run within the limits: exactly expected-vrps.csv", got, EXPECTED)
    t.eq("first run: no repository failed", meta.get("failedrepositories"), 0)

    # 300 x 1 MB of unlisted files: over 40 MB
    os.makedirs(junk)
    block = os.urandom(1 << 20)
    for i in range(300):
        with open(os.path.join(junk, "j%03d.roa" % i), "wb") as f:
            f.write(block[i:] + block[:i])
    got, meta, log, secs = run("--max-repo-size", "40000000", "--max-repo-files", "300")
    t.contains("over the byte limit: logged", log,
               "rsync://127.0.0.1/rpki/: repository over its limit (40000000 bytes, 300 files; reached ")
    t.contains("over the byte limit: transfer stopped, copy removed", log, "transfer stopped, its copy removed")
    t.eq("over the byte limit: the repository counts as failed", meta.get("failedrepositories"), 1)
    t.check("over the byte limit: the module's copy is gone", not os.path.exists(module),
            "%s holds %s" % (module, du(module)))
    t.eq("over the byte limit: every VRP from the last valid copies", got, EXPECTED)
    t.eq("over the byte limit: all 3 publication points from their last valid copy",
         meta.get("cachedpubpoints"), 3)
    vb, _ = du(cache)
    t.check("over the byte limit: the whole cache stays small (%d bytes)" % vb, vb < 40000000)
    m = re.search(r"reached (\d+) bytes", log)
    t.check("over the byte limit: stopped during the transfer (before all 300 MB came)",
            m is not None and int(m.group(1)) < 300 << 20, m.group(0) if m else log[-300:])
    print("# byte limit run: %.1f s; %s" % (secs, [ln for ln in log.splitlines() if "over its limit" in ln]))

    # 600 small files: over 300 files
    shutil.rmtree(junk)
    os.makedirs(junk)
    for i in range(600):
        with open(os.path.join(junk, "s%03d.roa" % i), "wb") as f:
            f.write(b"x" * 100)
    got, meta, log, _ = run("--max-repo-size", "40000000", "--max-repo-files", "300")
    t.contains("over the file limit: logged", log, "repository over its limit (40000000 bytes, 300 files; reached ")
    t.check("over the file limit: the module's copy is gone", not os.path.exists(module))
    t.eq("over the file limit: every VRP from the last valid copies", got, EXPECTED)

    # default limits: the same tree is fetched, the unlisted files ignored
    got, meta, log, _ = run()
    t.eq("default limits: fetched, exactly expected-vrps.csv", got, EXPECTED)
    t.eq("default limits: no repository failed", meta.get("failedrepositories"), 0)
    t.eq("default limits: nothing from the last valid copy", meta.get("cachedpubpoints"), 0)
    t.eq("default limits: the 600 unlisted files are in the copy", du(os.path.join(module, "repo", "ca1", "junk"))[1],
         600)

    # bad option values
    for bad in (["--max-repo-size", "0"], ["--max-repo-files", "-5"], ["--max-repo-size", "12x"]):
        p = subprocess.run([V, "-R", "-t", TAL, "-d", cache] + bad, capture_output=True, text=True)
        t.check("%s refused" % " ".join(bad), p.returncode == 1 and "want a positive number" in p.stderr,
                p.stderr)

# RRDP: a copy over the limits is removed as well (then rsync, also over)
tls = ys.ensure_tls(os.path.join(W, "ys2"))
cache = os.path.join(W, "cache-rrdp")
TAL = os.path.join(repo, "tals", "mkrepo.tal")
shutil.rmtree(junk, ignore_errors=True)


def run_rrdp(*extra):
    js = os.path.join(W, "out.json")
    if os.path.exists(js):
        os.unlink(js)
    p = subprocess.run([V, "-t", TAL, "-d", cache, "-s", "120", "--ca-file", os.path.join(tls, "ca.pem"), "-j", js]
                       + list(extra), capture_output=True, text=True, timeout=600)
    try:
        with open(js) as f:
            j = json.load(f)
    except (OSError, ValueError):
        return None, {}, p.stderr
    return {ys.norm_vrp(x["asn"], x["prefix"], x["maxLength"]) for x in j["roas"]}, j["metadata"], p.stderr


with ys.Servers(repo, os.path.join(W, "ys2"), rsync=True, https=True):
    got, meta, log = run_rrdp()
    t.eq("RRDP: first run, exactly expected-vrps.csv", got, EXPECTED)
    t.contains("RRDP: first run used the snapshot", log, "RRDP snapshot")
    nfiles = du(os.path.join(cache, "rrdp"))[1]
    got, meta, log = run_rrdp("--max-repo-files", str(nfiles - 2))
    t.contains("RRDP over the file limit: its copy removed", log,
               "https://127.0.0.1/rrdp/notification.xml: repository over its limit (4294967296 bytes, %d files; "
               "reached " % (nfiles - 2))
    t.check("RRDP over the file limit: no RRDP copy left", du(os.path.join(cache, "rrdp"))[1] == 0)
    t.contains("RRDP over the file limit: the rsync fallback is over it too", log,
               "rsync://127.0.0.1/rpki/: repository over its limit")
    t.eq("RRDP over the file limit: every VRP from the last valid copies", got, EXPECTED)
    got, meta, log = run_rrdp()
    t.eq("RRDP, default limits again: exactly expected-vrps.csv", got, EXPECTED)
    t.contains("RRDP, default limits again: a new snapshot", log, "RRDP snapshot")
t.done()
