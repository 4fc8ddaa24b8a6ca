#!/usr/bin/env python3
"""check_rpki_synthetic.py - (make check-shared) the RFC 6811 states of
../shared/testdata/synthetic-small's ground truth (answers.json -> rpki:
a 1,000-route sample, the per-state totals, the anchor routes) against
what the real programs store and serve:

 1. irrd_load_database loads irr.db, bin/irrd imports roas.json at start:
    the rpki_status of every sampled route, the totals, and the anchors'
    rpki-ov-state over whois;
 2. slurm.json added to the configuration, SIGHUP: the same with the
    SLURM states;
 3. irrd_load_database again, the daemon stopped: the loader gives every
    route its state under the set in force (roa_object), no import needed.
"""
import json
import os
import re
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import irrdtest as it  # noqa: E402


def wait_for(cond, limit):
    return it.wait_for(cond, limit, step=0.3, errors=(OSError, ValueError))


def imports_ok(cfg):
    code, body = it.http_get(cfg.http_port, "/v1/status/")
    m = re.search(r"imports: (\d+) succeeded", body.decode(errors="replace")) if code == 200 else None
    return int(m.group(1)) if m else -1


def stored(db):
    """(prefix, 'ASn') -> state for every route/route6 of SYNTH."""
    rows = it.psql(db, "SELECT prefix, origin, rpki_status FROM rpsl_objects WHERE source = 'SYNTH'"
                       " AND object_class IN ('route', 'route6')")
    return {(p, f"AS{o}"): s for p, o, s in rows}


def compare(t, name, got, sample, key, summary):
    bad = [(r["prefix"], r["origin"], r[key], got.get((r["prefix"], r["origin"])))
           for r in sample if got.get((r["prefix"], r["origin"])) != r[key]]
    t.check(f"{name}: all {len(sample)} sampled routes", not bad, f"{len(bad)} differ, e.g. {bad[:5]}")
    counts = {s: sum(1 for v in got.values() if v == s) for s in ("valid", "invalid", "not_found")}
    t.eq(f"{name}: totals", counts, {s: summary[s] for s in ("valid", "invalid", "not_found")})


def whois_states(port, routes):
    """rpki-ov-state of each anchor route over one kept-open connection."""
    c = it.WhoisConn(port)
    c.send("!!")
    c.send("!fno-rpki-filter")
    c.read_bang()
    c.send("!sSYNTH")
    c.read_bang()
    out = {}
    for r in routes:
        c.send(f"!r{r['prefix']}")
        kind, data = c.read_bang()
        for obj in data.decode(errors="replace").split("\n\n"):
            if re.search(rf"^origin:\s+{r['origin']}\s*$", obj, re.M | re.I):
                m = re.search(r"^rpki-ov-state:\s+(\S+)", obj, re.M)
                out[(r["prefix"], r["origin"])] = m.group(1) if m else None
    c.close()
    return out


def main():
    t = it.Suite()
    shared = it.env("SHARED_DIR")
    data = os.path.join(shared, "testdata", "synthetic-small")
    with open(os.path.join(data, "answers.json")) as f:
        answers = json.load(f)
    sample = answers["rpki"]["routes"]
    summary = answers["rpki"]["summary"]
    anchors = answers["anchors"]["routes"]
    tmp = t.tmp
    db = it.new_db("rpki_synth")
    srcopts = {"SYNTH": {"authoritative": True, "keep_journal": True, "nrtm_access_list": "local"}}
    extra = {"rpki": {"notify_invalid_enabled": False, "roa_import_timer": 3600}}
    roas = f"file://{data}/roas.json"

    def config(slurm=None, **kw):
        return it.write_config(tmp, db=db, sources=("SYNTH",), sources_default=("SYNTH", "RPKI"),
                               roa_source=roas, slurm_source=slurm, extra=extra, source_options=srcopts, **kw)

    cfg = config()
    r = it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path])
    t.check("schema", r.returncode == 0, r.stderr)
    r = it.run([it.prog("irrd_load_database"), "--config", cfg.path, "--source", "SYNTH",
                os.path.join(data, "irr.db")])
    t.check("load irr.db", r.returncode == 0, r.stdout + r.stderr)
    t.eq("load: no ROA set in force yet, all not_found", set(stored(db).values()), {"not_found"})

    d = it.Daemon(cfg)
    try:
        # ---- 1. roas.json ----
        t.check("import at start", wait_for(lambda: imports_ok(cfg) >= 1, 60))
        compare(t, "roas.json", stored(db), sample, "state", summary["without_slurm"])
        t.eq("roas.json: anchors over whois", whois_states(cfg.whois_port, anchors),
             {(r["prefix"], r["origin"]): r["state"] for r in anchors})
        t.eq("roas.json: roa_object", it.psql(db, "SELECT count(*) FROM roa_object"), [["1091"]])

        # ---- 2. with slurm.json ----
        cfg = config(slurm=f"file://{data}/slurm.json", whois_port=cfg.whois_port, http_port=cfg.http_port,
                     rtr_port=cfg.rtr_port)
        d.signal(signal.SIGHUP)
        t.check("import with SLURM", wait_for(lambda: imports_ok(cfg) >= 2, 60))
        compare(t, "slurm.json", stored(db), sample, "state_slurm", summary["with_slurm"])
        t.eq("slurm.json: anchors over whois", whois_states(cfg.whois_port, anchors),
             {(r["prefix"], r["origin"]): r["state_slurm"] for r in anchors})
    finally:
        rc = d.stop()
    t.eq("clean stop", rc, 0)

    # ---- 3. the loader validates with the set in force ----
    it.psql(db, "UPDATE rpsl_objects SET rpki_status = 'not_found' WHERE source = 'SYNTH'")
    r = it.run([it.prog("irrd_load_database"), "--config", cfg.path, "--source", "SYNTH",
                os.path.join(data, "irr.db")])
    t.check("reload irr.db", r.returncode == 0, r.stdout + r.stderr)
    compare(t, "load-time validation", stored(db), sample, "state_slurm", summary["with_slurm"])
    t.done()


if __name__ == "__main__":
    main()
