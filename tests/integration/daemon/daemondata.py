"""daemondata.py - the small data set and set-up shared by the daemon tests
(tests/integration/daemon/test_*.py): a database with the schema, one
source TEST loaded from a dump written here, and a daemon config."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402

BIG_MEMBERS = 10000     # AS-BIG has this many members: a ~110 kB object


def _obj(*lines):
    return "\n".join(f"{k + ':':<16}{v}" for k, v in lines) + "\n"


def base_objects():
    objs = [
        _obj(("mntner", "TEST-MNT"), ("descr", "test maintainer"), ("admin-c", "PT1-TEST"),
             ("upd-to", "noc@example.net"), ("auth", "MD5-PW $1$abcdefgh$0123456789abcdefghijkl"),
             ("mnt-by", "TEST-MNT"), ("source", "TEST")),
        _obj(("person", "Test Person"), ("address", "Street 1"), ("phone", "+31 20 000 0000"),
             ("e-mail", "noc@example.net"), ("nic-hdl", "PT1-TEST"), ("mnt-by", "TEST-MNT"),
             ("source", "TEST")),
        _obj(("aut-num", "AS64500"), ("as-name", "TEST-AS"), ("descr", "test network"),
             ("admin-c", "PT1-TEST"), ("tech-c", "PT1-TEST"), ("mnt-by", "TEST-MNT"),
             ("source", "TEST")),
        _obj(("route", "192.0.2.0/24"), ("descr", "test route"), ("origin", "AS64500"),
             ("mnt-by", "TEST-MNT"), ("source", "TEST")),
        _obj(("route", "198.51.100.0/25"), ("descr", "test route"), ("origin", "AS64500"),
             ("mnt-by", "TEST-MNT"), ("source", "TEST")),
        _obj(("route6", "2001:db8::/32"), ("descr", "test route6"), ("origin", "AS64500"),
             ("mnt-by", "TEST-MNT"), ("source", "TEST")),
        _obj(("as-set", "AS-TEST"), ("descr", "test set"), ("members", "AS64500, AS64501"),
             ("admin-c", "PT1-TEST"), ("tech-c", "PT1-TEST"), ("mnt-by", "TEST-MNT"),
             ("source", "TEST")),
    ]
    members = [f"AS{100000 + i}" for i in range(BIG_MEMBERS)]
    lines = [("as-set", "AS-BIG"), ("descr", "a large set")]
    for i in range(0, len(members), 10):
        lines.append(("members", ", ".join(members[i:i + 10])))
    lines += [("admin-c", "PT1-TEST"), ("tech-c", "PT1-TEST"), ("mnt-by", "TEST-MNT"),
              ("source", "TEST")]
    objs.append(_obj(*lines))
    return objs


def write_dump(path, objs):
    with open(path, "w") as f:
        f.write("\n".join(objs))
    return path


def setup(t, extra=None, name="irrd.yaml"):
    """A database with schema and data, and a config; returns (cfg, dump)."""
    db = it.new_db("daemon")
    ex = {"rpki": {"roa_source": None},
          "server": {"whois": {"interface": ["127.0.0.1", "::1"], "max_connections": 5,
                               "access_list": "local"},
                     "http": {"status_access_list": "local"}}}
    if extra:
        it._merge(ex, extra)
    cfg = it.write_config(t.tmp, db=db, extra=ex, name=name)
    for p in ("irrd", "irrd_database_upgrade", "irrd_load_database", "irrd_update_database"):
        if not t.check(f"setup: {p} is built", os.access(it.prog(p), os.X_OK), it.prog(p)):
            t.done()
    r = it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path])
    if not t.check("setup: irrd_database_upgrade", r.returncode == 0, r.stderr):
        t.done()
    dump = write_dump(os.path.join(t.tmp, "test.db"), base_objects())
    r = it.run([it.prog("irrd_load_database"), "--config", cfg.path, "--source", "TEST", dump])
    if not t.check("setup: irrd_load_database", r.returncode == 0, r.stdout + r.stderr):
        t.done()
    return cfg, dump


def wait_for(fn, limit):
    """Call fn until it returns true or limit seconds pass; returns the
    seconds it took, or None."""
    t0 = time.time()
    while time.time() - t0 < limit:
        if fn():
            return time.time() - t0
        time.sleep(0.01)
    return None
