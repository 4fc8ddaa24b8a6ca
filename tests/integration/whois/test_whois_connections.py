#!/usr/bin/env python3
"""test_whois_connections.py - bin/irrd's whois server under many
connections, on loopback, against the small data set of the daemon tests:

 1. started with a soft RLIMIT_NOFILE of 1024 (what init systems commonly
    give), the daemon raises it to the hard limit and says so;
 2. max_connections 1000: 1,000 connections held open at once (!!), each
    answered while all are open; the 1,001st (and a few more) get IRRd's
    "%% Too many connections, try again later" and are closed; the held
    ones are still answered; when one closes, a new client is served;
    /metrics counts the refusals;
 3. a burst of 10,000 connections (connect, !g query, read to EOF) with
    many in flight: every one answered in full; afterwards the daemon's
    descriptors (/proc/PID/fd) are back at the baseline, its RSS has grown
    by less than RSS_BOUND_MB (under ASan: with a 4 MB quarantine, plus
    8 MB), and it still answers.

The test raises its own RLIMIT_NOFILE to the hard limit and fails with a
clear message when that is below NOFILE_NEEDED. Bounded to about a minute.
"""
import asyncio
import os
import re
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "daemon"))
import daemondata as dd  # noqa: E402
import irrdtest as it  # noqa: E402

MAX_CONN = 1000
EXTRA_REFUSED = 5          # connections tried beyond max_connections
BURST = 10000
BURST_PARALLEL = 200       # connections in flight during the burst
CONNECT_PARALLEL = 200     # connects in flight while building up the 1,000
NOFILE_NEEDED = MAX_CONN + EXTRA_REFUSED + BURST_PARALLEL + 200
RSS_BOUND_MB = 20
TIME_LIMIT = 60            # seconds for phases 2 and 3 together
IO_TIMEOUT = 10
REFUSED = b"%% Too many connections, try again later\n"


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        m = re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1))


def nofile_limits(pid):
    """(soft, hard) 'Max open files' of a process, as strings."""
    with open(f"/proc/{pid}/limits") as f:
        m = re.search(r"^Max open files\s+(\S+)\s+(\S+)", f.read(), re.M)
    return m.group(1), m.group(2)


def asan_build(path):
    """True when the program carries AddressSanitizer."""
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


async def open_conn(port):
    return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), IO_TIMEOUT)


async def ask(reader, writer, query, want):
    """Send query, read exactly len(want) bytes; returns them (or a
    description of what went wrong)."""
    try:
        writer.write(query)
        await writer.drain()
        return await asyncio.wait_for(reader.readexactly(len(want)), IO_TIMEOUT)
    except asyncio.IncompleteReadError as e:
        return b"<closed after> " + e.partial
    except asyncio.TimeoutError:
        return b"<timeout>"
    except ConnectionError as e:
        return f"<{e!r}>".encode()


async def read_to_eof(reader, limit=IO_TIMEOUT):
    try:
        return await asyncio.wait_for(reader.read(), limit)
    except asyncio.TimeoutError:
        return b"<timeout>"
    except ConnectionError as e:
        return f"<{e}>".encode()


async def close(writer):
    writer.close()
    try:
        await writer.wait_closed()
    except ConnectionError:
        pass


async def hold_phase(t, cfg, pid, base_fds, gans):
    """1,000 held connections, refusals, and serving on."""
    port = cfg.whois_port
    sem = asyncio.Semaphore(CONNECT_PARALLEL)
    first = b"!!\n!t300\n!gAS64500\n"
    first_want = b"C\n" + gans

    async def one():
        async with sem:
            try:
                r, w = await open_conn(port)
            except (OSError, asyncio.TimeoutError) as e:
                return None, f"connect: {e!r}"
            got = await ask(r, w, first, first_want)
            if got != first_want:
                await close(w)
                return None, got
            return (r, w), None

    t0 = time.time()
    results = await asyncio.gather(*(one() for _ in range(MAX_CONN)))
    held = [c for c, _ in results if c is not None]
    errs = [e for c, e in results if c is None]
    t.check(f"{MAX_CONN} connections held open, each answered while all are open",
            len(held) == MAX_CONN, f"{len(held)} answered; {len(errs)} failed, e.g. {errs[:3]!r}")
    print(f"# {len(held)} connections opened and answered in {time.time() - t0:.2f} s", flush=True)
    if len(held) != MAX_CONN:
        await asyncio.gather(*(close(w) for _, w in held))
        return
    t.check(f"daemon holds a descriptor for each of the {MAX_CONN}",
            fd_count(pid) >= base_fds + MAX_CONN, f"{fd_count(pid)} fds, baseline {base_fds}")

    refused = []
    for _ in range(EXTRA_REFUSED):
        try:
            r, w = await open_conn(port)
        except (OSError, asyncio.TimeoutError) as e:
            refused.append(f"connect: {e!r}".encode())
            continue
        refused.append(await read_to_eof(r, 5))
        await close(w)
    t.eq(f"connections {MAX_CONN + 1}..{MAX_CONN + EXTRA_REFUSED}: IRRd's refusal line, then closed",
         refused, [REFUSED] * EXTRA_REFUSED)

    again = await asyncio.gather(*(ask(r, w, b"!gAS64500\n", gans) for r, w in held))
    bad = [a for a in again if a != gans]
    t.check(f"after the refusals, all {len(held)} held connections are still answered", not bad,
            f"{len(bad)} wrong, e.g. {bad[:2]!r}")

    try:
        code, body = it.http_get(cfg.http_port, "/metrics")
    except OSError as e:
        code, body = None, repr(e).encode()
    m = re.search(rb'^irrd_whois_connections_rejected_total\{reason="max_connections"\} (\d+)', body, re.M)
    t.check("/metrics counts the refused connections",
            code == 200 and m is not None and int(m.group(1)) >= EXTRA_REFUSED,
            m.group(0).decode() if m else body[:300])

    # one held connection leaves: a new client gets its place
    if held:
        r, w = held.pop()
        await close(w)
    served = b""
    end = time.time() + 10
    while time.time() < end:
        try:
            r, w = await open_conn(port)
        except (OSError, asyncio.TimeoutError) as e:
            served = repr(e).encode()
            break
        served = await ask(r, w, b"!!\n!gAS64500\n", gans)
        if served == gans:
            held.append((r, w))
            break
        await close(w)
        await asyncio.sleep(0.05)
    t.eq("after one closes, a new client is served", served, gans)

    await asyncio.gather(*(close(w) for _, w in held))


