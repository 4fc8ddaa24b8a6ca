#!/usr/bin/env python3
"""test_rpki_chain.py - the RPKI part of the NRTM chain (issue 5), with the
daemon's ROA import cycle (irrd/rpki_import.c hands each ROA set to the
mirror with irrd_nrtm_set_roas and journals RPKI state changes).

A is authoritative for DEMO (no RPKI); B mirrors DEMO from A in RPKI-aware
mode (roa_source a local file); C mirrors DEMO from B without RPKI.
 - a route RPKI-invalid at B is stored at B but never reaches C;
 - valid and not_found routes do reach C;
 - adding a ROA at B (file changed, SIGHUP) makes the route valid: B
   journals an ADD and C gets the route; removing the ROA again sends C a
   DEL.
"""
import json
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import chainlib  # noqa: E402

TIMER = 15
SRC = os.environ.get("SRCDIR", os.getcwd())
NO_RPKI = {"rpki": {"roa_source": None}}


def pks(db):
    return {r[0] for r in it.psql(db, "SELECT rpsl_pk FROM rpsl_objects WHERE source = 'DEMO'"
                                      " AND object_class = 'route'")}


def write_roas(path, roas):
    with open(path, "w") as f:
        json.dump({"roas": [{"asn": f"AS{a}", "prefix": p, "maxLength": m, "ta": "test"} for p, a, m in roas]}, f)


def main():
    t = it.Suite()
    tmp = t.tmp
    exp_a, exp_b = os.path.join(tmp, "export-a"), os.path.join(tmp, "export-b")
    for d in (exp_a, exp_b, os.path.join(tmp, "a"), os.path.join(tmp, "b"), os.path.join(tmp, "c")):
        os.makedirs(d)
    roas = os.path.join(tmp, "roas.json")
    write_roas(roas, [("192.0.2.0/24", 65001, 24)])
    a_port, b_port = it.free_port(), it.free_port()

    cfg_a = it.write_config(os.path.join(tmp, "a"), db=it.new_db("rc_a"), sources=("DEMO",), whois_port=a_port,
                            extra=NO_RPKI,
                            source_options=chainlib.authoritative(exp_a, TIMER))
    cfg_b = it.write_config(os.path.join(tmp, "b"), db=it.new_db("rc_b"), sources=("DEMO",), whois_port=b_port,
                            roa_source=f"file://{roas}",
                            extra={"rpki": {"roa_import_timer": TIMER, "notify_invalid_enabled": False}},
                            source_options=chainlib.mirror(exp_a, a_port, TIMER, exp_b))
    cfg_c = it.write_config(os.path.join(tmp, "c"), db=it.new_db("rc_c"), sources=("DEMO",), extra=NO_RPKI,
                            source_options=chainlib.mirror(exp_b, b_port, TIMER))
    for cfg in (cfg_a, cfg_b, cfg_c):
        t.check("schema", it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path]).returncode == 0)
    demo = os.path.join(SRC, "demo", "demo.db")
    r = it.run([it.prog("irrd_load_database"), "--config", cfg_a.path, "--source", "DEMO", "--serial", "100", demo])
    t.check("A: initial load", r.returncode == 0, r.stderr)

    with it.Daemon(cfg_a), it.Daemon(cfg_b) as db_:
        t.check("B full import", it.wait_for(lambda: os.path.exists(os.path.join(exp_b, "DEMO.CURRENTSERIAL")), 60))
        with it.Daemon(cfg_c):
            t.check("C full import", it.wait_for(lambda: len(pks(cfg_c.db)) > 0, 60))
            with open(demo) as f:
                text = f.read().rstrip("\n")
            routes = {
                "valid": ("192.0.2.0/24", 65001),
                "invalid": ("192.0.2.0/24", 65002),
                "not_found": ("198.51.100.0/24", 65003),
            }
            for p, a in routes.values():
                text += (f"\n\nroute:          {p}\ndescr:          RPKI chain test\norigin:         AS{a}\n"
                         f"mnt-by:         DEMO-MNT\nsource:         DEMO")
            dump = os.path.join(tmp, "demo-v2.db")
            with open(dump, "w") as f:
                f.write(text + "\n")
            r = it.run([it.prog("irrd_update_database"), "--config", cfg_a.path, "--source", "DEMO", dump])
            t.check("A: routes added", r.returncode == 0, r.stderr)
            key = {k: f"{p}AS{a}" for k, (p, a) in routes.items()}
            t.check("valid and not_found reach C", it.wait_for(
                lambda: key["valid"] in pks(cfg_c.db) and key["not_found"] in pks(cfg_c.db), 2 * TIMER + 25))
            t.eq("B stores the invalid route as invalid",
                 it.psql(cfg_b.db, f"SELECT rpki_status FROM rpsl_objects WHERE rpsl_pk = '{key['invalid']}'"),
                 [["invalid"]])
            t.check("the invalid route never reaches C", key["invalid"] not in pks(cfg_c.db))
            t.check("B journal has no entry for the invalid route",
                    it.psql(cfg_b.db, f"SELECT count(*) FROM rpsl_database_journal WHERE rpsl_pk = '{key['invalid']}'")
                    == [["0"]])

            # a ROA at B makes it valid: B journals an ADD, C gets the route
            write_roas(roas, [("192.0.2.0/24", 65001, 24), ("192.0.2.0/24", 65002, 24)])
            db_.signal(signal.SIGHUP)
            t.check("ROA added at B: C gets the route", it.wait_for(
                lambda: key["invalid"] in pks(cfg_c.db), 2 * TIMER + 25))
            t.eq("B journalled an ADD", it.psql(
                cfg_b.db, f"SELECT operation FROM rpsl_database_journal WHERE rpsl_pk = '{key['invalid']}'"
                          " ORDER BY serial_nrtm"), [["ADD"]])
            # removing it again sends C a DEL
            write_roas(roas, [("192.0.2.0/24", 65001, 24)])
            db_.signal(signal.SIGHUP)
            t.check("ROA removed at B: C deletes the route", it.wait_for(
                lambda: key["invalid"] not in pks(cfg_c.db), 2 * TIMER + 25))
            t.eq("B journalled a DEL", it.psql(
                cfg_b.db, f"SELECT operation FROM rpsl_database_journal WHERE rpsl_pk = '{key['invalid']}'"
                          " ORDER BY serial_nrtm"), [["ADD"], ["DEL"]])
            # a full reload of B stores each route with its state at once
            r = it.run([it.prog("irrd_mirror_force_reload"), "--config", cfg_b.path, "DEMO"])
            t.check("force reload of B", r.returncode == 0, r.stderr)
            t.check("B reloaded", it.wait_for(lambda: it.psql(
                cfg_b.db, "SELECT force_reload FROM database_status WHERE source = 'DEMO'") == [["f"]], TIMER + 30))
            states = dict(it.psql(cfg_b.db, "SELECT rpsl_pk, rpki_status FROM rpsl_objects WHERE rpsl_pk IN"
                                            f" ('{key['valid']}', '{key['invalid']}', '{key['not_found']}')"))
            t.eq("states after B's full reload", states,
                 {key["valid"]: "valid", key["invalid"]: "invalid", key["not_found"]: "not_found"})
    t.done()


if __name__ == "__main__":
    it.run_main(main, "rpki chain")
