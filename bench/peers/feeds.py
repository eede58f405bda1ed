"""Feed-parsing peer: fastfeedparser or feedparser over the same files, read into memory first."""
import json, os, sys, time

def main():
    mode, limit, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    files = []
    for d in dirs:
        for root, _, names in os.walk(d):
            files += [os.path.join(root, n) for n in names]
    files.sort()
    if limit > 0:
        files = files[:limit]
    docs = [open(f, "rb").read() for f in files]
    if mode == "fastfeedparser":
        import fastfeedparser as parser
    else:
        import feedparser as parser
    ok, failed = 0, []
    start = time.perf_counter()
    for f, d in zip(files, docs):
        try:
            parser.parse(d)
            ok += 1
        except Exception as e:  # a rejected feed counts as not parsed
            failed.append(f"{f}: {type(e).__name__}")
    seconds = time.perf_counter() - start
    size = sum(len(d) for d in docs)
    print(json.dumps({"files": len(docs), "ok": ok, "bytes": size, "seconds": seconds,
                      "mb_per_s": size / 1e6 / seconds, "failed": failed[:5]}))

main()
