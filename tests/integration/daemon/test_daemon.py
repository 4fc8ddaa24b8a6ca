#!/usr/bin/env python3
"""test_daemon.py - bin/irrd over raw sockets and HTTP: framing, keepalive,
pipelining, !q, !t, bounds (max_connections, line length, a client that
never reads), hostile bytes, access list, change propagation from the
loaders, SIGHUP (good and bad config), SIGTERM with an answer in flight,
IPv4/IPv6 listeners, detaching with a pid file, and the HTTP endpoints."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import daemondata as dd  # noqa: E402
import irrdtest as it  # noqa: E402

t = it.Suite()
cfg, dump = dd.setup(t)
NOT_FOUND = b"%  No entries found for the selected source(s).\n\n\n"


def conn(port=None, host="127.0.0.1", family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect((host, port or cfg.whois_port))
    return s


def read_all(s, limit=10.0):
    """Everything until the server closes; None if it did not close in time."""
    out = bytearray()
    end = time.time() + limit
    s.settimeout(0.5)
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return bytes(out)
        if not d:
            return bytes(out)
        out += d
    return None


def bang_data(answer):
    """The data of an A-framed answer, or None if it is not one."""
    if not answer.startswith(b"A"):
        return None
    nl = answer.index(b"\n")
    n = int(answer[1:nl])
    data = answer[nl + 1:nl + n]
    if answer[nl + n:nl + n + 3] != b"\nC\n" or len(data) != n - 1:
        return None
    return data


def metric(name):
    st, body = it.http_get(cfg.http_port, "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return line
    return ""


def section(fn, d):
    """Run one group of checks; an exception is one failure, not the end."""
    try:
        fn(d)
    except Exception as e:  # noqa: BLE001
        t.fail(fn.__doc__, f"{type(e).__name__}: {e}")


def check_framing(d):
    """framing"""
    a = it.whois(cfg.whois_port, "!v")
    t.check("!v is A-framed", bang_data(a) is not None, repr(a))
    t.check("!v answer then close (no keepalive)", a.endswith(b"\nC\n"))
    g = it.whois(cfg.whois_port, "!gAS64500")
    gd = bang_data(g) or b""
    t.check("!gAS64500 lists the IPv4 routes", b"192.0.2.0/24" in gd and b"198.51.100.0/25" in gd, repr(g))
    t.check("!gAS64500 has no IPv6 route", b"2001:db8" not in gd)
    t.eq("!g of an AS without routes: D", it.whois(cfg.whois_port, "!gAS64999"), b"D\n")
    t.check("!6AS64500", b"2001:db8::/32" in (bang_data(it.whois(cfg.whois_port, "!6AS64500")) or b""))
    r = it.whois(cfg.whois_port, "AS64500")
    t.check("RIPE query: object text", b"aut-num:        AS64500" in r, repr(r[:200]))
    t.check("RIPE query: ends in a blank line pair", r.endswith(b"\n\n\n"))
    t.eq("RIPE not found", it.whois(cfg.whois_port, "AS64999"), NOT_FOUND)
    t.check("unknown ! command: F", it.whois(cfg.whois_port, "!xyz").startswith(b"F "))
    t.check("CRLF line end", bang_data(it.whois(cfg.whois_port, "!v\r")) is not None)


def check_keepalive_pipelining(d):
    """keepalive, pipelining, !q, empty lines"""
    s = conn()
    s.sendall(b"!!\n!v\n\n   \n!gAS64500\n!gAS64999\nAS64500\n!v\n")
    c = it.WhoisConn.__new__(it.WhoisConn)
    c.s, c.buf = s, bytearray()
    k1 = c.read_bang()
    k2 = c.read_bang()
    k3 = c.read_bang()
    k4 = c.read_ripe()
    k5 = c.read_bang()
    t.check("pipelined answers in order", k1[0] == "A" and b"192.0.2.0/24" in k2[1] and k3 == ("D", b"")
            and b"aut-num:" in k4 and k5 == k1, repr((k1, k2, k3, k4[:40], k5)))
    s.sendall(b"!q\n")
    t.eq("!q closes silently", read_all(s), b"")
    s.close()

    # one answer, one read: bgpq4 reads some answers with a single read()
    s = conn()
    s.sendall(b"!!\n")
    time.sleep(0.1)
    s.sendall(b"!gAS64500\n")
    first = s.recv(65536)
    t.check("a small answer arrives in one segment", bang_data(first) is not None, repr(first))
    s.close()


def check_idle_timeout(d):
    """!t idle timeout"""
    s = conn()
    s.sendall(b"!!\n!t1\n")
    t0 = time.time()
    rest = read_all(s, 5)
    took = time.time() - t0
    t.check("!t1: C then closed after about 1 s", rest == b"C\n" and 0.8 <= took <= 2.5,
            f"got {rest!r} after {took:.2f}s")
    s.close()
    t.eq("!t0 rejected", it.whois(cfg.whois_port, "!t0")[:1], b"F")


def read_any(c):
    """One answer in whichever framing it comes."""
    while not c.buf:
        c._fill()
    if c.buf[:1] in (b"A", b"C", b"D", b"F"):
        return c.read_bang()
    return ("RIPE", c.read_ripe())


def check_hostile_bytes(d):
    """hostile bytes"""
    s = conn()
    s.sendall(b"!!\n\x00\x00\n\xff\xfe\xc3\x28 AS64500\n!g\xc3\x28\n-\xff\n!v\n")
    c = it.WhoisConn.__new__(it.WhoisConn)
    c.s, c.buf = s, bytearray()
    got = [read_any(c) for _ in range(5)]
    t.check("NUL bytes and invalid UTF-8: one framed answer each, connection stays usable",
            got[4][0] == "A" and b"IRRd" in got[4][1], repr(got))
    s.close()


def check_line_length(d):
    """line length"""
    s = conn()
    try:
        s.sendall(b"!i" + b"A" * (1 << 20) + b"\n")
    except OSError:
        pass
    ans = read_all(s, 5)
    t.check("1 MiB line: F error, then closed", ans is not None and ans.startswith(b"F ") and ans.count(b"\n") == 1,
            repr(ans[:100] if ans else ans))
    s.close()
    s = conn()
    try:
        s.sendall(b"-k " + b"A" * (1 << 20) + b"\n")
    except OSError:
        pass
    ans = read_all(s, 5)
    t.check("1 MiB RIPE line: %% ERROR, then closed",
            ans is not None and ans.startswith(b"%% ERROR: ") and ans.endswith(b"\n\n\n"), repr(ans[:100] if ans else ans))
    s.close()
    t.check("still serving after long lines", bang_data(it.whois(cfg.whois_port, "!v")) is not None)


def check_max_connections(d):
    """max_connections 5"""
    held = []
    for i in range(5):
        h = conn()
        h.sendall(b"!!\n")
        held.append(h)
    time.sleep(0.3)
    s6 = conn()
    ans = read_all(s6, 5)
    t.check("6th connection refused with a message and closed",
            ans is not None and ans.startswith(b"%% ") and b"connections" in ans, repr(ans))
    s6.close()
    held.pop().close()
    time.sleep(0.3)
    t.check("after one closes, a new one is served", bang_data(it.whois(cfg.whois_port, "!v")) is not None)
    for h in held:
        h.close()
    time.sleep(0.3)


def check_never_reads(d):
    """a client that never reads"""
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    slow.connect(("127.0.0.1", cfg.whois_port))
    slow.sendall(b"!!\n!t2\n")
    slow.setblocking(False)
    sent = 0
    q = b"AS-BIG\n" * 100
    end = time.time() + 3
    while time.time() < end and sent < 400 * len(q):
        try:
            sent += slow.send(q)
        except BlockingIOError:
            time.sleep(0.05)
    t0 = time.time()
    other = it.whois(cfg.whois_port, "!v")
    t.check("another client is served while one does not read",
            bang_data(other) is not None and time.time() - t0 < 1.0)
    dropped = dd.wait_for(lambda: "dropped" in d.log_text(), 10)
    t.check("the client that never reads is dropped", dropped is not None, d.log_text()[-500:])
    with open(f"/proc/{d.proc.pid}/status") as f:
        rss = [ln for ln in f if ln.startswith("VmRSS")][0].split()[1]
    t.check("memory stays bounded (RSS < 200 MB)", int(rss) < 200 * 1024, f"VmRSS {rss} kB")
    slow.close()


def check_ipv6_listener(d):
    """IPv6 listener"""
    try:
        s = conn(host="::1", family=socket.AF_INET6)
        s.sendall(b"!v\n")
        t.check("IPv6 ::1 listener", bang_data(read_all(s) or b"") is not None)
        s.close()
    except OSError as e:
        t.fail("IPv6 ::1 listener", str(e))


def check_changes(d):
    """changes from the loaders reach the index within 1 s"""
    upd = dd.base_objects() + [dd._obj(("route", "203.0.113.0/24"), ("descr", "new"), ("origin", "AS64500"),
                                       ("mnt-by", "TEST-MNT"), ("source", "TEST"))]
    udump = dd.write_dump(os.path.join(t.tmp, "update.db"), upd)
    r = it.run([it.prog("irrd_update_database"), "--config", cfg.path, "--source", "TEST", udump])
    t.check("irrd_update_database ran", r.returncode == 0, r.stdout + r.stderr)
    took = dd.wait_for(lambda: b"203.0.113.0/24" in it.whois(cfg.whois_port, "!gAS64500"), 5)
    t.check("update_database ADD visible within 1 s", took is not None and took < 1.0, f"took {took}")
    print(f"  ADD visible after {took}s")

    r = it.run([it.prog("irrd_update_database"), "--config", cfg.path, "--source", "TEST", dump])
    took = dd.wait_for(lambda: b"203.0.113.0/24" not in it.whois(cfg.whois_port, "!gAS64500"), 5)
    t.check("update_database DEL visible within 1 s", r.returncode == 0 and took is not None and took < 1.0,
            f"took {took}")

    made = "whois index: prefix lists of every origin made"
    nmade = d.log_text().count(made)
    rdump = dd.write_dump(os.path.join(t.tmp, "reload.db"),
                          [o for o in dd.base_objects() if "198.51.100.0/25" not in o])
    r = it.run([it.prog("irrd_load_database"), "--config", cfg.path, "--source", "TEST", rdump])
    took = dd.wait_for(lambda: b"198.51.100.0/25" not in it.whois(cfg.whois_port, "!gAS64500"), 5)
    t.check("load_database (RELOAD) visible within 1 s", r.returncode == 0 and took is not None and took < 1.0,
            f"took {took}")
    t.check("RELOAD kept the other objects", b"192.0.2.0/24" in it.whois(cfg.whois_port, "!gAS64500"))
    t.check("RELOAD: the prefix lists are made again", it.wait_for(
        lambda: d.log_text().count(made) == nmade + 1, 10, 0.1), d.log_text().count(made) - nmade)
    r = it.run([it.prog("irrd_load_database"), "--config", cfg.path, "--source", "TEST", dump])
    dd.wait_for(lambda: b"198.51.100.0/25" in it.whois(cfg.whois_port, "!gAS64500"), 5)
    it.wait_for(lambda: d.log_text().count(made) == nmade + 2, 10, 0.1)  # before later checks count


def route_sql(pfx, asn):
    text = f"route:          {pfx}\\norigin:         AS{asn}\\nmnt-by:         TEST-MNT\\nsource:         TEST\\n"
    return (f"INSERT INTO rpsl_objects (rpsl_pk, source, object_class, object_text) "
            f"VALUES ('{pfx}AS{asn}', 'TEST', 'route', E'{text}');")


def check_concurrent_commits(d):
    """concurrent and rolled-back transactions"""
    # Two writers at once (the schema serialises them on object_change) and
    # a rolled-back one, which leaves a gap in the change sequence: nothing
    # may be lost or held up.
    slow = subprocess.Popen(["psql", cfg.db, "-XAtq", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, text=True)
    slow.stdin.write("BEGIN;\n" + route_sql("192.0.2.128/25", 64510) + "\n")
    slow.stdin.flush()
    time.sleep(0.3)
    fast = subprocess.Popen(["psql", cfg.db, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", route_sql("198.51.100.128/25", 64511)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    time.sleep(0.3)
    slow.stdin.write("COMMIT;\n")
    slow.stdin.close()
    slow.wait(10)
    fast.wait(10)
    took = dd.wait_for(lambda: b"192.0.2.128/25" in it.whois(cfg.whois_port, "!gAS64510")
                       and b"198.51.100.128/25" in it.whois(cfg.whois_port, "!gAS64511"), 5)
    t.check("two concurrent writers: both visible within 1 s", took is not None and took < 1.0, f"took {took}")
    it.psql(cfg.db, "BEGIN; " + route_sql("203.0.113.128/25", 64512) + " ROLLBACK;")
    it.psql(cfg.db, route_sql("203.0.113.0/25", 64513))
    took = dd.wait_for(lambda: b"203.0.113.0/25" in it.whois(cfg.whois_port, "!gAS64513"), 5)
    t.check("after a rolled-back change: the next one visible within 1 s", took is not None and took < 1.0,
            f"took {took}")
    t.eq("the rolled-back change never appears", it.whois(cfg.whois_port, "!gAS64512"), b"D\n")
    it.psql(cfg.db, "DELETE FROM rpsl_objects WHERE rpsl_pk IN ('192.0.2.128/25AS64510', "
            "'198.51.100.128/25AS64511', '203.0.113.0/25AS64513')")
    took = dd.wait_for(lambda: all(it.whois(cfg.whois_port, f"!gAS{a}") == b"D\n" for a in (64510, 64511, 64513)), 5)
    t.check("deleted again", took is not None)


def check_http_endpoints(d):
    """HTTP"""
    st, body = it.http_get(cfg.http_port, "/v1/whois/?q=!v")
    t.check("HTTP !v: 200, bare result", st == 200 and body == bang_data(it.whois(cfg.whois_port, "!v")),
            f"{st} {body!r}")
    st, body = it.http_get(cfg.http_port, "/v1/whois/?q=" + urllib.parse.quote("!gAS64500"))
    t.check("HTTP !g: 200 prefixes", st == 200 and b"192.0.2.0/24" in body and not body.startswith(b"A"))
    st, body = it.http_get(cfg.http_port, "/v1/whois/?q=AS64500")
    t.check("HTTP RIPE query: 200 text without the closing blank lines",
            st == 200 and b"aut-num:" in body and not body.endswith(b"\n\n\n"), f"{st} {body[-20:]!r}")
    st, body = it.http_get(cfg.http_port, "/v1/whois/?q=-i+origin+AS64500")
    t.check("HTTP '+' decodes to a space", st == 200 and b"192.0.2.0/24" in body, f"{st} {body[:80]!r}")
    st, body = it.http_get(cfg.http_port, "/v1/whois/?q=!gAS64999")
    t.check("HTTP nothing found: 204 empty", st == 204 and body == b"", f"{st} {body!r}")
    st, body = it.http_get(cfg.http_port, "/v1/whois/?q=!xyz")
    t.check("HTTP bad query: 400 with the error", st == 400 and body and not body.startswith(b"F "), f"{st} {body!r}")
    st, body = it.http_get(cfg.http_port, "/v1/whois/")
    t.eq("HTTP missing q: 400", (st, body), (400, b'Missing required query parameter "q"'))
    st, body = it.http_get(cfg.http_port, "/v1/status/")
    t.check("HTTP /v1/status/: 200 with the source", st == 200 and b"TEST" in body and b"IRRD version" in body,
            f"{st} {body[:200]!r}")
    st, body = it.http_get(cfg.http_port, "/metrics")
    text = body.decode()
    t.check("HTTP /metrics: Prometheus text", st == 200 and "# TYPE irrd_uptime_seconds gauge" in text)
    t.check("metrics: routes of TEST", 'irrd_object_class_total{source="TEST", object_class="route"} 2' in text,
            text[:600])
    t.check("metrics: connections and queries counted",
            int(metric("irrd_whois_queries_total").split()[-1]) > 10 and
            int(metric("irrd_whois_connections_total").split()[-1]) > 5)
    st, body = it.http_get(cfg.http_port, "/nowhere")
    t.eq("HTTP unknown path: 404", st, 404)
    st, body = it.http_get(cfg.http_port, "/json")
    t.eq("HTTP /json without RPKI-aware mode: 404", st, 404)


def check_sighup(d):
    """SIGHUP: a bad config keeps the old one, a good one applies"""
    made = "whois index: prefix lists of every origin made"
    nmade = d.log_text().count(made)
    with open(cfg.path) as f:
        good = f.read()
    with open(cfg.path, "w") as f:
        f.write("irrd: {server: {whois: {port: 'not a port'}}\n")
    d.signal(signal.SIGHUP)
    time.sleep(0.5)
    t.check("SIGHUP with a bad config: still serving", bang_data(it.whois(cfg.whois_port, "!v")) is not None)
    t.check("SIGHUP with a bad config: logged", "configuration not reloaded" in d.log_text(), d.log_text()[-400:])
    c2 = json.loads(good)
    c2["irrd"]["access_lists"]["local"] = ["192.0.2.1/32"]
    with open(cfg.path, "w") as f:
        json.dump(c2, f)
    d.signal(signal.SIGHUP)
    time.sleep(0.5)
    s = conn()
    t.eq("SIGHUP applies a new access list: %% Access denied", read_all(s), b"%% Access denied")
    s.close()
    st, body = it.http_get(cfg.http_port, "/v1/status/")
    t.eq("status page obeys status_access_list", (st, body), (403, b"Access denied"))
    with open(cfg.path, "w") as f:
        f.write(good)
    d.signal(signal.SIGHUP)
    time.sleep(0.5)
    t.check("SIGHUP back to the good config", bang_data(it.whois(cfg.whois_port, "!v")) is not None)
    # the prefix lists are made again after each good reload
    t.check("prefix lists made again after the two good reloads",
            it.wait_for(lambda: d.log_text().count(made) == nmade + 2, 10, 0.1), d.log_text().count(made) - nmade)
    t.eq("!g after the reloads", bang_data(it.whois(cfg.whois_port, "!gAS64500")), b"192.0.2.0/24 198.51.100.0/25")


def check_sigterm(d):
    """SIGTERM with an answer in flight"""
    s = conn()
    s.sendall(b"!!\n" + b"AS-BIG\n" * 10)
    time.sleep(0.3)
    d.signal(signal.SIGTERM)
    time.sleep(0.3)
    got = read_all(s, 15) or b""
    t.check("SIGTERM: answers in flight are delivered whole", got.count(b"as-set:         AS-BIG") >= 1
            and got.endswith(b"\n\n\n"), f"{len(got)} bytes, ends {got[-30:]!r}")
    s.close()
    rc = d.stop()
    t.eq("SIGTERM: exit status 0", rc, 0)
    t.check("SIGTERM: pid file removed", not os.path.exists(os.path.join(t.tmp, "irrd.pid")))


SECTIONS = [check_framing, check_keepalive_pipelining, check_idle_timeout, check_hostile_bytes,
            check_line_length, check_max_connections, check_never_reads, check_ipv6_listener,
            check_changes, check_concurrent_commits, check_http_endpoints, check_sighup, check_sigterm]

with it.Daemon(cfg) as d:
    for fn in SECTIONS:
        section(fn, d)


def check_detached(d):
    """detached, IPv6 wildcard serving IPv4 too"""
    c3 = json.loads(open(cfg.path).read())
    c3["irrd"]["server"]["whois"]["interface"] = "::"
    c3["irrd"]["server"]["whois"]["port"] = it.free_port()
    c3["irrd"]["server"]["http"]["port"] = it.free_port()
    piddir = os.path.join(t.tmp, "run")
    c3["irrd"]["piddir"] = piddir
    c3["irrd"]["log"] = {"level": "INFO", "logfile_path": os.path.join(t.tmp, "detached.log")}
    p3 = os.path.join(t.tmp, "detached.yaml")
    with open(p3, "w") as f:
        json.dump(c3, f)
    port3 = c3["irrd"]["server"]["whois"]["port"]
    r = it.run([it.prog("irrd"), "--config", p3], timeout=60)
    t.check("detached start: parent exits 0 once serving", r.returncode == 0, r.stderr)
    pidf = os.path.join(piddir, "irrd.pid")
    pid = int(open(pidf).read()) if os.path.exists(pidf) else 0
    t.check("detached: pid file written", pid > 0)
    try:
        t.check(":: serves IPv4", bang_data(it.whois(port3, "!v")) is not None)
        s = conn(port=port3, host="::1", family=socket.AF_INET6)
        s.sendall(b"!v\n")
        t.check(":: serves IPv6", bang_data(read_all(s) or b"") is not None)
        s.close()
    except OSError as e:
        t.fail(":: listener", str(e))
    r = it.run([it.prog("irrd"), "--config", p3], timeout=60)
    t.check("second instance refused (pid file locked)", r.returncode != 0 and "already running" in r.stderr, r.stderr)
    if pid > 0:
        os.kill(pid, signal.SIGTERM)
        gone = dd.wait_for(lambda: not os.path.exists(f"/proc/{pid}"), 15)
        t.check("detached: SIGTERM stops it", gone is not None)
        t.check("detached: logged to log.logfile_path",
                "serving, pid" in open(os.path.join(t.tmp, "detached.log")).read())


def check_startup_errors(d):
    """start-up errors"""
    bad = os.path.join(t.tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write("irrd:\n  server:\n    whois:\n      port: 99999999\n")
    r = it.run([it.prog("irrd"), "--config", bad, "--foreground"], timeout=30)
    t.check("bad config: exit 1 with FILE: KEY: problem", r.returncode == 1 and r.stderr.startswith(f"irrd: {bad}: "),
            r.stderr)
    c4 = json.loads(open(cfg.path).read())
    c4["irrd"]["database_url"] = "postgresql://nobody@127.0.0.1:1/none"
    p4 = os.path.join(t.tmp, "nodb.yaml")
    with open(p4, "w") as f:
        json.dump(c4, f)
    r = it.run([it.prog("irrd"), "--config", p4, "--foreground"], timeout=30)
    t.check("unreachable database: exit 1, says database_url", r.returncode == 1 and "database_url" in r.stderr,
            r.stderr)


section(check_detached, None)
section(check_startup_errors, None)
t.done()
