#!/usr/bin/env python3
"""test_clients.py - bin/irrd with the real clients operators use: the
whois(1) command and bgpq4 (-h host:port), checking what they print."""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import daemondata as dd  # noqa: E402
import irrdtest as it  # noqa: E402

t = it.Suite()
for tool in ("whois", "bgpq4"):
    if not t.check(f"{tool} is installed", shutil.which(tool) is not None, "see scripts/deps.sh"):
        t.done()
cfg, dump = dd.setup(t)


def whois(*args):
    r = it.run(["whois", "-h", "127.0.0.1", "-p", str(cfg.whois_port), *args], timeout=30)
    return r.returncode, r.stdout


def bgpq4(*args):
    # -p: the test ASNs are in the documentation range, which bgpq4 treats as private
    r = it.run(["bgpq4", "-h", f"127.0.0.1:{cfg.whois_port}", "-p", *args], timeout=60)
    return r.returncode, r.stdout, r.stderr


with it.Daemon(cfg) as d:
    rc, out = whois("AS64500")
    t.check("whois AS64500: the aut-num", rc == 0 and "aut-num:        AS64500" in out, out)
    rc, out = whois("-i", "origin", "AS64500")
    t.check("whois -i origin AS64500: both IPv4 routes and the route6",
            "192.0.2.0/24" in out and "198.51.100.0/25" in out and "2001:db8::/32" in out, out)
    rc, out = whois("AS64999")
    t.check("whois AS64999: not found", "No entries found" in out, out)
    rc, out = whois("!gAS64500")
    t.check("whois !gAS64500: A-framed prefixes", re.search(r"^A\d+$", out, re.M) is not None
            and "192.0.2.0/24" in out, out)
    rc, out = whois("AS-BIG")
    t.check("whois AS-BIG: a 100 kB object arrives whole",
            "AS109999" in out and "source:         TEST" in out, out[-300:])

    rc, out, err = bgpq4("-4", "-l", "TEST4", "AS64500")
    t.check("bgpq4 -4 AS64500: Cisco prefix-list", rc == 0 and "ip prefix-list TEST4 permit 192.0.2.0/24" in out
            and "ip prefix-list TEST4 permit 198.51.100.0/25" in out, out + err)
    rc, out, err = bgpq4("-6", "-l", "TEST6", "AS64500")
    t.check("bgpq4 -6 AS64500", rc == 0 and "ipv6 prefix-list TEST6 permit 2001:db8::/32" in out, out + err)
    rc, out, err = bgpq4("-4", "-l", "SET4", "AS-TEST")
    t.check("bgpq4 -4 AS-TEST: the set's routes", rc == 0 and "192.0.2.0/24" in out, out + err)
    rc, out, err = bgpq4("-J", "-l", "SETJ", "AS-TEST")
    t.check("bgpq4 -J AS-TEST: Juniper prefix-list", rc == 0 and "192.0.2.0/24;" in out and "SETJ" in out,
            out + err)
    rc, out, err = bgpq4("-f", "64500", "-l", "PATH", "AS-TEST")
    t.check("bgpq4 -f 64500 AS-TEST: as-path list with the members",
            rc == 0 and "64500" in out and "64501" in out and "PATH" in out, out + err)
    rc, out, err = bgpq4("-4", "-l", "BIG", "AS-BIG")
    t.check("bgpq4 -4 AS-BIG (10000 members, no routes): empty list, no error",
            rc == 0 and "BIG" in out and "permit" not in out, out[-300:] + err)
    rc, out, err = bgpq4("-4", "-l", "NONE", "AS64999")
    t.check("bgpq4 for an AS without routes: deny-all list", rc == 0 and "NONE" in out, out + err)
    t.check("no connection was dropped or refused", "dropped" not in d.log_text()
            and "rejecting" not in d.log_text(), d.log_text()[-500:])
    t.eq("SIGTERM: exit 0", d.stop(), 0)
t.done()
