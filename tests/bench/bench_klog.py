#!/usr/bin/env python3
"""Benchmark (not a test): iommu-agent streaming a SYNTHETIC multi-boot
kern.log (tests/bench/gen_klog.py) beside `grep -cEi 'dmar|amd-vi|iommu'`
over the same file, measured in this run in A-B-B-A order (grep, agent,
agent, grep, repeated), with the peak RSS of each.

usage: bench_klog.py AGENT [--lines 2000000] [--boots 5] [--rounds 5] [--keep DIR]
Targets (issue 9): agent wall per line within 1.5x of grep's, agent peak
RSS at most 6 MB, and the report describes the LAST boot (x2apic mode, one
fault), which a reader that stops early or holds the first boot gets wrong.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def run(maxrss, argv, out):
    with open(out, "wb") as f:  # grep -c to /dev/null would stop early
        p = subprocess.run([maxrss] + argv, stdout=f, stderr=subprocess.PIPE, check=False)
    if p.returncode not in (0, 1):
        sys.exit("%s exited %d: %s" % (argv[0], p.returncode, p.stderr.decode()[-300:]))
    wall, rss = p.stderr.decode().split()[-2:]
    return float(wall), int(rss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agent")
    ap.add_argument("--lines", type=int, default=2000000)
    ap.add_argument("--boots", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--keep")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    work = a.keep or tempfile.mkdtemp(prefix="iommu-bench-klog-")
    os.makedirs(work, exist_ok=True)
    maxrss = os.path.join(work, "maxrss")
    if not os.path.exists(maxrss):
        subprocess.check_call(["cc", "-O2", "-o", maxrss, os.path.join(here, "maxrss.c")])
    log = os.path.join(work, "kern-%d.log" % a.lines)
    if not os.path.exists(log):
        subprocess.check_call([sys.executable, os.path.join(here, "gen_klog.py"), log,
                               str(a.lines), "--boots", str(a.boots)])
    root = os.path.join(work, "empty-root")
    os.makedirs(root, exist_ok=True)
    grep = ["grep", "-cEi", "dmar|amd-vi|iommu", log]
    agent = [a.agent, "--root", root, "--hostname", "bench", "--kernel-log", log]
    out = os.path.join(work, "out")
    g, ag, grss, arss = [], [], [], []
    for _ in range(a.rounds):  # A B B A
        for which in ("grep", "agent", "agent", "grep"):
            w, r = run(maxrss, grep if which == "grep" else agent, out + "." + which)
            (g if which == "grep" else ag).append(w)
            (grss if which == "grep" else arss).append(r)
    rep = json.load(open(out + ".agent"))
    ok = (rep["iommu"]["interrupt_remapping"]["mode"] == "x2apic" and
          rep["kernel_log"]["fault_total"] == 1 and rep["kernel_log"]["complete"] is True)
    size = os.path.getsize(log)
    gm, am = statistics.median(g), statistics.median(ag)
    print("SYNTHETIC kern.log: %d lines, %d boots, %.1f MB; LC_ALL=%s" %
          (a.lines, a.boots, size / 1e6, os.environ.get("LC_ALL", os.environ.get("LANG", ""))))
    print("grep -cEi   median %.3f s  %.1f ns/line  peak RSS %d KiB" %
          (gm, gm / a.lines * 1e9, max(grss)))
    print("iommu-agent median %.3f s  %.1f ns/line  peak RSS %d KiB" %
          (am, am / a.lines * 1e9, max(arss)))
    print("agent/grep per line: %.2fx (target <= 1.5x); RSS %.1f MB (target <= 6 MB)" %
          (am / gm, max(arss) / 1024))
    print("last boot analysed: %s" % ("yes" if ok else "NO"))


if __name__ == "__main__":
    main()
