#!/usr/bin/env python3
"""test_submit_email.py - bin/irrd_submit_email end to end: a real
PostgreSQL, a real SMTP server on loopback (smtp_sink.py), a real GnuPG
keyring made at run time. Covers every password scheme and PGP (inline and
PGP/MIME, tampered bodies), the override password, hasher settings, dummy
hash replacement, route parent authentication, references within a
message and to/from the database, RPKI conflicts, notifications to
mnt-nfy/upd-to/notify, hostile mail (huge, deeply nested, MIME bomb,
broken base64, NUL bytes, no From), and an SMTP server that is down (the
change stands, the mail is kept and sent by the next run)."""
import atexit
import base64
import ctypes
import ctypes.util
import email.utils
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import irrdtest as it  # noqa: E402
from smtp_sink import Sink  # noqa: E402

t = it.Suite()
SUBMIT = it.prog("irrd_submit_email")
UPGRADE = it.prog("irrd_database_upgrade")
LOAD = it.prog("irrd_load_database")

# ---- password hashes with the system's libcrypt ----
_lc = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
_lc.crypt.restype = ctypes.c_char_p
_lc.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
_lc.crypt_gensalt.restype = ctypes.c_char_p
_lc.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]


def crypt(pw, salt):
    return _lc.crypt(pw.encode(), salt.encode()).decode()


def bcrypt(pw):
    return crypt(pw, _lc.crypt_gensalt(b"$2b$", 5, None, 0).decode())


MD5 = crypt("md5-secret", "$1$saltsalt$")
DES = crypt("des-sec", "ab")
BCR = bcrypt("bcrypt-secret")
PARENT = crypt("parent-secret", "$1$parentsa$")
OVERRIDE = bcrypt("override-secret")

# ---- a GnuPG key for the submitter ----
UHOME = os.path.join(t.tmp, "user-gnupg")
os.makedirs(UHOME, mode=0o700)


def gpg(*args, inp=None):
    return subprocess.run(["gpg", "--homedir", UHOME, "--batch", "--yes", "--pinentry-mode", "loopback",
                           "--passphrase", ""] + list(args), input=inp, capture_output=True, timeout=120)


r = gpg("--quick-gen-key", "Test Submitter <pgp@example.com>", "ed25519", "sign", "never")
if r.returncode != 0:
    t.fail("gpg: generate a key", r.stderr.decode(errors="replace"))
    t.done()
FPR = [ln.split(":")[9] for ln in gpg("--with-colons", "--list-keys").stdout.decode().splitlines()
       if ln.startswith("fpr:")][0]
KEYID = "PGPKEY-" + FPR[-8:]
ARMOR = gpg("--armor", "--export", FPR).stdout.decode()
CERTIF = "".join("certif:         %s\n" % ln for ln in ARMOR.strip().split("\n"))


FPRF = " ".join(FPR[i:i + 4] for i in range(0, 20, 4)) + "  " + " ".join(FPR[i:i + 4] for i in range(20, 40, 4))


def killagent():
    subprocess.run(["gpgconf", "--homedir", UHOME, "--kill", "gpg-agent"], capture_output=True)


atexit.register(killagent)

# ---- database, SMTP sink, config ----
db = it.new_db("mail")
sink = Sink(os.path.join(t.tmp, "sink"))
KEYRING = os.path.join(t.tmp, "gnupg")


def config(name="irrd.yaml", smtp_port=None, rpki=False, extra=None):
    ex = {
        "auth": {"gnupg_keyring": KEYRING, "override_password": OVERRIDE},
        "email": {"from": "irrd@example.net", "smtp": "127.0.0.1:%d" % (smtp_port or sink.port),
                  "footer": "-- the footer"},
        "rpki": {"roa_source": "file:///nonexistent/roas.json", "notify_invalid_enabled": False}
        if rpki else {"roa_source": None},
    }
    if extra:
        it._merge(ex, extra)
    return it.write_config(t.tmp, db=db, name=name, extra=ex)


cfg = config()
r = it.run([UPGRADE, "--config", cfg.path])
t.check("schema", r.returncode == 0, r.stderr)


def mntner(name, upd_to, auth, nfy=None):
    """A maintainer of the base data, which maintains itself."""
    return (f"mntner:         {name}\nadmin-c:        ADMIN-TEST\nupd-to:         {upd_to}\n"
            + (f"mnt-nfy:        {nfy}\n" if nfy else "")
            + f"auth:           {auth}\nmnt-by:         {name}\nsource:         TEST\n")


BASE = "\n".join([
    """person:         Admin Person
address:        Street 1
phone:          +31 20 000000
e-mail:         admin@example.com
nic-hdl:        ADMIN-TEST
mnt-by:         TEST-MNT
source:         TEST
""",
    mntner("TEST-MNT", "updto@example.com", f"MD5-PW {MD5}", nfy="mntnfy@example.com"),
    mntner("CRYPT-MNT", "crypt-updto@example.com", f"CRYPT-PW {DES}"),
    mntner("BCRYPT-MNT", "bcrypt-updto@example.com", f"BCRYPT-PW {BCR}"),
    mntner("PGP-MNT", "pgp-updto@example.com", KEYID),
    mntner("PARENT-MNT", "parent-updto@example.com", f"MD5-PW {PARENT}"),
    f"""key-cert:       {KEYID}
method:         PGP
owner:          Test Submitter <pgp@example.com>
fingerpr:       {FPRF}
{CERTIF}mnt-by:         PGP-MNT
source:         TEST
""",
    """inetnum:        192.0.2.0 - 192.0.2.255
netname:        PARENT-NET
country:        NL
admin-c:        ADMIN-TEST
tech-c:         ADMIN-TEST
status:         ASSIGNED PA
mnt-by:         PARENT-MNT
source:         TEST
"""])
dump = os.path.join(t.tmp, "base.db")
with open(dump, "w") as f:
    f.write(BASE)
