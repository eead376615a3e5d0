#!/usr/bin/env python3
"""Benchmark (not a test): HTTP push into `iommu-collector serve` by many
keep-alive clients, beside `iommu-collector import` of the same reports,
both measured in this run on fresh databases.

usage: bench_http.py COLLECTOR [--reports 3000] [--hosts 100] [--clients 16]
                     [--rounds 3] [--client curl|python] [--template FILE]
                     [--keep DIR]
Reports are realistic (tests/integration/data/report-template.json, ~32 KB,
a Dell R640) with a new id each, and a new kernel every third report of a
host, as in the import benchmark.  Import and HTTP alternate for --rounds
rounds (fresh databases each time), so load from other processes hits
both alike; prints each round, then the best rate of each, the HTTP
p50/p99 latency of the best round, and the ratio http/import (target >= 0.8).
The clients are the curl CLI's parallel transfers (--parallel-max CLIENTS
connections kept alive, one C process, so the client's own cost stays
small), or Python threads with http.client (--client python).
Use a build without sanitizers (-DCMAKE_BUILD_TYPE=Release).
"""
import argparse
import http.client
import resource
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "..", "integration", "data", "report-template.json")


def make_reports(template, n, hosts):
    text = open(template).read()
    out = []
    for i in range(n):
        h = "bench-%03d" % (i % hosts)
        k = i // hosts // 3  # a new content every third report of a host
        day = 1 + (i // hosts) // 24
        hour = (i // hosts) % 24
        body = (text
                .replace("6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b",
                         "6f1c2b9e-8d4a-4e55-9a7b-%012x" % i)
                .replace("2026-11-23T08:00:00Z",
                         "2025-12-%02dT%02d:00:00Z" % (day, hour))
                .replace('"hostname": "r640-01"', '"hostname": "%s"' % h)
                .replace('"kernel": "6.1.0-13-amd64"', '"kernel": "6.1.0-%d-amd64"' % (13 + k)))
        out.append((h, body.encode()))
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def run_import(a, work, rdir, rnd):
    """Seconds for `import` of every report into a fresh database."""
    idb = os.path.join(work, "import%d.db" % rnd)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run([a.collector, "--db", idb, "import", rdir], check=True,
                   stdout=subprocess.DEVNULL)
    t = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return t, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def cpu_seconds(pid):
    """user + system CPU of a running process, from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def curl_clients(a, work, rdir, reports, port, tokens):
    """All reports through one curl process, CLIENTS transfers at a time."""
    cfg = os.path.join(work, "curl.cfg")
    with open(cfg, "w") as f:
        for i, (h, _) in enumerate(reports):
            if i > 0:
                f.write("next\n")  # not after the last: no empty transfer
            f.write('url = "http://127.0.0.1:%d/v1/reports"\n'
                    'header = "Authorization: Bearer %s"\n'
                    'header = "Content-Type: application/json"\n'
                    'data-binary = "@%s"\n'
                    'output = "/dev/null"\n'
                    'write-out = "%%{http_code} %%{time_total}\\n"\n' % (port, tokens[h], os.path.join(rdir, "r%06d.json" % i)))
    t0 = time.monotonic()
    out = subprocess.run(["curl", "-s", "--parallel", "--parallel-max", str(a.clients),
                          "-K", cfg], capture_output=True, text=True, check=False).stdout
    t = time.monotonic() - t0
    lat, errors = [], []
    for line in out.strip().split("\n"):
        code, secs = line.split()
        lat.append(float(secs))
        if code not in ("200", "201"):
            errors.append(code)
    if len(lat) != len(reports):
        errors.append("%d answers for %d reports" % (len(lat), len(reports)))
    return t, lat, errors


def run_http(a, work, rdir, reports, rnd):
    """Seconds for the clients to push every report into a fresh
    database through serve, the latencies, and the rows stored."""
    hdb = os.path.join(work, "http%d.db" % rnd)
    tokens = {}
    for i in range(a.hosts):  # not timed
        h = "bench-%03d" % i
        tokens[h] = subprocess.run([a.collector, "--db", hdb, "token", "add", h],
                                   check=True, capture_output=True,
                                   text=True).stdout.strip()
    port = free_port()
    log = open(os.path.join(work, "serve%d.log" % rnd), "w")
    serve = subprocess.Popen([a.collector, "--db", hdb, "serve", "--listen",
                              "127.0.0.1:%d" % port, "--max-per-ip", "256",
                              "--queue", "256"], stderr=log)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("serve did not start")

        c0 = cpu_seconds(serve.pid)
        if a.client == "curl":
            t_http, lat, errors = curl_clients(a, work, rdir, reports, port, tokens)
            return finish_http(t_http, lat, errors, hdb, cpu_seconds(serve.pid) - c0)
        lat = []
        errors = []
        lock = threading.Lock()
        # each client takes whole hosts, so one host's reports arrive in order
        shares = [[] for _ in range(a.clients)]
        for h, body in reports:
            shares[int(h.split("-")[1]) % a.clients].append((h, body))

        def client(share):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            mine = []
            for h, body in share:
                t = time.monotonic()
                c.request("POST", "/v1/reports", body=body, headers={
                    "Content-Type": "application/json",
                    "Authorization": "Bearer " + tokens[h]})
                r = c.getresponse()
                r.read()
                mine.append(time.monotonic() - t)
                if r.status not in (200, 201):
                    with lock:
                        errors.append(r.status)
            c.close()
            with lock:
                lat.extend(mine)

        threads = [threading.Thread(target=client, args=(s,)) for s in shares]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t_http = time.monotonic() - t0
        cpu = cpu_seconds(serve.pid) - c0
    finally:
        serve.terminate()
        serve.wait()
        log.close()
    return finish_http(t_http, lat, errors, hdb, cpu)


def finish_http(t_http, lat, errors, hdb, cpu):
    if errors:
        sys.exit("HTTP errors: %s" % sorted(set(errors)))
    stored = subprocess.run(["sqlite3", hdb, "SELECT count(*) FROM observations"],
                            capture_output=True, text=True).stdout.strip()
    return t_http, lat, stored, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("collector")
    ap.add_argument("--reports", type=int, default=3000)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--client", choices=("curl", "python"), default="curl")
    ap.add_argument("--template", default=TEMPLATE)
    ap.add_argument("--keep")
    a = ap.parse_args()

    work = a.keep or tempfile.mkdtemp(prefix="bench_http.")
    os.makedirs(work, exist_ok=True)
    try:
        reports = make_reports(a.template, a.reports, a.hosts)
        rdir = os.path.join(work, "reports")
        os.makedirs(rdir, exist_ok=True)
        for i, (_, body) in enumerate(reports):
            with open(os.path.join(rdir, "r%06d.json" % i), "wb") as f:
                f.write(body)
        size = sum(len(b) for _, b in reports) / len(reports)

        n = len(reports)
        best_i = best_h = None
        for rnd in range(1, a.rounds + 1):
            t_import, cpu_i = run_import(a, work, rdir, rnd)
            t_http, lat, stored, cpu_h = run_http(a, work, rdir, reports, rnd)
            print("round %d: import %.1f reports/s (CPU %.2f ms/report), "
                  "http %.1f reports/s (p50 %.1f ms, p99 %.1f ms, serve CPU %.2f "
                  "ms/report, stored %s)"
                  % (rnd, n / t_import, cpu_i * 1e3 / n, n / t_http, pct(lat, 50) * 1e3,
                     pct(lat, 99) * 1e3, cpu_h * 1e3 / n, stored), flush=True)
            if best_i is None or t_import < best_i:
                best_i = t_import
            if best_h is None or t_http < best_h[0]:
                best_h = (t_http, lat)
        r_import = n / best_i
        r_http = n / best_h[0]
        print("reports: %d of %.0f bytes, %d hosts, %d keep-alive clients, best of %d"
              % (n, size, a.hosts, a.clients, a.rounds))
        print("import: %8.1f reports/s" % r_import)
        print("http:   %8.1f reports/s, latency p50 %.1f ms, p99 %.1f ms"
              % (r_http, pct(best_h[1], 50) * 1e3, pct(best_h[1], 99) * 1e3))
        print("ratio http/import: %.2f (target >= 0.8)" % (r_http / r_import))
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