async def burst_phase(t, port, want):
    """BURST short connections, BURST_PARALLEL at a time."""
    sem = asyncio.Semaphore(BURST_PARALLEL)
    fails = []

    async def one(i):
        async with sem:
            try:
                r, w = await open_conn(port)
            except (OSError, asyncio.TimeoutError) as e:
                fails.append((i, f"connect: {e!r}"))
                return
            try:
                w.write(b"!gAS64500\n")
                await w.drain()
            except ConnectionError as e:
                fails.append((i, f"send: {e!r}"))
                await close(w)
                return
            got = await read_to_eof(r)
            await close(w)
            if got != want:
                fails.append((i, got[:200]))

    t0 = time.time()
    await asyncio.gather(*(one(i) for i in range(BURST)))
    dt = time.time() - t0
    t.check(f"burst of {BURST} connections ({BURST_PARALLEL} in flight): every one answered in full",
            not fails, f"{len(fails)} failed, e.g. {fails[:3]!r}")
    print(f"# burst: {BURST} connections in {dt:.2f} s ({BURST / dt:.0f}/s)", flush=True)
    return dt


def main():
    t = it.Suite()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < NOFILE_NEEDED:
        t.fail("RLIMIT_NOFILE", f"the hard limit is {hard} descriptors; this test needs {NOFILE_NEEDED} "
               f"({MAX_CONN} held connections, {BURST_PARALLEL} in flight); raise it (ulimit -Hn as root, "
               f"LimitNOFILE= or /etc/security/limits.conf)")
        t.done()
    target = NOFILE_NEEDED if hard == resource.RLIM_INFINITY else hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))

    cfg, _ = dd.setup(t, extra={"server": {"whois": {"max_connections": MAX_CONN}}})
    bound = RSS_BOUND_MB
    if asan_build(it.prog("irrd")):
        # ASan keeps freed blocks in a quarantine (256 MB by default), which
        # would hide any growth: a small one keeps the RSS bound meaningful.
        os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4"
        bound += 8
    # Start the daemon with the soft limit many systems give daemons: it
    # must raise it itself.
    low = 1024
    resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))
    try:
        d = it.Daemon(cfg)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    pid = d.proc.pid
    try:
        dsoft, dhard = nofile_limits(pid)
        t.eq("daemon started with soft RLIMIT_NOFILE 1024 raised it to the hard limit", dsoft, dhard)
        t.contains("the raise is logged", d.log_text(), f"RLIMIT_NOFILE: soft limit raised from {low} to")

        gans = it.whois(cfg.whois_port, "!gAS64500")
        t.check("!gAS64500 answers", gans.startswith(b"A") and b"192.0.2.0/24" in gans, repr(gans))
        for _ in range(20):     # warm up: first-use allocations are not growth
            it.whois(cfg.whois_port, "!gAS64500")
        time.sleep(0.5)
        base_fds = fd_count(pid)
        base_rss = rss_kb(pid)
        print(f"# baseline: {base_fds} descriptors, RSS {base_rss / 1024:.1f} MB", flush=True)

        t0 = time.time()
        asyncio.run(hold_phase(t, cfg, pid, base_fds, gans))
        asyncio.run(burst_phase(t, cfg.whois_port, gans))

        # lingering closes take up to 2 s
        end = time.time() + 10
        while time.time() < end and fd_count(pid) > base_fds:
            time.sleep(0.1)
        t.eq("descriptors back at the baseline after the burst", fd_count(pid), base_fds)
        grown = (rss_kb(pid) - base_rss) / 1024
        print(f"# RSS {rss_kb(pid) / 1024:.1f} MB, grown {grown:.1f} MB (bound {bound} MB)", flush=True)
        t.check(f"RSS grew by less than {bound} MB", grown < bound, f"grew {grown:.1f} MB")
        t.eq("the daemon still answers", it.whois(cfg.whois_port, "!gAS64500"), gans)
        elapsed = time.time() - t0
        t.check(f"1,000 held + {BURST} burst within {TIME_LIMIT} s", elapsed < TIME_LIMIT, f"{elapsed:.1f} s")
        log = d.log_text()
        t.check("no accept() failure in the log (EMFILE)", "whois: accept:" not in log,
                "\n".join(line for line in log.splitlines() if "accept:" in line)[:500])
    finally:
        rc = d.stop()
    t.eq("SIGTERM: exit 0", rc, 0)
    t.done()


if __name__ == "__main__":
    main()