r = it.run([LOAD, "--config", cfg.path, "--source", "TEST", dump])
t.check("base data loaded", r.returncode == 0 and "rejected 0" in r.stdout, r.stdout + r.stderr)

# ---- helpers ----
_seq = [0]


def message(body, frm="Sub Mitter <submitter@example.com>", subject="changes", headers=None, raw_body=False):
    """A plain text message (bytes)."""
    _seq[0] += 1
    h = {"From": frm, "To": "irrd@example.net", "Subject": subject,
         "Message-ID": "<msg%d@example.com>" % _seq[0], "Date": email.utils.formatdate()}
    if headers:
        h.update(headers)
    head = "".join("%s: %s\n" % (k, v) for k, v in h.items() if v is not None)
    if raw_body:
        return head.encode() + b"\n" + body
    return (head + "\n" + body).encode()


def submit(raw, c=None):
    """Run irrd_submit_email; returns (exit status, stderr, mails sent)."""
    sink.clear()
    p = subprocess.run([SUBMIT, "--config", (c or cfg).path], input=raw, capture_output=True, timeout=120)
    return p.returncode, p.stderr.decode(errors="replace"), sink.messages()


def reply_of(mails, to="submitter@example.com"):
    for m in mails:
        if m["to"] == [to]:
            return m
    return None


def objects(pk=None):
    q = "SELECT object_class, rpsl_pk, rpki_status FROM rpsl_objects WHERE source = 'TEST'"
    if pk:
        q += " AND rpsl_pk = '%s'" % pk
    return it.psql(db, q + " ORDER BY 1, 2")


def object_text(pk, cls):
    r = subprocess.run(["psql", db, "-XAtq", "-c",
                        "SELECT object_text FROM rpsl_objects WHERE rpsl_pk = '%s' AND object_class = '%s'"
                        % (pk, cls)], capture_output=True, text=True)
    return r.stdout


def state():
    """Everything a submission may change."""
    return it.psql(db, "SELECT (SELECT md5(coalesce(string_agg(object_class || rpsl_pk || object_text, '|'"
                       " ORDER BY object_class, rpsl_pk), '')) FROM rpsl_objects),"
                       " (SELECT count(*) FROM rpsl_database_journal),"
                       " (SELECT count(*) FROM object_change)")


def route(prefix, origin, mnt, extra=""):
    cls = "route6" if ":" in prefix else "route"
    return (f"{cls}: {prefix}\ndescr: test route\norigin: {origin}\nmnt-by: {mnt}\n{extra}"
            f"source: TEST\n")


def status_line(mail):
    return mail["subject"] if mail else None


# ================================================================ passwords
for scheme, mnt, good, bad, pfx in [("MD5-PW", "TEST-MNT", "md5-secret", "md5-wrong", "198.18.1.0/24"),
                                    ("CRYPT-PW", "CRYPT-MNT", "des-sec", "des-bad", "198.18.2.0/24"),
                                    ("BCRYPT-PW", "BCRYPT-MNT", "bcrypt-secret", "bcrypt-wrong", "198.18.3.0/24")]:
    before = state()
    rc, err, mails = submit(message(route(pfx, "AS65001", mnt) + f"password: {bad}\n", subject="bad pw"))
    rep = reply_of(mails)
    t.eq(f"{scheme}: wrong password: exit 0", rc, 0)
    t.eq(f"{scheme}: wrong password: FAILED reply", status_line(rep), "FAILED: bad pw")
    t.contains(f"{scheme}: wrong password: reason", rep["body"] if rep else "",
               f"ERROR: Authorisation for route {pfx}AS65001 failed: must be authenticated by one of: {mnt}")
    t.eq(f"{scheme}: wrong password: database unchanged", state(), before)
    rc, err, mails = submit(message(route(pfx, "AS65001", mnt) + f"password: {good}\n", subject="good pw"))
    rep = reply_of(mails)
    t.eq(f"{scheme}: right password: SUCCESS", status_line(rep), "SUCCESS: good pw")
    t.eq(f"{scheme}: right password: stored", objects(f"{pfx}AS65001"), [["route", f"{pfx}AS65001", "not_found"]])
    t.check(f"{scheme}: password never echoed", rep is not None and good not in rep["data"], rep and rep["data"])

# password: lines apply to every object of the message, wherever they are
rc, err, mails = submit(message("password: md5-secret\n\n" + route("198.18.4.0/24", "AS65001", "TEST-MNT") + "\n" +
                                route("198.18.5.0/24", "AS65001", "TEST-MNT")))
t.eq("a password paragraph applies to all objects", status_line(reply_of(mails)), "SUCCESS: changes")
t.contains("summary counts", reply_of(mails)["body"], "Number of objects processed successfully:   2\n    Create:        2\n")

