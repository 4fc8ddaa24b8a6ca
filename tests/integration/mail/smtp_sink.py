#!/usr/bin/env python3
"""smtp_sink.py - a tiny SMTP server for tests (stdlib only): accepts every
message on 127.0.0.1 and stores it as a JSON file {"from", "to", "data"} in
a directory, one file per message, numbered in arrival order.

    from smtp_sink import Sink
    with Sink(directory) as s:          # s.port
        ...
        msgs = s.messages()             # list of dicts, oldest first

Modes (Sink(..., mode=...)): "ok" accepts; "tempfail" answers 451 to DATA
(the message stays with the sender). Run alone for benchmarks:
    smtp_sink.py DIR PORTFILE   (prints nothing; writes the port to PORTFILE)
"""
import email
import email.policy
import json
import os
import socketserver
import sys
import threading


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def _send(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        self._send("220 sink.test ESMTP test sink")
        mail_from, rcpts = None, []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._send("250 sink.test")
            elif verb == "MAIL":
                mail_from = cmd.split(":", 1)[1].strip().split()[0].strip("<>")
                rcpts = []
                self._send("250 OK")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip().split()[0].strip("<>"))
                self._send("250 OK")
            elif verb == "DATA":
                if sink.mode == "tempfail":
                    self._send("451 try again later")
                    continue
                self._send("354 go ahead")
                data = bytearray()
                while True:
                    dl = self.rfile.readline(1 << 20)
                    if not dl:
                        return
                    if dl in (b".\r\n", b".\n"):
                        break
                    if dl.startswith(b".."):
                        dl = dl[1:]
                    data += dl
                sink.store(mail_from, rcpts, bytes(data))
                self._send("250 stored")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self._send("250 OK")
            elif verb == "NOOP":
                self._send("250 OK")
            elif verb == "QUIT":
                self._send("221 bye")
                return
            else:
                self._send("502 not implemented")


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Sink:
    def __init__(self, directory, port=0, mode="ok"):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.mode = mode
        self.lock = threading.Lock()
        self.count = len([f for f in os.listdir(directory) if f.endswith(".json")])
        self.server = _Server(("127.0.0.1", port), _Handler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def store(self, mail_from, rcpts, data):
        with self.lock:
            self.count += 1
            path = os.path.join(self.dir, "%06d.json" % self.count)
            with open(path + ".tmp", "w") as f:
                json.dump({"from": mail_from, "to": rcpts, "data": data.decode("latin-1")}, f)
            os.rename(path + ".tmp", path)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def messages(self):
        return read_messages(self.dir)

    def clear(self):
        with self.lock:
            for f in os.listdir(self.dir):
                if f.endswith(".json"):
                    os.unlink(os.path.join(self.dir, f))


def read_messages(directory):
    out = []
    for f in sorted(os.listdir(directory)):
        if not f.endswith(".json"):
            continue
        with open(os.path.join(directory, f)) as fh:
            m = json.load(fh)
        raw = m["data"].encode("latin-1")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        m["subject"] = str(msg["Subject"] or "")
        m["to_header"] = str(msg["To"] or "")
        m["body"] = (msg.get_content() if not msg.is_multipart() else "").replace("\r\n", "\n")
        m["headers"] = msg
        out.append(m)
    return out


if __name__ == "__main__":
    s = Sink(sys.argv[1])
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(s.port))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
