#!/usr/bin/env python3
"""test_lib.py - the Python helpers of tests/integration/lib: databases,
configs, and the whois readers against a scripted TCP peer."""
import json
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402

t = it.Suite()

db = it.new_db("lib")
it.psql(db, "CREATE TABLE t (k text, v int)")
it.psql(db, "INSERT INTO t VALUES ('a', 1), ('b', 2)")
t.eq("new_db + psql rows", it.psql(db, "SELECT k, v FROM t ORDER BY k"), [["a", "1"], ["b", "2"]])
t.check("new_db names differ", it.new_db("lib") != db)

cfg = it.write_config(t.tmp, db=db, sources=("TEST", "MIRROR"), roa_source="file:///x.json",
                      extra={"server": {"whois": {"max_connections": 5}}})
with open(cfg.path) as f:
    c = json.load(f)["irrd"]
t.eq("config database_url", c["database_url"], db)
t.eq("config sources", sorted(c["sources"]), ["MIRROR", "TEST"])
t.eq("config extra merged", c["server"]["whois"], {"interface": "127.0.0.1", "port": cfg.whois_port,
                                                    "max_connections": 5})
t.eq("config roa_source", c["rpki"]["roa_source"], "file:///x.json")
t.check("config ports distinct", len({cfg.whois_port, cfg.http_port, cfg.rtr_port}) == 3)


def peer(srv, answer):
    conn, _ = srv.accept()
    conn.recv(1024)
    conn.sendall(answer)
    conn.close()


def scripted(answer):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    th = threading.Thread(target=peer, args=(srv, answer), daemon=True)
    th.start()
    return srv, th


srv, th = scripted(b"A6\nhello\nC\nC\nD\nF Unrecognized command\n% x\n\n\n")
conn = it.WhoisConn(srv.getsockname()[1])
conn.send("!!")
t.eq("read_bang A", conn.read_bang(), ("A", b"hello"))
t.eq("read_bang C", conn.read_bang(), ("C", b""))
t.eq("read_bang D", conn.read_bang(), ("D", b""))
t.eq("read_bang F", conn.read_bang(), ("F", b"Unrecognized command"))
t.eq("read_ripe", conn.read_ripe(), b"% x\n\n\n")
conn.close()
th.join(5)
srv.close()

srv, th = scripted(b"A3\nab\nC\n")
t.eq("whois() reads until close", it.whois(srv.getsockname()[1], "!v"), b"A3\nab\nC\n")
th.join(5)
srv.close()

t.done()