# ================================================================ hashers
cfg_nomd5 = config("irrd-nomd5.yaml", extra={"auth": {"password_hashers": {"md5-pw": "disabled"}}})
rc, err, mails = submit(message(route("198.18.6.0/24", "AS65001", "TEST-MNT") + "password: md5-secret\n"), cfg_nomd5)
t.eq("md5-pw disabled: the right password no longer works", status_line(reply_of(mails)), "FAILED: changes")
mnt_text = (f"mntner: CRYPT-MNT\nadmin-c: ADMIN-TEST\nupd-to: crypt-updto@example.com\n"
            f"auth: CRYPT-PW {crypt('newdes', 'cd')}\nmnt-by: CRYPT-MNT\nsource: TEST\npassword: des-sec\n")
rc, err, mails = submit(message(mnt_text))
rep = reply_of(mails)
t.eq("crypt-pw legacy: may not be set", status_line(rep), "FAILED: changes")
t.contains("crypt-pw legacy: says why", rep["body"] if rep else "", "ERROR: ")
t.check("crypt-pw legacy: hash not echoed", rep is not None and "CRYPT-PW DummyValue  # Filtered for security" in rep["body"]
        and crypt('newdes', 'cd') not in rep["data"], rep and rep["body"])

# ================================================================ PGP
signed_body = route("198.18.10.0/24", "AS65010", "PGP-MNT")
clear = gpg("--clearsign", "--digest-algo", "SHA256", inp=signed_body.encode()).stdout
rc, err, mails = submit(message(clear, raw_body=True, subject="inline pgp"))
t.eq("PGP inline: key-cert key accepted (imported from the database)", status_line(reply_of(mails)),
     "SUCCESS: inline pgp")
tampered = clear.replace(b"AS65010", b"AS65011")
rc, err, mails = submit(message(tampered, raw_body=True, subject="tampered"))
rep = reply_of(mails)
t.eq("PGP inline: tampered body refused", status_line(rep), "FAILED: tampered")
t.eq("PGP inline: tampered object not stored", objects("198.18.10.0/24AS65011"), [])
# text after the signature is not signed
extra_after = clear + b"\n" + route("198.18.12.0/24", "AS65010", "PGP-MNT").encode()
rc, err, mails = submit(message(extra_after, raw_body=True, subject="appended"))
t.eq("PGP inline: objects after the signature are not covered", objects("198.18.12.0/24AS65010"), [])


