#!/usr/bin/env python3
"""test_demo_data.py - the demo data set (demo/) is what scripts/make_demo.py
makes, and it is what it claims to be: all 19 classes, consistent references,
working password hashes and PGP keys, the three ROA asn spellings, SLURM
filters and assertions, and a mix of RPKI states."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402

SRC = it.srcdir()
sys.path.insert(0, os.path.join(SRC, "scripts"))
import make_demo  # noqa: E402

DEMO = os.path.join(SRC, "demo")
t = it.Suite()

r = it.run([sys.executable, os.path.join(SRC, "scripts", "make_demo.py"), "--check"])
t.eq("committed demo files are up to date (make_demo.py --check)", (r.returncode, r.stderr), (0, ""))

outs = []
for n in range(2):
    d = tempfile.mkdtemp(dir=t.tmp)
    it.run([sys.executable, os.path.join(SRC, "scripts", "make_demo.py"), "--out", d], check=True)
    outs.append({f: open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))})
t.check("generator is deterministic", outs[0] == outs[1] and len(outs[0]) == 4)

with open(os.path.join(DEMO, "demo.db"), encoding="utf-8") as f:
    text = f.read()
paras = [p for p in text.split("\n\n") if p.strip()]
objs = []
for p in paras:
    attrs = []
    for line in p.splitlines():
        m = re.match(r"^([a-z0-9-]+):\s*(.*)$", line)
        if m:
            attrs.append((m.group(1), m.group(2)))
        else:
            t.fail("dump syntax", f"line not 'attr: value': {line!r}")
    objs.append(attrs)
classes = {o[0][0] for o in objs}
want = {"as-block", "as-set", "aut-num", "domain", "filter-set", "inet-rtr", "inet6num", "inetnum",
        "irt", "key-cert", "mntner", "organisation", "peering-set", "person", "role", "route",
        "route-set", "route6", "rtr-set"}
t.eq("all 19 classes present", classes, want)
t.check("a few hundred objects", 300 <= len(objs) <= 1000, f"{len(objs)} objects")
t.check("every object has source DEMO as last attribute", all(o[-1] == ("source", "DEMO") for o in objs))
t.check("no trailing whitespace, no tabs", not re.search(r"[ \t]$|\t", text, re.M))

mntners = {o[0][1] for o in objs if o[0][0] == "mntner"}
contacts = {v for o in objs if o[0][0] in ("person", "role") for a, v in o if a == "nic-hdl"}
sets = {o[0][1].upper() for o in objs if o[0][0] in ("as-set", "route-set", "rtr-set")}
bad = [f"{o[0][1]} {a} {v}" for o in objs for a, v in o
       if (a == "mnt-by" and v not in mntners) or (a in ("admin-c", "tech-c", "zone-c") and v not in contacts)
       or (a == "member-of" and v.upper() not in sets)]
t.eq("mnt-by, admin-c, tech-c, zone-c, member-of all resolve", bad, [])
autnums = {o[0][1] for o in objs if o[0][0] == "aut-num"}
asset_members = [m.strip() for o in objs if o[0][0] == "as-set" for a, v in o if a == "members"
                 for m in v.split(",")]
missing = sorted({m for m in asset_members if m.upper().startswith("AS") and "-" not in m and m not in autnums})
t.eq("as-set member ASNs have aut-nums", missing, [])
t.check("as-sets nest", any(m.upper().startswith("AS-") or ":AS-" in m.upper() for m in asset_members))

# Password hashes verify with the documented passwords (libcrypt, as the server will).
auth = {o[0][1]: [v for a, v in o if a == "auth"] for o in objs if o[0][0] == "mntner"}
demo_pw = make_demo.PASSWORDS["DEMO-MNT"]
for scheme, pw in demo_pw.items():
    h = [v.split(" ", 1)[1] for v in auth["DEMO-MNT"] if v.startswith(scheme + " ")]
    t.check(f"DEMO-MNT {scheme} verifies", len(h) == 1 and make_demo.crypt(pw, h[0]) == h[0])
    t.check(f"DEMO-MNT {scheme} rejects a wrong password",
            len(h) == 1 and make_demo.crypt(pw + "x" if scheme != "CRYPT-PW" else "wrongpw", h[0]) != h[0])
org_ok = all(make_demo.crypt("demo-password", v.split(" ", 1)[1]) == v.split(" ", 1)[1]
             for name, vals in auth.items() if name.startswith("MAINT-")
             for v in vals if not v.startswith("PGPKEY-"))
t.check("MAINT-* hashes verify with demo-password", org_ok)
ov = re.search(r"override_password: '([^']+)'", open(os.path.join(DEMO, "irrd.yaml.in")).read())
t.check("override hash verifies with demo-override",
        ov and make_demo.crypt("demo-override", ov.group(1)) == ov.group(1))

# key-certs: gpg agrees with the fingerprint and the object name.
gnupg = tempfile.mkdtemp(dir=t.tmp)
os.chmod(gnupg, 0o700)
for o in objs:
    if o[0][0] != "key-cert":
        continue
    certif = "\n".join(v for a, v in o if a == "certif") + "\n"
    r = it.run(["gpg", "--homedir", gnupg, "--batch", "--with-colons", "--import-options", "show-only",
                "--import"], input=certif)
    fprs = [line.split(":")[9] for line in r.stdout.splitlines() if line.startswith("fpr:")]
    fpr_attr = [v for a, v in o if a == "fingerpr"]
    t.check(f"{o[0][1]}: gpg reads the key", r.returncode == 0 and len(fprs) >= 1, r.stderr)
    if fprs:
        t.eq(f"{o[0][1]}: name matches fingerprint", o[0][1], "PGPKEY-" + fprs[0][-8:])
        t.eq(f"{o[0][1]}: fingerpr attribute", fpr_attr, [make_demo.format_fingerprint(fprs[0])])

# Signing with the shipped secret key gives a signature gpg verifies.
sec = os.path.join(DEMO, "keys", "demo-key1.sec.asc")
it.run(["gpg", "--homedir", gnupg, "--batch", "--import", sec], check=True)
r = it.run(["gpg", "--homedir", gnupg, "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
            "--clearsign"], input="password-less demo signature\n")
v = it.run(["gpg", "--homedir", gnupg, "--batch", "--verify"], input=r.stdout)
t.check("demo-key1 secret key signs, signature verifies", r.returncode == 0 and v.returncode == 0, v.stderr)

roas = json.load(open(os.path.join(DEMO, "roas.json")))
forms = {type(x["asn"]).__name__ + ("-AS" if str(x["asn"]).startswith("AS") else "") for x in roas["roas"]}
t.eq("ROA asn forms: 'AS64496', '64496' and 64496", forms, {"str-AS", "str", "int"})
t.check("ROAs have prefix, maxLength, ta", all({"asn", "prefix", "maxLength", "ta"} <= set(x) for x in roas["roas"]))
slurm = json.load(open(os.path.join(DEMO, "slurm.json")))
t.eq("SLURM version 1 with all four RFC 8416 lists",
     (slurm["slurmVersion"], sorted(slurm["validationOutputFilters"]), sorted(slurm["locallyAddedAssertions"])),
     (1, ["bgpsecFilters", "prefixFilters"], ["bgpsecAssertions", "prefixAssertions"]))
t.check("SLURM has a prefixFilter and a prefixAssertion",
        slurm["validationOutputFilters"]["prefixFilters"] and slurm["locallyAddedAssertions"]["prefixAssertions"])

states = {}
for line in open(os.path.join(DEMO, "expected-rpki.tsv")).read().splitlines()[1:]:
    s = line.split("\t")[2]
    states[s] = states.get(s, 0) + 1
nroutes = sum(1 for o in objs if o[0][0] in ("route", "route6"))
t.eq("every route has an expected state", sum(states.values()), nroutes)
t.check("valid and invalid routes, most not_found",
        states.get("valid", 0) >= 10 and states.get("invalid", 0) >= 10
        and states.get("not_found", 0) > nroutes / 2, str(states))

# Spot checks of the RFC 6811 reference in the generator.
vrps = make_demo.vrps_after_slurm()
for prefix, origin, want_state in (("192.0.2.0/24", 64496, "valid"), ("192.0.2.0/25", 64496, "invalid"),
                                   ("100.64.0.0/10", 0, "invalid"), ("172.23.0.0/16", 64507, "not_found"),
                                   ("198.18.5.0/24", 64510, "valid"), ("10.0.0.0/16", 64496, "not_found")):
    t.eq(f"state of {prefix} AS{origin}", make_demo.rpki_state(prefix, origin, vrps), want_state)

tpl = open(os.path.join(DEMO, "irrd.yaml.in")).read()
for key in ("@DATABASE_URL@", "@VAR_DIR@", "@DEMO_DIR@", "port: 8043", "port: 3323", "port: 8080",
            "sources_default: [DEMO, RPKI]", "keep_journal: true", "roa_source: 'file://@DEMO_DIR@/roas.json'"):
    t.contains(f"irrd.yaml.in has {key}", tpl, key)

t.done()
