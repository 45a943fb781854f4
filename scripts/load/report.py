#!/usr/bin/env python3
"""The load run's report: the bots' summary and series, the center's versions over time, and
the kill, into OUT/report.json, OUT/report.md and the plots (plot.py). Exits 1 when an invariant
broke: a caller lost, an offer doubled (an agent rung for a second call while on one), a console
that did not resume after the kill, a console that went back in time.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path


def pct(values, q):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round((len(v) - 1) * q)))]


def fmt(v, unit="ms"):
    return "—" if v is None else f"{v:,.0f} {unit}" if v >= 10 else f"{v:.1f} {unit}"


def app_offer_latency(path, cps):
    """From the app's records: each caller offered in the decision that queued them (an agent was
    free then), from being queued to the request that rings the agent. `(offers, paced)`: the
    offers as (unix ms, latency ms) where the account's pace did not bind, and how many waited
    their turn (another call to create was taken less than a turn before, or while it waited)."""
    if not path or not Path(path).exists():
        return [], 0
    takes, offers = [], []
    for line in Path(path).read_text().split("\n"):
        parts = line.split("|")
        if len(parts) != 4:
            continue
        created, taken, urgency, queued = int(parts[0]), int(parts[1]), int(parts[2]), parts[3]
        takes.append(taken)
        # Offered by the decision that queued the caller: the same instant.
        if urgency == 1 and queued and abs(created - int(queued)) <= 1:
            offers.append((int(queued), created, taken))
    try:
        turn = 1000.0 / float(cps) if cps and float(cps) > 0 else 0.0
    except ValueError:
        turn = 0.0
    takes.sort()
    unpaced, paced = [], 0
    import bisect
    for queued, created, taken in offers:
        lo = bisect.bisect_right(takes, created - turn) if turn else len(takes)
        hi = bisect.bisect_left(takes, taken)
        if turn and hi > lo:
            paced += 1
        else:
            unpaced.append((taken, float(taken - queued)))
    return unpaced, paced


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bots", required=True)
    ap.add_argument("--versions", required=True)
    ap.add_argument("--kill-at", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", default="full")
    ap.add_argument("--instances", type=int, default=3)
    ap.add_argument("--cps", default="")
    ap.add_argument("--rate", default="")
    ap.add_argument("--storm1", default="")
    ap.add_argument("--storm-all", default="")
    ap.add_argument("--takes", default="", help="the app's calls to create: created_at taken_at urgency queued_at, one a line")
    a = ap.parse_args()

    def storm(path):
        try:
            return json.loads(Path(path).read_text()) if path else {}
        except (OSError, ValueError):
            return {}
    storm1, storm_all = storm(a.storm1), storm(a.storm_all)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    bots = json.loads(Path(a.bots).read_text())
    series = bots.get("series", {})
    t0 = series.get("started_ms", 0)
    kill = a.kill_at or None

    # Decisions per second: the center's version, sampled once a second.
    versions = []
    for line in Path(a.versions).read_text().split("\n"):
        parts = line.split()
        if len(parts) == 2:
            versions.append((int(parts[0]), int(parts[1])))
    rates = []
    for (ta, va), (tb, vb) in zip(versions, versions[1:]):
        if tb > ta:
            rates.append((vb - va) * 1000 / (tb - ta))
    busy = [r for r in rates if r > 0]

    offers = [s["ms"] for s in series.get("offer_latency", [])]
    offers_paced = [s["ms"] for s in series.get("offer_latency", []) if s.get("paced")]
    offers_unpaced = [s["ms"] for s in series.get("offer_latency", []) if not s.get("paced")]
    app_offers, app_offers_paced = app_offer_latency(a.takes, a.cps)
    series["offer_latency_app"] = [{"t": t, "ms": ms} for t, ms in app_offers]
    app_ms = [ms for _, ms in app_offers]
    changes = [s["ms"] for s in series.get("console_latency", [])]
    after_kill = [s["ms"] for s in series.get("console_latency", []) if kill and s["t"] >= kill]
    resumes = series.get("resumes", [])
    resume_ms = [r["ms"] for r in resumes]
    went_back = [r for r in resumes if r.get("to_version") is not None and r.get("from_version") is not None and r["to_version"] < r["from_version"]]
    o = bots["outcomes"]
    ag = bots["agents"]

    figures = {
        "size": a.size, "instances": a.instances, "account_calls_per_second": a.cps, "arrival_rate": a.rate,
        "outcomes": o, "waits": bots.get("waits"), "double_offers": ag.get("double_offers"),
        "on_two_calls": ag.get("on_two_calls", 0),
        "offer_latency_ms": {"n": len(offers_unpaced), "p50": pct(offers_unpaced, 0.5), "p99": pct(offers_unpaced, 0.99),
                             "paced_n": len(offers_paced), "paced_p99": pct(offers_paced, 0.99)},
        "offer_latency_app_ms": {"n": len(app_ms), "p50": pct(app_ms, 0.5), "p99": pct(app_ms, 0.99),
                                 "max": max(app_ms) if app_ms else None, "paced_n": app_offers_paced},
        "console_latency_ms": {"n": len(changes), "p50": pct(changes, 0.5), "p99": pct(changes, 0.99),
                               "after_kill_p99": pct(after_kill, 0.99)},
        "decisions_per_second": {"mean_busy": (sum(busy) / len(busy)) if busy else None, "peak": max(rates) if rates else None,
                                 "total": (versions[-1][1] - versions[0][1]) if len(versions) > 1 else None},
        "kill_at_s": (kill - t0) / 1000 if kill and t0 else None,
        "resumes": {"n": len(resumes), "p50_ms": pct(resume_ms, 0.5), "max_ms": max(resume_ms) if resume_ms else None,
                    "went_back": len(went_back)},
        "ceiling": {"one_instance_per_second": storm1.get("per_second"), "all_instances_per_second": storm_all.get("per_second"),
                    "agents": storm_all.get("agents")},
        "drained": bots.get("drained"),
        "seconds": bots.get("seconds"),
    }
    report = dict(bots)
    report["figures"] = figures
    if kill:
        report["series"]["kill_at_ms"] = kill
    (out / "report.json").write_text(json.dumps(report, indent=1))
    plot_input = {"started_ms": t0, "ended_ms": series.get("ended_ms", t0), "kill_at_ms": kill, "series": series}
    (out / "plot-input.json").write_text(json.dumps(plot_input))
    subprocess.run([sys.executable, str(Path(__file__).with_name("plot.py")), str(out / "plot-input.json"), str(out)], check=True)
    (out / "plot-input.json").unlink()

    problems = []
    if o.get("lost", 0):
        problems.append(f"{o['lost']} callers lost")
    if ag.get("double_offers", 0):
        problems.append(f"{ag['double_offers']} double offers")
    if ag.get("on_two_calls", 0):
        problems.append(f"{ag['on_two_calls']} agents on two calls")
    if kill and not resumes:
        problems.append("the kill cut no console stream, or none resumed")
    if went_back:
        problems.append(f"{len(went_back)} consoles resumed at an older version than they had seen")
    unresumed = series.get("unresumed", 0)
    if unresumed:
        problems.append(f"{unresumed} consoles never resumed")
    if o.get("callers", 0) != o.get("served", 0) + o.get("abandoned", 0) + o.get("callback", 0) + o.get("voicemail", 0) + o.get("lost", 0) + o.get("failed", 0):
        problems.append("callers unaccounted for")
    if o.get("failed", 0):
        problems.append(f"{o['failed']} callers could not even place their call")

    d = figures["decisions_per_second"]
    lines = [
        f"# Load run ({a.size}): {a.instances} instances behind nginx, one PostgreSQL",
        "",
        f"{o.get('callers')} callers at {a.rate}/s, {len(bots.get('per_agent', []))} agent bots with live console streams, "
        f"the simulated account at {a.cps} calls/s; {('instance killed with SIGKILL at %.0f s' % figures['kill_at_s']) if kill else 'no kill'}; "
        f"{bots.get('seconds', 0):.0f} s in all.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| served / abandoned / callback / voicemail | {o.get('served')} / {o.get('abandoned')} / {o.get('callback')} / {o.get('voicemail')} |",
        f"| **lost** (must be 0) | {o.get('lost')} |",
        f"| **double offers / agents on two calls** (must be 0; a ring while the agent's previous leg is live at the simulated Twilio) | {ag.get('double_offers')} / {ag.get('on_two_calls', 0)} |",
        f"| rings that came before the bot's phone heard its previous leg end (checked: over at Twilio; the bots' view, not a double offer) | {ag.get('late_ends', 0)} |",
        f"| wait until an agent answered p50 / p99 | {fmt(bots['waits']['p50_ms'])} / {fmt(bots['waits']['p99_ms'])} |",
        f"| **offer latency** in the app (caller queued with a free agent → the request that rings that agent, from the app's records) p50 / p99, pace not binding | {fmt(figures['offer_latency_app_ms']['p50'])} / {fmt(figures['offer_latency_app_ms']['p99'])} ({len(app_ms)} offers; {app_offers_paced} more waited their turn at the account's pace) |",
        f"| offer latency end to end as the bots see it (caller places the call → the agent's phone rings, through the simulator and the bots, both busy on the same 2 cores) p50 / p99 | {fmt(figures['offer_latency_ms']['p50'])} / {fmt(figures['offer_latency_ms']['p99'])} ({len(offers_unpaced)} offers) |",
        f"| change on one instance → console on another p50 / p99 | {fmt(figures['console_latency_ms']['p50'])} / {fmt(figures['console_latency_ms']['p99'])} ({len(changes)} changes) |",
        f"| … after the kill, p99 | {fmt(figures['console_latency_ms']['after_kill_p99'])} |",
        f"| consoles resumed after the kill (reconnected through nginx, from their Last-Event-ID) | {len(resumes)}, p50 {fmt(figures['resumes']['p50_ms'])}, slowest {fmt(figures['resumes']['max_ms'])}, went back in time {len(went_back)} |",
        f"| decisions/s on the one `center` row: mean while busy / peak second | {fmt(d['mean_busy'], '/s')} / {fmt(d['peak'], '/s')} ({d['total']} in all) |",
    ]
    if storm1 or storm_all:
        lines += [
            f"| decisions/s ceiling (every agent changing presence as fast as it can, 10 s): one instance / all {a.instances} | "
            f"{fmt(storm1.get('per_second'), '/s')} / {fmt(storm_all.get('per_second'), '/s')} |",
        ]
    lines += [
        "",
        "![latency](latency.svg)",
        "",
        "![queue](queue.svg)",
        "",
        "![agents](agents.svg)",
        "",
    ]
    if problems:
        lines += ["## Broken invariants", ""] + [f"- {p}" for p in problems] + [""]
    notes = bots.get("notes") or []
    if notes:
        lines += ["## Notes on lost or failed callers", ""] + [f"- {n}" for n in notes] + [""]
    (out / "report.md").write_text("\n".join(lines))
    print("\n".join(lines[:16]))
    if problems:
        print("load: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
