#!/usr/bin/env python3
"""test_privileges.py - the user and group settings: irrd started as root
binds its ports, writes its pid file and then runs as that user and group
for good (/proc says so for every uid and gid, and its whois answers come
from the index it loaded afterwards); an unknown user or group stops the
start with a message naming it. Started as another user, irrd refuses to
change to a user it cannot become and starts when told its own."""
import grp
import json
import os
import pwd
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import daemondata as dd  # noqa: E402
import irrdtest as it  # noqa: E402

t = it.Suite()
cfg, _dump = dd.setup(t)
with open(cfg.path) as f:
    base = json.load(f)
ROUTES = "192.0.2.0/24 198.51.100.0/25"


def configure(user, group):
    c = json.loads(json.dumps(base))
    c["irrd"]["user"] = user
    c["irrd"]["group"] = group
    with open(cfg.path, "w") as f:
        json.dump(c, f)


def ids(pid):
    """(uids, gids, groups) of a process, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        st = f.read()
    field = lambda k: [int(x) for x in re.search(rf"^{k}:\s*(.*)$", st, re.M).group(1).split()]  # noqa: E731
    return field("Uid"), field("Gid"), field("Groups")


def refused(name, user, group, want):
    """irrd must exit 1 at start-up with `want` in its output."""
    configure(user, group)
    r = it.run([it.prog("irrd"), "--config", cfg.path, "--foreground"], timeout=60)
    t.eq(f"{name}: exit status", r.returncode, 1)
    t.contains(f"{name}: the message", r.stdout + r.stderr, want)


def serves(name, user, group):
    """irrd runs as user/group and answers from its index."""
    uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
    configure(user, group)
    with it.Daemon(cfg) as d:
        uids, gids, groups = ids(d.proc.pid)
        t.eq(f"{name}: every uid", uids, [uid] * 4)
        t.eq(f"{name}: every gid", gids, [gid] * 4)
        if os.geteuid() == 0:
            t.eq(f"{name}: supplementary groups", groups, [gid])
        out = it.whois(cfg.whois_port, "!gAS64500").decode()
        t.contains(f"{name}: !g answers from the index", out, ROUTES)
        log = d.log_text()
        if os.geteuid() == 0:
            t.contains(f"{name}: logged", log, f"running as user {user} (uid {uid}), group {group} (gid {gid})")
        t.eq(f"{name}: clean stop", d.stop(), 0)


me = pwd.getpwuid(os.geteuid()).pw_name
mygroup = grp.getgrgid(os.getegid()).gr_name
if os.geteuid() == 0:
    # nobody/nogroup exist on Debian; a test host without them is set up wrongly
    t.check("nobody and nogroup exist", "nobody" in {p.pw_name for p in pwd.getpwall()} and
            "nogroup" in {g.gr_name for g in grp.getgrall()})
    serves("as root, user nobody", "nobody", "nogroup")
    serves("as root, user root", "root", "root")
else:
    refused("as another user, user root", "root", "root", "cannot change to them")
    serves("as its own user", me, mygroup)
refused("unknown user", "no-such-user-irrd", mygroup, "user: no-such-user-irrd: no such user")
refused("unknown group", me, "no-such-group-irrd", "group: no-such-group-irrd: no such group")
t.done()
