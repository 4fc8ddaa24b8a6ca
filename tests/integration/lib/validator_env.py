"""validator_env.py - the set-up the check_validator_*.py suites share:
../shared/tools/mkrepo (yardstick and mkrepo), root, the RSA key cache that
keeps mkrepo fast, and mkrepo runs that end the suite when they fail.

    env = validator_env.Env(t, "rsyncd on port 873")
    ys = env.ys                      # the yardstick module
    repo = env.mkrepo("mkrepo x", path, "--cas", "2", ...)
"""
import os
import subprocess
import sys

import irrdtest as it


class Env:
    """NEEDS says what root is needed for (in the failure when it is not)."""

    def __init__(self, t, needs):
        self.t = t
        shared = os.environ.get("SHARED_DIR") or os.path.join(it.srcdir(), "..", "shared")
        self.tools = os.path.join(shared, "tools", "mkrepo")
        if not os.path.exists(os.path.join(self.tools, "yardstick.py")) or os.geteuid() != 0:
            t.fail("environment", "needs %s/yardstick.py and root (%s)" % (self.tools, needs))
            t.done()
        sys.path.insert(0, self.tools)
        import yardstick
        self.ys = yardstick
        self.keys = os.environ.get("IRRD_VALIDATOR_KEY_CACHE", "/var/tmp/irrd-validator-test-keys")
        os.makedirs(self.keys, exist_ok=True)

    def mkrepo(self, label, out, *args):
        """mkrepo.py --out OUT --key-cache KEYS ARGS...; a failure is the
        check LABEL and ends the suite. Returns OUT."""
        r = subprocess.run([sys.executable, os.path.join(self.tools, "mkrepo.py"), "--out", out,
                            "--key-cache", self.keys] + [str(a) for a in args], capture_output=True, text=True)
        if r.returncode != 0:
            self.t.fail(label, r.stderr[-500:])
            self.t.done()
        return out
