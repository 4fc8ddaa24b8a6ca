#!/usr/bin/env python3
"""make_demo.py - generate the demo data set in demo/ (deterministic, stdlib only).

    scripts/make_demo.py            write demo/demo.db, roas.json, slurm.json,
                                    expected-rpki.tsv
    scripts/make_demo.py --check    regenerate in memory; exit 1 if a committed
                                    file differs
    scripts/make_demo.py --out DIR  write into DIR instead of demo/
    scripts/make_demo.py --make-keys  (once) new PGP keys in demo/keys/ with gpg

What it writes:
  demo.db            a few hundred RPSL objects of all 19 classes, source DEMO,
                     in documentation and private-use address space and ASNs,
                     with consistent references (mnt-by, admin-c, tech-c, zone-c,
                     members, member-of/mbrs-by-ref), nested and looping as-sets.
  roas.json          ROAs in the ROA JSON format of CONTRACT.md (asn written
                     as "AS64496", "64496" and 64496 in turn).
  slurm.json         RFC 8416 with prefix filters and prefix assertions.
  expected-rpki.tsv  each route/route6 with its RFC 6811 state under
                     roas.json + slurm.json: most not_found, some valid, some invalid.

The key-cert objects carry the public keys in demo/keys/ (made once with
--make-keys; their fingerprints and owners are read from the key packets
here, without gpg). Passwords of the maintainers are documented in
demo/README.md and in PASSWORDS below.
"""
import argparse
import base64
import hashlib
import ctypes
import ctypes.util
import ipaddress
import json
import os
import subprocess
import sys
import tempfile

SOURCE = "DEMO"
HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_DIR = os.path.normpath(os.path.join(HERE, "..", "demo"))

# Documented demo passwords (never use these anywhere real).
PASSWORDS = {
    "DEMO-MNT": {"MD5-PW": "demo-md5", "CRYPT-PW": "democrpt", "BCRYPT-PW": "demo-bcrypt"},
    "org": "demo-password",          # every MAINT-<org> maintainer
    "override": "demo-override",     # auth.override_password in demo/irrd.yaml.in
}
# Fixed salts keep the output deterministic.
SALT_MD5 = "demosalt"
SALT_DES = "dm"
SALT_BCRYPT = "DemoSaltForIrrdC.demo."
BCRYPT_COST = 10

ASNS = (list(range(64496, 64512)) + list(range(65536, 65552)) + list(range(64512, 64520))
        + list(range(4200000000, 4200000004)))

ORGS = [
    # handle, name, short name (for set and maintainer names), country
    ("ORG-DEMO1-DEMO", "Demo Exchange Operator", "DEMOIX", "NL"),
    ("ORG-EN1-DEMO", "Example Networks", "EXAMPLENET", "US"),
    ("ORG-ST1-DEMO", "Sample Transit", "SAMPLETRANSIT", "DE"),
    ("ORG-TC1-DEMO", "Testa Cable", "TESTACABLE", "FR"),
    ("ORG-EH1-DEMO", "Exampleton Hosting", "EXHOSTING", "GB"),
    ("ORG-DU1-DEMO", "Demo University", "DEMOUNI", "SE"),
    ("ORG-SM1-DEMO", "Sample Mobile", "SAMPLEMOBILE", "ES"),
    ("ORG-EC1-DEMO", "Example Cloud", "EXCLOUD", "IE"),
    ("ORG-TF1-DEMO", "Testa Fibre", "TESTAFIBRE", "IT"),
    ("ORG-DR1-DEMO", "Demo Research Network", "DEMORESEARCH", "CH"),
]

FIRST = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
         "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Zoë"]
LAST = ["Example", "Sample", "Demo", "Testa"]
CHANGED = "hostmaster@example.net 20240101"


# ---------------------------------------------------------------- helpers

def _libcrypt():
    name = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    lib = ctypes.CDLL(name)
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    return lib


def crypt(password, setting):
    out = _libcrypt().crypt(password.encode(), setting.encode())
    if not out or out.startswith(b"*"):
        raise SystemExit(f"make_demo: libcrypt cannot hash with setting {setting!r}")
    return out.decode()


def md5_pw(pw, n=0):
    """MD5-PW ($1$, salt made of SALT_MD5 and n)."""
    return crypt(pw, "$1$" + (SALT_MD5 + str(n))[-8:] if n else "$1$" + SALT_MD5)


def crypt_pw(pw, n=0):
    """CRYPT-PW (traditional DES crypt: only 8 characters count)."""
    return crypt(pw, SALT_DES if not n else SALT_DES[0] + "./0123456789"[n % 12])


def bcrypt_pw(pw, n=0):
    """BCRYPT-PW ($2b$)."""
    salt = SALT_BCRYPT if not n else (SALT_BCRYPT[:-3] + f"{n:02d}" + ".")
    return crypt(pw, f"$2b${BCRYPT_COST:02d}${salt}")


class Obj:
    def __init__(self, cls, key, *attrs):
        self.cls = cls
        self.key = key
        self.attrs = [(cls, key)] + [a for a in attrs if a is not None]

    def add(self, attr, value):
        self.attrs.append((attr, value))
        return self

    def values(self, attr):
        return [v for a, v in self.attrs if a == attr]

    def text(self):
        lines = []
        for a, v in self.attrs + [("source", SOURCE)]:
            lines.append(f"{a + ':':<16}{v}".rstrip())
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- PGP keys

