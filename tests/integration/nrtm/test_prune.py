#!/usr/bin/env python3
"""test_prune.py - the daemon prunes object_change (the change feed its
index follows) and keeps answering correctly.

One daemon (IRRD_CHANGE_PRUNE_SECS=1) on its own database: it registers
in object_change_consumer; rows it has handled that are old enough go,
except the newest; changes made after a prune still reach the index; a
consumer that was away while rows it had not handled were pruned (the
horizon moved past it) reloads every source, once; a clean stop removes
its registration.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402


def wait_for(cond, limit):
    return it.wait_for(cond, limit, step=0.2)


def autnum(n):
    return (f"aut-num:        AS{n}\nas-name:        PRUNE-{n}\nmnt-by:         MNT-PRUNE\n"
            f"source:         TEST\n")


def main():
    t = it.Suite()
    db = it.new_db("nrtm_prune")
    cfg = it.write_config(t.tmp, db=db, sources=("TEST",), extra={"rpki": {"roa_source": None}})
    r = it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path])
    t.eq("schema", r.returncode, 0)

    def insert(n):
        it.psql(db, "INSERT INTO rpsl_objects (rpsl_pk, source, object_class, object_text)"
                    f" VALUES ('AS{n}', 'TEST', 'aut-num', '{autnum(n)}')")

    def visible(n):
        return f"aut-num:        AS{n}\n".encode() in it.whois(cfg.whois_port, f"AS{n}", idle=1.0)

    def count(sql):
        return int(it.psql(db, sql)[0][0])

    for n in range(65001, 65011):
        insert(n)
    os.environ["IRRD_CHANGE_PRUNE_SECS"] = "1"
    d = it.Daemon(cfg)
    try:
        t.check("index: objects loaded", wait_for(lambda: visible(65010), 20), d.log_text())
        t.check("daemon registers as a consumer",
                wait_for(lambda: count("SELECT count(*) FROM object_change_consumer WHERE consumer LIKE 'irrd %'")
                         == 1, 20), it.psql(db, "SELECT * FROM object_change_consumer"))
        t.eq("young rows are kept", count("SELECT count(*) FROM object_change"), 10)

        # changes while the daemon runs, then aged past the keep time
        for n in range(65011, 65016):
            insert(n)
        t.check("index: new objects", wait_for(lambda: visible(65015), 20), d.log_text())
        last = count("SELECT max(seq) FROM object_change")
        it.psql(db, "UPDATE object_change SET created = created - interval '1 hour'")
        t.check("handled old rows are pruned, the newest stays",
                wait_for(lambda: count("SELECT count(*) FROM object_change") == 1, 20),
                it.psql(db, "SELECT seq, op, rpsl_pk FROM object_change ORDER BY seq"))
        t.eq("the newest row is the one kept", count("SELECT max(seq) FROM object_change"), last)
        t.eq("consumer position", count("SELECT seq FROM object_change_consumer"), last)
        t.eq("horizon", count("SELECT seq FROM object_change_horizon"), last - 1)

        # the feed still works after a prune: a delete and an add
        it.psql(db, "DELETE FROM rpsl_objects WHERE rpsl_pk = 'AS65003'")
        insert(65020)
        t.check("index: delete after a prune", wait_for(lambda: not visible(65003), 20), d.log_text())
        t.check("index: add after a prune", wait_for(lambda: visible(65020), 20), d.log_text())
        t.check("objects untouched by pruning", visible(65001) and visible(65015))

        # rows this daemon never handled were pruned (it was away): it
        # reloads every source, once. The object below bypasses the feed,
        # so only a reload can bring it into the index.
        it.psql(db, "ALTER TABLE rpsl_objects DISABLE TRIGGER rpsl_objects_change_ins")
        insert(65030)
        it.psql(db, "ALTER TABLE rpsl_objects ENABLE TRIGGER rpsl_objects_change_ins")
        time.sleep(1.5)
        t.check("object outside the feed is not in the index yet", not visible(65030))
        it.psql(db, "UPDATE object_change_horizon SET seq = (SELECT max(seq) + 100 FROM object_change)")
        t.check("a daemon behind the horizon reloads", wait_for(lambda: visible(65030), 20), d.log_text())
        time.sleep(3)
        t.eq("it reloads once", d.log_text().count("were pruned, this daemon had handled up to"), 1)
        t.check("reload: the rest is still there", visible(65001) and visible(65020) and not visible(65003))
        insert(65040)
        t.check("index: changes after the reload", wait_for(lambda: visible(65040), 20), d.log_text())
    finally:
        rc = d.stop()
    t.eq("clean stop", rc, 0)
    t.eq("a clean stop removes the registration", count("SELECT count(*) FROM object_change_consumer"), 0)
    t.done()


if __name__ == "__main__":
    it.run_main(main, "prune")
