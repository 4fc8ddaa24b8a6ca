#!/usr/bin/env python3
"""test_rtr_tls.py - RTR over TLS (RFC 8210 section 9) beside plain TCP:
server.rtr.tls certificate and key; Python's ssl module and `openssl
s_client` complete a full sync and verify the server certificate; a plain
RTR client on the TLS port gets nothing; with server.rtr.tls.client_ca a
client without a certificate, or with one from another CA, is refused and
one with an accepted certificate syncs; a SIGHUP with a broken certificate
path keeps TLS serving with the old one."""
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import rtrtest as rt  # noqa: E402

t = it.Suite()
pki = os.path.join(t.tmp, "pki")
os.makedirs(pki)


def openssl(*args):
    r = it.run(["openssl", *args], cwd=pki)
    if r.returncode != 0:
        t.fail("openssl " + " ".join(args[:2]), r.stderr[-500:])
    return r


def make_ca(name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={name}")


def make_cert(name, ca, server):
    ext = os.path.join(pki, f"{name}.ext")
    with open(ext, "w") as f:
        if server:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        else:
            f.write("extendedKeyUsage=clientAuth\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", ext)


make_ca("ca")
make_ca("rogue-ca")
make_cert("server", "ca", True)
make_cert("router1", "ca", False)
make_cert("intruder", "rogue-ca", False)
P = lambda n: os.path.join(pki, n)  # noqa: E731

roas = rt.make_roas(500, seed=3)
expected = rt.roa_vrps(roas)
roa_path = os.path.join(t.tmp, "roas.json")
rt.write_roas(roa_path, roas)
tls_port = it.free_port()


def tls_ctx(cert=None, ca="ca.pem"):
    ctx = ssl.create_default_context(cafile=P(ca))
    if cert:
        ctx.load_cert_chain(P(cert + ".pem"), P(cert + ".key"))
    return ctx


def tls_client(ctx, version=1):
    s = socket.create_connection(("127.0.0.1", tls_port), timeout=10)
    return rt.Client(ctx.wrap_socket(s, server_hostname="localhost"), version)


def refused(ctx, name):
    """A TLS client that must not get RTR data: the handshake fails, or the
    server closes before answering."""
    try:
        c = tls_client(ctx)
        c.reset_query()
        a = c.read_answer(10)
        t.fail(name, f"got an RTR answer: {a['kind']}")
        c.close()
    except (ssl.SSLError, EOFError, ConnectionError, OSError) as e:
        t.ok(f"{name} ({type(e).__name__})")


class PipeSock:
    """Enough of a socket over a subprocess's stdout for rt.Client."""

    def __init__(self, proc):
        self.proc = proc
        self.timeout = 10

    def settimeout(self, v):
        self.timeout = v

    def recv(self, n):
        r, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        if not r:
            raise socket.timeout("timed out")
        return os.read(self.proc.stdout.fileno(), n)

    def sendall(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()


def s_client_sync(extra=()):
    p = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{tls_port}", "-quiet",
                          "-CAfile", P("ca.pem"), "-verify_return_error", "-verify_hostname", "localhost",
                          *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        c = rt.Client(PipeSock(p), 1)
        return c.sync(20)
    finally:
        p.kill()
        p.wait()


# ---- server certificate only ----
cfg = rt.setup_daemon(t, roa_path, rtr={"interface": "127.0.0.1",
                                        "tls": {"certificate": P("server.pem"), "key": P("server.key"),
                                                "port": tls_port}})
with it.Daemon(cfg) as d:
    first = rt.wait_data(cfg.rtr_port, limit=90, count=len(expected))
    t.check("plain TCP beside TLS: full set", first is not None and set(first["announced"]) == expected,
            d.log_text()[-1500:])
    try:
        c = tls_client(tls_ctx())
        t.check("TLS: server certificate verified (CA, name localhost)", c.s.version() in ("TLSv1.2", "TLSv1.3"),
                c.s.version())
        a = c.sync(30)
        t.check("TLS (python ssl): full sync", a["kind"] == "data" and set(a["announced"]) == expected)
        t.eq("TLS: same serial as TCP", a["serial"], first["serial"] if first else None)
        m = it.http_get(cfg.http_port, "/metrics")[1].decode()
        t.check("metrics: one TLS session", 'irrd_rtr_sessions{transport="tls"} 1\n' in m)
        c.close()
    except (ssl.SSLError, OSError, EOFError, rt.RtrError) as e:
        t.fail("TLS (python ssl): full sync", repr(e))
    try:
        a = s_client_sync()
        t.check("TLS (openssl s_client): full sync", a["kind"] == "data" and set(a["announced"]) == expected)
    except (OSError, EOFError, rt.RtrError) as e:
        t.fail("TLS (openssl s_client): full sync", repr(e))
    # plain RTR on the TLS port: no answer
    c = rt.Client.tcp(tls_port)
    c.reset_query()
    try:
        ver, typ, field, raw = c.pdu(5)
        t.check("plain RTR on the TLS port gets no RTR answer", typ not in (rt.CACHE_RESPONSE, rt.ERROR_REPORT)
                or ver > 2, f"type {typ}")
    except (socket.timeout, EOFError, OSError, rt.RtrError):
        t.ok("plain RTR on the TLS port gets no RTR answer")
    c.close()
    refused(tls_ctx(ca="rogue-ca.pem"), "client that does not trust the server's CA: no session")

    # a SIGHUP with a missing certificate keeps TLS working
    def break_cert(irrd):
        irrd["server"]["rtr"]["tls"]["certificate"] = P("missing.pem")
    rt.rewrite_config(cfg, break_cert)
    d.signal(signal.SIGHUP)
    time.sleep(2)
    try:
        c = tls_client(tls_ctx())
        a = c.sync(30)
        t.check("SIGHUP with a broken certificate path: TLS still serves", a["kind"] == "data")
        c.close()
    except (ssl.SSLError, OSError, EOFError, rt.RtrError) as e:
        t.fail("SIGHUP with a broken certificate path: TLS still serves", repr(e))
    t.eq("daemon stops cleanly", d.stop(), 0)

# ---- client certificates required ----
cfg2 = rt.setup_daemon(t, roa_path, name="irrd2.yaml",
                       rtr={"interface": "127.0.0.1",
                            "tls": {"certificate": P("server.pem"), "key": P("server.key"),
                                    "client_ca": P("ca.pem"), "port": tls_port}})
with it.Daemon(cfg2) as d:
    rt.wait_data(cfg2.rtr_port, limit=90, count=len(expected))
    refused(tls_ctx(), "client_ca: a client without a certificate is refused")
    refused(tls_ctx("intruder"), "client_ca: a certificate from another CA is refused")
    try:
        c = tls_client(tls_ctx("router1"))
        a = c.sync(30)
        t.check("client_ca: an accepted certificate syncs", a["kind"] == "data" and set(a["announced"]) == expected)
        c.close()
    except (ssl.SSLError, OSError, EOFError, rt.RtrError) as e:
        t.fail("client_ca: an accepted certificate syncs", repr(e))
    try:
        a = s_client_sync(["-cert", P("router1.pem"), "-key", P("router1.key")])
        t.check("client_ca: openssl s_client with the router certificate syncs", a["kind"] == "data")
    except (OSError, EOFError, rt.RtrError) as e:
        t.fail("client_ca: openssl s_client with the router certificate syncs", repr(e))
    time.sleep(0.3)
    log = d.log_text()
    t.contains("log names the client certificate", log, "CN = router1" if "CN = router1" in log else "CN=router1")
    m = it.http_get(cfg2.http_port, "/metrics")[1].decode()
    dropped = rt.metric(m.replace('{reason="tls"}', "_tls"), "irrd_rtr_connections_dropped_total_tls")
    t.check("metrics: refused TLS clients counted", dropped is not None and dropped >= 2, f"{dropped}")
    t.eq("daemon stops cleanly", d.stop(), 0)
t.done()
