#!/usr/bin/env python3
"""test_settings.py - IRRd settings the daemon accepts but does not act on
are named in its log at start and after a SIGHUP, and it serves as usual;
readonly_standby, which it cannot honour, stops the start with a message."""
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import daemondata as dd  # noqa: E402
import irrdtest as it  # noqa: E402

t = it.Suite()
cfg, _dump = dd.setup(t)
with open(cfg.path) as f:
    base = json.load(f)


def write(c):
    with open(cfg.path, "w") as f:
        json.dump(c, f)


NOTES = {
    "redis_url": "redis_url: set, but has no effect here: no Redis is used",
    "url": "server.http.url: set, but has no effect here",
    "logging": "log.logging_config_path: set, but has no effect here",
    "unfiltered": "sources.TEST.*_unfiltered: set, but has no effect here",
}
c = json.loads(json.dumps(base))
c["irrd"]["redis_url"] = "unix:///var/run/redis.sock"
c["irrd"]["server"]["http"]["url"] = "https://irrd.example.net/"
c["irrd"]["log"] = {"logging_config_path": "/etc/irrd/logging.py"}
c["irrd"]["sources"]["TEST"]["nrtm_access_list_unfiltered"] = "local"
write(c)
with it.Daemon(cfg) as d:
    log = d.log_text()
    for k, note in NOTES.items():
        t.contains(f"start: {k} named", log, note)
    out = it.whois(cfg.whois_port, "!gAS64500").decode()
    t.contains("serves as usual", out, "192.0.2.0/24 198.51.100.0/25")
    n = log.count("redis_url: set, but has no effect here")
    d.signal(signal.SIGHUP)
    t.check("SIGHUP: named again", it.wait_for(
        lambda: d.log_text().count("redis_url: set, but has no effect here") == n + 1, 10, 0.1),
        d.log_text()[-800:])
    t.eq("clean stop", d.stop(), 0)

write(base)
with it.Daemon(cfg) as d:
    t.check("without them: nothing named", "has no effect here" not in d.log_text(), d.log_text()[-800:])
    t.eq("clean stop without them", d.stop(), 0)

# readonly_standby: IRRd's configuration rules first (no authoritative source)
c = json.loads(json.dumps(base))
c["irrd"]["readonly_standby"] = True
c["irrd"]["sources"]["TEST"] = {}
write(c)
r = it.run([it.prog("irrd"), "--config", cfg.path, "--foreground"], timeout=60)
t.eq("readonly_standby: exit status", r.returncode, 1)
t.contains("readonly_standby: the message", r.stderr,
           "readonly_standby: read-only standby mode is not supported")
write(base)
t.done()
