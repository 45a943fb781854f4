#!/usr/bin/env python3
"""Helpers for scripts/bench.sh (standard library only).

  free-ports N                  N free TCP ports on 127.0.0.1
  gen ...                       signed webhook requests as Lua data files for requests.lua
  send-voice ...                one signed voice webhook (creates a conference for agent-join)
  drain ...                     waits until the dial outbox has no pending entry
  check ...                     the durability check after the voice runs
  sample ...                    records machine and per-process CPU every INTERVAL seconds
  report ...                    the markdown report from the runs' wrk outputs

Signatures follow src/twilio/signature.rs: base64(HMAC-SHA1(auth_token,
PUBLIC_BASE_URL + path + concat(sorted, deduplicated name+value pairs))).
"""

import argparse
import base64
import glob
import hashlib
import hmac
import json
import os
import re
import socket
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ACCOUNT_SID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
ENTRIES_PER_CHUNK = 4000  # keeps each Lua function well under LuaJIT's constant limit


_MACS = {}


def sign(token, url, params):
    pairs = sorted(set(params))
    base = _MACS.get((token, url))
    if base is None:  # the key schedule and the URL, once per (token, URL)
        base = _MACS[(token, url)] = hmac.new(token.encode(), url.encode(), hashlib.sha1)
    mac = base.copy()
    mac.update("".join(k + v for k, v in pairs).encode())
    return base64.b64encode(mac.digest()).decode()


def call_sid(n):
    return "CA%032x" % n


def voice_params(sid):
    """What Twilio posts to the voice webhook for an incoming call (the usual fields)."""
    return [
        ("AccountSid", ACCOUNT_SID),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", sid),
        ("CallStatus", "ringing"),
        ("Called", "+15005550006"),
        ("CalledCountry", "US"),
        ("Caller", "+14155550100"),
        ("CallerCountry", "US"),
        ("Direction", "inbound"),
        ("From", "+14155550100"),
        ("FromCountry", "US"),
        ("To", "+15005550006"),
        ("ToCountry", "US"),
    ]


def wait_params(sid):
    """Twilio's fetch of the conference waitUrl."""
    return [
        ("AccountSid", ACCOUNT_SID),
        ("CallSid", sid),
        ("ConferenceSid", "CF%032x" % 1),
        ("FriendlyName", call_sid(1)),
        ("QueuePosition", "1"),
        ("QueueTime", "0"),
    ]


def join_params(sid):
    """Twilio's fetch of the agent leg's Url once the agent answered."""
    return [
        ("AccountSid", ACCOUNT_SID),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", sid),
        ("CallStatus", "in-progress"),
        ("Called", "client:agent1"),
        ("Direction", "outbound-api"),
        ("From", "+15005550006"),
        ("To", "client:agent1"),
    ]


def encode(params):
    return urllib.parse.urlencode(params)


def lua_str(s):
    if any(c in s for c in '"\\\n\r') or not s.isascii():
        raise ValueError("unexpected character in %r" % s)
    return '"' + s + '"'