def pgp_mime(body_text, tamper=None):
    part = ("Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            + body_text.replace("\n", "\r\n"))
    sig = gpg("--detach-sign", "--armor", "--digest-algo", "SHA256", inp=part.encode()).stdout.decode()
    if tamper:
        part = part.replace(*tamper)
    b = "=-=sig-boundary=-="
    return (f"MIME-Version: 1.0\r\n"
            f"Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"{b}\"\r\n"
            f"\r\nThis is an OpenPGP/MIME signed message\r\n--{b}\r\n{part}\r\n--{b}\r\n"
            f"Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n{sig}\r\n--{b}--\r\n").encode()


def mime_message(mime, subject):
    _seq[0] += 1
    head = (f"From: submitter@example.com\r\nTo: irrd@example.net\r\nSubject: {subject}\r\n"
            f"Message-ID: <mime{_seq[0]}@example.com>\r\n")
    return head.encode() + mime


rc, err, mails = submit(mime_message(pgp_mime(route("198.18.11.0/24", "AS65010", "PGP-MNT")), "pgp mime"))
t.eq("PGP/MIME: accepted", status_line(reply_of(mails)), "SUCCESS: pgp mime")
rc, err, mails = submit(mime_message(pgp_mime(route("198.18.13.0/24", "AS65010", "PGP-MNT"),
                                              tamper=("198.18.13.0", "198.18.14.0")), "pgp mime tampered"))
t.eq("PGP/MIME: tampered part refused", status_line(reply_of(mails)), "FAILED: pgp mime tampered")
t.eq("PGP/MIME: nothing stored", objects("198.18.14.0/24AS65010") + objects("198.18.13.0/24AS65010"), [])
# a signature by a key without a key-cert does not authenticate
other = os.path.join(t.tmp, "other-gnupg")
os.makedirs(other, mode=0o700)
subprocess.run(["gpg", "--homedir", other, "--batch", "--passphrase", "", "--pinentry-mode", "loopback",
                "--quick-gen-key", "Other <o@example.com>", "ed25519", "sign", "never"], capture_output=True)
clear2 = subprocess.run(["gpg", "--homedir", other, "--batch", "--clearsign"],
                        input=route("198.18.15.0/24", "AS65010", "PGP-MNT").encode(), capture_output=True).stdout
subprocess.run(["gpgconf", "--homedir", other, "--kill", "gpg-agent"], capture_output=True)
rc, err, mails = submit(message(clear2, raw_body=True, subject="other key"))
t.eq("PGP: a key without key-cert does not authenticate", status_line(reply_of(mails)), "FAILED: other key")

# a key-cert created by mail: the key goes into the keyring, its mntner can sign
r = gpg("--quick-gen-key", "Second Key <pgp2@example.com>", "ed25519", "sign", "never")
FPR2 = [ln.split(":")[9] for ln in gpg("--with-colons", "--list-keys", "pgp2@example.com").stdout.decode().splitlines()
        if ln.startswith("fpr:")][0]
KEYID2 = "PGPKEY-" + FPR2[-8:]
certif2 = "".join("certif: %s\n" % ln for ln in gpg("--armor", "--export", FPR2).stdout.decode().strip().split("\n"))
rc, err, mails = submit(message(f"key-cert: {KEYID2}\n{certif2}mnt-by: TEST-MNT\nsource: TEST\npassword: md5-secret\n\n"
                                f"mntner: KEY2-MNT\nadmin-c: ADMIN-TEST\nupd-to: key2@example.com\nauth: {KEYID2}\n"
                                "mnt-by: KEY2-MNT\nsource: TEST\noverride: override-secret\n", subject="key-cert"))
t.eq("key-cert by mail: created", status_line(reply_of(mails)), "SUCCESS: key-cert")
kc = object_text(KEYID2, "key-cert")
t.contains("key-cert by mail: fingerpr generated", kc, "fingerpr:       " + " ".join(FPR2[i:i + 4] for i in range(0, 20, 4)))
t.contains("key-cert by mail: owner generated", kc, "owner:          Second Key <pgp2@example.com>")
clear3 = gpg("--clearsign", "--local-user", FPR2, inp=route("198.18.16.0/24", "AS65010", "KEY2-MNT").encode()).stdout
rc, err, mails = submit(message(clear3, raw_body=True, subject="signed by key 2"))
t.eq("key-cert by mail: its key authenticates", status_line(reply_of(mails)), "SUCCESS: signed by key 2")

# ================================================================ override, mntner creation
new_mnt = ("mntner: NEW-MNT\nadmin-c: ADMIN-TEST\nupd-to: new@example.com\n"
           f"auth: MD5-PW {crypt('new-secret', '$1$newsaltx$')}\nmnt-by: NEW-MNT\nsource: TEST\n")
rc, err, mails = submit(message(new_mnt + "password: new-secret\n"))
rep = reply_of(mails)
t.eq("new mntner without override refused", status_line(rep), "FAILED: changes")
t.contains("new mntner: IRRd's reason", rep["body"] if rep else "",
           "ERROR: New mntner objects must be added by an administrator.")
rc, err, mails = submit(message(new_mnt + "override: wrong-override\n"))
t.eq("wrong override refused", status_line(reply_of(mails)), "FAILED: changes")
rc, err, mails = submit(message(new_mnt + "override: override-secret\n" + "\n" +
                                route("198.18.20.0/24", "AS65020", "NEW-MNT")))
rep = reply_of(mails)
t.eq("override: new mntner and an object using it", status_line(rep), "SUCCESS: changes")
t.eq("override: no notifications", [m["to"] for m in mails], [["submitter@example.com"]])
t.check("override password never echoed", rep is not None and "override-secret" not in rep["data"])

# ================================================================ dummy hashes
dummy = ("mntner: TEST-MNT\nadmin-c: ADMIN-TEST\nupd-to: updto@example.com\nmnt-nfy: mntnfy@example.com\n"
         "auth: MD5-PW DummyValue  # Filtered for security\nmnt-by: TEST-MNT\nsource: TEST\npassword: md5-secret\n")
rc, err, mails = submit(message(dummy))
rep = reply_of(mails)
t.eq("dummy hashes with one password: accepted", status_line(rep), "SUCCESS: changes")
t.contains("dummy hashes: IRRd's note", rep["body"] if rep else "",
           "INFO: As you submitted dummy hash values, all password hashes on this object were replaced with a new "
           "BCRYPT-PW hash of the password you provided for authentication.")
stored = object_text("TEST-MNT", "mntner")
t.check("dummy hashes: stored as one BCRYPT-PW", re.search(r"auth:\s+BCRYPT-PW \$2b\$12\$", stored) is not None
        and "MD5-PW" not in stored, stored)
t.check("dummy hashes: no hash in any mail", all("$2b$" not in m["data"] and "$1$" not in m["data"] for m in mails))
rc, err, mails = submit(message(route("198.18.21.0/24", "AS65001", "TEST-MNT") + "password: md5-secret\n"))
t.eq("dummy hashes: the password still works", status_line(reply_of(mails)), "SUCCESS: changes")
rc, err, mails = submit(message(dummy.replace("password: md5-secret\n", "password: a\npassword: b\n")))
t.contains("dummy hashes with two passwords refused", reply_of(mails)["body"],
           "ERROR: Object submitted with dummy hash values, but multiple or no passwords submitted. "
           "Either submit only full hashes, or a single password.")

# ================================================================ route parent authentication
child = route("192.0.2.128/25", "AS65030", "TEST-MNT")
before = state()
rc, err, mails = submit(message(child + "password: md5-secret\n", subject="child"))
rep = reply_of(mails)
t.eq("route parent: child maintainer alone is not enough", status_line(rep), "FAILED: child")
t.contains("route parent: IRRd's reason", rep["body"] if rep else "",
           "ERROR: Authorisation for route 192.0.2.128/25AS65030 failed: must be authenticated by one of: "
           "PARENT-MNT - from parent inetnum 192.0.2.0 - 192.0.2.255")
t.check("route parent: upd-to of the parent's maintainer notified",
        any(m["to"] == ["parent-updto@example.com"] and "FAILED AUTHORISATION" in m["body"] for m in mails),
        [m["to"] for m in mails])
t.eq("route parent: nothing stored", state(), before)
rc, err, mails = submit(message(child + "password: md5-secret\npassword: parent-secret\n", subject="child"))
t.eq("route parent: both maintainers pass", status_line(reply_of(mails)), "SUCCESS: child")
t.check("route parent: mnt-nfy of the new object's maintainer notified",
        any(m["to"] == ["mntnfy@example.com"] for m in mails), [m["to"] for m in mails])
cfg_noparent = config("irrd-noparent.yaml", extra={"auth": {"authenticate_parents_route_creation": False}})
rc, err, mails = submit(message(route("192.0.2.64/26", "AS65030", "TEST-MNT") + "password: md5-secret\n"),
                        cfg_noparent)
t.eq("route parent: authenticate_parents_route_creation false", status_line(reply_of(mails)), "SUCCESS: changes")
# without a covering inet(6)num, the smallest less specific route is the parent
rc, err, mails = submit(message(route("198.18.100.0/22", "AS65031", "TEST-MNT") + "password: md5-secret\n"))
rc, err, mails = submit(message(route("198.18.101.0/24", "AS65031", "BCRYPT-MNT") + "password: bcrypt-secret\n"))
t.contains("route parent: smallest less specific route", reply_of(mails)["body"],
           "must be authenticated by one of: TEST-MNT - from parent route 198.18.100.0/22AS65031")

# ================================================================ references, create/modify/delete
pers = ("person: Other Person\naddress: Street 9\nphone: +31 20 111111\ne-mail: o@example.com\n"
        "nic-hdl: OTHER-TEST\nmnt-by: TEST-MNT\nnotify: person-notify@example.com\nsource: TEST\n")
rt = route("198.18.30.0/24", "AS65040", "TEST-MNT", "admin-c: OTHER-TEST\n")
rc, err, mails = submit(message(rt + "\n" + pers + "\npassword: md5-secret\n"))
t.eq("references to an object in the same message", status_line(reply_of(mails)), "SUCCESS: changes")
rc, err, mails = submit(message(route("198.18.31.0/24", "AS65040", "TEST-MNT, NOSUCH-MNT") + "password: md5-secret\n"))
t.contains("reference to a missing mntner", reply_of(mails)["body"],
           "ERROR: Object NOSUCH-MNT referenced in field mnt-by not found in database TEST - must reference mntner.")
rc, err, mails = submit(message(route("198.18.32.0/24", "AS65040", "TEST-MNT", "tech-c: NOSUCH-TEST\n") +
                                "password: md5-secret\n"))
t.contains("reference to a missing person", reply_of(mails)["body"],
           "ERROR: Object NOSUCH-TEST referenced in field tech-c not found in database TEST - must reference "
           "one of role, person.")
rc, err, mails = submit(message(pers + "delete: no longer needed\npassword: md5-secret\n"))
t.contains("delete of a referenced object refused", reply_of(mails)["body"],
           "ERROR: Object OTHER-TEST to be deleted, but still referenced by route 198.18.30.0/24AS65040")
# one bad object: an object depending on it fails too, nothing changes
before = state()
bad_person = pers.replace("OTHER-TEST", "THIRD-TEST").replace("phone: +31 20 111111\n", "")
rc, err, mails = submit(message(route("198.18.33.0/24", "AS65040", "TEST-MNT", "admin-c: THIRD-TEST\n") + "\n" +
                                bad_person + "\npassword: md5-secret\n"))
rep = reply_of(mails)
t.eq("a bad object and one referring to it: both fail", status_line(rep), "FAILED: changes")
t.contains("the bad object says why", rep["body"] if rep else "", "Mandatory attribute \"phone\" on object person is missing")
t.eq("a bad object and one referring to it: database unchanged", state(), before)
# modify: notify of the existing object and mnt-nfy are told; diff shown
modified = pers.replace("Street 9", "Street 10")
rc, err, mails = submit(message(modified + "password: md5-secret\n"))
t.contains("modify reported", reply_of(mails)["body"], "Modify succeeded: [person] OTHER-TEST")
nt = [m for m in mails if m["to"] == ["person-notify@example.com"]]
t.check("modify: notify: of the existing object", len(nt) == 1, [m["to"] for m in mails])
t.contains("modify: notification subject", nt[0]["subject"] if nt else "", "Notification of TEST database changes")
t.contains("modify: diff in the notification", nt[0]["body"] if nt else "",
           "-address:        Street 9\n+address:        Street 10\n")
t.contains("footer", nt[0]["body"] if nt else "", "\n-- the footer\n\nGenerated by IRRd version ")
# identical resubmission
rc, err, mails = submit(message(modified + "password: md5-secret\n"))
t.contains("identical object: no change", reply_of(mails)["body"],
           "INFO: Submitted object was identical to current object, no change recorded.")
# deletions: both in one message (the route refers to the person)
before_journal = int(it.psql(db, "SELECT count(*) FROM rpsl_database_journal WHERE operation = 'DEL'")[0][0])
rc, err, mails = submit(message(modified + "delete: gone\n\n" + rt + "delete: gone\n\npassword: md5-secret\n"))
t.eq("deleting a referenced object with its referrer", status_line(reply_of(mails)), "SUCCESS: changes")
t.eq("deleted objects gone", objects("OTHER-TEST") + objects("198.18.30.0/24AS65040"), [])
t.eq("journal DEL entries", int(it.psql(db, "SELECT count(*) FROM rpsl_database_journal WHERE operation = 'DEL'")[0][0]),
     before_journal + 2)
rc, err, mails = submit(message(modified + "delete: gone\npassword: md5-secret\n"))
t.contains("delete of a missing object", reply_of(mails)["body"],
           "ERROR: Can not delete object: no object found for this key in this database.")
rc, err, mails = submit(message("person: X\nsource: NOSUCH\n\nfoo: bar\n"))
body = reply_of(mails)["body"]
t.contains("unknown class", body, "Request FAILED: [(unreadable object class)] (unreadable object key)")
t.contains("unknown class: message", body, "ERROR: unknown object class: foo")
rc, err, mails = submit(message(route("198.18.40.0/24", "AS65001", "TEST-MNT").replace("TEST\n", "OTHER\n")
                                + "password: md5-secret\n"))
t.contains("non-authoritative source", reply_of(mails)["body"],
           "ERROR: This instance is not authoritative for source OTHER")
t.check("journal ADD entries for the source", int(it.psql(db, "SELECT count(*) FROM rpsl_database_journal WHERE "
                                                             "source = 'TEST' AND operation = 'ADD'")[0][0]) > 5)

# ================================================================ RPKI
it.psql(db, "INSERT INTO roa_object (prefix, asn, max_length, trust_anchor, ip_version) VALUES "
            "('198.51.100.0/24', 65050, 24, 'Test TA', 4), ('2001:db8::/32', 65050, 48, 'Test TA', 6)")
cfg_rpki = config("irrd-rpki.yaml", rpki=True)
msg = (route("198.51.100.0/24", "AS65051", "TEST-MNT") + "\n" + route("198.51.100.0/24", "AS65050", "TEST-MNT") +
       "\n" + route("203.0.113.0/24", "AS65051", "TEST-MNT") + "\n" + route("2001:db8::/48", "AS65051", "TEST-MNT") +
       "\npassword: md5-secret\n")
rc, err, mails = submit(message(msg, subject="rpki"), cfg_rpki)
body = reply_of(mails)["body"]
t.contains("RPKI: invalid route refused with IRRd's text", body,
           "Create FAILED: [route] 198.51.100.0/24AS65051\n\nroute: 198.51.100.0/24\n")
t.contains("RPKI: the text", body, "ERROR: RPKI ROAs were found that conflict with this object. "
           "(This IRRd refreshes ROAs every 3600 seconds.)")
t.contains("RPKI: valid route created", body, "Create succeeded: [route] 198.51.100.0/24AS65050")
t.contains("RPKI: not_found route created", body, "Create succeeded: [route] 203.0.113.0/24AS65051")
t.contains("RPKI: invalid route6 refused", body, "Create FAILED: [route6] 2001:DB8::/48AS65051")
t.eq("RPKI: states stored", objects("198.51.100.0/24AS65050") + objects("203.0.113.0/24AS65051") +
     objects("198.51.100.0/24AS65051"),
     [["route", "198.51.100.0/24AS65050", "valid"], ["route", "203.0.113.0/24AS65051", "not_found"]])
# an invalid object that exists (loaded before the ROA) may be deleted, not changed
it.psql(db, "INSERT INTO roa_object (prefix, asn, max_length, trust_anchor, ip_version) VALUES "
            "('203.0.113.0/24', 65099, 24, 'Test TA', 4)")
rc, err, mails = submit(message(route("203.0.113.0/24", "AS65051", "TEST-MNT", "remarks: changed\n") +
                                "password: md5-secret\n"), cfg_rpki)
t.contains("RPKI: changing an invalid route refused", reply_of(mails)["body"], "ERROR: RPKI ROAs were found")
rc, err, mails = submit(message(route("203.0.113.0/24", "AS65051", "TEST-MNT") + "delete: invalid\n"
                                "password: md5-secret\n"), cfg_rpki)
t.eq("RPKI: deleting an invalid route permitted", status_line(reply_of(mails)), "SUCCESS: changes")
rc, err, mails = submit(message(route("198.51.100.0/24", "AS65051", "TEST-MNT") + "password: md5-secret\n"))
t.eq("RPKI-aware mode off: no ROA check", status_line(reply_of(mails)), "SUCCESS: changes")

# ================================================================ scope filter
cfg_scope = config("irrd-scope.yaml", extra={"scopefilter": {"prefixes": ["198.18.200.0/24"], "asns": ["65066"]}})
rc, err, mails = submit(message(route("198.18.200.0/25", "AS65001", "TEST-MNT") + "\n" +
                                route("198.18.201.0/24", "AS65066", "TEST-MNT") + "\n" +
                                route("198.18.202.0/24", "AS65001", "TEST-MNT") + "\npassword: md5-secret\n"), cfg_scope)
body = reply_of(mails)["body"]
t.contains("scope filter: prefix out of scope", body,
           "ERROR: Contains out of scope information: prefix 198.18.200.0/25 is out of scope")
t.contains("scope filter: ASN out of scope", body, "ERROR: Contains out of scope information: ASN 65066 is out of scope")
t.contains("scope filter: in scope", body, "Create succeeded: [route] 198.18.202.0/24AS65001")

# ================================================================ charsets and MIME
latin = (route("198.18.50.0/24", "AS65001", "TEST-MNT", "remarks: caf\xe9\n") + "password: md5-secret\n")
qp = latin.encode("latin-1").replace(b"\xe9", b"=E9")
rc, err, mails = submit(message(qp, raw_body=True, headers={
    "MIME-Version": "1.0", "Content-Type": "text/plain; charset=iso-8859-1",
    "Content-Transfer-Encoding": "quoted-printable"}))
t.eq("quoted-printable latin-1: accepted", status_line(reply_of(mails)), "SUCCESS: changes")
t.contains("quoted-printable latin-1: stored as UTF-8", object_text("198.18.50.0/24AS65001", "route"), "caf\u00e9")
b64 = base64.encodebytes(route("198.18.51.0/24", "AS65001", "TEST-MNT", "remarks: \u00fcber\n").encode() +
                         b"password: md5-secret\n")
alt = (b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\n"
       b"Content-Type: text/html\n\n<p>ignored</p>\n--XX\nContent-Type: text/plain; charset=utf-8\n"
       b"Content-Transfer-Encoding: base64\n\n" + b64 + b"--XX--\n")
rc, err, mails = submit(mime_message(alt, "changes"))
t.eq("multipart with base64 UTF-8 text part", status_line(reply_of(mails)), "SUCCESS: changes")
t.contains("base64 UTF-8: stored", object_text("198.18.51.0/24AS65001", "route"), "\u00fcber")
rc, err, mails = submit(mime_message(b"Content-Type: multipart/mixed; boundary=\"Q\"\n\n--Q\n"
                                     b"Content-Type: text/html\n\n<b>x</b>\n--Q--\n", "html only"))
t.contains("no text/plain part: IRRd's reply", reply_of(mails)["body"],
           "could not be processed, as no text/plain part could be found.")

# ================================================================ hostile mail
before = state()


def hostile(name, raw, reason):
    rc, err, mails = submit(raw)
    rep = reply_of(mails)
    t.eq(f"hostile: {name}: exit 0", rc, 0)
    t.eq(f"hostile: {name}: FAILED reply", status_line(rep) and status_line(rep).startswith("FAILED"), True)
    t.contains(f"hostile: {name}: says why", rep["body"] if rep else "", reason)
    t.eq(f"hostile: {name}: database as it was", state(), before)


payload = (route("198.18.60.0/24", "AS65001", "TEST-MNT") + "password: md5-secret\n").encode()
hostile("50 MB body", message(payload + b"remarks: " + b"x" * (50 << 20) + b"\n", raw_body=True),
        "could not be processed, as it is larger than 10485760 bytes.")
nest = b""
for i in range(60):
    nest += b"Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n" % (i, i)
nest += b"Content-Type: text/plain\n\n" + payload
for i in reversed(range(60)):
    nest += b"\n--b%d--\n" % i
hostile("deeply nested multipart", mime_message(nest, "nested"),
        "its MIME structure is nested more than 10 levels deep")
bomb = b"Content-Type: multipart/mixed; boundary=\"z\"\n\n" + b"".join(
    b"--z\nContent-Type: text/plain\n\n" + payload for _ in range(5000)) + b"--z--\n"
hostile("MIME bomb (5000 parts)", mime_message(bomb, "bomb"), "it has more than 100 MIME parts")
hostile("broken base64", message(payload.replace(b"\n", b"\n!!") , raw_body=True, headers={
    "Content-Transfer-Encoding": "base64", "Content-Type": "text/plain"}), "is not valid base64")
hostile("NUL bytes", message(payload + b"remarks: a\x00b\n", raw_body=True), "it contains NUL bytes")
hostile("unknown charset", message(payload, raw_body=True, headers={"Content-Type": "text/plain; charset=x-klingon"}),
        "its charset \"x-klingon\" is unknown")
rc, err, mails = submit(message(payload, raw_body=True, frm=None))
t.eq("hostile: no From: exit 65 (cannot be handled)", rc, 65)
t.contains("hostile: no From: says why", err, "no From header: not processed")
t.eq("hostile: no From: no mail", mails, [])
t.eq("hostile: no From: database as it was", state(), before)
rc, err, mails = submit(message(payload, raw_body=True, frm="nobody"))
t.eq("hostile: From without an address: exit 65", rc, 65)
rc, err, mails = submit(b"\x00\xff\xfe garbage without headers")
t.eq("hostile: garbage: exit 65", rc, 65)
t.eq("hostile: all of it: database as it was", state(), before)

# ================================================================ override deletes of referenced objects
rc, err, mails = submit(message(route("198.18.60.0/24", "AS65001", "TEST-MNT", "admin-c: ADMIN-TEST\n") +
                                "password: md5-secret\n"))
adm = ("person: Admin Person\naddress: Street 1\nphone: +31 20 000000\ne-mail: admin@example.com\n"
       "nic-hdl: ADMIN-TEST\nmnt-by: TEST-MNT\nsource: TEST\n")
rc, err, mails = submit(message(adm + "delete: test\npassword: md5-secret\n"))
t.contains("delete of a referenced person refused", reply_of(mails)["body"],
           "ERROR: Object ADMIN-TEST to be deleted, but still referenced by mntner BCRYPT-MNT")
rc, err, mails = submit(message(adm + "delete: test\noverride: override-secret\n"))
body = reply_of(mails)["body"]
t.contains("override: delete of a referenced person permitted", body, "Delete succeeded: [person] ADMIN-TEST")
t.contains("override: the broken reference is noted", body,
           "INFO: NOTE: object ADMIN-TEST still referenced by route 198.18.60.0/24AS65001. Delete permitted due "
           "to override. This creates a broken reference.")
rc, err, mails = submit(message(adm + "password: md5-secret\n"))
t.contains("creating a name others refer to is refused", reply_of(mails)["body"],
           "ERROR: Object ADMIN-TEST to be created, but existing references exist from mntner BCRYPT-MNT")
rc, err, mails = submit(message(adm + "override: override-secret\n"))
t.contains("... and permitted with override", reply_of(mails)["body"],
           "INFO: NOTE: existing references to ADMIN-TEST exist from mntner BCRYPT-MNT, permitted due to override")

# ================================================================ recipient override
cfg_ovr = config("irrd-override.yaml", extra={"email": {"recipient_override": "override@example.net"}})
rc, err, mails = submit(message(route("198.18.70.0/24", "AS65001", "TEST-MNT") + "password: md5-secret\n"), cfg_ovr)
t.check("recipient_override: every mail to the override address",
        len(mails) >= 2 and all(m["to"] == ["override@example.net"] for m in mails), [m["to"] for m in mails])

# ================================================================ SMTP down
spool = os.path.join(t.tmp, "mail-spool")
port = sink.port
sink.stop()
p = subprocess.run([SUBMIT, "--config", cfg.path], capture_output=True, timeout=120,
                   input=message(route("198.18.80.0/24", "AS65001", "TEST-MNT") + "password: md5-secret\n",
                                 subject="while down"))
t.eq("SMTP down: exit 0", p.returncode, 0)
t.eq("SMTP down: the change stands", objects("198.18.80.0/24AS65001"), [["route", "198.18.80.0/24AS65001", "not_found"]])
kept = [f for f in os.listdir(spool) if f.endswith(".msg")] if os.path.isdir(spool) else []
t.check("SMTP down: reply and notification kept in the spool", len(kept) == 2, kept)
t.contains("SMTP down: logged", p.stderr.decode(errors="replace"), "not sent, kept for the next run")
sink = Sink(os.path.join(t.tmp, "sink"), port=port)
sink.clear()
rc, err, mails = submit(message(route("198.18.81.0/24", "AS65001", "TEST-MNT") + "password: md5-secret\n",
                                subject="after"))
subjects = [m["subject"] for m in mails]
t.check("SMTP back: the kept mail goes out with the next run",
        "SUCCESS: while down" in subjects and "SUCCESS: after" in subjects, subjects)
t.check("SMTP back: kept mail first", subjects.index("SUCCESS: while down") < subjects.index("SUCCESS: after")
        if "SUCCESS: while down" in subjects and "SUCCESS: after" in subjects else False, subjects)
t.eq("SMTP back: spool empty", [f for f in os.listdir(spool) if not f.startswith(".")], [])
sink.mode = "tempfail"
rc, err, mails = submit(message(route("198.18.82.0/24", "AS65001", "TEST-MNT") + "password: md5-secret\n",
                                subject="451"))
t.eq("SMTP 451: exit 0, change stands", (rc, objects("198.18.82.0/24AS65001")),
     (0, [["route", "198.18.82.0/24AS65001", "not_found"]]))
t.check("SMTP 451: mail kept", len([f for f in os.listdir(spool) if f.endswith(".msg")]) == 2)
sink.mode = "ok"

# ================================================================ database down
cfg_nodb = config("irrd-nodb.yaml", extra={"database_url": "postgresql://irrd@127.0.0.1:1/none"})
rc, err, mails = submit(message(payload, raw_body=True), cfg_nodb)
t.eq("database down: exit 75 (the MTA retries)", rc, 75)
t.eq("database down: no mail", mails, [])

cfg_nofrom = config("irrd-nofrom.yaml", extra={"email": {"from": None}})
before = state()
rc, err, mails = submit(message(route("198.18.91.0/24", "AS65001", "TEST-MNT") + "password: md5-secret\n"), cfg_nofrom)
t.eq("email.from missing: exit 75, nothing changed, no mail", (rc, state(), mails), (75, before, []))
t.contains("email.from missing: says why", err, "email.from: required setting is missing")

# ================================================================ the daemon sees the change
try:
    with it.Daemon(cfg) as d:
        rc, err, mails = submit(message(route("198.18.90.0/24", "AS65090", "TEST-MNT") + "password: md5-secret\n"))
        ans = b""
        for _ in range(50):
            ans = it.whois(cfg.whois_port, "!r198.18.90.0/24,o")
            if b"AS65090" in ans:
                break
            time.sleep(0.1)
        t.contains("daemon: the new route answers whois (object_change NOTIFY)", ans.decode(errors="replace"),
                   "AS65090")
except RuntimeError as e:
    t.fail("daemon: start", str(e))

sink.stop()
t.done()
