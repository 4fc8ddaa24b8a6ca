#!/usr/bin/env python3
"""check_whois_clients.py - (make check-shared) the real clients operators
use, bgpq4 and whois(1), against bin/irrd loaded with gen_irr.py --small,
every answer compared with the ground truth of its answers.json.

gen_irr.py --small writes irr.db, roas.json, slurm.json and answers.json
into a temp dir; irrd_load_database loads irr.db (source SYNTH) into the
test cluster; bin/irrd serves it on loopback in four RPKI modes, restarted
for each (answers.json names the lists of each mode):

  plain       no roa_source                       v4/v6, prefixes_v4/v6
  rpki        roas.json, sources_default SYNTH    *_rpki
  rpki+RPKI   roas.json, sources_default SYNTH,RPKI: the pseudo-IRR routes
              of roas.json are added              *_rpki + roa_v4/roa_v6
  slurm+RPKI  roas.json and slurm.json, with the RPKI source
                                                  *_rpki_slurm + roa_*_slurm

In each mode:
  bgpq4 -4/-6, -j (JSON), for every ASN of prefix_lists and every as-set
  of as_sets: the prefix list equals the answers' list exactly; with -A the
  aggregated list covers exactly the same prefixes (every entry's range
  consists of listed prefixes only, and every listed prefix is in one
  entry); bgpq4 -f 64500 -j for every as-set: the ASNs of the expansion.
  whois -i origin ASN for every ASN (and -T route, -s SYNTH), whois -x for
  every prefix of the answers' 1,000-route sample, -l, -L and -M for a part
  of them: the objects returned are exactly those of irr.db (plus the
  pseudo-IRR objects where the RPKI source is on) that the query selects,
  with IRRd's semantics, text equal to irr.db's, and rpki-ov-state equal to
  the RFC 6811 state. The states come from roas.json/slurm.json computed
  here, and are first checked against answers.json's sample and its
  filtered prefix lists, so that the model the whois checks use is the
  ground truth's.
  In plain mode also: whois -T aut-num / as-set / mntner for every object of
  those classes (auth hashes masked as IRRd does).

Every check is one client run compared exactly; a mismatch prints what is
missing and what is extra.
"""
import concurrent.futures
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import irrdtest as it  # noqa: E402

SOURCE = "SYNTH"
REMARKS = "Pseudo-IRR object for AS{asn} {prefix} from RPKI"
WORKERS = 4
WHOIS_WARNING = "Warning: RIPE flags used with a traditional server.\n"
NOT_FOUND = "%  No entries found for the selected source(s).\n"
PREFIX_SAMPLE = 300     # prefixes of the sample asked with -l, -L and -M


# ---------------------------------------------------------------- the model

class Obj:
    """One object of irr.db or one pseudo-IRR object."""

    def __init__(self, text, cls, pk, source):
        self.text = text        # as expected in an answer, without last-modified/rpki-ov-state
        self.cls = cls
        self.pk = pk
        self.source = source
        self.net = None
        self.origin = None      # int
        self.state = None       # {"rpki": ..., "slurm": ...} for routes of SYNTH


def attr(text, name):
    """Values of one attribute (first line of each occurrence)."""
    return [m.group(1).strip() for m in re.finditer(rf"^{re.escape(name)}:[ \t]*(.*)$", text, re.M | re.I)]


def irrd_normalised(text):
    """The text IRRd stores for a dump object: list attributes as their
    parsed value (members "A, B" -> "A,B") and origin upper case; the rest
    as written."""
    def lists(m):
        return m.group(1) + ",".join(v.strip() for v in m.group(2).split(",") if v.strip())
    text = re.sub(r"^((?:members|mp-members):[ \t]*)(.*)$", lists, text, flags=re.M)
    return re.sub(r"^(origin:[ \t]*)(.*)$", lambda m: m.group(1) + m.group(2).upper(), text, flags=re.M)


