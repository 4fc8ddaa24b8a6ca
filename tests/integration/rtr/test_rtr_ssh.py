#!/usr/bin/env python3
"""test_rtr_ssh.py - RTR over SSH (RFC 8210 section 9) the way Routinator's
documentation sets it up: an OpenSSH server whose `rpki-rtr` subsystem
proxies to the daemon's plain RTR port (`Subsystem rpki-rtr /bin/nc
127.0.0.1 PORT`). A private sshd runs on a loopback port with its own host
key, config and authorized key; RTRlib's rtrclient connects with its ssh
transport and a generated client key, checks the host key against a
known_hosts file, syncs the full set and follows a change (Serial Notify
through the tunnel). A wrong host key and an unknown client key are
refused. Needs openssh-server and netcat-openbsd."""
import getpass
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import irrdtest as it  # noqa: E402
import rtrtest as rt  # noqa: E402

t = it.Suite()
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
NC = shutil.which("nc") or "/bin/nc"
for prog, pkg in ((SSHD, "openssh-server"), (NC, "netcat-openbsd"), (shutil.which("ssh-keygen"), "openssh-client")):
    if not prog or not os.access(prog, os.X_OK):
        t.fail(f"{pkg} installed", f"{prog or pkg} is missing (apt-get install {pkg})")
        t.done()

sd = os.path.join(t.tmp, "ssh")
os.makedirs(sd, mode=0o700)
S = lambda n: os.path.join(sd, n)  # noqa: E731


def keygen(path, kind="ed25519"):
    r = it.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", os.path.basename(path), "-f", path])
    t.check(f"ssh-keygen {os.path.basename(path)}", r.returncode == 0, r.stderr)


keygen(S("host_key"))
keygen(S("other_host_key"))
keygen(S("client_key"))
keygen(S("stranger_key"))
with open(S("client_key.pub")) as f, open(S("authorized_keys"), "w") as o:
    o.write(f.read())

roas = rt.make_roas(800, seed=11)
expected = rt.roa_vrps(roas)
roa_path = os.path.join(t.tmp, "roas.json")
rt.write_roas(roa_path, roas)
cfg = rt.setup_daemon(t, roa_path, rtr={"interface": "127.0.0.1"})
ssh_port = it.free_port()
user = getpass.getuser()

with open(S("sshd_config"), "w") as f:
    f.write(f"""Port {ssh_port}
ListenAddress 127.0.0.1
HostKey {S("host_key")}
PidFile {S("sshd.pid")}
AuthorizedKeysFile {S("authorized_keys")}
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowUsers {user}
AllowTcpForwarding no
X11Forwarding no
LogLevel VERBOSE
Subsystem rpki-rtr {NC} 127.0.0.1 {cfg.rtr_port}
""")
if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
    os.makedirs("/run/sshd", mode=0o755)     # sshd's privilege separation directory

with open(S("host_key.pub")) as f:
    hostpub = f.read().split()
with open(S("other_host_key.pub")) as f:
    otherpub = f.read().split()
with open(S("known_hosts"), "w") as f:
    f.write(f"[127.0.0.1]:{ssh_port} {hostpub[0]} {hostpub[1]}\n")
with open(S("wrong_known_hosts"), "w") as f:
    f.write(f"[127.0.0.1]:{ssh_port} {otherpub[0]} {otherpub[1]}\n")

r = it.run([SSHD, "-t", "-f", S("sshd_config")])
if not t.check("sshd accepts the private config", r.returncode == 0, r.stderr):
    t.done()
sshd_log = open(S("sshd.log"), "wb")
sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", S("sshd_config")], stdout=sshd_log,
                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
try:
    if not t.check("private sshd listens", it.wait_port(ssh_port, 15), open(S("sshd.log")).read()):
        t.done()
    with it.Daemon(cfg) as d:
        first = rt.wait_data(cfg.rtr_port, limit=90, count=len(expected))
        t.check("daemon serves the set over TCP", first is not None, d.log_text()[-1500:])
        ssh_args = ["ssh", "127.0.0.1", str(ssh_port), user, S("client_key"), S("known_hosts")]
        got, why = rt.rtrclient_export(ssh_args)
        t.check("rtrclient over SSH: full sync", got is not None, why)
        t.check("rtrclient over SSH: exactly the VRPs of the ROA file", got == expected,
                f"{len(got or ())} VRPs, want {len(expected)}")
        log = open(S("sshd.log")).read()
        t.check("sshd: public key accepted and the rpki-rtr subsystem started",
                "Accepted publickey" in log and "subsystem 'rpki-rtr'" in log, log[-1500:])

        # follow a change through the tunnel
        fol = rt.Follower(ssh_args, os.path.join(t.tmp, "follow.out"))
        t.check("rtrclient over SSH: following session synced", fol.wait_for("Sync successful", 1, 60),
                fol.text()[-1500:])
        roas2 = roas[50:] + rt.make_roas(20, seed=12)
        expected2 = rt.roa_vrps(roas2)
        rt.write_roas(roa_path, roas2)
        d.signal(signal.SIGHUP)
        ok = fol.wait_for("Serial Notify received", 1, 60) and fol.wait_for("Sync successful", 2, 30)
        text = fol.text()
        t.check("rtrclient over SSH: Serial Notify, Serial Query, delta applied", ok, text[-1500:])
        after = text[text.find("Serial Notify received"):]
        ad, rm = rt.parse_rtrclient_updates(after)
        t.check("rtrclient over SSH: the delta is exactly the difference",
                set(ad) == expected2 - expected and set(rm) == expected - expected2,
                f"+{len(ad)} -{len(rm)}")
        fol.stop()

        # refusals
        got, why = rt.rtrclient_export(["ssh", "127.0.0.1", str(ssh_port), user, S("client_key"),
                                        S("wrong_known_hosts")], timeout=20)
        t.check("rtrclient over SSH: a wrong host key is refused", not got, f"{len(got or ())} VRPs")
        got, why = rt.rtrclient_export(["ssh", "127.0.0.1", str(ssh_port), user, S("stranger_key"),
                                        S("known_hosts")], timeout=20)
        t.check("rtrclient over SSH: an unknown client key is refused", not got, f"{len(got or ())} VRPs")
        t.eq("daemon stops cleanly", d.stop(), 0)
finally:
    sshd.terminate()
    try:
        sshd.wait(5)
    except subprocess.TimeoutExpired:
        sshd.kill()
        sshd.wait()
    sshd_log.close()
t.done()
