#!/usr/bin/env python3
"""test_chain.py - NRTM end to end with three daemons.

A is authoritative for DEMO (keep_journal, export every 15 s); B mirrors
DEMO from A (full import of A's export, then NRTM v3 from A's whois port);
C mirrors DEMO from B the same way. Objects added, changed and deleted on
A (irrd_update_database) reach C within two import cycles, byte for byte
(auth hashes masked, as every IRRd export and NRTM answer does), with A's
serials. Also: -g framing and errors on A, irrd_mirror_force_reload, and
malformed NRTM answers from a fake upstream rejected with nothing applied
and the reason in /v1/status/ (and serial_newest_mirror unchanged in !J).
"""
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import chainlib  # noqa: E402

NO_RPKI = {"rpki": {"roa_source": None}}
TIMER = 15  # the smallest import_timer / export_timer IRRd accepts
SRC = os.environ.get("SRCDIR", os.getcwd())
HASH_RE = re.compile(r"(CRYPT-PW|MD5-PW|BCRYPT-PW)[^\n]+", re.IGNORECASE)


def masked(text):
    return HASH_RE.sub(r"\1 DummyValue  # Filtered for security", text)


def objects_b64(db):
    import base64
    rows = it.psql(db, "SELECT object_class || ' ' || rpsl_pk, replace(encode(convert_to(object_text, 'UTF8'),"
                       " 'base64'), E'\\n', '') FROM rpsl_objects WHERE source = 'DEMO'")
    return {r[0]: base64.b64decode(r[1]).decode() for r in rows}


def journal(db):
    return it.psql(db, "SELECT serial_nrtm, operation, rpsl_pk FROM rpsl_database_journal"
                       " WHERE source = 'DEMO' ORDER BY serial_nrtm")


