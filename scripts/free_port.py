#!/usr/bin/env python3
"""free_port.py - print a TCP port on 127.0.0.1 that is free now.

The port is picked below the kernel's ephemeral range, so that outgoing
connections (a load test opens thousands) never take it between this pick
and its use by a server. Used by scripts/pg.sh and the integration tests.
"""
import random
import socket


def free_port():
    lo, hi = 20000, 32767
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            hi = min(hi, int(f.read().split()[0]) - 1)
    except (OSError, ValueError, IndexError):
        pass
    for _ in range(200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", random.randint(lo, hi)))
                return s.getsockname()[1]
            except OSError:
                pass
    with socket.socket() as s:      # all taken: any port the kernel gives
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    print(free_port())
