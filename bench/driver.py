"""bench/run's driver: runs each stage of ours and its peers interleaved (A B A B ...), takes
medians per contender and, per round, the ratio of ours to each peer; prints the table and
writes bench/results.json. Every contender is a separate process that prints one JSON object."""
import argparse, datetime, json, os, platform, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))


def run_json(cmd, env=None, stdin=None, timeout=3600):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=stdin, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({out.returncode}): {out.stderr[-1500:]}")
    lines = [l for l in out.stdout.splitlines() if l.strip().startswith("{")]
    return json.loads(lines[-1])


def timed(cmd, **kw):
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed: {out.stderr[-1500:]}")
    return time.perf_counter() - start, out


class Stage:
    """One row group of the table: contenders measured interleaved, and the ratios asked."""

    def __init__(self, name, size, contenders, ratios, rounds=None):
        self.name, self.size, self.contenders, self.ratios = name, size, contenders, ratios
        self.samples = {c: [] for c in contenders}
        # A stage may ask for fewer rounds than the run's (the store and end-to-end stages at
        # a million events, where one round takes minutes); the table says so.
        self.rounds = rounds

    def run(self, rounds, log):
        rounds = self.rounds or rounds
        for r in range(rounds):
            for name, fn in self.contenders.items():
                try:
                    self.samples[name].append(fn())
                except Exception as e:  # a failed contender is reported, not fatal
                    log(f"  {self.name} {name} round {r + 1}: {e}")
            log(f"  {self.name} n={self.size} round {r + 1}/{rounds} done")

    def summary(self):
        med = {}
        for c, s in self.samples.items():
            keys = {k for x in s for k, v in x.items() if isinstance(v, (int, float))}
            med[c] = {k: statistics.median(x[k] for x in s if k in x) for k in sorted(keys)}
            extra = next((x for x in s if x), {})
            for k, v in extra.items():
                if not isinstance(v, (int, float)):
                    med[c][k] = v
        rows = []
        for (label, ours, peer, metric, higher, goal) in self.ratios:
            a, b = self.samples.get(ours, []), self.samples.get(peer, [])
            per_round = []
            for x, y in zip(a, b):
                if metric in x and metric in y and x[metric] > 0 and y[metric] > 0:
                    per_round.append(x[metric] / y[metric] if higher else y[metric] / x[metric])
            row = {"ratio": label, "metric": metric, "ours": ours, "peer": peer, "goal": goal,
                   "rounds": len(per_round)}
            if per_round:
                row.update(median=statistics.median(per_round), min=min(per_round), max=max(per_round))
                row["met"] = None if goal is None else row["median"] >= goal
            rows.append(row)
        return {"stage": self.name, "size": self.size, "medians": med, "ratios": rows,
                "stage_rounds": self.rounds}


