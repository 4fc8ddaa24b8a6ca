#!/usr/bin/env python3
"""test_load.py - irrd_database_upgrade, irrd_load_database and
irrd_update_database against a real throwaway PostgreSQL: good, broken,
gzip and truncated dumps, rollback on failure, unknown and mirrored
sources, database down, the database killed mid-load, duplicate keys,
update journal entries, schema upgrade idempotent and refusing a newer
schema. Test dumps: tests/data/load/."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402

t = it.Suite()
DATA = os.path.join(it.env("TEST_DATA_DIR"), "load")
UPGRADE = it.prog("irrd_database_upgrade")
LOAD = it.prog("irrd_load_database")
UPDATE = it.prog("irrd_update_database")


def dump(name):
    return os.path.join(DATA, name)


def config(db, name="irrd.yaml", **kw):
    opts = {
        "TEST": {"authoritative": True, "keep_journal": True},
        "PLAIN": {},
        "MIRROR": {"import_source": "file:///nonexistent.db.gz", "import_serial_source": "file:///x"},
    }
    return it.write_config(t.tmp, db=db, name=name, sources=("TEST", "PLAIN", "MIRROR"),
                           source_options=opts, extra={"rpki": {"roa_source": None}}, **kw)


def fresh():
    """A new database with the schema and a config for it."""
    db = it.new_db("load")
    cfg = config(db, name=f"irrd-{db.rsplit('/', 1)[1]}.yaml")
    r = it.run([UPGRADE, "--config", cfg.path])
    if r.returncode != 0:
        t.fail("schema for a fresh database", r.stderr)
    return db, cfg


def count(db, source):
    return int(it.psql(db, f"SELECT count(*) FROM rpsl_objects WHERE source = '{source}'")[0][0])


def last_line(r):
    lines = r.stdout.splitlines()
    return lines[-1] if lines else f"(no output; exit {r.returncode}; stderr {r.stderr!r})"


def err_lines(r):
    return [line for line in r.stderr.splitlines() if line.strip()]


# ---- irrd_database_upgrade ----
db = it.new_db("load")
cfg = config(db)
r = it.run([UPGRADE, "--config", cfg.path])
t.eq("upgrade: creates the schema", (r.returncode, r.stdout.strip()), (0, "database schema created (version 2)"))
r = it.run([UPGRADE, "--config", cfg.path])
t.eq("upgrade: second run is a no-op", (r.returncode, r.stdout.strip()), (0, "database schema is up to date (version 2)"))
it.psql(db, "INSERT INTO database_status (source) VALUES ('KEEPME')")
it.run([UPGRADE, "--config", cfg.path])
t.eq("upgrade: data survives a re-run", it.psql(db, "SELECT source FROM database_status"), [["KEEPME"]])
it.psql(db, "UPDATE schema_version SET version = 99")
r = it.run([UPGRADE, "--config", cfg.path])
t.eq("upgrade: refuses a newer schema (exit 1)", r.returncode, 1)
t.contains("upgrade: says why", r.stderr,
           "irrd_database_upgrade: database schema version 99 is newer than this program's version 2")
t.eq("upgrade: newer schema untouched", it.psql(db, "SELECT version FROM schema_version"), [["99"]])
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", dump("good.db")])
t.check("load: refuses a newer schema", r.returncode == 1 and "is newer than this program" in r.stderr, r.stderr)
it.psql(db, "UPDATE schema_version SET version = 2")


def migration_sql(name):
    """The SQL of one migration as the C source spells it (the string
    literals of `static const char NAME[]` in sql/schema.c, joined)."""
    import re
    src = open(os.path.join(it.srcdir(), "sql", "schema.c")).read()
    rest = src.split(f"static const char {name}[] =", 1)[1]
    tokens = re.finditer(r'"((?:[^"\\]|\\.)*)"|/\*.*?\*/|(SQL_CHANGE_CHANNEL)|(;)|\s+', rest, flags=re.S)
    parts = []
    for m in tokens:
        if m.group(3):
            break
        if m.group(2):
            parts.append("irrd_change")
        elif m.group(1) is not None:
            parts.append(m.group(1))
    return "".join(parts).encode().decode("unicode_escape")


# ---- a version 1 database (what the previous release created) upgraded in place ----
db = it.new_db("load")
cfg = config(db, name="irrd-v1.yaml")
it.psql(db, migration_sql("migration1") + "; UPDATE schema_version SET version = 1")
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", "--serial", "5", dump("good.db")])
t.check("v1: programs refuse the old schema", r.returncode == 1 and
        "database schema version 1 is older than this program's version 2: run irrd_database_upgrade" in r.stderr,
        r.stderr)
it.psql(db, "INSERT INTO rpsl_objects (rpsl_pk, source, object_class, object_text)"
        " VALUES ('AS65000', 'PLAIN', 'aut-num', 'aut-num: AS65000\nsource: PLAIN\n');"
        " INSERT INTO database_status (source, serial_newest_seen) VALUES ('PLAIN', 3)")
t.eq("v1: the row trigger wrote the change",
     it.psql(db, "SELECT op, rpsl_pk FROM object_change"), [["ADD", "AS65000"]])
r = it.run([UPGRADE, "--config", cfg.path])
t.eq("v1 -> 2: upgraded", (r.returncode, r.stdout.strip()),
     (0, "database schema upgraded from version 1 to 2"))
t.eq("v1 -> 2: objects kept", it.psql(db, "SELECT rpsl_pk, source FROM rpsl_objects"), [["AS65000", "PLAIN"]])
t.eq("v1 -> 2: status kept", it.psql(db, "SELECT source, serial_newest_seen FROM database_status"),
     [["PLAIN", "3"]])
t.eq("v1 -> 2: changes kept", it.psql(db, "SELECT op, rpsl_pk FROM object_change"), [["ADD", "AS65000"]])
t.eq("v1 -> 2: statement triggers",
     it.psql(db, "SELECT tgname, tgtype & 1 FROM pg_trigger WHERE tgrelid = 'rpsl_objects'::regclass ORDER BY 1"),
     [["rpsl_objects_change_del", "0"], ["rpsl_objects_change_ins", "0"], ["rpsl_objects_change_upd", "0"]])
it.psql(db, "DELETE FROM rpsl_objects WHERE rpsl_pk = 'AS65000'")
t.eq("v1 -> 2: a delete writes DEL",
     it.psql(db, "SELECT op, rpsl_pk FROM object_change ORDER BY seq"), [["ADD", "AS65000"], ["DEL", "AS65000"]])
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", "--serial", "5", dump("good.db")])
t.eq("v1 -> 2: load after the upgrade", (r.returncode, r.stdout.strip()),
     (0, "Loaded 10 objects into TEST, rejected 0"))
r = it.run([UPGRADE, "--config", cfg.path])
t.eq("v1 -> 2: second run is a no-op", (r.returncode, r.stdout.strip()),
     (0, "database schema is up to date (version 2)"))

# ---- load a good dump ----
db, cfg = fresh()
r = it.run([LOAD, "--config", cfg.path, "--source", "test", "--serial", "42", dump("good.db")])
t.eq("good: exit status", r.returncode, 0)
t.eq("good: summary", r.stdout.strip(), "Loaded 10 objects into TEST, rejected 0")
t.eq("good: rows", count(db, "TEST"), 10)
t.eq("good: classes", it.psql(db, "SELECT object_class, count(*) FROM rpsl_objects GROUP BY 1 ORDER BY 1"),
     [["as-set", "1"], ["aut-num", "1"], ["inet6num", "1"], ["inetnum", "1"], ["mntner", "1"],
      ["person", "1"], ["route", "2"], ["route-set", "1"], ["route6", "1"]])
t.eq("good: route columns",
     it.psql(db, "SELECT rpsl_pk, ip_version, host(ip_first), host(ip_last), prefix, prefix_length, origin, "
                 "rpki_status FROM rpsl_objects WHERE object_class = 'route' ORDER BY rpsl_pk"),
     [["192.0.2.0/24AS64496", "4", "192.0.2.0", "192.0.2.255", "192.0.2.0/24", "24", "64496", "not_found"],
      ["198.51.100.0/24AS64497", "4", "198.51.100.0", "198.51.100.255", "198.51.100.0/24", "24", "64497",
       "not_found"]])
t.eq("good: route6 columns",
     it.psql(db, "SELECT rpsl_pk, ip_version, prefix, origin FROM rpsl_objects WHERE object_class = 'route6'"),
     [["2001:DB8::/32AS64496", "6", "2001:db8::/32", "64496"]])
t.eq("good: aut-num asn", it.psql(db, "SELECT asn_first, asn_last FROM rpsl_objects WHERE object_class = 'aut-num'"),
     [["64496", "64496"]])
t.eq("good: inetnum range",
     it.psql(db, "SELECT host(ip_first), host(ip_last) FROM rpsl_objects WHERE object_class = 'inetnum'"),
     [["192.0.2.0", "192.0.2.255"]])
t.check("good: lookup values for inverse queries",
        it.psql(db, "SELECT count(*) FROM rpsl_objects WHERE lookup @> ARRAY['mnt-by=TEST-MNT']")[0][0] == "10")
t.check("good: member-of in lookup",
        it.psql(db, "SELECT rpsl_pk FROM rpsl_objects WHERE lookup @> ARRAY['member-of=RS-TEST']") ==
        [["192.0.2.0/24AS64496"]])
text = it.psql(db, "SELECT object_text FROM rpsl_objects WHERE rpsl_pk = '192.0.2.0/24AS64496'")
text = "\n".join(r[0] for r in text)
t.check("good: stored text rendered", text.startswith("route:          192.0.2.0/24\n"), repr(text))
t.check("good: authoritative source gets last-modified", "\nlast-modified:  20" in text, repr(text))
t.eq("good: database_status", it.psql(db, "SELECT source, serial_oldest_seen, serial_newest_seen, "
                                          "serial_newest_journal, force_reload FROM database_status"),
     [["TEST", "42", "42", "", "f"]])
t.eq("good: one RELOAD change", it.psql(db, "SELECT op, source FROM object_change"), [["RELOAD", "TEST"]])

# reload replaces, other sources untouched
r = it.run([LOAD, "--config", cfg.path, "--source", "PLAIN", dump("good.db")])
t.check("other source: objects of TEST rejected for PLAIN",
        r.returncode == 0 and "Loaded 0 objects into PLAIN, rejected 10" in r.stdout, r.stdout + r.stderr)
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", dump("good.db.gz")])
t.eq("gzip: summary", r.stdout.strip(), "Loaded 10 objects into TEST, rejected 0")
t.eq("gzip: rows replaced, not added", count(db, "TEST"), 10)
t.eq("reload: status reset without --serial",
     it.psql(db, "SELECT serial_newest_seen FROM database_status WHERE source = 'TEST'"), [[""]])
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", dump("good.db"), dump("broken.db")])
t.eq("two files: summary", last_line(r), "Loaded 12 objects into TEST, rejected 6")

# ---- broken objects ----
db, cfg = fresh()
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", dump("broken.db")])
t.eq("broken: exit status", r.returncode, 0)
out = r.stdout.splitlines()
t.eq("broken: summary", last_line(r), "Loaded 2 objects into TEST, rejected 6")
rej = [x for x in out if x.startswith(dump("broken.db") + ":")]
t.eq("broken: six reject lines", len(rej), 6)
b = dump("broken.db")


def reject_line(prefix):
    for line in rej:
        if line.startswith(prefix):
            return line
    return None


t.check("broken: invalid prefix names file, line, class", reject_line(f"{b}:10: route") is not None, rej)
t.eq("broken: unknown class", reject_line(f"{b}:16:"), f"{b}:16: foo-bar: Unknown object class: foo-bar")
line = reject_line(f"{b}:20: route")
t.check("broken: missing source", line is not None and "source" in line, rej)
t.eq("broken: other source", reject_line(f"{b}:25:"),
     f"{b}:25: route 198.51.100.0/25AS64500: Invalid source OTHER for object 198.51.100.0/25AS64500, expected TEST")
t.check("broken: invalid AS number", reject_line(f"{b}:34: aut-num") is not None, rej)
line = reject_line(f"{b}:47: route")
t.check("broken: missing origin", line is not None and "origin" in line, rej)
t.check("broken: legacy *xx object not rejected", all("*xx" not in x for x in rej), rej)
t.contains("broken: legacy *xx object counted as ignored", r.stdout, "1 legacy *xx objects ignored")
t.check("broken: a reject line without a key has no blank key",
        reject_line(f"{b}:34: aut-num: ") is not None, rej)
t.eq("broken: valid objects stored",
     it.psql(db, "SELECT rpsl_pk FROM rpsl_objects ORDER BY rpsl_pk"), [["203.0.113.0/24AS64500"], ["VALID-TEST"]])

# ---- duplicate keys: the last one wins ----
db, cfg = fresh()
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", dump("duplicates.db")])
t.eq("duplicates: summary", last_line(r), "Loaded 2 objects into TEST, rejected 0")
t.contains("duplicates: reported", r.stdout, "2 objects were replaced by a later object with the same key")
text = "\n".join(x[0] for x in it.psql(db, "SELECT object_text FROM rpsl_objects WHERE rpsl_pk = '192.0.2.0/24AS64496'"))
t.check("duplicates: last one wins", "third and last" in text, repr(text))

# ---- failures roll back ----
db, cfg = fresh()
it.run([LOAD, "--config", cfg.path, "--source", "TEST", "--serial", "7", dump("good.db")])
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", dump("truncated.db.gz")])
t.eq("truncated gzip: exit status", r.returncode, 1)
t.contains("truncated gzip: names file and position", r.stderr, f"{dump('truncated.db.gz')}: truncated gzip input after line ")
t.eq("truncated gzip: old data intact", count(db, "TEST"), 10)
t.eq("truncated gzip: old status intact",
     it.psql(db, "SELECT serial_newest_seen FROM database_status WHERE source = 'TEST'"), [["7"]])
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", dump("broken.db"), dump("truncated.db.gz")])
t.check("second file truncated: nothing loaded", r.returncode == 1 and count(db, "TEST") == 10, r.stderr)
t.eq("no stray load tables",
     it.psql(db, "SELECT count(*) FROM pg_class WHERE relname LIKE 'rpsl_objects_load_%' AND relkind = 'r'"
                 " AND NOT relispartition"), [["0"]])
missing = os.path.join(t.tmp, "missing.db")
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", missing])
t.eq("missing file: message", (r.returncode, r.stderr.strip()),
     (1, f"irrd_load_database: {missing}: cannot open: No such file or directory"))

# ---- unknown, mirrored source; database down ----
r = it.run([LOAD, "--config", cfg.path, "--source", "NOPE", dump("good.db")])
t.eq("unknown source: exit 1", r.returncode, 1)
t.contains("unknown source: message", r.stderr, "irrd_load_database: --source NOPE: not a source in")
r = it.run([LOAD, "--config", cfg.path, "--source", "MIRROR", dump("good.db")])
t.eq("mirrored source: exit 2 as IRRd", r.returncode, 2)
t.contains("mirrored source: IRRd's reason", r.stderr, "import_source and import_serial_source for source MIRROR must not be set")
down = config(db.replace(it.env("IRRD_TEST_PG_PORT"), str(it.free_port())), name="down.yaml")
for prog in (LOAD, UPDATE):
    r = it.run([prog, "--config", down.path, "--source", "TEST", dump("good.db")])
    name = os.path.basename(prog)
    t.eq(f"database down: {name} exit 1", r.returncode, 1)
    lines = err_lines(r)
    t.check(f"database down: {name} one clear line",
            len(lines) == 1 and lines[0].startswith(f"{name}: database_url: cannot connect: "), lines)
r = it.run([UPGRADE, "--config", down.path])
t.check("database down: upgrade one clear line", r.returncode == 1 and len(err_lines(r)) == 1, r.stderr)

# ---- the database goes away mid-load ----
big = os.path.join(t.tmp, "big.db")
with open(big, "w") as f:
    for i in range(150000):
        f.write(f"route:          10.{i >> 8 & 255}.{i & 255}.0/24\ndescr:          filler {i}\n"
                f"origin:         AS{65000 + i % 100}\nmnt-by:         TEST-MNT\nsource:         TEST\n\n")
p = subprocess.Popen([LOAD, "--config", cfg.path, "--source", "TEST", "--jobs", "1", big],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
killed = False
for _ in range(100):
    time.sleep(0.05)
    rows = it.psql(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE application_name = 'irrd_load_database' AND pid <> pg_backend_pid()")
    if rows:
        killed = True
        break
so, se = p.communicate(timeout=120)
t.check("killed mid-load: backend was found and killed", killed)
t.eq("killed mid-load: exit 1", p.returncode, 1)
t.check("killed mid-load: says the load failed", "load failed, nothing was changed" in se, se)
t.eq("killed mid-load: old data intact", count(db, "TEST"), 10)

# ---- two loads at the same time (different sources) ----
db, cfg = fresh()
plain_big = os.path.join(t.tmp, "plain_big.db")
with open(big) as f, open(plain_big, "w") as g:
    g.write(f.read().replace("source:         TEST", "source:         PLAIN"))
ok = True
why = ""
for _ in range(3):
    pa = subprocess.Popen([LOAD, "--config", cfg.path, "--source", "TEST", big],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pb = subprocess.Popen([LOAD, "--config", cfg.path, "--source", "PLAIN", plain_big],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for p_ in (pa, pb):
        so, se = p_.communicate(timeout=300)
        if p_.returncode != 0:
            ok = False
            why = se
t.check("concurrent loads of two sources both succeed (no deadlock)", ok, why)
t.eq("concurrent loads: rows", (count(db, "TEST"), count(db, "PLAIN")), (150000, 150000))

# ---- update_database ----
db, cfg = fresh()
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", "--serial", "100", dump("update_v1.db")])
t.eq("update: base load", r.stdout.strip(), "Loaded 4 objects into TEST, rejected 0")
seq0 = int(it.psql(db, "SELECT max(seq) FROM object_change")[0][0])
before = it.psql(db, "SELECT object_text FROM rpsl_objects WHERE rpsl_pk = '192.0.2.0/24AS64496'")
r = it.run([UPDATE, "--config", cfg.path, "--source", "TEST", dump("update_v2.db")])
t.eq("update: exit status", r.returncode, 0)
t.contains("update: IRRd's counts", r.stdout,
           "File update for TEST: 4 objects read, 4 objects processed, 1 objects newly inserted, "
           "1 objects newly deleted, 3 objects retained, of which 1 modified, ignored 0 due to errors")
t.contains("update: serials", r.stdout, "Journal serials 101-103")
t.eq("update: journal",
     it.psql(db, "SELECT serial_nrtm, operation, object_class, rpsl_pk, origin FROM rpsl_database_journal "
                 "ORDER BY serial_nrtm"),
     [["101", "ADD", "route6", "2001:DB8::/32AS64496", "synthetic_nrtm"],
      ["102", "DEL", "route", "203.0.113.0/24AS64498", "synthetic_nrtm"],
      ["103", "ADD", "route", "198.51.100.0/24AS64497", "synthetic_nrtm"]])
jtext = "\n".join(x[0] for x in it.psql(db, "SELECT object_text FROM rpsl_database_journal WHERE serial_nrtm = 103"))
t.check("update: journal ADD has the new text", "has been changed" in jtext, repr(jtext))
jtext = "\n".join(x[0] for x in it.psql(db, "SELECT object_text FROM rpsl_database_journal WHERE serial_nrtm = 102"))
t.check("update: journal DEL has the old text", "will be deleted" in jtext, repr(jtext))
t.eq("update: rows", sorted(x[0] for x in it.psql(db, "SELECT rpsl_pk FROM rpsl_objects")),
     ["192.0.2.0/24AS64496", "198.51.100.0/24AS64497", "2001:DB8::/32AS64496", "TEST-MNT"])
t.eq("update: unchanged object untouched (reformatting is no change)",
     it.psql(db, "SELECT object_text FROM rpsl_objects WHERE rpsl_pk = '192.0.2.0/24AS64496'"), before)
t.eq("update: database_status serials",
     it.psql(db, "SELECT serial_oldest_journal, serial_newest_journal, serial_oldest_seen, serial_newest_seen "
                 "FROM database_status WHERE source = 'TEST'"), [["101", "103", "100", "103"]])
t.eq("update: change feed",
     it.psql(db, f"SELECT op, object_class, rpsl_pk FROM object_change WHERE seq > {seq0} ORDER BY seq"),
     [["DEL", "route", "203.0.113.0/24AS64498"], ["ADD", "route6", "2001:DB8::/32AS64496"],
      ["ADD", "route", "198.51.100.0/24AS64497"]])
r = it.run([UPDATE, "--config", cfg.path, "--source", "TEST", dump("update_v2.db")])
t.contains("update: same file again changes nothing", r.stdout,
           "0 objects newly inserted, 0 objects newly deleted, 4 objects retained, of which 0 modified")
t.eq("update: no new journal entries", it.psql(db, "SELECT count(*) FROM rpsl_database_journal"), [["3"]])
r = it.run([UPDATE, "--config", cfg.path, "--source", "TEST", dump("update_v1.db")])
t.contains("update: back to state 1", r.stdout, "Journal serials 104-106")
r = it.run([UPDATE, "--config", cfg.path, "--source", "TEST", dump("truncated.db.gz")])
t.eq("update: truncated gzip fails", r.returncode, 1)
t.eq("update: nothing changed by the failed update",
     it.psql(db, "SELECT count(*) FROM rpsl_database_journal"), [["6"]])
r = it.run([UPDATE, "--config", cfg.path, "--source", "TEST", dump("update_broken.db")])
t.contains("update: rejected objects are reported", r.stdout,
           f"{dump('update_broken.db')}:18: route 198.51.100.0/24AS64497: Invalid source OTHER")
t.contains("update: a rejected object is not deleted", r.stdout,
           "0 objects newly inserted, 0 objects newly deleted, 3 objects retained, of which 0 modified, "
           "ignored 1 due to errors")
t.eq("update: the rejected object's stored version stays",
     it.psql(db, "SELECT count(*) FROM rpsl_objects WHERE rpsl_pk = '198.51.100.0/24AS64497'"), [["1"]])
plain = os.path.join(t.tmp, "plain.db")
with open(dump("update_v1.db")) as f, open(plain, "w") as g:
    g.write(f.read().replace("source:         TEST", "source:         PLAIN"))
r = it.run([UPDATE, "--config", cfg.path, "--source", "PLAIN", plain])
t.check("update: no journal without keep_journal",
        r.returncode == 0 and "4 objects newly inserted" in r.stdout and "Journal serials" not in r.stdout and
        it.psql(db, "SELECT count(*) FROM rpsl_database_journal WHERE source = 'PLAIN'") == [["0"]],
        r.stdout + r.stderr)
t.eq("update: no last-modified for a non-authoritative source",
     it.psql(db, "SELECT count(*) FROM rpsl_objects WHERE source = 'PLAIN' AND object_text LIKE '%last-modified%'"),
     [["0"]])

t.done()