def _armor_decode(text):
    lines = text.strip().splitlines()
    body, started = [], False
    for line in lines[1:]:
        if not started:
            if line.strip() == "":
                started = True
            continue
        if line.startswith("-----") or line.startswith("="):
            break
        body.append(line.strip())
    return base64.b64decode("".join(body))


def _packets(data):
    i = 0
    while i < len(data):
        tag_byte = data[i]
        i += 1
        if tag_byte & 0x40:  # new format
            tag = tag_byte & 0x3F
            l1 = data[i]
            i += 1
            if l1 < 192:
                n = l1
            elif l1 < 224:
                n = ((l1 - 192) << 8) + data[i] + 192
                i += 1
            elif l1 == 255:
                n = int.from_bytes(data[i:i + 4], "big")
                i += 4
            else:
                raise ValueError("partial body lengths are not expected in a key")
        else:
            tag = (tag_byte >> 2) & 0x0F
            lt = tag_byte & 3
            size = {0: 1, 1: 2, 2: 4}[lt]
            n = int.from_bytes(data[i:i + size], "big")
            i += size
        yield tag, data[i:i + n]
        i += n


def pgp_key_info(armored):
    """(fingerprint hex, [user ids]) of an armored v4 public key."""
    fpr, uids = None, []
    for tag, body in _packets(_armor_decode(armored)):
        if tag == 6 and fpr is None:
            if body[0] != 4:
                raise ValueError("only v4 keys are supported")
            h = hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body)
            fpr = h.hexdigest().upper()
        elif tag == 13:
            uids.append(body.decode("utf-8"))
    return fpr, uids


def format_fingerprint(fpr):
    parts = [fpr[i:i + 4] for i in range(0, 40, 4)]
    return " ".join(parts[:5]) + "  " + " ".join(parts[5:])


def load_keys(keydir):
    keys = []
    for n in (1, 2):
        path = os.path.join(keydir, f"demo-key{n}.pub.asc")
        with open(path) as f:
            armored = f.read()
        fpr, uids = pgp_key_info(armored)
        keys.append({"armored": armored.strip(), "fpr": fpr, "uids": uids,
                     "name": "PGPKEY-" + fpr[-8:]})
    return keys


def make_keys(keydir):
    """Make the two demo keys with gpg (creation time fixed at 2024-01-01)."""
    os.makedirs(keydir, exist_ok=True)
    home = tempfile.mkdtemp()
    os.chmod(home, 0o700)
    uids = ["DEMO Maintainer (irrd-c demo key, not secret) <demo-mnt@example.net>",
            "DEMO Operator (irrd-c demo key, not secret) <demo-op@example.net>"]
    gpg = ["gpg", "--homedir", home, "--batch", "--faked-system-time", "20240101T000000!"]
    for n, uid in enumerate(uids, 1):
        subprocess.run(gpg + ["--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"],
                       check=True)
        with open(os.path.join(keydir, f"demo-key{n}.pub.asc"), "wb") as f:
            f.write(subprocess.run(gpg + ["--armor", "--export", uid], check=True,
                                   capture_output=True).stdout)
        with open(os.path.join(keydir, f"demo-key{n}.sec.asc"), "wb") as f:
            f.write(subprocess.run(gpg + ["--pinentry-mode", "loopback", "--passphrase", "",
                                          "--armor", "--export-secret-keys", uid],
                                   check=True, capture_output=True).stdout)


# ---------------------------------------------------------------- RPKI

def roa_asn_form(i, asn):
    """The three spellings of an ASN that CONTRACT.md's ROA JSON allows, in turn."""
    return [f"AS{asn}", str(asn), asn][i % 3]


# Each scenario: the ROAs, and routes (prefix, origin) whose states follow.
ROAS = [
    # prefix, maxLength, asn
    ("192.0.2.0/24", 24, 64496),
    ("198.51.100.0/24", 26, 64497),
    ("203.0.113.0/24", 24, 64498),
    ("203.0.113.0/24", 25, 65536),
    ("100.64.0.0/10", 32, 0),               # AS0: never validates
    ("10.40.0.0/16", 24, 4200000000),       # 32-bit ASN
    ("2001:db8::/32", 48, 64496),
    ("2001:db8:8000::/33", 48, 65537),
] + [(f"172.{16 + j}.0.0/16", 24, 64500 + j) for j in range(8)] + [
    # ROAs without IRR routes (still served over RTR and as pseudo-IRR objects)
    ("198.51.100.0/25", 25, 64497),
    ("192.0.2.128/25", 28, 65540),
]

SLURM = {
    "slurmVersion": 1,
    "validationOutputFilters": {
        "prefixFilters": [
            {"prefix": "172.23.0.0/16", "comment": "Filter by prefix: 172.23/16 routes become not_found"},
            {"asn": 64506, "comment": "Filter by ASN: all VRPs of AS64506 are dropped"},
            {"prefix": "172.21.0.0/16", "asn": 64505, "comment": "Filter by prefix and ASN"},
        ],
        "bgpsecFilters": [
            {"asn": 64496, "comment": "BGPsec filters are accepted and ignored by the IRR"},
        ],
    },
    "locallyAddedAssertions": {
        "prefixAssertions": [
            {"asn": 64510, "prefix": "198.18.0.0/15", "maxPrefixLength": 24,
             "comment": "Locally asserted: benchmark space of AS64510"},
            {"asn": 64511, "prefix": "2001:db8:ff00::/40", "maxPrefixLength": 48,
             "comment": "Locally asserted IPv6"},
        ],
        "bgpsecAssertions": [],
    },
}

