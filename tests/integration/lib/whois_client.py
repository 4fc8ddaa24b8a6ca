#!/usr/bin/env python3
"""whois_client.py - send whois queries and print the raw answer bytes.

    whois_client.py [--host H] --port P [--idle S] [--timeout S] QUERY...

Each QUERY is sent followed by "\\n" (all at once). The answer is read until
the server closes the connection, or nothing arrived for --idle seconds
(default 3; for connections kept open with !! or -k), or --timeout seconds
(default 30) passed in total. Exits 1 if the connection fails.
"""
import argparse
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--idle", type=float, default=3.0)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("queries", nargs="*")
    a = ap.parse_args()
    try:
        s = socket.create_connection((a.host, a.port), timeout=5)
    except OSError as e:
        print(f"whois_client: {a.host}:{a.port}: {e}", file=sys.stderr)
        return 1
    s.sendall("".join(q + "\n" for q in a.queries).encode())
    end = time.time() + a.timeout
    out = sys.stdout.buffer
    while time.time() < end:
        s.settimeout(min(a.idle, max(0.01, end - time.time())))
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            break
        if not data:
            break
        out.write(data)
    out.flush()
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
