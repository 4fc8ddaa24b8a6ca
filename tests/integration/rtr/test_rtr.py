#!/usr/bin/env python3
"""test_rtr.py - bin/irrd's RTR server over plain TCP: "No Data Available"
before the first ROA set; RTRlib's rtrclient syncs exactly the VRPs of the
ROA file after SLURM, over IPv4 and IPv6 from one `::` listener; versions
0, 1 and 2 with the configured End of Data timers and SLURM router keys
(v1+); a changed ROA file re-imported on SIGHUP reaches a following
rtrclient as a Serial Notify and a Serial Query answered with exactly the
difference; an unchanged re-import sends nothing; a bad file keeps the
served set; GET /json, /v1/status/ and /metrics; a client that never reads
costs bounded memory and does not slow others down; the access list
(changed by SIGHUP); a list of addresses; SIGTERM sends v2 sessions
"Cache Shutdown"."""
import ipaddress
import json
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import rtrtest as rt  # noqa: E402

t = it.Suite()
REFRESH, RETRY, EXPIRE = 120, 30, 900

roas = rt.make_roas(3000)
# the same VRP under another trust anchor: one VRP
roas.append(dict(roas[0], ta="other-ta"))
# an AS0 ROA is served (it makes routes invalid)
roas.append({"asn": "AS0", "prefix": "203.0.113.0/24", "maxLength": 24, "ta": "ripe"})
# dropped by the SLURM filters below
roas.append({"asn": "AS64511", "prefix": "192.0.2.128/25", "maxLength": 25, "ta": "ripe"})
roas.append({"asn": "AS64510", "prefix": "198.18.0.0/16", "maxLength": 24, "ta": "arin"})
roas.append({"asn": "AS64510", "prefix": "2001:db8:ff00::/40", "maxLength": 48, "ta": "arin"})
roas.append({"asn": "AS64509", "prefix": "198.19.0.0/16", "maxLength": 16, "ta": "arin"})

SKI = bytes(range(1, 21))
SPKI = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d03010703420004") + bytes(range(64))
slurm = {
    "slurmVersion": 1,
    "validationOutputFilters": {
        "prefixFilters": [
            {"prefix": "192.0.2.0/24", "comment": "everything at or below"},
            {"asn": 64510},
            {"prefix": "198.19.0.0/16", "asn": 64509},
        ],
        "bgpsecFilters": [],
    },
    "locallyAddedAssertions": {
        "prefixAssertions": [
            {"asn": 64496, "prefix": "198.51.100.0/24", "maxPrefixLength": 26},
            {"asn": 64497, "prefix": "2001:db8:1234::/48"},
        ],
        "bgpsecAssertions": [
            {"asn": 64496, "SKI": rt.b64url(SKI), "routerPublicKey": rt.b64url(SPKI)},
        ],
    },
}
roa_path = os.path.join(t.tmp, "roas.json")
slurm_path = os.path.join(t.tmp, "slurm.json")
with open(slurm_path, "w") as f:
    json.dump(slurm, f)
expected = rt.apply_slurm(rt.roa_vrps(roas), slurm)
t.check("test data: SLURM filters drop something", len(expected) < len(rt.roa_vrps(roas)) + 2)

cfg = rt.setup_daemon(t, roa_path, slurm_path,
                      rtr={"interface": ["::"], "refresh": REFRESH, "retry": RETRY, "expire": EXPIRE})


def status():
    return it.http_get(cfg.http_port, "/v1/status/")[1].decode(errors="replace")


def metrics():
    return it.http_get(cfg.http_port, "/metrics")[1].decode(errors="replace")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


