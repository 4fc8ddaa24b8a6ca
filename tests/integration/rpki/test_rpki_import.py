#!/usr/bin/env python3
"""test_rpki_import.py - RPKI-aware mode end to end (issue 4): bin/irrd with
a ROA file, its import cycle (start, SIGHUP, rpki.roa_import_timer), what
whois clients see, the journal, /v1/status/, and the notifications of
newly invalid routes at an SMTP sink on loopback.

Phases:
 1. start: valid and not_found routes are served, pseudo-IRR objects of
    source RPKI exist, no mail;
 2. a new ROA turns 198.51.100.0/24 AS65002 invalid (SIGHUP): gone from !g
    and -i origin, visible with !fno-rpki-filter as "rpki-ov-state:
    invalid", journal DEL (NRTM -g), one mail per contact address (the
    non-authoritative source sends none);
 3. a broken ROA file (SIGHUP): the import fails, everything stays as it
    was, /v1/status/ shows the error;
 4. the ROA file reverted, picked up by the roa_import_timer alone: the
    route is back, journal ADD, no mail;
 5. invalid again with email.recipient_override (SIGHUP reloads the
    config): a new round of mails, every one to the override address;
 6. RPKI-aware mode off (rpki.roa_source null, SIGHUP): !r and RIPE
    queries stop filtering, pseudo-IRR objects go.
"""
import json
import os
import re
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "mail"))
import irrdtest as it  # noqa: E402
from smtp_sink import Sink  # noqa: E402

TIMER = 15	# the smallest rpki.roa_import_timer the configuration accepts

TEST_DB = """\
mntner:         TEST-MNT
admin-c:        R1-TEST
tech-c:         P1-TEST
upd-to:         upd@example.net
mnt-nfy:        nfy@example.net
auth:           MD5-PW $1$fgW84Y9r$kKEn9MUq8PChNKpQhO6BM.
mnt-by:         TEST-MNT
source:         TEST

mntner:         OTHER-MNT
admin-c:        P1-TEST
upd-to:         upd@example.net
mnt-nfy:        other@example.net
auth:           MD5-PW $1$fgW84Y9r$kKEn9MUq8PChNKpQhO6BM.
mnt-by:         OTHER-MNT
source:         TEST

person:         Person One
address:        Street 1
phone:          +31 20 000 0000
e-mail:         p1@example.net
nic-hdl:        P1-TEST
mnt-by:         TEST-MNT
source:         TEST

role:           Role One
address:        Street 2
e-mail:         r1@example.net
nic-hdl:        R1-TEST
admin-c:        P1-TEST
tech-c:         P1-TEST
mnt-by:         TEST-MNT
source:         TEST

route:          192.0.2.0/24
descr:          valid all along
origin:         AS65001
mnt-by:         TEST-MNT
source:         TEST

route:          198.51.100.0/24
descr:          turns invalid
origin:         AS65002
mnt-by:         TEST-MNT
mnt-by:         OTHER-MNT
source:         TEST

route:          203.0.113.0/24
descr:          not_found all along
origin:         AS65002
mnt-by:         TEST-MNT
source:         TEST

route6:         2001:db8::/32
origin:         AS65001
mnt-by:         OTHER-MNT
source:         TEST
"""

MIRR_DB = """\
mntner:         MIRR-MNT
admin-c:        M1-MIRR
upd-to:         upd@example.net
mnt-nfy:        mirr@example.net
auth:           MD5-PW $1$fgW84Y9r$kKEn9MUq8PChNKpQhO6BM.
mnt-by:         MIRR-MNT
source:         MIRR

route:          198.51.100.0/24
origin:         AS65002
mnt-by:         MIRR-MNT
source:         MIRR
"""

ROAS_V1 = [("192.0.2.0/24", 65001, 24), ("2001:db8::/32", 65001, 48)]
ROAS_V2 = ROAS_V1 + [("198.51.100.0/24", 65003, 24)]


