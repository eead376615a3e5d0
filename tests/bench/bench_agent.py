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

MAXRSS = None

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
    """Wall seconds and peak RSS (KiB) of one run of argv, output discarded,
    measured by the small maxrss launcher (see maxrss.c)."""
    p = subprocess.run([MAXRSS] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=env, check=False)
    if p.returncode != 0:
        sys.exit("%s exited %d: %s" % (argv[0], p.returncode, p.stderr.decode()[-500:]))
    wall, rss = p.stderr.decode().split()[-2:]
    return float(wall), int(rss)


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
    global MAXRSS
    MAXRSS = os.path.join(work, "maxrss")
    subprocess.check_call(["cc", "-O2", "-o", MAXRSS, os.path.join(here, "maxrss.c")])
    agent = [a.agent, "--root", root]
    if os.path.exists("/usr/share/misc/pci.ids"):
        agent += ["--pci-ids", "/usr/share/misc/pci.ids"]  # names, as lspci prints
    run(agent)  # warm the page cache for both
    env = dict(os.environ, ROOT=root)
    loop = ["bash", "-c", LOOP]
    run(loop, env)
    aw, ar = measure(agent, a.runs)
    lw, lr = measure(loop, max(3, a.runs // 10), env)
    print("SYNTHETIC host (tests/bench/gen_host.py): 160 PCI devices in 60 groups, 20,000-line kernel log")
    print("%-34s %10s %12s" % ("", "wall (ms)", "peak RSS (MB)"))
    print("%-34s %10.2f %12.2f" % ("iommu-agent (median of %d)" % a.runs, aw * 1e3, ar / 1024))
    print("%-34s %10.2f %12.2f" % ("shell loop + lspci -nns", lw * 1e3, lr / 1024))
    print("(the loop's RSS is its largest single process: bash or one lspci)")
    print("speed-up over the shell loop: %.1fx (target >= 20x)" % (lw / aw))
    print("agent wall / 25 ms target: %.2f; agent RSS / 6 MB target: %.2f" % (aw * 1e3 / 25, ar / 1024 / 6))


if __name__ == "__main__":
    main()