with it.Daemon(cfg) as d:
    # ---- before the first ROA set (the file does not exist yet) ----
    for v in (0, 1, 2):
        try:
            c = rt.Client.tcp(cfg.rtr_port, version=v)
            a = c.sync(10)
            t.eq(f"v{v} before the first ROA set: Error Report No Data Available",
                 (a["kind"], a.get("error")), ("error", 2))
            t.check(f"v{v} No Data Available does not end the session", not c.closed(0.5))
            c.close()
        except (OSError, EOFError, rt.RtrError) as e:
            t.fail(f"v{v} before the first ROA set", repr(e))
    t.eq("/json 404 before the first ROA set", it.http_get(cfg.http_port, "/json")[0], 404)
    t.eq("metrics: no data yet", rt.metric(metrics(), "irrd_rtr_data_available"), 0.0)
    t.contains("status: no serial yet", status(), "No Data Available")

    # ---- the first ROA set ----
    rt.write_roas(roa_path, roas)
    d.signal(signal.SIGHUP)
    first = rt.wait_data(cfg.rtr_port, limit=90, count=len(expected))
    if not t.check("data served after SIGHUP with the ROA file in place", first is not None,
                   d.log_text()[-2000:]):
        t.done()
    serial1 = first["serial"]

    got, why = rt.rtrclient_export(["tcp", "127.0.0.1", str(cfg.rtr_port)])
    if t.check("rtrclient over IPv4 syncs", got is not None, why):
        t.eq("rtrclient IPv4: exactly the VRPs of the file after SLURM (count)", len(got), len(expected))
        t.check("rtrclient IPv4: exactly the VRPs of the file after SLURM", got == expected,
                f"missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}")
    got6, why = rt.rtrclient_export(["tcp", "::1", str(cfg.rtr_port)])
    if t.check("rtrclient over IPv6 (the same :: listener) syncs", got6 is not None, why):
        t.check("rtrclient IPv6: the same set", got6 == expected)

    sessions = set()
    for v in (0, 1, 2):
        c = rt.Client.tcp(cfg.rtr_port, version=v)
        a = c.sync()
        c.close()
        t.eq(f"v{v}: answered in version {v}", a["versions"], {v})
        t.check(f"v{v}: full set", a["kind"] == "data" and set(a["announced"]) == expected,
                f"kind {a['kind']}, {len(a['announced'])} VRPs")
        t.eq(f"v{v}: no withdrawals in a full set", a["withdrawn"], [])
        t.eq(f"v{v}: End of Data timers", a["timers"], None if v == 0 else (REFRESH, RETRY, EXPIRE))
        t.eq(f"v{v}: serial", a["serial"], serial1)
        if v == 0:
            t.eq("v0: no router keys (RFC 6810 has none)", a["keys"], [])
        else:
            t.eq(f"v{v}: SLURM bgpsecAssertion served as a Router Key",
                 [(k[0], k[1], k[2]) for k in a["keys"]], [(SKI.hex(), 64496, SPKI.hex())])
        sessions.add(a["session"])
    t.check("session ids differ per version", len(sessions) == 3, f"{sessions}")

    # ---- HTTP ----
    code, body = it.http_get(cfg.http_port, "/json")
    if t.eq("/json 200", code, 200):
        try:
            doc = json.loads(body)
            js = rt.roa_vrps(doc["roas"])
            t.check("/json: the served set", js == expected,
                    f"missing {sorted(expected - js)[:3]}, extra {sorted(js - expected)[:3]}")
            tas = {r["ta"] for r in doc["roas"]}
            t.check("/json: trust anchors kept", {"apnic", "arin", "ripe"} <= tas, f"{tas}")
        except (ValueError, KeyError) as e:
            t.fail("/json parses", repr(e))
    st = status()
    t.contains("status: serial", st, f"Serial: {serial1}\n")
    t.contains("status: VRP count", st, f"VRPs: {len(expected)} ")
    keep = rt.Client.tcp(cfg.rtr_port, version=1)
    a = keep.sync()
    time.sleep(0.2)
    m = metrics()
    t.eq("metrics: serial", rt.metric(m, "irrd_rtr_serial"), float(serial1))
    t.eq("metrics: data available", rt.metric(m, "irrd_rtr_data_available"), 1.0)
    t.check("metrics: one TCP session open", 'irrd_rtr_sessions{transport="tcp"} 1\n' in m,
            [l for l in m.splitlines() if l.startswith("irrd_rtr_sessions")])
    t.check("metrics: last update timestamp", (rt.metric(m, "irrd_rtr_last_update_timestamp") or 0) >
            time.time() - 600)
    t.check("metrics: reset queries counted", (rt.metric(m, "irrd_rtr_queries_total") or 0) >= 4)

    # ---- a change followed by rtrclient and by an open session ----
    fol = rt.Follower(["tcp", "127.0.0.1", str(cfg.rtr_port)], os.path.join(t.tmp, "rtrclient.out"))
    t.check("rtrclient follower: first sync", fol.wait_for(r"Sync successful", 1, 60), fol.text()[-1500:])
    roas2 = roas[100:] + rt.make_roas(40, seed=99)
    expected2 = rt.apply_slurm(rt.roa_vrps(roas2), slurm)
    added, removed = expected2 - expected, expected - expected2
    t.check("test data: the change adds and removes", len(added) > 30 and len(removed) > 90)
    rt.write_roas(roa_path, roas2)
    t0 = time.time()
    d.signal(signal.SIGHUP)
    try:
        ver, typ, field, raw = keep.pdu(60)
        t.eq("open session: Serial Notify after the re-import", typ, rt.SERIAL_NOTIFY)
        t.check("open session: Serial Notify within 10 s of SIGHUP", time.time() - t0 < 10,
                f"{time.time() - t0:.1f} s")
        keep.serial_query(a["session"], a["serial"])
        delta = keep.read_answer()
        t.eq("Serial Query: answered with a delta", delta["kind"], "data")
        t.eq("Serial Query: serial + 1", delta["serial"], (serial1 + 1) % 2**32)
        t.check("Serial Query: announcements are exactly the added VRPs",
                set(delta["announced"]) == added and len(delta["announced"]) == len(added))
        t.check("Serial Query: withdrawals are exactly the removed VRPs",
                set(delta["withdrawn"]) == removed and len(delta["withdrawn"]) == len(removed))
    except (OSError, EOFError, rt.RtrError) as e:
        t.fail("open session follows the change", repr(e))
    ok = fol.wait_for(r"Serial Notify received", 1, 60) and fol.wait_for(r"Sync successful", 2, 30)
    text = fol.text()
    t.check("rtrclient: Serial Notify, then Serial Query and a second sync", ok, text[-2000:])
    t.contains("rtrclient: sent a Serial Query (not a Reset Query)", text,
               f"sending serial query, SN: {serial1}")
    after = text[text.find("Serial Notify received"):]
    ad, rm = rt.parse_rtrclient_updates(after)
    t.check("rtrclient: the update adds exactly the new VRPs", set(ad) == added and len(ad) == len(added),
            f"{len(ad)} added, want {len(added)}")
    t.check("rtrclient: the update removes exactly the old VRPs", set(rm) == removed and len(rm) == len(removed),
            f"{len(rm)} removed, want {len(removed)}")
    t.contains("rtrclient: only the difference was sent", after,
               f"received {len(added) + len(removed)} Prefix PDUs")
    fol.stop()
    got, why = rt.rtrclient_export(["tcp", "127.0.0.1", str(cfg.rtr_port)])
    t.check("rtrclient: a fresh sync is the new set", got == expected2, why)

    # ---- an unchanged re-import: no notify; a bad file: the set stays ----
    d.signal(signal.SIGHUP)
    try:
        keep.pdu(4)
        t.fail("unchanged re-import: no Serial Notify", "a PDU arrived")
    except socket.timeout:
        t.ok("unchanged re-import: no Serial Notify")
    with open(roa_path, "w") as f:
        f.write('{"roas": [{"asn": "AS1", "prefix": "not a prefix", "maxLength": 24}]}')
    d.signal(signal.SIGHUP)
    time.sleep(3)
    c = rt.Client.tcp(cfg.rtr_port)
    a2 = c.sync()
    c.close()
    t.eq("bad ROA file: serial unchanged", a2["serial"], (serial1 + 1) % 2**32)
    t.check("bad ROA file: the previous set is still served", set(a2["announced"]) == expected2)
    rt.write_roas(roa_path, roas2)
    keep.close()

    # ---- a client that never reads ----
    pid = d.proc.pid
    rss0 = rss_kib(pid)
    hog = socket.create_connection(("127.0.0.1", cfg.rtr_port))
    hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    hog.setblocking(False)
    q = rt.HDR.pack(1, rt.RESET_QUERY, 0, 8) * 8192
    sent, end = 0, time.time() + 8
    while time.time() < end and sent < 64 * 1024 * 1024:
        try:
            sent += hog.send(q)
        except BlockingIOError:
            time.sleep(0.05)
        except OSError:
            break
    t.check("hog: the server stopped reading its queries (back-pressure)", sent < 64 * 1024 * 1024,
            f"{sent} bytes of queries accepted")
    t1 = time.time()
    c = rt.Client.tcp(cfg.rtr_port)
    a3 = c.sync(20)
    c.close()
    t.check("another client syncs while the hog is stuck", a3["kind"] == "data" and time.time() - t1 < 5,
            f"{time.time() - t1:.1f} s")
    grow = rss_kib(pid) - rss0
    t.check("hog: daemon memory bounded (< 30 MB more)", grow < 30 * 1024, f"{grow} KiB")
    hog.close()

    # ---- access list, changed by SIGHUP ----
    def only_v6(irrd):
        irrd["access_lists"]["v6only"] = ["::1/128"]
        irrd["server"]["rtr"]["access_list"] = "v6only"
    rt.rewrite_config(cfg, only_v6)
    d.signal(signal.SIGHUP)
    time.sleep(1.5)
    c = rt.Client.tcp(cfg.rtr_port)
    try:
        c.reset_query()
        t.check("access list: 127.0.0.1 refused (closed, nothing sent)", c.closed(5) and not c.buf)
    except OSError:
        t.ok("access list: 127.0.0.1 refused (closed, nothing sent)")
    c.close()
    c = rt.Client.tcp(cfg.rtr_port, host="::1")
    t.eq("access list: ::1 still served", c.sync()["kind"], "data")
    c.close()
    t.check("metrics: refused connection counted",
            'irrd_rtr_connections_rejected_total{reason="access_list"} 1' in metrics())

    # ---- SIGTERM: v2 sessions get Cache Shutdown ----
    v2 = rt.Client.tcp(cfg.rtr_port, host="::1", version=2)
    v2.sync()
    v1 = rt.Client.tcp(cfg.rtr_port, host="::1", version=1)
    v1.sync()
    rc = d.stop()
    t.eq("SIGTERM: daemon exits 0", rc, 0)
    try:
        a = v2.read_answer(5)
        t.eq("SIGTERM: v2 session gets Error Report Cache Shutdown", (a["kind"], a.get("error")),
             ("error", 13))
    except (OSError, EOFError, rt.RtrError) as e:
        t.fail("SIGTERM: v2 session gets Error Report Cache Shutdown", repr(e))
    t.check("SIGTERM: v1 session closed", v1.closed(5))
    v1.close()
    v2.close()

