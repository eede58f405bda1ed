"""Crawl peer: Python aiohttp with 64 requests in flight, each body parsed by feedparser."""
import asyncio, json, sys, time
import aiohttp, feedparser

async def main():
    base, urls, concurrency = sys.argv[1].rstrip("/"), int(sys.argv[2]), int(sys.argv[3])
    queue = list(range(urls))
    ok = failed = entries = 0
    async def worker(session):
        nonlocal ok, failed, entries
        while queue:
            n = queue.pop()
            try:
                async with session.get(f"{base}/feeds/{n}.atom") as r:
                    body = await r.read()
                    if r.status == 200:
                        entries += len(feedparser.parse(body).entries)
                        ok += 1
                    else:
                        failed += 1
            except Exception:
                failed += 1
    start = time.perf_counter()
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    seconds = time.perf_counter() - start
    print(json.dumps({"requests": urls, "ok": ok, "failed": failed, "entries": entries,
                      "seconds": seconds, "req_per_s": urls / seconds}))

asyncio.run(main())
