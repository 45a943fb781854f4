#!/usr/bin/env python3
"""Draws the load run's plots as SVG files (no dependency beyond Python's standard library).

    plot.py REPORT.json OUT_DIR

REPORT.json is what `scripts/load.sh` gathered (the bots' summary and series, plus `kill_at_ms`
when an instance was killed). Writes OUT_DIR/latency.svg (offer and change → console latency
over time, p50/p99 per second, the kill marked), OUT_DIR/queue.svg (callers waiting) and
OUT_DIR/agents.svg (agents by state).
"""
import json
import sys
from pathlib import Path

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 960, 320, 70, 200, 40, 45
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def nice_max(v):
    if v <= 0:
        return 1
    for step in [1, 2, 5]:
        for exp in range(-3, 9):
            top = step * 10 ** exp
            if top >= v:
                return top
    return v


def chart(title, y_label, series, t0, t_end, kill_s=None, log_y=False):
    """series: list of (name, [(t_seconds, value)]); t0 and t_end in Unix milliseconds."""
    x_max = max(1.0, (t_end - t0) / 1000)
    values = [v for _, pts in series for _, v in pts]
    y_max = nice_max(max(values) if values else 1)
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(t):
        return PAD_L + (t / x_max) * pw

    def y(v):
        return PAD_T + ph - (min(v, y_max) / y_max) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15">{esc(title)}</text>']
    for i in range(6):
        v = y_max * i / 5
        out.append(f'<line x1="{PAD_L}" x2="{PAD_L + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        label = f"{v:g}"
        out.append(f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{label}</text>')
    steps = 10
    for i in range(steps + 1):
        t = x_max * i / steps
        out.append(f'<text x="{x(t):.1f}" y="{PAD_T + ph + 18}" text-anchor="middle">{t:.0f}</text>')
    out.append(f'<text x="{PAD_L + pw / 2}" y="{H - 6}" text-anchor="middle">seconds into the run</text>')
    out.append(f'<text x="16" y="{PAD_T + ph / 2}" transform="rotate(-90 16 {PAD_T + ph / 2})" text-anchor="middle">{esc(y_label)}</text>')
    out.append(f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>')
    if kill_s is not None:
        out.append(f'<line x1="{x(kill_s):.1f}" x2="{x(kill_s):.1f}" y1="{PAD_T}" y2="{PAD_T + ph}" stroke="black" stroke-dasharray="5,4"/>')
        out.append(f'<text x="{x(kill_s) + 4:.1f}" y="{PAD_T + 12}">kill -9</text>')
    for i, (name, pts) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        if pts:
            path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in sorted(pts))
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{path}"/>')
            if len(pts) < 120:
                # Few points (latencies only come when something happened): each is marked.
                out += [f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>' for t, v in pts]
        ly = PAD_T + 14 + i * 18
        out.append(f'<line x1="{W - PAD_R + 10}" x2="{W - PAD_R + 30}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" stroke-width="3"/>')
        out.append(f'<text x="{W - PAD_R + 35}" y="{ly}">{esc(name)}</text>')
    if y_max < (max(values) if values else 0):
        out.append(f'<text x="{PAD_L + 4}" y="{PAD_T + 12}" fill="#a00">clipped at {y_max:g}</text>')
    out.append("</svg>")
    return "\n".join(out)


def per_second(samples, t0, pct):
    """samples: [(t_ms, value)] -> [(second, percentile)] per whole second."""
    buckets = {}
    for t, v in samples:
        buckets.setdefault(int((t - t0) / 1000), []).append(v)
    out = []
    for s, vs in sorted(buckets.items()):
        vs.sort()
        out.append((s + 0.5, vs[min(len(vs) - 1, int(len(vs) * pct))]))
    return out


def main():
    report = json.loads(Path(sys.argv[1]).read_text())
    out_dir = Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    series = report["series"]
    t0 = report["started_ms"]
    t_end = report.get("ended_ms", t0 + 1000)
    kill = report.get("kill_at_ms")
    kill_s = (kill - t0) / 1000 if kill else None
    offers = [(s["t"], s["ms"]) for s in series.get("offer_latency", [])]
    app_offers = [(s["t"], s["ms"]) for s in series.get("offer_latency_app", [])]
    changes = [(s["t"], s["ms"]) for s in series.get("console_latency", [])]
    lat = [("offer in the app p99", per_second(app_offers, t0, 0.99)),
           ("offer end to end p50", per_second(offers, t0, 0.5)), ("offer end to end p99", per_second(offers, t0, 0.99)),
           ("change → console p50", per_second(changes, t0, 0.5)), ("change → console p99", per_second(changes, t0, 0.99))]
    (out_dir / "latency.svg").write_text(chart("Latency over time (per second)", "milliseconds", lat, t0, t_end, kill_s))
    samples = series.get("samples", [])
    queue = [("callers waiting", [((s["t"] - t0) / 1000, s["waiting"]) for s in samples]),
             ("callers talking", [((s["t"] - t0) / 1000, s["talking"]) for s in samples])]
    (out_dir / "queue.svg").write_text(chart("Callers over time", "callers", queue, t0, t_end, kill_s))
    states = ["available", "ringing", "talking", "wrap_up", "away", "reconnecting"]
    agents = [(name.replace("_", "-"), [((s["t"] - t0) / 1000, s["agents"].get(name, 0)) for s in samples]) for name in states]
    (out_dir / "agents.svg").write_text(chart("Agents by state", "agents", agents, t0, t_end, kill_s))
    print(f"plots written to {out_dir}: latency.svg queue.svg agents.svg")


if __name__ == "__main__":
    main()