# ---- a list of addresses, ROA file present at start ----
cfg2 = rt.setup_daemon(t, roa_path, slurm_path, name="irrd2.yaml",
                       rtr={"interface": ["127.0.0.1", "::1"], "retry": 1})
with it.Daemon(cfg2) as d2:
    a4 = rt.wait_data(cfg2.rtr_port, limit=90, count=len(expected2))
    t.check("two addresses: IPv4 served", a4 is not None and set(a4["announced"]) == expected2)
    a6 = rt.wait_data(cfg2.rtr_port, host="::1", limit=10)
    t.check("two addresses: IPv6 served", a6 is not None and set(a6["announced"]) == expected2)
    t.check("timers: default refresh and expire, retry 1", a4 is not None and a4["timers"] == (3600, 1, 7200))
    # a router that stops reading is dropped after three retry intervals
    hog = socket.create_connection(("127.0.0.1", cfg2.rtr_port))
    hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    hog.setblocking(False)
    q = rt.HDR.pack(1, rt.RESET_QUERY, 0, 8) * 1024
    end = time.time() + 3
    while time.time() < end:
        try:
            hog.send(q)
        except BlockingIOError:
            time.sleep(0.05)
        except OSError:
            break
    dropped, end = None, time.time() + 20
    while time.time() < end:
        m = it.http_get(cfg2.http_port, "/metrics")[1].decode()
        dropped = rt.metric(m.replace('{reason="stalled"}', "_stalled"), "irrd_rtr_connections_dropped_total_stalled")
        if dropped and 'irrd_rtr_sessions{transport="tcp"} 0\n' in m:
            break
        time.sleep(0.5)
    t.check("a router that stops reading is dropped (3 x retry without progress)", dropped == 1.0,
            f"dropped {dropped}")
    hog.close()
    t.contains("status lists both listeners", it.http_get(cfg2.http_port, "/v1/status/")[1].decode(),
               "127.0.0.1 port %d, ::1 port %d" % (cfg2.rtr_port, cfg2.rtr_port))
t.done()