def read_dump(path):
    objs = []
    with open(path, encoding="utf-8") as f:
        chunks = f.read().split("\n\n")
    for chunk in chunks:
        chunk = chunk.strip("\n")
        if not chunk:
            continue
        text = irrd_normalised(chunk + "\n")
        cls, _, val = text.split("\n", 1)[0].partition(":")
        o = Obj(text, cls.strip().lower(), val.strip(), attr(text, "source")[0].upper())
        if o.cls in ("route", "route6"):
            o.net = ipaddress.ip_network(o.pk)
            o.origin = int(attr(text, "origin")[0][2:])
        objs.append(o)
    return objs


def read_vrps(roas_path, slurm_path=None):
    """[(net, maxlen, asn, ta)] of roas.json, with slurm.json applied."""
    with open(roas_path) as f:
        roas = json.load(f)["roas"]
    vrps = []
    for r in roas:
        asn = r["asn"]
        asn = int(asn[2:]) if isinstance(asn, str) and asn.upper().startswith("AS") else int(asn)
        vrps.append((ipaddress.ip_network(r["prefix"]), int(r["maxLength"]), asn, r["ta"]))
    if slurm_path is None:
        return vrps
    with open(slurm_path) as f:
        slurm = json.load(f)
    filters = slurm.get("validationOutputFilters", {}).get("prefixFilters", [])

    def filtered(v):
        for flt in filters:
            if "prefix" in flt:
                p = ipaddress.ip_network(flt["prefix"])
                if p.version != v[0].version or not v[0].subnet_of(p):
                    continue
            if "asn" in flt and int(flt["asn"]) != v[2]:
                continue
            return True
        return False

    vrps = [v for v in vrps if not filtered(v)]
    for a in slurm.get("locallyAddedAssertions", {}).get("prefixAssertions", []):
        p = ipaddress.ip_network(a["prefix"])
        vrps.append((p, int(a.get("maxPrefixLength", p.prefixlen)), int(a["asn"]), "SLURM file"))
    return vrps


def rov_state(net, origin, vrps):
    """RFC 6811."""
    covered = False
    for p, maxlen, asn, _ in vrps:
        if p.version != net.version or not net.subnet_of(p):
            continue
        covered = True
        if asn != 0 and asn == origin and net.prefixlen <= maxlen:
            return "valid"
    return "invalid" if covered else "not_found"


def pseudo_objects(vrps):
    out = []
    for p, maxlen, asn, ta in vrps:
        cls = "route" if p.version == 4 else "route6"
        # IRRd prints the prefix as IPy does: a host prefix without /32 or /128
        ps = str(p.network_address) if p.prefixlen == p.max_prefixlen else str(p)
        text = (f"{cls + ':':<16}{ps}\n"
                f"descr:          RPKI ROA for {ps} / AS{asn}\n"
                f"remarks:        {REMARKS.format(asn=asn, prefix=ps)}\n"
                f"max-length:     {maxlen}\n"
                f"origin:         AS{asn}\n"
                f"source:         RPKI  # Trust Anchor: {ta}\n")
        o = Obj(text, cls, f"{ps}AS{asn}/ML{maxlen}", "RPKI")
        o.net = p
        o.origin = asn
        out.append(o)
    return out


# ---------------------------------------------------------------- clients