# Routes in RPKI-covered space, with the state the ROAs above give them.
RPKI_ROUTES = [
    ("192.0.2.0/24", 64496), ("192.0.2.0/25", 64496), ("192.0.2.0/24", 64497),
    ("198.51.100.0/24", 64497), ("198.51.100.0/26", 64497), ("198.51.100.64/26", 64497),
    ("198.51.100.128/27", 64497), ("198.51.100.0/24", 64498),
    ("203.0.113.0/24", 64498), ("203.0.113.0/24", 65536), ("203.0.113.128/25", 65536),
    ("203.0.113.128/25", 64498), ("203.0.113.0/24", 64499),
    ("100.64.0.0/10", 64499), ("100.64.1.0/24", 64500),
    ("198.18.0.0/15", 64510), ("198.18.5.0/24", 64510), ("198.19.0.0/16", 64511),
    ("2001:db8::/32", 64496), ("2001:db8:1::/48", 64496), ("2001:db8:2::/56", 64496),
    ("2001:db8:3::/48", 65537), ("2001:db8:8000::/33", 65537), ("2001:db8:8001::/48", 64496),
    ("2001:db8:ff00::/40", 64511), ("2001:db8:ff02::/48", 64497),
] + [r for j in range(8) for r in (
    (f"172.{16 + j}.0.0/16", 64500 + j), (f"172.{16 + j}.1.0/24", 64500 + j),
    (f"172.{16 + j}.2.0/25", 64500 + j), (f"172.{16 + j}.3.0/24", 64496))]


def vrps_after_slurm():
    vrps = [(ipaddress.ip_network(p), ml, asn) for p, ml, asn in ROAS]
    out = []
    for net, ml, asn in vrps:
        dropped = False
        for f in SLURM["validationOutputFilters"]["prefixFilters"]:
            ok_p = "prefix" not in f or (net.version == ipaddress.ip_network(f["prefix"]).version
                                         and net.subnet_of(ipaddress.ip_network(f["prefix"])))
            ok_a = "asn" not in f or f["asn"] == asn
            if ok_p and ok_a:
                dropped = True
        if not dropped:
            out.append((net, ml, asn))
    for a in SLURM["locallyAddedAssertions"]["prefixAssertions"]:
        net = ipaddress.ip_network(a["prefix"])
        out.append((net, a.get("maxPrefixLength", net.prefixlen), a["asn"]))
    return out


def rpki_state(prefix, origin, vrps):
    """RFC 6811 origin validation; AS0 VRPs never match."""
    net = ipaddress.ip_network(prefix)
    covered = False
    for vnet, ml, asn in vrps:
        if vnet.version != net.version or not net.subnet_of(vnet):
            continue
        covered = True
        if asn != 0 and asn == origin and net.prefixlen <= ml:
            return "valid"
    return "invalid" if covered else "not_found"


# ---------------------------------------------------------------- objects

