"""Runs a command and prints its wall time and peak resident memory as JSON."""
import json, resource, subprocess, sys, time
start = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if rc.returncode != 0:
    sys.stderr.write(rc.stderr.decode(errors="replace")[-2000:])
    sys.exit(rc.returncode)
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024}))