def machine():
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"host": platform.node(), "kernel": platform.release(), "cpu": cpu, "cores": os.cpu_count()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--bench-bin", required=True)
    ap.add_argument("--outages-bin", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated stages to run")
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--sizes", default="", help="comma-separated event counts, instead of the mode's")
    ap.add_argument("--big-rounds", type=int, default=3,
                    help="rounds of every stage at a million events or more")
    args = ap.parse_args()
    quick = args.quick
    sizes = [10_000] if quick else [10_000, 100_000, 1_000_000]
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",")]
    crawl_urls = 2_000 if quick else 50_000
    rounds = max(5, args.rounds)
    only = set(filter(None, args.only.split(",")))
    want = lambda s: not only or s in only
    B, O, PY, W = args.bench_bin, args.outages_bin, args.python, args.work
    os.makedirs(W, exist_ok=True)
    log = lambda m: print(m, file=sys.stderr, flush=True)
    started = time.time()
    stages = []

    log(f"preparing corpora {sizes} in {W}")
    run_json([B, "prepare", "--work", W, "--events", "0", "--feeds", "20"])
    for n in sizes:
        log(f"  prepare n={n}: {run_json([B, 'prepare', '--work', W, '--events', str(n)], timeout=7200)}")

    feeds_real = os.path.join(SHARED, "bench", "feeds")
    feeds_gen = os.path.join(W, "feeds")
    articles = os.path.join(SHARED, "bench", "article-extraction")

    if want("feeds"):
        # feedparser runs at about 3 MB/s: in --quick it parses the first 40 files (a rate).
        fp_limit = "40" if quick else "0"
        stages.append(Stage("feed parsing", "200 real + 20 generated", {
            "ours": lambda: run_json([B, "feeds", "--dir", feeds_real, "--dir", feeds_gen]),
            "fastfeedparser": lambda: run_json([PY, f"{HERE}/peers/feeds.py", "fastfeedparser", "0", feeds_real, feeds_gen]),
            "feedparser": lambda: run_json([PY, f"{HERE}/peers/feeds.py", "feedparser", fp_limit, feeds_real, feeds_gen]),
        }, [("MB/s vs fastfeedparser", "ours", "fastfeedparser", "mb_per_s", True, 1.0),
            ("MB/s vs feedparser", "ours", "feedparser", "mb_per_s", True, None)]))

    if want("articles"):
        def peer_article(mode):
            def go():
                out = os.path.join(W, f"articles-{mode}.json")
                r = run_json([PY, f"{HERE}/peers/articles.py", mode, articles, out])
                r.update({k: v for k, v in run_json([B, "score", "--dir", articles, "--extracted", out]).items() if k != "pages"})
                return r
            return go
        stages.append(Stage("article text", "181 pages", {
            "ours": lambda: run_json([B, "articles", "--dir", articles]),
            "trafilatura": peer_article("trafilatura"),
            "readability": peer_article("readability"),
        }, [("pages/s vs trafilatura", "ours", "trafilatura", "pages_per_s", True, 8.0),
            ("F1 vs trafilatura", "ours", "trafilatura", "f1", True, None),
            ("pages/s vs readability", "ours", "readability", "pages_per_s", True, None)]))

    # A stage at a million events or more runs --big-rounds rounds, said in the table.
    big = lambda n: args.big_rounds if n >= 1_000_000 else None
    for n in sizes:
        ns = str(n)
        # A 1M round of FTS5 indexing alone takes minutes: fewer rounds there, said in the
        # log and in results.json (the stage's "stage_rounds").
        few = big(n)
        if few and (want("index") or want("search")):
            log(f"  n={n}: {few} rounds for indexing and search instead of {rounds}")
        if want("index"):
            stages.append(Stage("indexing", n, {
                "ours": lambda ns=ns: run_json([B, "index", "--work", W, "--events", ns]),
                "ours-rows": lambda ns=ns: run_json([B, "index", "--work", W, "--events", ns, "--from-rows"]),
                "fts5": lambda ns=ns: run_json([B, "index", "--work", W, "--events", ns, "--engine", "fts5"]),
            }, [("docs/s vs FTS5", "ours", "fts5", "docs_per_s", True, 4.0),
                ("docs/s vs FTS5, both from rows", "ours-rows", "fts5", "docs_per_s", True, None)],
                rounds=few))
        if want("search"):
            stages.append(Stage("search", n, {
                "ours": lambda ns=ns: run_json([B, "search", "--work", W, "--events", ns]),
                "fts5": lambda ns=ns: run_json([B, "search", "--work", W, "--events", ns, "--engine", "fts5"]),
            }, [("p50 speed-up vs FTS5", "ours", "fts5", "p50_ms", False, 20.0),
                ("p99 speed-up vs FTS5", "ours", "fts5", "p99_ms", False, None)],
                rounds=few))

    for n in (sizes if want("store") else []):
        ns = str(n)
        d = os.path.join(W, f"n{n}")
        def cli_import(n=n, d=d):
            db = os.path.join(d, "scratch-cli.sqlite")
            for s in ("", "-wal", "-shm"):
                if os.path.exists(db + s):
                    os.remove(db + s)
            script = f"""PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
CREATE TABLE incidents (id TEXT PRIMARY KEY, vendor TEXT, title TEXT, start TEXT, "end" TEXT,
  status TEXT, severity TEXT, services TEXT, regions TEXT, cause TEXT, updates TEXT, sources TEXT);
CREATE INDEX incidents_vendor ON incidents (vendor, start);
CREATE INDEX incidents_start ON incidents (start);
CREATE TEMP TABLE staging (id, vendor, title, start, "end", status, severity, services, regions, cause, updates, sources);
.import --csv {d}/events.csv staging
INSERT INTO incidents SELECT * FROM staging WHERE true ON CONFLICT(id) DO UPDATE SET
  title=excluded.title, "end"=excluded."end", status=excluded.status, updates=excluded.updates,
  sources=excluded.sources WHERE incidents.updates IS NOT excluded.updates;
"""
            seconds, _ = timed(["sqlite3", db], input=script)
            for s in ("", "-wal", "-shm"):
                if os.path.exists(db + s):
                    os.remove(db + s)
            return {"rows": n, "seconds": seconds, "rows_per_s": n / seconds}
        stages.append(Stage("store", n, {
            "ours": lambda ns=ns: run_json([B, "store", "--work", W, "--events", ns]),
            "sqlite3-import": cli_import,
            "python-executemany": lambda d=d: run_json([PY, f"{HERE}/peers/store.py", f"{d}/events.csv", f"{d}/scratch-py.sqlite"]),
        }, [("rows/s vs sqlite3 .import", "ours", "sqlite3-import", "rows_per_s", True, 0.8),
            ("rows/s vs Python executemany", "ours", "python-executemany", "rows_per_s", True, None)],
            rounds=big(n)))

    if want("crawl"):
        server = subprocess.Popen([B, "serve", "--urls", str(crawl_urls)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        port = json.loads(server.stdout.readline())["port"]
        base = f"http://127.0.0.1:{port}"
        def wrk(conditional=False):
            # A re-crawl is compared with wrk sending the same If-None-Match (304s throughout).
            env = dict(os.environ, BENCH_URLS=str(crawl_urls), BENCH_CONDITIONAL="1" if conditional else "0")
            _, out = timed(["wrk", "-t1", "-c64", "-d3s", "-s", f"{HERE}/peers/wrk-rotate.lua", base + "/"], env=env)
            for line in out.stdout.splitlines():
                if line.startswith("Requests/sec:"):
                    key = "recrawl_req_per_s" if conditional else "req_per_s"
                    return {key: float(line.split()[1])}
            raise RuntimeError("wrk printed no Requests/sec")
        # aiohttp + feedparser fetches about 130 URLs/s here: at 50,000 URLs five rounds of it
        # alone would take half an hour. In the full run it crawls the first 2,000 URLs per
        # round (as many as the quick run) and its rate is compared; the size column says so.
        peer_urls = min(crawl_urls, 2_000)
        crawl_size = crawl_urls if peer_urls == crawl_urls else f"{crawl_urls} (peer {peer_urls}/round)"
        crawl_stage = Stage("crawl", crawl_size, {
            "ours": lambda: run_json([B, "crawl", "--base", base, "--urls", str(crawl_urls), "--work", W]),
            "wrk": wrk,
            "wrk-304": lambda: wrk(conditional=True),
            "aiohttp+feedparser": lambda: run_json([PY, f"{HERE}/peers/crawl.py", base, str(peer_urls), "64"]),
        }, [("first crawl req/s vs wrk (the limit)", "ours", "wrk", "req_per_s", True, 0.5),
            ("re-crawl (304) req/s vs wrk with If-None-Match", "ours", "wrk-304", "recrawl_req_per_s", True, 0.5),
            ("first crawl req/s vs aiohttp+feedparser", "ours", "aiohttp+feedparser", "req_per_s", True, 5.0)])
        stages.append(crawl_stage)

    if want("e2e"):
        for n in sizes:
            ns = str(n)
            def e2e(ns=ns):
                with tempfile.TemporaryDirectory(dir=W) as data:
                    return run_json([PY, f"{HERE}/peers/rss.py", O, "--data-dir", data, "ingest",
                                     os.path.join(W, f"n{ns}", "archive")])
            stages.append(Stage("end to end", n, {
                "ours": e2e,
                "stage-sum": lambda ns=ns: run_json([B, "stages", "--work", W, "--events", ns]),
            }, [("stage sum / ingest time", "ours", "stage-sum", "seconds", False, 1 / 1.5)],
                rounds=big(n)))

    for st in stages:
        log(f"stage {st.name} ({st.size})")
        st.run(st.rounds or rounds, log)
    if want("crawl"):
        server.stdin.close()
        server.wait(timeout=30)

    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full", "rounds": rounds, "machine": machine(),
        "elapsed_s": round(time.time() - started, 1),
        "stages": [s.summary() for s in stages],
    }
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    print_table(results)


def fmt(v):
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def print_table(results):
    m = results["machine"]
    print(f"outages benchmarks, {results['mode']} run, {results['date']}, {m['cpu']} ({m['cores']} cores), "
          f"{results['rounds']} interleaved rounds, medians")
    print(f"{'stage':<14} {'size':>24} {'ratio':<30} {'ours':>10} {'peer':>10} {'median':>7} {'min':>7} {'max':>7} {'goal':>6}  met")
    for s in results["stages"]:
        size = str(s["size"]) + (f" ({s['stage_rounds']} rounds)" if s.get("stage_rounds") else "")
        for r in s["ratios"]:
            ours = s["medians"].get(r["ours"], {}).get(r["metric"], float("nan"))
            peer = s["medians"].get(r["peer"], {}).get(r["metric"], float("nan"))
            goal = "" if r["goal"] is None else f"{r['goal']:.2f}x"
            if "median" in r:
                print(f"{s['stage']:<14} {size:>24} {r['ratio']:<30} {fmt(ours):>10} {fmt(peer):>10} "
                      f"{r['median']:>6.2f}x {r['min']:>6.2f}x {r['max']:>6.2f}x {goal:>6}  {'-' if r['met'] is None else 'yes' if r['met'] else 'NO'}")
            else:
                print(f"{s['stage']:<14} {size:>24} {r['ratio']:<30} no paired rounds")
        extra = []
        for c, med in s["medians"].items():
            for k in ("p99_ms", "counted_p50_ms", "counted_p99_ms", "f1", "ok", "peak_rss_mb", "failed"):
                if k in med and not isinstance(med[k], list):
                    extra.append(f"{c} {k}={fmt(med[k])}")
        if extra:
            print(f"{'':<14} {'':>24} " + ", ".join(extra))


def reprint(path):
    """Prints the table of a results file again (`driver.py --table FILE`)."""
    with open(path) as f:
        print_table(json.load(f))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--table":
        reprint(sys.argv[2])
    else:
        main()
