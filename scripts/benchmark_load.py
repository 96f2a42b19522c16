"""HTTP load for scripts/benchmark.py: wrk when installed, else a threaded Python client. Standard
library only; talks to 127.0.0.1 alone. Every result is a dict of requests, rps, p50/p95/p99 (ms), errors."""

import http.client
import json
import math
import subprocess
import tempfile
import threading
import time
from pathlib import Path


def fetch(port, path, headers, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def percentile(sorted_values, pct):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(pct / 100 * len(sorted_values)) - 1))]


def python_load(port, path, headers, total, concurrency, deadline):
    """``total`` GETs (fewer if ``deadline`` passes) from ``concurrency`` threads; each thread keeps its
    connection while the server does (gunicorn's sync workers close it after every response)."""
    lock, issued, latencies, failures = threading.Lock(), [0], [], [0]

    def worker():
        conn = None
        while True:
            with lock:
                if issued[0] >= total or time.monotonic() > deadline:
                    break
                issued[0] += 1
            started = time.perf_counter()
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                ok = False
                if conn is not None:
                    conn.close()
                conn = None
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                failures[0] += 0 if ok else 1
        if conn is not None:
            conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "errors": failures[0],
    }


# wrk counts a 3xx as a success; benchmark.py checks each page answers 200 before and after the run.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK-JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50\\": %d, \\"p95\\": %d, " ..
    "\\"p99\\": %d, \\"errors\\": %d}\\n", summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def wrk_threads(concurrency):
    return min(2, concurrency)


def wrk_load(port, path, headers, seconds, concurrency):
    """wrk for ``seconds`` with ``concurrency`` connections; latencies come from wrk's own histogram."""
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "report.lua"
        script.write_text(WRK_REPORT)
        command = ["wrk", f"-t{wrk_threads(concurrency)}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s"]
        command += ["-s", str(script)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://127.0.0.1:{port}{path}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    line = next((line for line in done.stdout.splitlines() if line.startswith("WRK-JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRK-JSON "))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "errors": raw["errors"],
    }


def wrk_version():
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).split("[")[0].strip()