def write_roas(path, roas):
    with open(path + ".tmp", "w") as f:
        json.dump({"roas": [{"asn": f"AS{a}", "prefix": p, "maxLength": m, "ta": "testta"}
                            for p, a, m in roas]}, f)
    os.rename(path + ".tmp", path)


def wait_for(cond, limit):
    return it.wait_for(cond, limit, step=0.3, errors=(OSError, ValueError))


def bang(port, q):
    return it.whois(port, q, idle=2.0).decode(errors="replace")


def status(cfg):
    code, body = it.http_get(cfg.http_port, "/v1/status/")
    return body.decode(errors="replace") if code == 200 else ""


def imports(cfg, what):
    m = re.search(r"imports: (\d+) succeeded, (\d+) failed", status(cfg))
    if not m:
        return -1
    return int(m.group(1) if what == "ok" else m.group(2))


def main():
    t = it.Suite()
    tmp = t.tmp
    roas = os.path.join(tmp, "roas.json")
    write_roas(roas, ROAS_V1)
    sink = Sink(os.path.join(tmp, "sink"))
    db = it.new_db("rpki_import")
    extra = {
        "rpki": {"roa_import_timer": TIMER, "notify_invalid_enabled": True},
        "email": {"from": "irrd@example.net", "smtp": f"127.0.0.1:{sink.port}"},
    }
    srcopts = {
        "TEST": {"authoritative": True, "keep_journal": True, "nrtm_access_list": "local"},
        "MIRR": {"authoritative": False},
    }
    cfg = it.write_config(tmp, db=db, sources=("TEST", "MIRR"), sources_default=("TEST", "MIRR", "RPKI"),
                          roa_source=f"file://{roas}", extra=extra, source_options=srcopts)
    r = it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path])
    t.check("schema", r.returncode == 0, r.stderr)
    for src, text in (("TEST", TEST_DB), ("MIRR", MIRR_DB)):
        path = os.path.join(tmp, f"{src}.db")
        with open(path, "w") as f:
            f.write(text)
        r = it.run([it.prog("irrd_load_database"), "--config", cfg.path, "--source", src, path])
        t.check(f"load {src}", r.returncode == 0, r.stdout + r.stderr)

    d = it.Daemon(cfg)
    port = cfg.whois_port
    try:
        # ---- 1. start ----
        t.check("first import at start", wait_for(lambda: imports(cfg, "ok") >= 1, 30), status(cfg))
        g = bang(port, "!gAS65002")
        t.contains("start: !g has the route that turns invalid later", g, "198.51.100.0/24")
        t.contains("start: !g has the not_found route", g, "203.0.113.0/24")
        ans = bang(port, "!r192.0.2.0/24")
        t.contains("start: valid route carries its state", ans, "rpki-ov-state:  valid")
        ans = bang(port, "-s RPKI 192.0.2.0/24")
        t.contains("start: pseudo-IRR object", ans, "source:         RPKI  # Trust Anchor: testta")
        t.contains("start: pseudo-IRR object text", ans, "descr:          RPKI ROA for 192.0.2.0/24 / AS65001")
        t.check("start: no rpki-ov-state on pseudo-IRR objects", "rpki-ov-state" not in ans, ans)
        st = status(cfg)
        t.contains("start: status shows the ROAs", st, "ROAs in force: 2; pseudo-IRR objects: 2")
        t.contains("start: status shows no error", st, "Last ROA import error: None")
        time.sleep(1)
        t.eq("start: no mail", len(sink.messages()), 0)

        # ---- 2. a ROA makes 198.51.100.0/24 AS65002 invalid ----
        write_roas(roas, ROAS_V2)
        d.signal(signal.SIGHUP)
        gone = wait_for(lambda: "198.51.100.0/24" not in bang(port, "!gAS65002"), TIMER)
        t.check("invalid: gone from !g within one import cycle", gone, bang(port, "!gAS65002"))
        t.contains("invalid: !g keeps the not_found route", bang(port, "!gAS65002"), "203.0.113.0/24")
        inv = bang(port, "-i origin AS65002")
        t.check("invalid: gone from -i origin", "198.51.100.0/24" not in inv and "203.0.113.0/24" in inv, inv)
        ans = bang(port, "!r198.51.100.0/24")
        t.check("invalid: !r without the filter off shows only the pseudo-IRR object",
                "turns invalid" not in ans and "source:         RPKI" in ans, ans)
        c = it.WhoisConn(port)
        c.send("!!")
        c.send("!fno-rpki-filter")
        kind, data = c.read_bang()
        t.check("invalid: !fno-rpki-filter accepted", kind == "A" and b"disabled" in data, (kind, data))
        c.send("!r198.51.100.0/24")
        kind, data = c.read_bang()
        text = data.decode(errors="replace")
        t.check("invalid: shown with !fno-rpki-filter", kind == "A" and "descr:          turns invalid" in text, text)
        t.contains("invalid: rpki-ov-state invalid", text, "rpki-ov-state:  invalid")
        c.close()
        # the journal, through NRTM and in the table
        del_re = re.compile(r"\nDEL \d+\n\nroute:          198\.51\.100\.0/24\n")
        t.check("invalid: journal DEL over NRTM",
                wait_for(lambda: del_re.search(bang(port, "-g TEST:3:1-LAST")), 30), bang(port, "-g TEST:3:1-LAST"))
        rows = it.psql(db, "SELECT operation, origin FROM rpsl_database_journal WHERE source = 'TEST'"
                           " AND rpsl_pk = '198.51.100.0/24AS65002' ORDER BY serial_nrtm")
        t.eq("invalid: journal table", rows, [["DEL", "rpki_status"]])
        t.eq("invalid: database state", it.psql(db, "SELECT source, rpki_status FROM rpsl_objects WHERE"
                                                    " rpsl_pk = '198.51.100.0/24AS65002' ORDER BY source"),
             [["MIRR", "invalid"], ["TEST", "invalid"]])
        # one mail per contact address
        want = {"nfy@example.net", "p1@example.net", "r1@example.net", "other@example.net"}
        t.check("invalid: four mails", wait_for(lambda: len(sink.messages()) >= 4, 20), sink.messages())
        time.sleep(1)
        msgs = sink.messages()
        t.eq("invalid: one mail per address", sorted(r for m in msgs for r in m["to"]), sorted(want))
        for m in msgs:
            t.eq(f"invalid: subject to {m['to']}", m["subject"], "route(6) objects in TEST marked RPKI invalid")
            t.contains(f"invalid: header to {m['to']}", m["body"],
                       "This is to notify that 1 route(6) objects for which you are a\ncontact")
            t.contains(f"invalid: object listed to {m['to']}", m["body"],
                       "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\nroute:          198.51.100.0/24\n"
                       "descr:          turns invalid\n")
            t.check(f"invalid: nothing else to {m['to']}",
                    "203.0.113.0/24" not in m["body"] and "source:         MIRR" not in m["body"], m["body"])
        t.check("invalid: no mail for the non-authoritative source",
                all("mirr@example.net" not in m["to"] for m in msgs), msgs)
        sink.clear()

        # ---- 3. a broken ROA file ----
        failed = imports(cfg, "failed")
        with open(roas, "w") as f:
            f.write('{"roas": [{"asn": "AS65001", "prefix": "192.0.2.0/24", "maxLength": 24')
        d.signal(signal.SIGHUP)
        t.check("bad file: the import fails", wait_for(lambda: imports(cfg, "failed") > failed, 30), status(cfg))
        st = status(cfg)
        m = re.search(r"Last ROA import error: (.*)", st)
        t.check("bad file: /v1/status/ names the file", m is not None and "roas.json" in m.group(1), st)
        t.contains("bad file: the previous set stays", st, "ROAs in force: 3; pseudo-IRR objects: 3")
        t.check("bad file: the route stays invalid", "198.51.100.0/24" not in bang(port, "!gAS65002"))
        t.contains("bad file: pseudo-IRR objects stay", bang(port, "-s RPKI 198.51.100.0/24"),
                   "origin:         AS65003")
        t.eq("bad file: database state kept", it.psql(db, "SELECT rpki_status FROM rpsl_objects WHERE"
                                                          " rpsl_pk = '198.51.100.0/24AS65002' AND source = 'TEST'"),
             [["invalid"]])
        t.eq("bad file: roa_object kept", it.psql(db, "SELECT count(*) FROM roa_object"), [["3"]])
        t.check("bad file: logged", "ROA import failed" in d.log_text() and "roas.json" in d.log_text())

        # ---- 4. reverted, found by the import timer alone ----
        write_roas(roas, ROAS_V1)
        back = wait_for(lambda: "198.51.100.0/24" in bang(port, "!gAS65002"), 2 * TIMER + 10)
        t.check("reverted: back in !g through roa_import_timer", back, status(cfg))
        t.check("reverted: error cleared", "Last ROA import error: None" in status(cfg), status(cfg))
        add_re = re.compile(r"\nADD \d+\n\nroute:          198\.51\.100\.0/24\n")
        t.check("reverted: journal ADD over NRTM",
                wait_for(lambda: add_re.search(bang(port, "-g TEST:3:1-LAST")), 30), bang(port, "-g TEST:3:1-LAST"))
        t.check("reverted: pseudo-IRR object removed", "AS65003" not in bang(port, "-s RPKI 198.51.100.0/24"))
        time.sleep(1)
        t.eq("reverted: no mail", len(sink.messages()), 0)

        # ---- 5. invalid again, with email.recipient_override ----
        extra["email"]["recipient_override"] = "override@example.net"
        cfg = it.write_config(tmp, db=db, sources=("TEST", "MIRR"), sources_default=("TEST", "MIRR", "RPKI"),
                              roa_source=f"file://{roas}", extra=extra, source_options=srcopts,
                              whois_port=cfg.whois_port, http_port=cfg.http_port, rtr_port=cfg.rtr_port)
        write_roas(roas, ROAS_V2)
        d.signal(signal.SIGHUP)
        t.check("again: invalid again", wait_for(lambda: "198.51.100.0/24" not in bang(port, "!gAS65002"), TIMER))
        t.check("again: a new round of mails", wait_for(lambda: len(sink.messages()) >= 4, 20), sink.messages())
        time.sleep(1)
        msgs = sink.messages()
        t.eq("again: four mails, all to the override address", [m["to"] for m in msgs],
             [["override@example.net"]] * 4)

        # ---- 6. RPKI-aware mode off (roa_source null, SIGHUP) ----
        extra["rpki"] = {"roa_source": None}
        cfg = it.write_config(tmp, db=db, sources=("TEST", "MIRR"), sources_default=("TEST", "MIRR"),
                              extra=extra, source_options=srcopts,
                              whois_port=cfg.whois_port, http_port=cfg.http_port, rtr_port=cfg.rtr_port)
        d.signal(signal.SIGHUP)
        # as IRRd: !r and RIPE queries stop filtering; the stored states stay
        # (and with them !g's view) until rpki_excluded resets them
        t.check("off: !r no longer filters", wait_for(lambda: "turns invalid" in bang(port, "!r198.51.100.0/24"), 20),
                bang(port, "!r198.51.100.0/24"))
        t.check("off: no pseudo-IRR objects", wait_for(lambda: "RPKI ROA for" not in bang(port, "-s RPKI 192.0.2.0/24")
                                                       and "RPKI ROA for" not in bang(port, "!gAS65001"), 20))
        t.contains("off: status", status(cfg), "RPKI-aware mode: disabled")
    finally:
        rc = d.stop()
        sink.stop()
    t.eq("clean stop", rc, 0)
    t.done()


if __name__ == "__main__":
    main()
