#!/usr/bin/env python3
"""Benchmark (not a test): iommu-agent on a SYNTHETIC large host beside the
classic shell loop over /sys/kernel/iommu_groups calling `lspci -nns`, both
measured in this run on the same tree.

usage: bench_agent.py AGENT [--runs 30] [--keep DIR]
Prints the median wall time and the peak RSS of each, and the ratios against
the targets (agent < 25 ms and < 6 MB there; >= 20x faster than the loop).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

LOOP = r'''
shopt -s nullglob
for g in $(ls "$ROOT/sys/kernel/iommu_groups" | sort -n); do
    echo "IOMMU Group $g:"
    for d in "$ROOT/sys/kernel/iommu_groups/$g/devices/"*; do
        printf '\t%s\n' "$(lspci -A linux-sysfs -O sysfs.path="$ROOT/sys/bus/pci" -nns "${d##*/}")"
    done
done
'''


def run(argv, env=None):
    """Wall seconds and peak RSS (KiB) of one run of argv, output discarded."""
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        p = subprocess.Popen(argv, stdout=null, env=env)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("%s exited %d" % (argv[0], p.returncode))
    return wall, ru.ru_maxrss


def measure(argv, runs, env=None):
    walls, rss = [], []
    for _ in range(runs):
        w, r = run(argv, env)
        walls.append(w)
        rss.append(r)
    return statistics.median(walls), max(rss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agent")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--keep")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="iommu-bench-")
    here = os.path.dirname(os.path.abspath(__file__))
    if not os.path.isdir(os.path.join(work, "root")):
        subprocess.check_call([sys.executable, os.path.join(here, "gen_host.py"), work])
    root = os.path.join(work, "root")
    agent = [a.agent, "--root", root]
    run(agent)  # warm the page cache for both
    env = dict(os.environ, ROOT=root)
    loop = ["bash", "-c", LOOP]
    run(loop, env)
    aw, ar = measure(agent, a.runs)
    lw, lr = measure(loop, max(3, a.runs // 10), env)
    print("synthetic host: 160 PCI devices in 60 groups, 20,000-line kernel log")
    print("%-34s %10s %12s" % ("", "wall (ms)", "peak RSS (MB)"))
    print("%-34s %10.2f %12.2f" % ("iommu-agent (median of %d)" % a.runs, aw * 1e3, ar / 1024))
    print("%-34s %10.2f %12.2f" % ("shell loop + lspci -nns", lw * 1e3, lr / 1024))
    print("speed-up over the shell loop: %.1fx (target >= 20x)" % (lw / aw))
    print("agent wall / 25 ms target: %.2f; agent RSS / 6 MB target: %.2f" % (aw * 1e3 / 25, ar / 1024 / 6))


if __name__ == "__main__":
    main()
