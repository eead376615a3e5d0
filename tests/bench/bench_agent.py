#!/usr/bin/env python3
"""Benchmark (not a test): iommu-agent on SYNTHETIC hosts (gen_host.py)
beside honest baselines measured in the same run, in A-B-B-A order (the
machine is shared and noisy), wall as medians and memory as peak RSS
(maxrss.c: the child's ru_maxrss).

usage: bench_agent.py AGENT [--floor BENCH_FLOOR] [--rounds 5] [--loop-runs 2]
                      [--compare OLD_AGENT] [--sweep] [--scratch DIR] [--keep]

On the 160-device host (60 groups, 20,000-line dmesg):
  - the agent vs one `lspci -vmm -nnk -A linux-sysfs -O sysfs.path=...`
    over the whole tree (the headline baseline: what an operator runs);
  - the agent vs bench_floor (tests/bench/bench_floor.c): only opening and
    reading the files the agent reads and a memchr scan of the log; target
    within 1.3x; strace checks that both open the same files;
  - the agent vs the classic shell loop over the groups calling `lspci -nns`
    per device (the old ratio, target >= 20x).
With --sweep: devices 40 to 8,000 (20,000-line four-boot kern.log), log
lines 2,000 to 2,000,000 (160 devices), and the 8,000-device host with the
2,000,000-line kern.log, whose report must hold every device and the last
boot's facts.  Trees go under --scratch (default /dev/shm: sysfs is in
memory too; a busy ext4 makes tree writes, not the agent, the measure).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MAXRSS = None
PCI_IDS = "/usr/share/misc/pci.ids"

LOOP = r'''
shopt -s nullglob
for g in $(ls "$ROOT/sys/kernel/iommu_groups" | sort -n); do
    echo "IOMMU Group $g:"
    for d in "$ROOT/sys/kernel/iommu_groups/$g/devices/"*; do
        printf '\t%s\n' "$(lspci -A linux-sysfs -O sysfs.path="$ROOT/sys/bus/pci" -nns "${d##*/}")"
    done
done
'''


def run(argv, out=os.devnull, env=None):
    """Wall seconds and peak RSS (KiB) of one run of argv, stdout to out."""
    with open(out, "wb") as f:
        p = subprocess.run([MAXRSS] + argv, stdout=f, stderr=subprocess.PIPE, env=env,
                           check=False)
    if p.returncode not in (0, 3):  # 3: the agent's report is over 8 MiB
        sys.exit("%s exited %d: %s" % (argv[0], p.returncode, p.stderr.decode()[-500:]))
    wall, rss = p.stderr.decode().split()[-2:]
    return float(wall), int(rss)


def abba(cmds, rounds, env=None):
    """Each of cmds (name -> argv) run 2 * rounds times, in the order
    A B .. B A per round: {name: (median wall, max RSS KiB)}."""
    names = list(cmds)
    walls = {n: [] for n in names}
    rss = {n: 0 for n in names}
    for _ in range(rounds):
        for n in names + names[::-1]:
            w, r = run(cmds[n], env=env)
            walls[n].append(w)
            rss[n] = max(rss[n], r)
    return {n: (statistics.median(walls[n]), rss[n]) for n in names}


def gen(scratch, name, *args):
    d = os.path.join(scratch, name)
    if not os.path.isdir(os.path.join(d, "root")):
        subprocess.check_call([sys.executable, os.path.join(HERE, "gen_host.py"), d] +
                              [str(a) for a in args])
    return os.path.join(d, "root")


def lspci(root):
    return ["lspci", "-A", "linux-sysfs", "-O", "sysfs.path=%s/sys/bus/pci" % root,
            "-vmm", "-nnk"]


def opened(argv):
    """The files argv opens for reading, each as its directory's real path
    and its name (strace -y shows the directory a descriptor is for: the
    agent opens a device's attributes relative to it), O_PATH opens and
    the loader's aside, and names under a missing directory; None without
    strace."""
    if shutil.which("strace") is None:
        return None
    pat = re.compile(r'open(?:at2?)\((?:AT_FDCWD|\d+)(?:<([^>]*)>)?, "([^"]*)"')
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as t:
        subprocess.run(["strace", "-f", "-y", "-e", "trace=openat,openat2", "-o", t.name] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        paths = set()
        for line in open(t.name):
            m = pat.search(line)
            if m is None or "O_PATH" in line:
                continue
            p = os.path.join(m.group(1) or os.getcwd(), m.group(2))
            p = os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))
            # a name under a missing directory: the agent finds the
            # directory missing (an O_PATH open) where the floor tries the name
            if not p.startswith(("/etc/ld.so", "/lib", "/usr/lib", "/etc/localtime",
                                 "/dev/urandom")) and os.path.isdir(os.path.dirname(p)):
                paths.add(p)
    return paths


def fmt(name, w, r):
    return "%-38s %10.2f %12.2f" % (name, w * 1e3, r / 1024)


def headline(a, agent_bin, floor, scratch):
    root = gen(scratch, "h160")
    ids = ["--pci-ids", PCI_IDS] if os.path.exists(PCI_IDS) else []
    agent = [agent_bin, "--root", root] + ids
    flo = [floor, root] + ids
    print("SYNTHETIC host (tests/bench/gen_host.py): 160 PCI devices in 60 groups, "
          "20,000-line dmesg; %d A-B-B-A rounds" % a.rounds)
    same = opened(flo), opened(agent)
    if same[0] is None:
        print("(no strace: the floor's file set not checked)")
    elif same[0] == same[1]:
        print("bench_floor opens the same %d paths as the agent (strace)" % len(same[0]))
    else:
        print("bench_floor and the agent open different paths: floor only %s; agent only %s"
              % (sorted(same[0] - same[1])[:5], sorted(same[1] - same[0])[:5]))
    for c in (agent, flo, lspci(root)):
        run(c)  # warm the page cache for all
    m = abba({"agent": agent, "floor": flo, "lspci": lspci(root),
              "agent-n": agent[:3], "floor-n": flo[:2]}, a.rounds)
    env = dict(os.environ, ROOT=root)
    loop = abba({"agent": agent, "loop": ["bash", "-c", LOOP]}, a.loop_runs, env)
    print("%-38s %10s %12s" % ("", "wall (ms)", "peak RSS (MB)"))
    print(fmt("iommu-agent", *m["agent"]))
    print(fmt("bench_floor (open+read, memchr)", *m["floor"]))
    print(fmt("lspci -vmm -nnk (one process)", *m["lspci"]))
    print(fmt("shell loop + lspci -nns", *loop["loop"]))
    print(fmt("iommu-agent, no pci.ids", *m["agent-n"]))
    print(fmt("bench_floor, no pci.ids", *m["floor-n"]))
    print("agent / floor: %.2fx (target <= 1.3x); without pci.ids (names): %.2fx"
          % (m["agent"][0] / m["floor"][0], m["agent-n"][0] / m["floor-n"][0]))
    print("one lspci -vmm -nnk / agent: %.2fx" % (m["lspci"][0] / m["agent"][0]))
    print("shell loop / agent: %.1fx (target >= 20x; agent %.2f ms in those rounds)"
          % (loop["loop"][0] / loop["agent"][0], loop["agent"][0] * 1e3))
    print("agent wall / 25 ms target: %.2f; agent RSS / 6 MB target: %.2f"
          % (m["agent"][0] * 1e3 / 25, m["agent"][1] / 1024 / 6))
    if not a.keep:
        shutil.rmtree(os.path.dirname(root))


def check_report(path, devices):
    r = json.load(open(path))
    got = sum(len(g["devices"]) for g in r["iommu"]["groups"]) + \
        len(r["iommu"].get("ungrouped") or [])
    last = (r["iommu"]["interrupt_remapping"]["mode"] == "x2apic" and
            r["kernel_log"]["fault_total"] == 1)
    bound = [e for e in r["errors"] if "bound" in e or "more PCI" in e or "than the" in e]
    return "%d/%d devices, last boot %s, %s" % (
        got, devices, "yes" if last else "NO", "bound errors: %s" % bound if bound else "no bound errors")


def sweep_point(a, agent_bin, floor, scratch, devices, lines, groups):
    name = "d%d-l%d" % (devices, lines)
    root = gen(scratch, name, "--devices", devices, "--groups", groups,
               "--kern-log", lines, "--boots", 4)
    agent = [agent_bin, "--root", root]
    flo = [floor, root]
    run(agent)
    m = abba({"agent": agent, "floor": flo, "lspci": lspci(root)}, a.sweep_rounds)
    out = os.path.join(scratch, name + ".json")
    run(agent, out)
    print("%7d %9d %9.1f %8.2f %9.1f %8.2f %9.1f %6.2fx   %s" % (
        devices, lines, m["agent"][0] * 1e3, m["agent"][1] / 1024, m["floor"][0] * 1e3,
        m["floor"][1] / 1024, m["lspci"][0] * 1e3, m["agent"][0] / m["floor"][0],
        check_report(out, devices)))
    sys.stdout.flush()
    if not a.keep:
        shutil.rmtree(os.path.dirname(root))
        os.unlink(out)


def sweep(a, agent_bin, floor, scratch):
    print()
    print("Sweeps (SYNTHETIC, gen_host.py --kern-log LINES --boots 4; groups = devices * 3 / 8;"
          " %d A-B-B-A rounds each)" % a.sweep_rounds)
    print("%7s %9s %9s %8s %9s %8s %9s %7s   %s" % (
        "devices", "log lines", "agent ms", "agent MB", "floor ms", "floor MB", "lspci ms",
        "a/floor", "report"))
    for d in (40, 160, 1000, 4000, 8000):
        sweep_point(a, agent_bin, floor, scratch, d, 20000, max(1, d * 3 // 8))
    for n in (2000, 200000, 2000000):
        sweep_point(a, agent_bin, floor, scratch, 160, n, 60)
    sweep_point(a, agent_bin, floor, scratch, 8000, 2000000, 3000)


def compare(a, agent_bin, scratch):
    """AGENT against --compare OLD (say, main's build) in A-B-B-A rounds."""
    print()
    print("iommu-agent vs --compare %s (%d A-B-B-A rounds)" % (a.compare, a.rounds))
    print("%-28s %12s %12s %10s %10s %8s" % ("host", "old ms", "new ms", "old MB", "new MB",
                                            "new/old"))
    for name, args in (("160 devices, dmesg", None),
                       ("8000 devices, 20k kern.log", (8000, 3000, 20000))):
        if args is None:
            root = gen(scratch, "h160")
        else:
            root = gen(scratch, "cmp-d%d" % args[0], "--devices", args[0], "--groups", args[1],
                       "--kern-log", args[2], "--boots", 4)
        cmds = {"old": [os.path.abspath(a.compare), "--root", root],
                "new": [agent_bin, "--root", root]}
        run(cmds["old"])  # warm the caches for both
        m = abba(cmds, a.rounds if args is None else 3)
        print("%-28s %12.2f %12.2f %10.2f %10.2f %7.2fx" % (
            name, m["old"][0] * 1e3, m["new"][0] * 1e3, m["old"][1] / 1024, m["new"][1] / 1024,
            m["new"][0] / m["old"][0]))
        sys.stdout.flush()


def main():
    global MAXRSS
    ap = argparse.ArgumentParser()
    ap.add_argument("agent")
    ap.add_argument("--floor", help="bench_floor (default: tests/bench_floor beside AGENT)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--loop-runs", type=int, default=2)
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--sweep-rounds", type=int, default=2)
    ap.add_argument("--scratch", default="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    ap.add_argument("--keep", action="store_true", help="keep the generated trees")
    ap.add_argument("--compare", metavar="OLD_AGENT",
                    help="also time OLD_AGENT against AGENT (160 and 8,000 devices)")
    a = ap.parse_args()
    agent = os.path.abspath(a.agent)
    floor = a.floor or os.path.join(os.path.dirname(agent), "tests", "bench_floor")
    if not os.path.exists(floor):
        sys.exit("no %s: build the bench_floor target (or give --floor)" % floor)
    scratch = tempfile.mkdtemp(prefix="iommu-bench-", dir=a.scratch)
    MAXRSS = os.path.join(scratch, "maxrss")
    subprocess.check_call(["cc", "-O2", "-o", MAXRSS, os.path.join(HERE, "maxrss.c")])
    try:
        headline(a, agent, floor, scratch)
        if a.compare:
            compare(a, agent, scratch)
        if a.sweep:
            sweep(a, agent, floor, scratch)
    finally:
        if not a.keep:
            shutil.rmtree(scratch)
        else:
            print("trees kept in %s" % scratch)


if __name__ == "__main__":
    main()