def main():
    t = it.Suite()
    tmp = t.tmp
    exp_a = os.path.join(tmp, "export-a")
    exp_b = os.path.join(tmp, "export-b")
    os.makedirs(exp_a)
    os.makedirs(exp_b)
    for d in ("a", "b", "c", "d"):
        os.makedirs(os.path.join(tmp, d))
    a_port, b_port = it.free_port(), it.free_port()

    cfg_a = it.write_config(os.path.join(tmp, "a"), db=it.new_db("nrtm_a"), sources=("DEMO",), whois_port=a_port,
                            extra=NO_RPKI, source_options=chainlib.authoritative(exp_a, TIMER))

    # B fetches A's export over HTTP (libcurl), C reads B's from the file system
    http_a = serve_http(exp_a)

    cfg_b = it.write_config(os.path.join(tmp, "b"), db=it.new_db("nrtm_b"), sources=("DEMO",), whois_port=b_port, extra=NO_RPKI,
                            source_options=chainlib.mirror(http_a, a_port, TIMER, exp_b))
    cfg_c = it.write_config(os.path.join(tmp, "c"), db=it.new_db("nrtm_c"), sources=("DEMO",), extra=NO_RPKI,
                            source_options=chainlib.mirror(exp_b, b_port, TIMER))
    for cfg in (cfg_a, cfg_b, cfg_c):
        r = it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path])
        t.check("schema", r.returncode == 0, r.stderr)

    demo = os.path.join(SRC, "demo", "demo.db")
    r = it.run([it.prog("irrd_load_database"), "--config", cfg_a.path, "--source", "DEMO", "--serial", "100", demo])
    t.check("A: initial load", r.returncode == 0, r.stdout + r.stderr)

    with it.Daemon(cfg_a) as da:
        # -g on A before any change: no journal yet
        # a status row without journal serials (after irrd_load_database): IRRd's warning
        t.eq("-g no updates yet",
             it.whois(a_port, "-g DEMO:3:101-LAST"),
             b"% Warning: there are no updates available\n\n\n")
        t.check("A exported", it.wait_for(lambda: os.path.exists(os.path.join(exp_a, "DEMO.CURRENTSERIAL")), 30))
        t.eq("A export serial", open(os.path.join(exp_a, "DEMO.CURRENTSERIAL")).read(), "100")

        with it.Daemon(cfg_b) as db_:
            t.check("B full import", it.wait_for(lambda: len(objects_b64(cfg_b.db)) == len(objects_b64(cfg_a.db)), 60),
                    f"B has {len(objects_b64(cfg_b.db))} of {len(objects_b64(cfg_a.db))}")
            t.check("B exported", it.wait_for(lambda: os.path.exists(os.path.join(exp_b, "DEMO.CURRENTSERIAL")), 30))
            with it.Daemon(cfg_c):
                t.check("C full import", it.wait_for(
                    lambda: len(objects_b64(cfg_c.db)) == len(objects_b64(cfg_a.db)), 60))
                a0 = objects_b64(cfg_a.db)
                c0 = objects_b64(cfg_c.db)
                t.eq("C after full import = A (hashes masked)",
                     {k: v for k, v in c0.items()}, {k: masked(v) for k, v in a0.items()})
                t.eq("C status serial", it.psql(cfg_c.db, "SELECT serial_newest_mirror FROM database_status"
                                                          " WHERE source = 'DEMO'"), [["100"]])

                # changes on A: add a route and a person, change an aut-num, delete a route
                dump = os.path.join(tmp, "demo-v2.db")
                with open(demo) as f:
                    paras = [p.strip("\n") for p in f.read().split("\n\n") if p.strip()]
                vi = next(i for i, p in enumerate(paras) if p.startswith("route:"))
                ci = next(i for i, p in enumerate(paras) if p.startswith("aut-num:"))
                vp = paras[vi]
                victim = "route " + re.search(r"^route:\s*(\S+)", vp, re.M).group(1) + \
                    re.search(r"^origin:\s*(\S+)", vp, re.M).group(1).upper()
                changed = "aut-num " + re.search(r"^aut-num:\s*(\S+)", paras[ci], re.M).group(1).upper()
                paras[ci] += "\nremarks:        changed on A for the NRTM chain test"
                out = [p for i, p in enumerate(paras) if i != vi]
                out.append("route:          203.0.113.0/24\ndescr:          NRTM chain test\n"
                           "origin:         AS65530\nmnt-by:         DEMO-MNT\nsource:         DEMO")
                out.append("person:         Chain Tester\naddress:        Somewhere\nphone:          +31 20 000 0000\n"
                           "nic-hdl:        CT1-DEMO\nmnt-by:         DEMO-MNT\nsource:         DEMO")
                with open(dump, "w") as f:
                    f.write("\n\n".join(out) + "\n")
                r = it.run([it.prog("irrd_update_database"), "--config", cfg_a.path, "--source", "DEMO", dump])
                t.check("A: update", r.returncode == 0, r.stdout + r.stderr)
                ja = journal(cfg_a.db)
                t.check("A journal has 4 entries", len(ja) == 4, ja)
                t.eq("A journal serials", [row[0] for row in ja], ["101", "102", "103", "104"])
                t0 = time.time()

                # -g on A, exact framing of one entry (the journal cache follows within a second)
                it.wait_for(lambda: it.whois(a_port, "-g DEMO:3:101-101").startswith(b"%START"), 10)
                g = it.whois(a_port, "-g DEMO:3:101-101")
                t.check("-g framing", g.startswith(b"%START Version: 3 DEMO 101-101\n\nADD 101\n\n")
                        and g.endswith(b"\n\n%END DEMO\n\n\n"), g[:200])
                t.eq("-g no newer", it.whois(a_port, "-g DEMO:3:105-LAST"),
                     b"% Warning: there are no newer updates available\n\n\n")
                t.eq("-g beyond", it.whois(a_port, "-g DEMO:3:107-LAST"),
                     b"%% ERROR: Serials 104 - 107 do not exist\n\n\n")
                t.check("-g v1", it.whois(a_port, "-g DEMO:1:104-104").startswith(
                    b"%START Version: 1 DEMO 104-104\n\nADD\n\n"))
                t.eq("-g RPKI refused", it.whois(a_port, "-g RPKI:3:1-LAST"),
                     b"%% ERROR: Unknown source: RPKI\n\n\n")

                def c_matches():
                    return journal(cfg_c.db) == ja
                ok = it.wait_for(c_matches, 2 * TIMER + 25)
                t.check("C journal = A journal (serials kept) within two import cycles", ok,
                        f"C: {journal(cfg_c.db)} after {time.time() - t0:.0f}s")
                t.check("B journal = A journal", journal(cfg_b.db) == ja, journal(cfg_b.db))
                a1 = objects_b64(cfg_a.db)
                c1 = objects_b64(cfg_c.db)
                t.check("deleted on A, gone on C", victim not in c1 and victim not in a1, victim)
                t.eq("added route byte-identical", c1.get("route 203.0.113.0/24AS65530"),
                     a1.get("route 203.0.113.0/24AS65530"))
                t.eq("added person byte-identical", c1.get("person CT1-DEMO"), a1.get("person CT1-DEMO"))
                t.eq("changed aut-num byte-identical", c1.get(changed), a1.get(changed))
                t.check("changed aut-num carries the change",
                        "changed on A for the NRTM chain test" in (c1.get(changed) or ""))
                t.eq("C = A (hashes masked)", c1, {k: masked(v) for k, v in a1.items()})
                st = it.http_get(cfg_c.http_port, "/v1/status/")[1].decode()
                t.contains("C status shows the mirror serial", st, "104")
                jj = it.whois(cfg_c.whois_port, "!JDEMO")
                t.contains("C !J serial_newest_mirror", jj.decode(), '"serial_newest_mirror": 104')

                # force reload: the next run of C is a full import
                r = it.run([it.prog("irrd_mirror_force_reload"), "--config", cfg_c.path, "DEMO"])
                t.check("irrd_mirror_force_reload", r.returncode == 0, r.stderr)
                t.eq("force_reload set", it.psql(cfg_c.db, "SELECT force_reload FROM database_status"
                                                           " WHERE source = 'DEMO'"), [["t"]])
                t.check("force_reload honoured", it.wait_for(lambda: it.psql(
                    cfg_c.db, "SELECT force_reload FROM database_status WHERE source = 'DEMO'") == [["f"]],
                    TIMER + 20))
                r = it.run([it.prog("irrd_mirror_force_reload"), "--config", cfg_c.path, "NOPE"])
                t.check("force reload of an unknown source fails", r.returncode != 0 and "NOPE" in r.stderr,
                        r.stderr)
    malformed(t, tmp, exp_a)
    t.done()