def cmd_free_ports(a):
    socks, ports = [], []
    for _ in range(a.n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    print(" ".join(map(str, ports)))


def cmd_gen(a):
    """Writes PREFIX.<thread>.lua for each wrk thread: thread t gets entries t, t+T, t+2T, ..."""
    if a.route == "voice":
        path_of = lambda i: "/conference/connect/client"
        params_of = voice_params
    elif a.route == "wait":
        path_of = lambda i: "/conference/wait"
        params_of = wait_params
    elif a.route == "baseline":  # the same form, to the stand-in's bare 204
        path_of = lambda i: "/baseline"
        params_of = wait_params
    elif a.route == "join":
        if not a.conference:
            sys.exit("gen --route join needs --conference")
        path_of = lambda i: "/conference/%s/connect/%s?leg=%d" % (a.conference, a.agent, a.leg)
        params_of = join_params
    else:
        sys.exit("unknown route " + a.route)
    # Only the CallSid changes from one request to the next: encode and sort once, with a
    # placeholder (names are unique, so the sort order does not depend on the value).
    placeholder = "CALLSIDPLACEHOLDER"
    params = params_of(placeholder)
    assert len({k for k, _ in params}) == len(params)
    body_tmpl = encode(params)
    signed_tmpl = "".join(k + v for k, v in sorted(params))
    per_thread = [[] for _ in range(a.threads)]
    for i in range(a.count):
        sid = call_sid(a.offset + i)
        path = path_of(i)
        mac = hmac.new(a.token.encode(), (a.base + path + signed_tmpl.replace(placeholder, sid)).encode(), hashlib.sha1)
        entry = (path, body_tmpl.replace(placeholder, sid), base64.b64encode(mac.digest()).decode())
        if i < 3:  # the shortcut must agree with the plain computation
            assert entry[1] == encode(params_of(sid)) and entry[2] == sign(a.token, a.base + path, params_of(sid))
        per_thread[i % a.threads].append(entry)
    for t, entries in enumerate(per_thread):
        with open("%s.%d.lua" % (a.out, t), "w") as f:
            f.write("-- generated by scripts/bench/bench.py: route %s, wrk thread %d of %d\n" % (a.route, t, a.threads))
            f.write("local R = {}\nlocal function add(p, b, s) R[#R + 1] = {p, b, s} end\n")
            for c in range(0, len(entries), ENTRIES_PER_CHUNK):
                f.write(";(function()\n")
                for p, b, s in entries[c : c + ENTRIES_PER_CHUNK]:
                    f.write("add(%s,%s,%s)\n" % (lua_str(p), lua_str(b), lua_str(s)))
                f.write("end)()\n")
            f.write("return R\n")


def cmd_send_voice(a):
    path = "/conference/connect/client"
    params = voice_params(a.sid)
    req = urllib.request.Request(
        a.server + path,
        data=encode(params).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(a.token, a.base + path, params),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read().decode()
            status = r.status
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode(errors="replace")
    if status != 200 or a.sid not in body:
        sys.exit("voice webhook answered %s: %s" % (status, body[:500]))
    print("conference %s opened (HTTP %d)" % (a.sid, status))


def cmd_available(a):
    """Signs the agent in and makes them available (as their console does)."""
    def post(path, params, cookie=None):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = cookie
        req = urllib.request.Request(a.server + path, data=encode(params).encode(), headers=headers, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Set-Cookie", ""), r.read().decode()
    _, set_cookie, _ = post("/api/sign_in", [("identity", a.agent), ("password", a.password)])
    status, _, body = post("/api/presence", [("status", "available")], set_cookie.split(";")[0])
    print("%s: HTTP %d %s" % (a.agent, status, body))


def connect_ro(db):
    conn = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def cmd_drain(a):
    """Waits until no effect is pending; prints "PENDING_AT_START TOTAL SECONDS" (or timeout:N-pending)."""
    start = time.monotonic()
    deadline = start + a.timeout
    first = None
    while True:
        conn = connect_ro(a.db)
        pending, total = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FROM effects").fetchone()
        conn.close()
        if first is None:
            first = pending
        if pending == 0:
            print("%d %d %.1f" % (first, total, time.monotonic() - start))
            return
        if time.monotonic() > deadline:
            print("timeout:%d-pending" % pending)
            return
        time.sleep(0.2)


def bench_fields(text):
    m = re.search(r"^BENCH (.*)$", text, re.M)
    main = dict(kv.split("=", 1) for kv in m.group(1).split()) if m else {}
    threads = [dict(kv.split("=", 1) for kv in t.split()) for t in re.findall(r"^BENCH_THREAD (.*)$", text, re.M)]
    return main, threads


def cmd_check(a):
    """Every 2xx-answered voice webhook is queued, rows match wrk's 2xx count, no effect left undone.

    wrk stops after its duration without reading the answers still in flight (at most one per
    connection); the server may have committed those. Each thread hands out its CallSids in
    order, so the CallSids wrk can have sent are known exactly: extra rows are accepted as
    "in flight" only if they are among the sent-but-unanswered ones.
    """
    ok_sids, ok2xx, wrapped, unanswered, in_flight = [], 0, 0, set(), 0
    for data_prefix, ok_prefix, wrk_file in a.run:
        main, threads = bench_fields(open(wrk_file).read())
        ok2xx += int(main.get("ok2xx", 0))
        wrapped += int(main.get("wrapped", 0))
        run_ok = []
        for f in sorted(glob.glob(ok_prefix + ".*.txt")):
            with open(f) as fh:
                run_ok += [l.strip() for l in fh if l.strip()]
        ok_sids += run_ok
        run_ok = set(run_ok)
        answered = int(main.get("ok2xx", 0)) + int(main.get("non2xx", 0))
        in_flight += sum(int(t["request_calls"]) for t in threads) - answered - 1  # -1: wrk's script check
        for t in threads:
            with open("%s.%s.lua" % (data_prefix, t["tid"])) as fh:
                sids = re.findall(r"CallSid=(CA[0-9a-f]{32})", fh.read())
            unanswered |= set(sids[: int(t["request_calls"])]) - run_ok
    ok_set = set(ok_sids)
    conn = connect_ro(a.db)
    rows = {r[0] for r in conn.execute("SELECT call_sid FROM customer_calls")}
    queued = conn.execute("SELECT count(*) FROM customer_calls WHERE live = 1").fetchone()[0]
    timeline = conn.execute("SELECT count(*) FROM timeline WHERE kind = 'queued'").fetchone()[0]
    outbox = dict(conn.execute("SELECT status, count(*) FROM effects GROUP BY status").fetchall())
    conn.close()

    setup = set(a.setup_sid)
    expected = ok2xx + len(setup)
    missing = ok_set - rows  # answered 2xx but not stored: a durability failure
    extra = rows - ok_set - setup  # stored, but wrk never read the answer
    unexplained = extra - unanswered
    outbox_total = sum(outbox.values())
    not_sent = outbox.get("pending", 0)

    equal = len(rows) == expected
    outbox_ok = not_sent == 0 and queued == len(rows) and timeline == len(rows)
    L = []
    L.append("- rows in `customer_calls` = wrk's 2xx voice answers (+ %d set-up call): %d vs %d -> %s"
             % (len(setup), len(rows), expected, "PASS" if equal else "not equal"))
    if extra:
        L.append("- the %d extra rows are requests wrk had sent but stopped waiting for when its time was up "
                 "(wrk left %d unanswered, at most one per connection); rows not explained that way: %d -> %s"
                 % (len(extra), in_flight, len(unexplained), "PASS" if not unexplained else "FAIL"))
    if len(ok_sids) != ok2xx or len(ok_set) != len(ok_sids):
        L.append("- WARNING: %d CallSids read from 2xx answers (%d distinct) vs %d 2xx counted"
                 % (len(ok_sids), len(ok_set), ok2xx))
    L.append("- 2xx-answered calls missing from the database: %d -> %s" % (len(missing), "PASS" if not missing else "FAIL"))
    L.append("- effects after draining: %s; still pending: %d; every call live in the queue (%d) with its 'queued' "
             "timeline row (%d) -> %s"
             % (", ".join("%s=%d" % kv for kv in sorted(outbox.items())) or "none", not_sent, queued, timeline,
                "PASS" if outbox_ok else "FAIL"))
    if wrapped:
        L.append("- WARNING: wrk ran out of unique CallSids (%d wraps): raise --calls" % wrapped)
    if missing or unexplained or not outbox_ok or wrapped or len(ok_set) != len(ok_sids):
        summary = "FAIL"
    elif equal:
        summary = "PASS"
    else:
        summary = "PASS (rows = 2xx + %d requests in flight when wrk stopped)" % len(extra)
    with open(a.out, "w") as f:
        json.dump({"summary": summary, "lines": L}, f)
    print("\n".join(L))
    print("durability: " + summary)


def proc_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        rest = st[st.rindex(")") + 2 :].split()
        return int(rest[11]) + int(rest[12])  # utime + stime
    except (OSError, ValueError, IndexError):
        return -1


def cmd_sample(a):
    """Every INTERVAL s: time, machine busy/total jiffies, and each PID's CPU ticks."""
    with open(a.out, "w", buffering=1) as f:
        while True:
            with open("/proc/stat") as st:
                vals = list(map(int, st.readline().split()[1:9]))
            total, idle = sum(vals), vals[3] + vals[4]
            f.write("%.3f %d %d %s\n" % (time.time(), total - idle, total, " ".join(str(proc_ticks(p)) for p in a.pid)))
            time.sleep(a.interval)


def load_samples(path):
    out = []
    if path and os.path.exists(path):
        for line in open(path):
            parts = line.split()
            if len(parts) >= 3:
                out.append([float(parts[0])] + [int(x) for x in parts[1:]])
    return out


def window(samples, t0, t1):
    """The first sample at or after t0 and the last at or before t1."""
    inside = [s for s in samples if t0 <= s[0] <= t1]
    return (inside[0], inside[-1]) if len(inside) >= 2 else (None, None)


# ---- report -------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(text):
    out = {}
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    for pct in ("50", "99"):
        m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)\s*$" % pct, text, re.M)
        out["p" + pct] = float(m.group(1)) * UNITS[m.group(2)] if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    out["non2xx_summary"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(map(int, m.groups())) if m else 0
    out["bench"], _ = bench_fields(text)
    return out


def fmt_ms(v):
    if v is None:
        return "n/a"
    return "%.2f ms" % v if v < 100 else "%.0f ms" % v


ANSI = re.compile(r"\x1b\[[0-9;]*m")
RUN_FIELDS = ["route", "conns", "wrk_file", "t_end", "hwm", "rss", "load", "notes", "ctx", "nthreads", "wrk_cpu", "kind"]


def cmd_report(a):
    samples = load_samples(a.samples)
    hz = os.sysconf("SC_CLK_TCK")
    ncpu = os.cpu_count() or 1
    runs = []
    with open(a.runs) as f:
        for line in f:
            if not line.strip():
                continue
            r = dict(zip(RUN_FIELDS, line.rstrip("\n").split("\t")))
            w = parse_wrk(open(r["wrk_file"]).read())
            b = w["bench"]
            r.update(w)
            r["conns"] = int(r["conns"])
            r["hwm"], r["rss"], r["ctx"] = int(r.get("hwm") or 0), int(r.get("rss") or 0), int(r.get("ctx") or 0)
            r["requests"] = int(b.get("requests", 0))
            if b.get("tracked") == "1":
                r["errors"] = int(b["non2xx"]) + w["socket_errors"]
            else:
                r["errors"] = w["non2xx_summary"] + w["socket_errors"]
            # CPU over the measured interval: wrk's duration, ending when wrk exited.
            dur = int(b.get("duration_us", 0)) / 1e6
            r["dur"] = dur
            r["cpu"] = None
            s0, s1 = window(samples, float(r["t_end"]) - dur, float(r["t_end"])) if dur else (None, None)
            if s0 and s1 and s1[0] > s0[0]:
                dt = s1[0] - s0[0]
                proc = lambda i: (s1[i] - s0[i]) / hz / dt if len(s1) > i and s0[i] >= 0 and s1[i] >= 0 else 0.0
                all_cores = (s1[1] - s0[1]) / max(1, s1[2] - s0[2]) * ncpu
                r["cpu"] = dict(all=all_cores, server=proc(3), stand_in=proc(4))
            runs.append(r)
    check = json.load(open(a.check)) if a.check and os.path.exists(a.check) else None
    peak_kib = max([r["hwm"] for r in runs] + [a.final_hwm or 0])

    L = []
    L.append("# warm-transfer benchmark")
    L.append("")
    L.append("%s; %s; wrk %s threads, %s s per run; release build, RUST_LOG=%s, signature checks on%s."
             % (a.when, a.machine, a.threads, a.duration, a.rust_log, "; server env: " + a.server_env if a.server_env else ""))
    L.append("")
    L.append("| route | connections | req/s | p50 | p99 | errors |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for r in runs:
        L.append("| %s | %d | %s | %s | %s | %d |" % (
            r["route"], r["conns"], "%.0f" % r["rps"] if r["rps"] is not None else "n/a",
            fmt_ms(r["p50"]), fmt_ms(r["p99"]), r["errors"]))
    L.append("")
    L.append("Server peak RSS (VmHWM, whole run): %.1f MiB" % (peak_kib / 1024.0))
    L.append("")
    if check:
        L.append("Durability check (voice webhook; SQLite read with python3 sqlite3): **%s**" % check["summary"])
        L.append("")
        L.extend(check["lines"])
    elif any(r["kind"] == "voice" for r in runs):
        L.append("Durability check: not run")
    L.append("")
    L.append("## Against the targets")
    L.append("")
    for r in runs:
        if r["kind"] == "baseline":
            continue
        if r["rps"] is None:
            L.append("- %s @%d: no result" % (r["route"], r["conns"]))
        elif r["kind"] == "twiml":
            met = r["rps"] >= 50000 and (r["p99"] or 1e9) <= 5.0
            L.append("- %s @%d: %.0f req/s (target >= 50,000), p99 %s (target <= 5 ms) -> %s"
                     % (r["route"], r["conns"], r["rps"], fmt_ms(r["p99"]), "met" if met else "MISSED"))
        else:
            met = r["rps"] >= 5000 and r["errors"] == 0
            L.append("- %s @%d: %.0f req/s (target >= 5,000), %d errors -> %s"
                     % (r["route"], r["conns"], r["rps"], r["errors"], "met" if met else "MISSED"))
    if check:
        L.append("- voice webhook durability: %s -> %s" % (check["summary"], "met" if check["summary"].startswith("PASS") else "MISSED"))
    L.append("- server peak RSS %.1f MiB (target <= 40 MiB) -> %s" % (peak_kib / 1024.0, "met" if peak_kib <= 40 * 1024 else "MISSED"))
    L.append("")
    L.append("## Per run: where the CPU went")
    L.append("")
    L.append("Cores busy during wrk's measured interval, of %d, sampled from /proc; \"rest\" is all busy CPU minus server, "
             "stand-in and wrk, i.e. whatever else ran on the machine. wrk's CPU includes loading its request file "
             "(about 1 s on voice runs). PSI = /proc/pressure/cpu \"some avg10\" before the run: the share of time "
             "something was waiting for a CPU." % ncpu)
    L.append("")
    L.append("| route | conns | requests | server | stand-in | wrk | rest | server CPU/req | server ctx switches/req "
             "| server threads | VmHWM after | VmRSS after | load avg, PSI before | notes |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in runs:
        c = r["cpu"]
        wrk_cores = float(r.get("wrk_cpu") or 0) / r["dur"] if r["dur"] else 0.0
        if c:
            srv = c["stand_in"] if r["kind"] == "baseline" else c["server"]
            per_req = srv * r["dur"] / r["requests"] * 1e6 if r["requests"] else 0
            cpu_cols = "%.2f | %.2f | %.2f | %.2f | %.0f us" % (
                c["server"], c["stand_in"], wrk_cores, max(0.0, c["all"] - c["server"] - c["stand_in"] - wrk_cores), per_req)
        else:
            cpu_cols = "n/a | n/a | %.2f | n/a | n/a" % wrk_cores
        L.append("| %s | %d | %d | %s | %s | %s | %.1f MiB | %.1f MiB | %s | %s |" % (
            r["route"], r["conns"], r["requests"], cpu_cols,
            "%.1f" % (r["ctx"] / r["requests"]) if r["requests"] and r["kind"] != "baseline" else "-",
            r.get("nthreads") or "-", r["hwm"] / 1024.0, r["rss"] / 1024.0, r.get("load", ""), r.get("notes", "")))
    L.append("")
    L.append("For the baseline row, \"server CPU/req\" is the stand-in's.")
    if a.server_log and os.path.exists(a.server_log):
        log = [ANSI.sub("", l) for l in open(a.server_log, errors="replace").read().splitlines()]
        warn = [l for l in log if re.search(r"\b(WARN|ERROR)\b", l)]
        L.append("")
        L.append("Server log (RUST_LOG=%s): %d lines, %d WARN/ERROR." % (a.rust_log, len(log), len(warn)))
        kinds = {}
        for l in warn:
            m = re.search(r"(WARN|ERROR)\s+(\S+?):\s+(.{0,90})", l)
            key = m.group(0) if m else l[:120]
            kinds[key] = kinds.get(key, 0) + 1
        for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:5]:
            L.append("- %d x `%s`" % (n, k.replace("`", "'")))
    text = "\n".join(L) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    print(text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("free-ports")
    s.add_argument("n", type=int)
    s.set_defaults(fn=cmd_free_ports)

    s = sub.add_parser("gen")
    s.add_argument("--route", required=True, choices=["voice", "wait", "join", "baseline"])
    s.add_argument("--out", required=True, help="file prefix: writes PREFIX.<thread>.lua")
    s.add_argument("--base", required=True, help="PUBLIC_BASE_URL")
    s.add_argument("--token", required=True, help="TWILIO_AUTH_TOKEN")
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--offset", type=int, default=0, help="first CallSid number")
    s.add_argument("--threads", type=int, required=True)
    s.add_argument("--conference")
    s.add_argument("--agent", default="agent1")
    s.add_argument("--leg", type=int, default=1)
    s.set_defaults(fn=cmd_gen)

    s = sub.add_parser("available")
    s.add_argument("--server", required=True)
    s.add_argument("--agent", required=True)
    s.add_argument("--password", required=True)
    s.set_defaults(fn=cmd_available)

    s = sub.add_parser("send-voice")
    s.add_argument("--server", required=True)
    s.add_argument("--base", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--sid", required=True)
    s.set_defaults(fn=cmd_send_voice)

    s = sub.add_parser("drain")
    s.add_argument("--db", required=True)
    s.add_argument("--timeout", type=float, default=300)
    s.set_defaults(fn=cmd_drain)

    s = sub.add_parser("check")
    s.add_argument("--db", required=True)
    s.add_argument("--run", nargs=3, action="append", required=True, metavar=("DATA_PREFIX", "OK_PREFIX", "WRK_OUTPUT"))
    s.add_argument("--setup-sid", action="append", default=[])
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_check)

    s = sub.add_parser("sample")
    s.add_argument("--out", required=True)
    s.add_argument("--interval", type=float, default=0.5)
    s.add_argument("--pid", type=int, action="append", default=[])
    s.set_defaults(fn=cmd_sample)

    s = sub.add_parser("report")
    s.add_argument("--runs", required=True)
    s.add_argument("--samples")
    s.add_argument("--server-log")
    s.add_argument("--check")
    s.add_argument("--final-hwm", type=int, default=0)
    s.add_argument("--out", required=True)
    s.add_argument("--when", default="")
    s.add_argument("--machine", default="")
    s.add_argument("--threads", default="2")
    s.add_argument("--duration", default="10")
    s.add_argument("--rust-log", default="warn")
    s.add_argument("--server-env", default="")
    s.set_defaults(fn=cmd_report)

    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