def build(keys):
    objs = []
    persons, roles, mntners, orgs = [], [], [], []

    # person: 4 per organisation
    for i in range(40):
        first, last = FIRST[i % 20], LAST[i // 10]
        hdl = f"{first[0]}{last[0]}{i + 1}-DEMO".upper()
        org = ORGS[i % 10]
        p = Obj("person", f"{first} {last}",
                ("address", f"{org[1]}"), ("address", f"{i + 1} Example Street"),
                ("address", f"Exampletown, {org[3]}"),
                ("phone", f"+1 555 01{i:02d}"),
                ("e-mail", f"{first.lower().replace('ë', 'e')}.{last.lower()}@example.net"),
                ("nic-hdl", hdl),
                ("remarks", "Demo person; all contact data is fictitious") if i % 7 == 0 else None,
                ("mnt-by", f"MAINT-{org[2]}" if i >= 4 else "DEMO-MNT"),
                ("changed", CHANGED) if i % 3 == 0 else None)
        p.hdl, p.org = hdl, i % 10
        persons.append(p)
    org_people = {k: [p.hdl for p in persons if p.org == k] for k in range(10)}

    # role: one NOC per organisation, plus the demo hostmasters
    for k, org in enumerate(ORGS):
        hdl = f"NOC{k + 1}-DEMO"
        r = Obj("role", f"{org[1]} NOC",
                ("trouble", "Mail the NOC, available 24/7") if k % 2 == 0 else None,
                ("address", org[1]), ("address", f"Exampletown, {org[3]}"),
                ("phone", f"+1 555 01{50 + k:02d}"),
                ("e-mail", f"noc@{org[2].lower()}.example.net"),
                ("admin-c", org_people[k][0]), ("tech-c", org_people[k][1]),
                ("nic-hdl", hdl),
                ("mnt-by", f"MAINT-{org[2]}" if k else "DEMO-MNT"))
        r.hdl = hdl
        roles.append(r)
    hm = Obj("role", "DEMO Hostmasters", ("address", "Demo Exchange Operator"),
             ("address", "Exampletown, NL"), ("phone", "+1 555 0199"),
             ("e-mail", "hostmaster@example.net"), ("admin-c", persons[0].hdl),
             ("tech-c", persons[1].hdl), ("tech-c", persons[2].hdl), ("nic-hdl", "HM1-DEMO"),
             ("remarks", "Maintains the DEMO database"), ("mnt-by", "DEMO-MNT"))
    hm.hdl = "HM1-DEMO"
    roles.append(hm)
    noc = {k: roles[k].hdl for k in range(10)}

    # mntner: DEMO-MNT (all auth schemes), one per organisation, DEMO-RIR-MNT
    demo_pw = PASSWORDS["DEMO-MNT"]
    m = Obj("mntner", "DEMO-MNT", ("descr", "Maintainer of the DEMO database objects"),
            ("admin-c", "HM1-DEMO"), ("tech-c", persons[1].hdl),
            ("upd-to", "hostmaster@example.net"), ("mnt-nfy", "hostmaster@example.net"),
            ("auth", "MD5-PW " + md5_pw(demo_pw["MD5-PW"])),
            ("auth", "CRYPT-PW " + crypt_pw(demo_pw["CRYPT-PW"])),
            ("auth", "BCRYPT-PW " + bcrypt_pw(demo_pw["BCRYPT-PW"])),
            ("auth", keys[0]["name"]),
            ("remarks", "Demo passwords: see demo/README.md"),
            ("mnt-by", "DEMO-MNT"), ("changed", CHANGED))
    mntners.append(m)
    hashers = [md5_pw, crypt_pw, bcrypt_pw]
    for k, org in enumerate(ORGS):
        name = f"MAINT-{org[2]}"
        auth = [("auth", ("MD5-PW ", "CRYPT-PW ", "BCRYPT-PW ")[k % 3] + hashers[k % 3](PASSWORDS["org"], k + 1))]
        if k == 2:
            auth.append(("auth", keys[1]["name"]))
        mm = Obj("mntner", name, ("descr", f"Maintainer for {org[1]}"),
                 ("admin-c", org_people[k][0]), ("tech-c", noc[k]),
                 ("upd-to", f"noc@{org[2].lower()}.example.net"),
                 *auth, ("notify", f"noc@{org[2].lower()}.example.net") if k % 2 else None,
                 ("mnt-by", name), ("mnt-by", "DEMO-MNT") if k % 4 == 0 else None)
        mntners.append(mm)
    mntners.append(Obj("mntner", "DEMO-RIR-MNT", ("descr", "Allocations maintainer"),
                       ("admin-c", "HM1-DEMO"), ("upd-to", "hostmaster@example.net"),
                       ("auth", "BCRYPT-PW " + bcrypt_pw(demo_pw["BCRYPT-PW"])),
                       ("mnt-by", "DEMO-RIR-MNT")))

    # organisation
    for k, org in enumerate(ORGS):
        orgs.append(Obj("organisation", org[0], ("org-name", org[1]), ("country", org[3]),
                        ("address", f"{k + 1} Example Square"), ("address", f"Exampletown, {org[3]}"),
                        ("phone", f"+1 555 01{80 + k:02d}") if k % 2 == 0 else None,
                        ("e-mail", f"info@{org[2].lower()}.example.net"),
                        ("admin-c", org_people[k][0]), ("tech-c", noc[k]),
                        ("mnt-by", f"MAINT-{org[2]}")))

    # irt
    irts = []
    for k in (0, 1, 4):
        org = ORGS[k]
        irts.append(Obj("irt", f"IRT-{org[2]}", ("address", org[1]), ("address", f"Exampletown, {org[3]}"),
                        ("phone", f"+1 555 01{90 + k:02d}"),
                        ("e-mail", f"cert@{org[2].lower()}.example.net"),
                        ("abuse-mailbox", f"abuse@{org[2].lower()}.example.net"),
                        ("admin-c", org_people[k][0]), ("tech-c", noc[k]),
                        ("mnt-by", f"MAINT-{org[2]}")))

    # key-cert
    keycerts = []
    for n, key in enumerate(keys):
        kc = Obj("key-cert", key["name"], ("method", "PGP"))
        for uid in key["uids"]:
            kc.add("owner", uid)
        kc.add("fingerpr", format_fingerprint(key["fpr"]))
        for line in key["armored"].splitlines():
            kc.add("certif", line)
        kc.add("remarks", "Demo key: the secret key is in demo/keys/ (not secret!)")
        kc.add("admin-c", "HM1-DEMO" if n == 0 else org_people[2][0])
        kc.add("mnt-by", "DEMO-MNT" if n == 0 else "MAINT-SAMPLETRANSIT")
        keycerts.append(kc)

    # as-block
    asblocks = [
        Obj("as-block", "AS64496 - AS64511", ("descr", "RFC 5398 documentation ASNs"),
            ("admin-c", "HM1-DEMO"), ("tech-c", "HM1-DEMO"), ("mnt-by", "DEMO-RIR-MNT")),
        Obj("as-block", "AS64512 - AS65534", ("descr", "RFC 6996 private-use ASNs"),
            ("admin-c", "HM1-DEMO"), ("tech-c", "HM1-DEMO"), ("mnt-by", "DEMO-RIR-MNT")),
        Obj("as-block", "AS65536 - AS65551", ("descr", "RFC 5398 documentation ASNs (32-bit)"),
            ("admin-c", "HM1-DEMO"), ("tech-c", "HM1-DEMO"), ("mnt-by", "DEMO-RIR-MNT")),
        Obj("as-block", "AS4200000000 - AS4294967294", ("descr", "RFC 6996 private-use ASNs (32-bit)"),
            ("admin-c", "HM1-DEMO"), ("tech-c", "HM1-DEMO"), ("mnt-by", "DEMO-RIR-MNT")),
    ]

    # aut-num
    asn_org = {asn: i % 10 for i, asn in enumerate(ASNS)}
    org_asns = {k: [a for a in ASNS if asn_org[a] == k] for k in range(10)}
    autnums = []
    for i, asn in enumerate(ASNS):
        k = asn_org[asn]
        org = ORGS[k]
        a = Obj("aut-num", f"AS{asn}", ("as-name", f"{org[2]}-{i + 1}"),
                ("descr", f"{org[1]}, network {i + 1}"))
        if asn == 64496:
            a.add("member-of", "AS-DEMO-BYREF")
        elif i % 9 == 4:
            a.add("member-of", "AS-DEMO-BYREF")
        if asn != 64496:
            a.add("import", "from AS64496 accept ANY")
            a.add("export", f"to AS64496 announce AS{asn}")
            a.add("mp-import", "afi ipv6.unicast from AS64496 accept ANY")
            a.add("mp-export", f"afi ipv6.unicast to AS64496 announce AS{asn}")
        else:
            a.add("import", "from AS-DEMO-CUSTOMERS accept AS-DEMO-CUSTOMERS")
            a.add("import", "from AS65541 action pref=100; accept AS-DEMO-PEERS")
            a.add("export", "to AS-DEMO-CUSTOMERS announce ANY")
            a.add("export", "to AS65541 announce AS64496:AS-CUSTOMERS")
            a.add("default", "to AS65541")
        a.add("admin-c", org_people[k][i % 4])
        a.add("tech-c", noc[k])
        if i % 5 == 0:
            a.add("remarks", "Peering requests: see https://www.example.net/peering")
        a.add("mnt-by", f"MAINT-{org[2]}")
        if asn == 64496 or i % 9 == 4:
            a.add("mnt-by", "DEMO-MNT")
        a.add("changed", CHANGED)
        autnums.append(a)

    # as-set: per organisation, nested, hierarchical, looping, by reference
    assets = []

    def aset(name, members, descr, k=0, extra=()):
        o = Obj("as-set", name, ("descr", descr))
        for mem in members:
            o.add("members", mem)
        for e in extra:
            o.add(*e)
        o.add("admin-c", org_people[k][0])
        o.add("tech-c", noc[k])
        o.add("mnt-by", f"MAINT-{ORGS[k][2]}" if k else "DEMO-MNT")
        assets.append(o)

    for k, org in enumerate(ORGS):
        aset(f"AS-{org[2]}", [f"AS{a}" for a in org_asns[k]], f"Networks of {org[1]}", k)
    aset("AS-DEMO", ["AS-DEMO-TRANSIT", "AS-DEMO-PEERS"], "Everything in the demo")
    aset("AS-DEMO-TRANSIT", ["AS64496", "AS-DEMO-CUSTOMERS"], "AS64496 and its customer cone")
    aset("AS-DEMO-CUSTOMERS", [", ".join(f"AS{a}" for a in range(64497, 64504)),
                               "AS64504", "AS64505", "AS64496:AS-CUSTOMERS", "AS-EXCLOUD"],
         "Customers of AS64496")
    aset("AS64496:AS-CUSTOMERS", [f"AS{a}" for a in range(65536, 65541)] + ["AS64496:AS-CUSTOMERS:AS-DOWNSTREAM"],
         "Hierarchical as-set of AS64496")
    aset("AS64496:AS-CUSTOMERS:AS-DOWNSTREAM", ["AS4200000000", "AS4200000001"],
         "Second-level hierarchical as-set")
    aset("AS-DEMO-PEERS", [f"AS{a}" for a in range(65541, 65552)] + ["AS-TESTACABLE", "AS-DEMOUNI"],
         "Peers of AS64496")
    aset("AS-DEMO-LOOP-A", ["AS64510", "AS-DEMO-LOOP-B"], "Loops back through AS-DEMO-LOOP-B")
    aset("AS-DEMO-LOOP-B", ["AS64511", "AS-DEMO-LOOP-A"], "Loops back through AS-DEMO-LOOP-A")
    aset("AS-DEMO-SELF", ["AS64512", "AS-DEMO-SELF"], "Contains itself")
    aset("AS-DEMO-EMPTY", [], "No members at all")
    aset("AS-DEMO-DANGLING", ["AS64513", "AS-DEMO-DOES-NOT-EXIST"], "Refers to a set that does not exist")
    aset("AS-DEMO-BYREF", [], "Members join with member-of, maintained by DEMO-MNT",
         extra=[("mbrs-by-ref", "DEMO-MNT")])
    aset("AS-DEMO-ANYREF", ["AS64514"], "Any maintainer may add members", extra=[("mbrs-by-ref", "ANY")])
    aset("AS-DEMO-DEEP", ["AS-DEMO", "AS-DEMO-LOOP-A", "AS-DEMO-BYREF"], "Nests everything")

    # routes: every ASN has a /16 and two /24s in 10/8 (no ROAs: not_found),
    # plus the RPKI scenarios; route6: one /32 each in fd00::/8, plus scenarios.
    routes, routes6 = [], []
    rset_byref = {"10.1.1.0/24", "10.3.0.0/16", "192.0.2.0/24", "fd00:1::/32", "2001:db8:1::/48"}

    def route(prefix, origin, descr, member_of=None):
        net = ipaddress.ip_network(prefix)
        cls = "route" if net.version == 4 else "route6"
        k = asn_org.get(origin, 0)
        r = Obj(cls, str(net), ("descr", descr), ("origin", f"AS{origin}"))
        if member_of:
            r.add("member-of", member_of)
        r.add("mnt-by", f"MAINT-{ORGS[k][2]}")
        if member_of == "RS-DEMO-BYREF":
            r.add("mnt-by", "DEMO-MNT")
        r.add("changed", CHANGED)
        (routes if cls == "route" else routes6).append(r)

    for i, asn in enumerate(ASNS):
        for p in (f"10.{i}.0.0/16", f"10.{i}.1.0/24", f"10.{i}.2.0/24"):
            route(p, asn, f"{ORGS[asn_org[asn]][1]} aggregate" if p.endswith("/16") else "Customer block",
                  "RS-DEMO-BYREF" if p in rset_byref else None)
        route(f"fd00:{i:x}::/32", asn, f"{ORGS[asn_org[asn]][1]} ULA",
              "RS-DEMO-BYREF" if f"fd00:{i:x}::/32" in rset_byref else None)
    for p, o in RPKI_ROUTES:
        route(p, o, "Route in RPKI-covered space", "RS-DEMO-BYREF" if p in rset_byref else None)
    # A few routes of one prefix with several origins (multi-origin, not_found).
    for o in (64497, 64498, 65537):
        route("192.168.0.0/16", o, "Anycast, announced by several networks")
    route("192.168.100.0/22", 64499, "More-specific inside an anycast block")

    # route-set
    rsets = [
        Obj("route-set", "RS-DEMO", ("members", "192.0.2.0/24, 198.51.100.0/24^+"),
            ("members", "RS-DEMO-V4-CUSTOMERS"), ("mp-members", "2001:db8::/32^32-48"),
            ("mp-members", "RS-DEMO-V6"), ("descr", "All demo prefixes"),
            ("admin-c", "HM1-DEMO"), ("tech-c", "HM1-DEMO"), ("mnt-by", "DEMO-MNT")),
        Obj("route-set", "RS-DEMO-V4-CUSTOMERS", ("members", "10.0.0.0/16^-, 10.1.0.0/16^24"),
            ("members", "AS64497"), ("members", "AS-DEMO-CUSTOMERS"), ("members", "RS-DEMO-V4-CUSTOMERS"),
            ("descr", "Customer prefixes (and itself, a loop)"), ("mnt-by", "DEMO-MNT")),
        Obj("route-set", "RS-DEMO-V6", ("mp-members", "fd00::/8^32"), ("mp-members", "2001:db8:1::/48"),
            ("descr", "IPv6 prefixes"), ("mnt-by", "DEMO-MNT")),
        Obj("route-set", "RS-DEMO-BYREF", ("mbrs-by-ref", "DEMO-MNT"),
            ("descr", "Routes join with member-of, maintained by DEMO-MNT"), ("mnt-by", "DEMO-MNT")),
        Obj("route-set", "AS64496:RS-ANYCAST", ("members", "192.168.0.0/16"),
            ("mp-members", "2001:db8:1::/48"), ("descr", "Hierarchical route-set"),
            ("mnt-by", "MAINT-DEMOIX")),
        Obj("route-set", "RS-DEMO-MIXED", ("members", "AS-DEMO-LOOP-A, 203.0.113.0/24^25"),
            ("mp-members", "AS64496:RS-ANYCAST, 2001:db8:8000::/33^+"), ("descr", "Sets, ASNs and prefixes"),
            ("mnt-by", "DEMO-MNT")),
        Obj("route-set", "RS-DEMO-EMPTY", ("descr", "No members"), ("mnt-by", "DEMO-MNT")),
        Obj("route-set", "RS-DEMO-DANGLING", ("members", "RS-DEMO-DOES-NOT-EXIST, 100.64.0.0/10"),
            ("descr", "Refers to a set that does not exist"), ("mnt-by", "DEMO-MNT")),
    ]

    # inet-rtr and rtr-set
    rtrs = []
    for n in range(6):
        asn = ASNS[n]
        k = asn_org[asn]
        r = Obj("inet-rtr", f"rtr{n + 1}.{ORGS[k][2].lower()}.example.net",
                ("descr", f"Border router {n + 1}"),
                ("alias", f"edge{n + 1}.example.net") if n % 2 == 0 else None,
                ("local-as", f"AS{asn}"),
                ("ifaddr", f"192.0.2.{n + 1} masklen 24"),
                ("interface", f"2001:db8::{n + 1} masklen 64") if n < 3 else None,
                ("peer", f"BGP4 192.0.2.{n + 10} asno(AS{ASNS[n + 1]})"),
                ("mp-peer", f"BGP4 2001:db8::{n + 10} asno(AS{ASNS[n + 1]})") if n < 3 else None,
                ("member-of", "RTRS-DEMO-BYREF") if n >= 4 else None,
                ("admin-c", org_people[k][0]), ("tech-c", noc[k]),
                ("mnt-by", "DEMO-MNT" if n >= 4 else f"MAINT-{ORGS[k][2]}"))
        rtrs.append(r)
    rtrsets = [
        Obj("rtr-set", "RTRS-DEMO", ("descr", "All demo routers"),
            ("members", f"{rtrs[0].key}, {rtrs[1].key}"), ("members", "RTRS-DEMO-CORE"),
            ("mp-members", "RTRS-DEMO-BYREF"), ("admin-c", "HM1-DEMO"), ("mnt-by", "DEMO-MNT")),
        Obj("rtr-set", "RTRS-DEMO-CORE", ("descr", "Core routers"),
            ("members", rtrs[2].key), ("members", rtrs[3].key), ("members", "192.0.2.250"),
            ("mnt-by", "DEMO-MNT")),
        Obj("rtr-set", "RTRS-DEMO-BYREF", ("descr", "Routers join with member-of"),
            ("mbrs-by-ref", "DEMO-MNT"), ("mnt-by", "DEMO-MNT")),
    ]

    # peering-set and filter-set
    prngs = [
        Obj("peering-set", "PRNG-DEMO-TRANSIT", ("descr", "Transit sessions of AS64496"),
            ("peering", "AS64497 at 192.0.2.1"), ("peering", "AS-DEMO-CUSTOMERS"),
            ("mp-peering", "AS64497 2001:db8::10 at 2001:db8::1"), ("mnt-by", "DEMO-MNT")),
        Obj("peering-set", "PRNG-DEMO-IX", ("descr", "Sessions at the demo exchange"),
            ("peering", "AS65541 192.0.2.11 at 192.0.2.2"), ("peering", "PRNG-DEMO-TRANSIT"),
            ("mnt-by", "MAINT-DEMOIX")),
        Obj("peering-set", "AS64496:PRNG-PEERS", ("descr", "Hierarchical peering-set"),
            ("mp-peering", "AS-DEMO-PEERS"), ("mnt-by", "MAINT-DEMOIX")),
    ]
    fltrs = [
        Obj("filter-set", "FLTR-DEMO-BOGONS", ("descr", "Private and reserved IPv4 space"),
            ("filter", "{ 0.0.0.0/8^+, 10.0.0.0/8^+, 100.64.0.0/10^+, 127.0.0.0/8^+, "
                       "172.16.0.0/12^+, 192.168.0.0/16^+, 224.0.0.0/3^+ }"),
            ("mp-filter", "{ ::/8^+, fc00::/7^+, fe80::/10^+ }"), ("mnt-by", "DEMO-MNT")),
        Obj("filter-set", "FLTR-DEMO-CUSTOMERS", ("descr", "What AS64496 accepts from customers"),
            ("filter", "AS-DEMO-CUSTOMERS AND NOT FLTR-DEMO-BOGONS"), ("mnt-by", "DEMO-MNT")),
        Obj("filter-set", "AS64496:FLTR-LONG", ("descr", "Too long prefixes"),
            ("filter", "{ 0.0.0.0/0^25-32 }"), ("mp-filter", "{ ::/0^49-128 }"),
            ("mnt-by", "MAINT-DEMOIX")),
    ]

    # inetnum and inet6num
    inetnums = [
        Obj("inetnum", "10.0.0.0 - 10.255.255.255", ("netname", "DEMO-PRIVATE-10"),
            ("descr", "RFC 1918 space used by the demo"), ("country", "NL"),
            ("admin-c", "HM1-DEMO"), ("tech-c", "HM1-DEMO"), ("status", "ALLOCATED UNSPECIFIED"),
            ("mnt-by", "DEMO-RIR-MNT")),
        Obj("inetnum", "192.0.2.0 - 192.0.2.255", ("netname", "TEST-NET-1"),
            ("descr", "RFC 5737 documentation"), ("country", "NL"), ("admin-c", "HM1-DEMO"),
            ("tech-c", noc[0]), ("status", "ASSIGNED PA"), ("mnt-by", "DEMO-MNT")),
        Obj("inetnum", "198.51.100.0 - 198.51.100.255", ("netname", "TEST-NET-2"),
            ("descr", "RFC 5737 documentation"), ("country", "US"), ("admin-c", org_people[1][0]),
            ("tech-c", noc[1]), ("status", "ASSIGNED PA"), ("mnt-by", "MAINT-EXAMPLENET")),
        Obj("inetnum", "203.0.113.0 - 203.0.113.255", ("netname", "TEST-NET-3"),
            ("descr", "RFC 5737 documentation"), ("country", "DE"), ("admin-c", org_people[2][0]),
            ("tech-c", noc[2]), ("status", "ASSIGNED PA"), ("mnt-by", "MAINT-SAMPLETRANSIT")),
        Obj("inetnum", "100.64.0.0 - 100.127.255.255", ("netname", "SHARED-CGN"),
            ("descr", "RFC 6598 shared address space"), ("country", "NL"), ("admin-c", "HM1-DEMO"),
            ("tech-c", "HM1-DEMO"), ("status", "ALLOCATED UNSPECIFIED"), ("mnt-by", "DEMO-RIR-MNT")),
        Obj("inetnum", "172.16.0.0 - 172.31.255.255", ("netname", "DEMO-PRIVATE-172"),
            ("descr", "RFC 1918 space"), ("country", "NL"), ("admin-c", "HM1-DEMO"),
            ("tech-c", "HM1-DEMO"), ("status", "ALLOCATED UNSPECIFIED"), ("mnt-by", "DEMO-RIR-MNT")),
        Obj("inetnum", "198.18.0.0 - 198.19.255.255", ("netname", "BENCHMARK"),
            ("descr", "RFC 2544 benchmarking"), ("country", "NL"), ("admin-c", "HM1-DEMO"),
            ("tech-c", "HM1-DEMO"), ("status", "ASSIGNED PI"), ("mnt-by", "DEMO-RIR-MNT")),
    ]
    for i, asn in enumerate(ASNS[:20]):
        k = asn_org[asn]
        inetnums.append(Obj("inetnum", f"10.{i}.0.0 - 10.{i}.255.255",
                            ("netname", f"{ORGS[k][2]}-NET-{i}"), ("descr", ORGS[k][1]),
                            ("country", ORGS[k][3]), ("admin-c", org_people[k][0]), ("tech-c", noc[k]),
                            ("status", "ASSIGNED PA"), ("mnt-by", f"MAINT-{ORGS[k][2]}")))
    inet6nums = [
        Obj("inet6num", "2001:db8::/32", ("netname", "IPV6-DOC"), ("descr", "RFC 3849 documentation"),
            ("country", "NL"), ("admin-c", "HM1-DEMO"), ("tech-c", "HM1-DEMO"),
            ("status", "ALLOCATED-BY-RIR"), ("mnt-by", "DEMO-RIR-MNT")),
        Obj("inet6num", "fd00::/8", ("netname", "ULA"), ("descr", "RFC 4193 unique local addresses"),
            ("country", "NL"), ("admin-c", "HM1-DEMO"), ("tech-c", "HM1-DEMO"),
            ("status", "ALLOCATED-BY-RIR"), ("mnt-by", "DEMO-RIR-MNT")),
    ]
    for i, asn in enumerate(ASNS[:10]):
        k = asn_org[asn]
        inet6nums.append(Obj("inet6num", f"fd00:{i:x}::/32", ("netname", f"{ORGS[k][2]}-V6"),
                             ("descr", ORGS[k][1]), ("country", ORGS[k][3]),
                             ("admin-c", org_people[k][0]), ("tech-c", noc[k]),
                             ("status", "ASSIGNED"), ("mnt-by", f"MAINT-{ORGS[k][2]}")))

    # domain
    domains = []
    for name, k in (("2.0.192.in-addr.arpa", 0), ("100.51.198.in-addr.arpa", 1),
                    ("113.0.203.in-addr.arpa", 2), ("8.b.d.0.1.0.0.2.ip6.arpa", 0),
                    ("10.in-addr.arpa", 0), ("demo.example", 3)):
        domains.append(Obj("domain", name, ("descr", f"Zone of {ORGS[k][1]}"),
                           ("admin-c", org_people[k][0]), ("tech-c", noc[k]), ("zone-c", noc[k]),
                           ("nserver", "ns1.example.net"), ("nserver", "ns2.example.net 192.0.2.53"),
                           ("mnt-by", f"MAINT-{ORGS[k][2]}")))

    # Order: contacts and maintainers first, then the rest by class.
    for group in (mntners, persons, roles, orgs, irts, keycerts, asblocks, autnums, assets,
                  rsets, rtrs, rtrsets, prngs, fltrs, inetnums, inet6nums, domains, routes, routes6):
        objs.extend(group)
    return objs


def check_references(objs):
    """Every mnt-by, admin-c, tech-c, zone-c and member-of points at an object here."""
    keys = {}
    for o in objs:
        k = o.values("nic-hdl")[0] if o.cls in ("person", "role") else o.key
        keys.setdefault(k.upper(), o.cls)
    problems = []
    for o in objs:
        for attr, classes in (("mnt-by", {"mntner"}), ("admin-c", {"person", "role"}),
                              ("tech-c", {"person", "role"}), ("zone-c", {"person", "role"}),
                              ("member-of", {"as-set", "route-set", "rtr-set"})):
            for v in o.values(attr):
                if keys.get(v.upper()) not in classes:
                    problems.append(f"{o.cls} {o.key}: {attr} {v} does not exist")
        for v in o.values("auth"):
            if v.startswith("PGPKEY-") and keys.get(v.upper()) != "key-cert":
                problems.append(f"{o.cls} {o.key}: auth {v} does not exist")
    return problems


def render(keys):
    objs = build(keys)
    problems = check_references(objs)
    if problems:
        raise SystemExit("make_demo: " + "\nmake_demo: ".join(problems))
    seen = set()
    for o in objs:
        pk = (o.cls, o.key if o.cls not in ("route", "route6") else o.key + o.values("origin")[0])
        if pk in seen:
            raise SystemExit(f"make_demo: duplicate object {pk}")
        seen.add(pk)
    db = "\n".join(o.text() for o in objs)

    roas = {"metadata": {"generator": "scripts/make_demo.py", "note": "demo ROAs; keys other than roas are ignored"},
            "roas": [{"asn": roa_asn_form(i, asn), "prefix": p, "maxLength": ml, "ta": "demo-ta"}
                     for i, (p, ml, asn) in enumerate(ROAS)]}
    vrps = vrps_after_slurm()
    tsv = ["# route\torigin\trpki-ov-state (RFC 6811, roas.json + slurm.json)"]
    for o in objs:
        if o.cls in ("route", "route6"):
            origin = int(o.values("origin")[0][2:])
            tsv.append(f"{o.key}\tAS{origin}\t{rpki_state(o.key, origin, vrps)}")
    files = {
        "demo.db": db,
        "roas.json": json.dumps(roas, indent=2) + "\n",
        "slurm.json": json.dumps(SLURM, indent=2) + "\n",
        "expected-rpki.tsv": "\n".join(tsv) + "\n",
    }
    return files, objs


def summary(objs, files):
    counts = {}
    for o in objs:
        counts[o.cls] = counts.get(o.cls, 0) + 1
    states = {}
    for line in files["expected-rpki.tsv"].splitlines()[1:]:
        s = line.split("\t")[2]
        states[s] = states.get(s, 0) + 1
    return counts, states


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEMO_DIR)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--make-keys", action="store_true")
    a = ap.parse_args()
    keydir = os.path.join(DEMO_DIR, "keys")
    if a.make_keys:
        make_keys(keydir)
    files, objs = render(load_keys(keydir))
    if a.check:
        bad = []
        for name, text in files.items():
            path = os.path.join(a.out, name)
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        bad.append(name)
            except OSError:
                bad.append(name)
        if bad:
            print(f"make_demo: out of date in {a.out}: {', '.join(bad)} (run scripts/make_demo.py)",
                  file=sys.stderr)
            return 1
        return 0
    os.makedirs(a.out, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            f.write(text)
    counts, states = summary(objs, files)
    print(f"make_demo: {len(objs)} objects in {len(counts)} classes: "
          + ", ".join(f"{c} {n}" for c, n in sorted(counts.items())))
    print("make_demo: route states: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