def run(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return -1, "", "timed out after 60 s"
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def parallel(jobs):
    """jobs: [(cmd, judge)]; judge(rc, out, err) -> (name, ok, why), run
    in order of the jobs."""
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
        futs = [ex.submit(run, cmd) for cmd, _ in jobs]
        return [judge(*f.result()) for f, (_, judge) in zip(futs, jobs)]


def diff(got, want, limit=8):
    got_l, want_l = list(got), list(want)
    missing = sorted(set(want_l) - set(got_l), key=str)
    extra = sorted(set(got_l) - set(want_l), key=str)
    parts = []
    if missing:
        parts.append(f"missing {len(missing)}: {[str(x) for x in missing[:limit]]}")
    if extra:
        parts.append(f"extra {len(extra)}: {[str(x) for x in extra[:limit]]}")
    if not parts:
        parts.append(f"duplicates: got {len(got_l)} entries, want {len(want_l)}")
    return "; ".join(parts)


def bgpq4_prefixes(out):
    """bgpq4 -j output -> [(net, ge, le)]; ge/le None for an exact entry."""
    doc = json.loads(out)
    (entries,) = doc.values()
    res = []
    for e in entries:
        net = ipaddress.ip_network(e["prefix"])
        if e.get("exact", True):
            res.append((net, None, None))
        else:
            ge = e.get("greater-equal", net.prefixlen)
            le = e.get("less-equal", net.prefixlen)
            res.append((net, ge, le))
    return res


def judge_exact(name, want):
    want = sorted(set(want), key=lambda n: (n.version, n))

    def judge(rc, out, err):
        if rc != 0:
            return name, False, f"bgpq4 exit {rc}: {err.strip()[:300]}"
        try:
            got = bgpq4_prefixes(out)
        except (ValueError, KeyError) as e:
            return name, False, f"not bgpq4 JSON ({e}): {out[:200]!r}"
        ranges = [g for g in got if g[1] is not None]
        if ranges:
            return name, False, f"ranges without -A: {ranges[:3]}"
        nets = [g[0] for g in got]
        if sorted(nets, key=lambda n: (n.version, n)) == want:
            return name, True, ""
        return name, False, diff(nets, want)
    return judge


def judge_aggregated(name, want):
    want_set = set(want)

    def judge(rc, out, err):
        if rc != 0:
            return name, False, f"bgpq4 exit {rc}: {err.strip()[:300]}"
        try:
            got = bgpq4_prefixes(out)
        except (ValueError, KeyError) as e:
            return name, False, f"not bgpq4 JSON ({e}): {out[:200]!r}"
        covered = 0
        seen = set()
        for net, ge, le in got:
            lo, hi = (net.prefixlen, net.prefixlen) if ge is None else (ge, le)
            size = sum(1 << (n - net.prefixlen) for n in range(lo, hi + 1))
            inside = [w for w in want_set if w.version == net.version and lo <= w.prefixlen <= hi
                      and w.subnet_of(net)]
            if len(inside) != size:
                return name, False, (f"entry {net} {lo}-{hi} stands for {size} prefixes, but only "
                                     f"{len(inside)} of them are in the list")
            seen.update(inside)
            covered += size
        if seen != want_set:
            return name, False, "aggregate does not cover the list exactly: " + diff(seen, want_set)
        if covered != len(want_set):
            return name, False, f"entries overlap: they stand for {covered} prefixes, the list has {len(want_set)}"
        return name, True, ""
    return judge


def judge_asns(name, want):
    want = sorted(int(a[2:]) for a in set(want))

    def judge(rc, out, err):
        if rc != 0:
            return name, False, f"bgpq4 exit {rc}: {err.strip()[:300]}"
        try:
            (got,) = json.loads(out).values()
        except (ValueError, KeyError) as e:
            return name, False, f"not bgpq4 JSON ({e}): {out[:200]!r}"
        if sorted(got) == want and len(set(got)) == len(got):
            return name, True, ""
        return name, False, diff([f"AS{a}" for a in got], [f"AS{a}" for a in want])
    return judge


def judge_bang_words(name, want):
    """A !-query answer through whois(1): A<n> framing with n = bytes of
    data + 1, words equal to want as a set (IRRd sorts as strings, the
    answers numerically); D when want is empty."""
    want = sorted(set(want))

    def judge(rc, out, err):
        if rc != 0:
            return name, False, f"whois exit {rc}: {err.strip()[:300]}"
        if not want:
            return (name, True, "") if out == "D\n" else (name, False, f"want D, got {out[:200]!r}")
        m = re.fullmatch(r"A(\d+)\n(.*)\nC\n", out, re.S)
        if m is None:
            return name, False, f"not A-framed: {out[:200]!r}"
        # whois(1) prints a line longer than its buffer in pieces of 1,999
        # bytes, each followed by a newline of its own
        data = m.group(2).replace("\n", "")
        if int(m.group(1)) != len(data.encode()) + 1:
            return name, False, f"A{m.group(1)} but {len(data.encode())} bytes of data"
        got = data.split(" ")
        if sorted(got) == want:
            return name, True, ""
        return name, False, diff(got, want)
    return judge


def split_objects(out):
    """whois(1) output -> list of object texts; None if the answer is not
    RIPE-framed (objects, blank line, ..., two blank lines)."""
    if out.startswith(WHOIS_WARNING):
        out = out[len(WHOIS_WARNING):]
    if out == NOT_FOUND + "\n\n":
        return []
    if not out.endswith("\n\n\n"):
        return None
    return [c + "\n" for c in out[:-3].split("\n\n")]


def strip_state(text):
    """(text without last-modified and rpki-ov-state, [rpki-ov-state values])"""
    keep, states = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("last-modified:"):
            continue
        if line.startswith("rpki-ov-state:"):
            states.append(line[len("rpki-ov-state:"):].strip())
            continue
        keep.append(line)
    return "".join(keep), states


NOT_FOUND_COMMENT = "not_found # No ROAs found, or RPKI validation not enabled for source"


def judge_objects(name, want, mode):
    """want: [Obj]; compares the objects' text, and the rpki-ov-state of
    every route of SYNTH (none without RPKI; none on pseudo objects)."""
    def expect(o):
        if o.net is None or o.source == "RPKI" or not mode["rpki"]:
            return o.text, ()
        st = o.state[mode["key"]]
        return o.text, (NOT_FOUND_COMMENT if st == "not_found" else st,)
    want_l = sorted((expect(o) for o in want), key=str)

    def judge(rc, out, err):
        if rc != 0:
            return name, False, f"whois exit {rc}: {err.strip()[:300]}"
        objs = split_objects(out)
        if objs is None:
            return name, False, f"not a RIPE-style answer: {out[-300:]!r}"
        got = []
        for text in objs:
            t, states = strip_state(text)
            got.append((t, tuple(states)))
        got.sort(key=str)
        if got == want_l:
            return name, True, ""
        gk = [f"{t.splitlines()[0]} {s}" for t, s in got]
        wk = [f"{t.splitlines()[0]} {s}" for t, s in want_l]
        if sorted(gk) != sorted(wk):
            return name, False, diff(gk, wk)
        for g, w in zip(got, want_l):
            if g != w:
                return name, False, f"text differs: got {g!r}, want {w!r}"
        return name, False, "differs"
    return judge


# ---------------------------------------------------------------- the test

def main():
    t = it.Suite()
    for tool in ("whois", "bgpq4"):
        if not t.check(f"{tool} is installed", shutil.which(tool) is not None, "see scripts/deps.sh"):
            t.done()
    shared = it.env("SHARED_DIR")
    data = os.path.join(t.tmp, "small")
    r = it.run([sys.executable, os.path.join(shared, "tools", "gen_irr.py"), "--small", "--out", data])
    if not t.check("gen_irr.py --small", r.returncode == 0, r.stderr[-500:]):
        t.done()
    with open(os.path.join(data, "answers.json")) as f:
        ans = json.load(f)
    t.eq("answers.json: preset small, source SYNTH", (ans["meta"]["preset"], ans["meta"]["source"]),
         ("small", SOURCE))
    roas_path = os.path.join(data, "roas.json")
    slurm_path = os.path.join(data, "slurm.json")

    # -- the model: irr.db's objects, states computed from roas.json/slurm.json
    objs = read_dump(os.path.join(data, "irr.db"))
    t.eq("irr.db: object count", len(objs), ans["meta"]["objects_total"])
    routes = [o for o in objs if o.net is not None]
    vrps = {"rpki": read_vrps(roas_path), "slurm": read_vrps(roas_path, slurm_path)}
    t.eq("roas.json: VRP count", len(vrps["rpki"]), ans["rpki"]["summary"]["vrps"]["without_slurm"])
    t.eq("roas.json + slurm.json: VRP count", len(vrps["slurm"]), ans["rpki"]["summary"]["vrps"]["with_slurm"])
    for o in routes:
        o.state = {k: rov_state(o.net, o.origin, v) for k, v in vrps.items()}
    by_route = {}
    for o in routes:
        by_route.setdefault((str(o.net), f"AS{o.origin}"), []).append(o)
    for key, akey, skey in (("rpki", "state", "without_slurm"), ("slurm", "state_slurm", "with_slurm")):
        bad = [(r["prefix"], r["origin"], r[akey]) for r in ans["rpki"]["routes"] + ans["anchors"]["routes"]
               if [o.state[key] for o in by_route.get((r["prefix"], r["origin"]), [])] != [r[akey]]]
        t.check(f"model: {akey} of the {len(ans['rpki']['routes'])} sampled and the anchor routes", not bad,
                f"{len(bad)} differ, e.g. {bad[:5]}")
        summ = ans["rpki"]["summary"][skey]
        t.eq(f"model: {skey} totals", {s: sum(1 for o in routes if o.state[key] == s)
                                       for s in ("valid", "invalid", "not_found")},
             {s: summ[s] for s in ("valid", "invalid", "not_found")})
    by_origin = {}
    for o in routes:
        by_origin.setdefault(o.origin, []).append(o)
    pl_bad = []
    for e in ans["prefix_lists"]:
        mine = by_origin.get(int(e["asn"][2:]), [])
        for fam, ver in (("v4", 4), ("v6", 6)):
            for sfx, key in (("", None), ("_rpki", "rpki"), ("_rpki_slurm", "slurm")):
                got = sorted({str(o.net) for o in mine if o.net.version == ver
                              and (key is None or o.state[key] != "invalid")})
                if got != sorted(set(e[fam + sfx])):
                    pl_bad.append((e["asn"], fam + sfx))
    t.check(f"model: the {len(ans['prefix_lists'])} prefix lists of answers.json (all states)", not pl_bad,
            f"{len(pl_bad)} differ, e.g. {pl_bad[:5]}")
    t.eq("model: prefix_lists hold every origin ASN", sorted(by_origin),
         sorted(int(e["asn"][2:]) for e in ans["prefix_lists"]))

    # -- load
    db = it.new_db("whois_clients")
    srcopts = {SOURCE: {"authoritative": True, "keep_journal": True, "nrtm_access_list": "local"}}
    ports = {}

    def config(mode):
        extra = {"rpki": {"roa_source": None}}
        if mode["rpki"]:
            extra = {"rpki": {"notify_invalid_enabled": False, "roa_import_timer": 3600,
                              "pseudo_irr_remarks": REMARKS}}
        cfg = it.write_config(t.tmp, db=db, sources=(SOURCE,), sources_default=mode["defaults"],
                              roa_source=f"file://{roas_path}" if mode["rpki"] else None,
                              slurm_source=f"file://{slurm_path}" if mode.get("slurm") else None,
                              extra=extra, source_options=srcopts, **ports)
        ports.update(whois_port=cfg.whois_port, http_port=cfg.http_port, rtr_port=cfg.rtr_port)
        return cfg

    modes = [
        {"name": "plain", "rpki": False, "defaults": (SOURCE,), "key": None, "pseudo": False},
        {"name": "rpki", "rpki": True, "defaults": (SOURCE,), "key": "rpki", "pseudo": False},
        {"name": "rpki+RPKI", "rpki": True, "defaults": (SOURCE, "RPKI"), "key": "rpki", "pseudo": True},
        {"name": "slurm+RPKI", "rpki": True, "slurm": True, "defaults": (SOURCE, "RPKI"), "key": "slurm",
         "pseudo": True},
    ]
    cfg = config(modes[0])
    r = it.run([it.prog("irrd_database_upgrade"), "--config", cfg.path])
    if not t.check("irrd_database_upgrade", r.returncode == 0, r.stderr):
        t.done()
    r = it.run([it.prog("irrd_load_database"), "--config", cfg.path, "--source", SOURCE,
                os.path.join(data, "irr.db")])
    if not t.check("irrd_load_database irr.db", r.returncode == 0, r.stdout + r.stderr):
        t.done()
    t.contains("irrd_load_database: every object loaded", r.stdout,
               f"Loaded {ans['meta']['objects_total']} objects into {SOURCE}, rejected 0")

    for mode in modes:
        cfg = config(mode)
        d = it.Daemon(cfg)
        try:
            if mode["rpki"] and not t.check(f"{mode['name']}: ROA import done",
                                            wait_import(cfg), d.log_text()[-1000:]):
                continue
            t0 = time.time()
            n0 = t.passed + t.failed
            run_mode(t, cfg, mode, ans, objs, routes, pseudo_objects(vrps[mode["key"]]) if mode["pseudo"] else [])
            print(f"# {mode['name']}: {t.passed + t.failed - n0} checks in {time.time() - t0:.1f} s", flush=True)
        finally:
            rc = d.stop()
        t.eq(f"{mode['name']}: clean stop", rc, 0)
    t.done()


def wait_import(cfg, limit=60):
    end = time.time() + limit
    while time.time() < end:
        try:
            code, body = it.http_get(cfg.http_port, "/v1/status/")
            if code == 200 and re.search(r"imports: [1-9]\d* succeeded", body.decode(errors="replace")):
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def run_mode(t, cfg, mode, ans, objs, routes, pseudo):
    name = mode["name"]
    key = mode["key"]
    hp = f"127.0.0.1:{cfg.whois_port}"

    def bgpq4(*args):
        return ["bgpq4", "-h", hp, "-p", "-j", "-l", "X", *args]

    def whois(*args):
        return ["whois", "-h", "127.0.0.1", "-p", str(cfg.whois_port), *args]

    def sfx(base):
        return base + ("" if key is None else "_rpki" if key == "rpki" else "_rpki_slurm")

    def roa(e, fam):
        if not mode["pseudo"]:
            return []
        return e[f"roa_{fam}" + ("_slurm" if key == "slurm" else "")]

    def nets(lst):
        return [ipaddress.ip_network(p) for p in lst]

    jobs = []
    for e in ans["prefix_lists"]:
        for fam, flag in (("v4", "-4"), ("v6", "-6")):
            want = nets(e[sfx(fam)] + roa(e, fam))
            jobs.append((bgpq4(flag, e["asn"]), judge_exact(f"{name}: bgpq4 {flag} {e['asn']}", want)))
            jobs.append((bgpq4(flag, "-A", e["asn"]), judge_aggregated(f"{name}: bgpq4 {flag} -A {e['asn']}", want)))
    for e in ans["as_sets"]:
        for fam, flag in (("v4", "-4"), ("v6", "-6")):
            want = nets(e[sfx("prefixes_" + fam)] + roa(e, fam))
            jobs.append((bgpq4(flag, e["name"]), judge_exact(f"{name}: bgpq4 {flag} {e['name']}", want)))
            jobs.append((bgpq4(flag, "-A", e["name"]),
                         judge_aggregated(f"{name}: bgpq4 {flag} -A {e['name']}", want)))
        jobs.append((bgpq4("-f", "64500", e["name"]), judge_asns(f"{name}: bgpq4 -f 64500 {e['name']}", e["asns"])))

    # route-sets: !i (direct members) and !i,1 (recursive) through whois(1)
    for e in ans["route_sets"]:
        direct = e[sfx("members_direct")]
        recursive = e[sfx("members_recursive")]
        if mode["pseudo"]:
            recursive = recursive + e["roa_members_recursive" + ("_slurm" if key == "slurm" else "")]
        jobs.append((whois(f"!i{e['name']}"), judge_bang_words(f"{name}: whois !i{e['name']}", direct)))
        jobs.append((whois(f"!i{e['name']},1"), judge_bang_words(f"{name}: whois !i{e['name']},1", recursive)))

    # the objects a RIPE query may return in this mode
    visible = [o for o in routes if key is None or o.state[key] != "invalid"] + pseudo
    by_origin = {}
    for o in visible:
        by_origin.setdefault(o.origin, []).append(o)
    for e in ans["prefix_lists"]:
        asn = int(e["asn"][2:])
        mine = by_origin.get(asn, [])
        jobs.append((whois("-i", "origin", e["asn"]),
                     judge_objects(f"{name}: whois -i origin {e['asn']}", mine, mode)))
        jobs.append((whois("-T", "route", "-i", "origin", e["asn"]),
                     judge_objects(f"{name}: whois -T route -i origin {e['asn']}",
                                   [o for o in mine if o.cls == "route"], mode)))
        if mode["pseudo"]:
            jobs.append((whois("-s", SOURCE, "-i", "origin", e["asn"]),
                         judge_objects(f"{name}: whois -s {SOURCE} -i origin {e['asn']}",
                                       [o for o in mine if o.source == SOURCE], mode)))
            jobs.append((whois("-s", "RPKI", "-i", "origin", e["asn"]),
                         judge_objects(f"{name}: whois -s RPKI -i origin {e['asn']}",
                                       [o for o in mine if o.source == "RPKI"], mode)))

    prefixes = sorted({ipaddress.ip_network(r["prefix"]) for r in ans["rpki"]["routes"]},
                      key=lambda n: (n.version, n))
    step = max(1, len(prefixes) // PREFIX_SAMPLE)
    for i, p in enumerate(prefixes):
        fam = [o for o in visible if o.net.version == p.version]
        jobs.append((whois("-x", str(p)), judge_objects(f"{name}: whois -x {p}",
                                                         [o for o in fam if o.net == p], mode)))
        if i % step:
            continue
        less = [o for o in fam if p.subnet_of(o.net)]
        jobs.append((whois("-L", str(p)), judge_objects(f"{name}: whois -L {p}", less, mode)))
        strict = [o for o in less if o.net != p]
        longest = max((o.net.prefixlen for o in strict), default=None)
        jobs.append((whois("-l", str(p)), judge_objects(f"{name}: whois -l {p}",
                                                         [o for o in strict if o.net.prefixlen == longest], mode)))
        jobs.append((whois("-M", str(p)), judge_objects(f"{name}: whois -M {p}",
                                                         [o for o in fam if o.net != p and o.net.subnet_of(p)],
                                                         mode)))

    if name == "plain":
        for o in objs:
            if o.cls in ("aut-num", "as-set", "mntner"):
                want = Obj(masked(o.text), o.cls, o.pk, o.source)
                jobs.append((whois("-T", o.cls, o.pk), judge_objects(f"{name}: whois -T {o.cls} {o.pk}", [want],
                                                                     mode)))

    for check, ok, why in parallel(jobs):
        t.check(check, ok, why)


def masked(text):
    """IRRd hides password hashes in answers."""
    return re.sub(r"^(auth:\s+)(MD5-PW|CRYPT-PW|BCRYPT-PW)\s.*$",
                  lambda m: f"{m.group(1)}{m.group(2)} DummyValue  # Filtered for security", text, flags=re.M)


if __name__ == "__main__":
    main()
