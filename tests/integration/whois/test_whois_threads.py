#!/usr/bin/env python3
"""test_whois_threads.py - server.whois.threads (an extension): the number
of whois threads the daemon runs, 0 meaning all on the main loop. For 0, 1
and 3 threads the daemon logs the count it runs and gives the same answers
to the same queries, also pipelined on one connection and spread over many
connections at once; a bad value is refused at start with the key named.
"""
import os
import re
import socket
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "daemon"))
import daemondata as dd  # noqa: E402
import irrdtest as it  # noqa: E402

QUERIES = ["!gAS64500", "!6AS64500", "!iAS-TEST,1", "!aAS-TEST", "-i origin AS64500", "!v"]


def pipelined(port, queries):
    """All queries on one keepalive connection, sent at once."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("!!\n" + "".join(q + "\n" for q in queries) + "!q\n").encode())
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk


def stable(answer):
    """An answer without last-modified: each run loads its own database."""
    return re.sub(rb"\nlast-modified: +\S+", b"", answer)


def main():
    t = it.Suite()
    answers = {}
    for n in (0, 1, 3):
        os.environ.pop("IRRD_WHOIS_THREADS", None)
        cfg, _ = dd.setup(t, extra={"server": {"whois": {"threads": n, "max_connections": 100}}})
        d = it.Daemon(cfg)
        try:
            if n > 0:
                t.contains(f"threads {n}: the count is logged", d.log_text(), f"whois: {n} whois threads")
            else:
                t.check("threads 0: no whois threads (all on the main loop)", "whois threads" not in d.log_text())
            got = {q: stable(it.whois(cfg.whois_port, q)) for q in QUERIES}
            got["pipelined"] = stable(pipelined(cfg.whois_port, QUERIES * 5))
            spread = [None] * 40

            def one(i):
                spread[i] = stable(it.whois(cfg.whois_port, QUERIES[i % len(QUERIES)]))
            ths = [threading.Thread(target=one, args=(i,)) for i in range(len(spread))]
            for th in ths:
                th.start()
            for th in ths:
                th.join()
            t.check(f"threads {n}: 40 concurrent connections get the one-connection answers",
                    all(spread[i] == got[QUERIES[i % len(QUERIES)]] for i in range(len(spread))))
            t.check(f"threads {n}: !gAS64500 answers", got["!gAS64500"].startswith(b"A"), repr(got["!gAS64500"]))
            answers[n] = got
        finally:
            t.eq(f"threads {n}: SIGTERM exit 0", d.stop(), 0)
    for n in (1, 3):
        for q in answers[0]:
            t.eq(f"threads {n}: {q} as with threads 0", answers[n][q], answers[0][q])

    with open(cfg.path) as f:
        text = f.read()
    bad, n = re.subn(r'"threads": 3\b', '"threads": 65', text)
    t.eq("the config of the last run names threads once", n, 1)
    with open(cfg.path, "w") as f:
        f.write(bad)
    r = it.run([it.prog("irrd"), "--config", cfg.path, "--foreground"], timeout=20)
    t.check("threads 65: the daemon does not start", r.returncode != 0, f"rc {r.returncode}")
    t.contains("threads 65: the error names the key", r.stderr, "irrd.server.whois.threads: 65 is not between 0 and 64")
    t.done()


if __name__ == "__main__":
    main()