def serve_http(directory):
    """A static HTTP server for directory on a free port; returns its base URL."""
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=directory))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{srv.server_address[1]}"


class FakeUpstream:
    """Answers every connection with self.answer, then closes (or drops
    the connection half way when self.drop is set)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.answer = b""
        self.queries = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            try:
                c.settimeout(5)
                q = b""
                while b"\n" not in q:
                    d = c.recv(1024)
                    if not d:
                        break
                    q += d
                self.queries.append(q)
                c.sendall(self.answer)
            except OSError:
                pass
            finally:
                c.close()


def malformed(t, tmp, exp_a):
    """D mirrors DEMO from a fake upstream; each malformed answer is rejected."""
    fake = FakeUpstream()
    cfg_d = it.write_config(os.path.join(tmp, "d"), db=it.new_db("nrtm_d"), sources=("DEMO",), extra=NO_RPKI,
                            source_options=chainlib.mirror(exp_a, fake.port, TIMER))
    r = it.run([it.prog("irrd_database_upgrade"), "--config", cfg_d.path])
    t.check("D schema", r.returncode == 0, r.stderr)
    serial = open(os.path.join(exp_a, "DEMO.CURRENTSERIAL")).read().strip()
    cfg_load = it.write_config(os.path.join(tmp, "d"), db=cfg_d.db, sources=("DEMO",), extra=NO_RPKI,
                               name="load.yaml")
    r = it.run([it.prog("irrd_load_database"), "--config", cfg_load.path, "--source", "DEMO", "--serial", serial,
                os.path.join(exp_a, "demo.db.gz")])
    t.check("D initial load", r.returncode == 0, r.stderr)
    it.psql(cfg_d.db, f"UPDATE database_status SET serial_newest_mirror = {serial} WHERE source = 'DEMO'")
    nxt = int(serial) + 1
    obj = "route:          192.0.2.0/24\norigin:         AS65531\nsource:         DEMO\n"
    cases = {
        "no %END": f"%START Version: 3 DEMO {nxt}-{nxt}\n\nADD {nxt}\n\n{obj}\n",
        "truncated mid-object": f"%START Version: 3 DEMO {nxt}-{nxt + 1}\n\nADD {nxt}\n\n{obj}\nADD {nxt + 1}\n\nrou",
        "serial going backwards": f"%START Version: 3 DEMO {nxt}-{nxt + 1}\n\nADD {nxt + 1}\n\n{obj}\n"
                                  f"DEL {nxt}\n\n{obj}\n%END DEMO\n",
        "two START lines": f"%START Version: 3 DEMO {nxt}-{nxt}\n\n%START Version: 3 DEMO {nxt}-{nxt}\n\n"
                           f"ADD {nxt}\n\n{obj}\n%END DEMO\n",
        "unknown version": f"%START Version: 2 DEMO {nxt}-{nxt}\n\nADD {nxt}\n\n{obj}\n%END DEMO\n",
        "v1 too many": f"%START Version: 1 DEMO {nxt}-{nxt}\n\nADD\n\n{obj}\nADD\n\n{obj}\n%END DEMO\n",
        "server error": "%ERROR:401: invalid range: Not within 1-2\n\n",
    }
    before = objects_b64(cfg_d.db)
    for name, answer in cases.items():
        fake.answer = answer.encode()
        fake.queries.clear()
        it.psql(cfg_d.db, "UPDATE database_status SET last_error = NULL WHERE source = 'DEMO'")
        with it.Daemon(cfg_d) as dd:
            ok = it.wait_for(lambda: it.psql(cfg_d.db, "SELECT last_error IS NOT NULL FROM database_status"
                                                    " WHERE source = 'DEMO'") == [["t"]], 20)
            t.check(f"malformed ({name}): rejected", ok, dd.log_text()[-800:])
            t.eq(f"malformed ({name}): query sent", [q.strip() for q in fake.queries[:1]],
                 [f"-g DEMO:3:{nxt}-LAST".encode()])
            err = it.psql(cfg_d.db, "SELECT last_error FROM database_status WHERE source = 'DEMO'")
            ok = it.wait_for(lambda: "Last import error" in it.http_get(cfg_d.http_port, "/v1/status/")[1].decode(), 10)
            t.check(f"malformed ({name}): reason in /v1/status/", ok, err)
            t.eq(f"malformed ({name}): nothing applied", objects_b64(cfg_d.db), before)
            jj = it.whois(cfg_d.whois_port, "!JDEMO").decode()
            t.contains(f"malformed ({name}): !J mirror serial unchanged", jj, f'"serial_newest_mirror": {serial}')
    # and a good answer after all that is applied
    fake.answer = f"%START Version: 3 DEMO {nxt}-{nxt}\n\nADD {nxt}\n\n{obj}\n%END DEMO\n".encode()
    with it.Daemon(cfg_d):
        ok = it.wait_for(lambda: "route 192.0.2.0/24AS65531" in objects_b64(cfg_d.db), 20)
        t.check("good answer after the bad ones applied", ok)


if __name__ == "__main__":
    it.run_main(main, "test_chain")
