#!/usr/bin/env python3
"""check_rtr_probe.py - bin/irrd's RTR server against ../shared/tools: a
VRP set from gen_vrps.py (IRRD_RTR_PROBE_VRPS VRPs, default 100000, with a
1000+1000 delta) imported by the daemon; rtr_probe.py's conformance mode
in versions 0, 1 and 2 (every case must pass; "info" cases are reported
but not counted); a full sync compared with the file in each version; a
session that waits for the Serial Notify of the re-import and checks the
Serial Query answer against gen_vrps.py's delta lists. Runs under `make
check-shared` (SHARED_DIR)."""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import rtrtest as rt  # noqa: E402

t = it.Suite()
shared = os.environ.get("SHARED_DIR") or os.path.join(it.srcdir(), "..", "shared")
tools = os.path.join(shared, "tools")
probe = os.path.join(tools, "rtr_probe.py")
if not os.path.exists(probe):
    t.fail("shared tools", f"{probe} is missing (set SHARED_DIR)")
    t.done()
n = int(os.environ.get("IRRD_RTR_PROBE_VRPS", "100000"))

a_path = os.path.join(t.tmp, "vrps_a.json")
b_path = os.path.join(t.tmp, "vrps_b.json")
dl_path = os.path.join(t.tmp, "delta.json")
r = it.run([sys.executable, os.path.join(tools, "gen_vrps.py"), "-n", str(n), "-o", a_path,
            "--delta-out", b_path, "--delta-list", dl_path], timeout=900)
if not t.check(f"gen_vrps.py: {n} VRPs and a delta", r.returncode == 0, r.stderr[-500:]):
    t.done()
roa_path = os.path.join(t.tmp, "roas.json")
os.link(a_path, roa_path)
cfg = rt.setup_daemon(t, roa_path, rtr={"interface": "127.0.0.1"})


def run_probe(*args, timeout=600):
    r = it.run([sys.executable, probe, *args, "127.0.0.1", str(cfg.rtr_port)], timeout=timeout)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1]), r
    except (ValueError, IndexError):
        return None, r


with it.Daemon(cfg) as d:
    first = rt.wait_data(cfg.rtr_port, limit=300, count=n)
    if not t.check("the daemon serves the generated set", first is not None and len(first["announced"]) == n,
                   d.log_text()[-1500:]):
        t.done()

    for v in (0, 1, 2):
        res, r = run_probe("--conformance", "-V", str(v))
        if not t.check(f"v{v} conformance: probe ran", res is not None, r.stdout[-500:] + r.stderr[-500:]):
            continue
        for case, verdict in res.get("summary", {}).items():
            if verdict == "info":
                print(f"INFO v{v} {case}: informational case, not counted")
                continue
            detail = [c for c in res.get("cases", []) if c.get("name") == case]
            t.check(f"v{v} conformance: {case}", verdict == "pass", json.dumps(detail)[:600])
        t.check(f"v{v} conformance: all cases pass", res.get("ok") is True and res.get("failed") == 0,
                f"passed {res.get('passed')}, failed {res.get('failed')}")

    for v in (0, 1, 2):
        res, r = run_probe("-V", str(v), "--compare", a_path)
        ok = res is not None and res.get("ok") is True
        t.check(f"v{v} full sync equals the file", ok, json.dumps(res)[:800] if res else r.stderr[-500:])
        if res:
            print(f"INFO v{v} full sync of {res.get('vrps')} VRPs: {res.get('time_to_eod_s')} s to End of Data")

    # a session that waits for the re-import's Serial Notify
    p = subprocess.Popen([sys.executable, probe, "--wait-notify", "120", "--serial-query", "--expect-delta",
                          dl_path, "127.0.0.1", str(cfg.rtr_port)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    end = time.time() + 60
    while time.time() < end:
        m = it.http_get(cfg.http_port, "/metrics")[1].decode()
        if 'irrd_rtr_sessions{transport="tcp"} 1\n' in m:
            break
        time.sleep(0.2)
    time.sleep(1)   # past its sync, waiting
    os.replace(b_path, roa_path)
    d.signal(signal.SIGHUP)
    try:
        out, err = p.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    try:
        res = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        res = None
    if t.check("delta probe ran", res is not None, (out or "")[-500:] + (err or "")[-500:]):
        sn = res.get("serial_notify")
        t.check("Serial Notify after the re-import", sn is not None, json.dumps(res)[:800])
        if sn:
            print(f"INFO Serial Notify arrived; the probe's Serial Query took "
                  f"{res.get('serial_query', {}).get('time_s')} s")
        sq = res.get("serial_query", {})
        t.eq("Serial Query answered with a delta", sq.get("answer"), "cache_response")
        t.check("delta: exactly gen_vrps.py's announced and withdrawn lists",
                sq.get("delta_check", {}).get("announced_ok") and sq.get("delta_check", {}).get("withdrawn_ok"),
                json.dumps(sq)[:800])
        t.check("delta probe: no protocol errors", res.get("ok") is True and not res.get("errors"),
                json.dumps(res.get("errors"))[:500])
    t.eq("daemon stops cleanly", d.stop(), 0)
t.done()
