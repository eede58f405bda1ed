"""Store peer: Python sqlite3 executemany upserts of the same CSV rows (WAL, synchronous=NORMAL,
10k rows per transaction, two indexes), the way a Python crawler would store events."""
import csv, json, os, sys, time, sqlite3

SCHEMA = """
PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
CREATE TABLE incidents (id TEXT PRIMARY KEY, vendor TEXT, title TEXT, start TEXT, "end" TEXT,
  status TEXT, severity TEXT, services TEXT, regions TEXT, cause TEXT, updates TEXT, sources TEXT);
CREATE INDEX incidents_vendor ON incidents (vendor, start);
CREATE INDEX incidents_start ON incidents (start);
"""
UPSERT = """INSERT INTO incidents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT(id) DO UPDATE SET title=excluded.title, "end"=excluded."end", status=excluded.status,
  updates=excluded.updates, sources=excluded.sources
WHERE incidents.updates IS NOT excluded.updates OR incidents.status IS NOT excluded.status"""

def main():
    csv_path, db = sys.argv[1], sys.argv[2]
    csv.field_size_limit(1 << 30)
    rows = list(csv.reader(open(csv_path, newline="")))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    start = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(SCHEMA)
    for i in range(0, len(rows), 10000):
        conn.execute("BEGIN")
        conn.executemany(UPSERT, rows[i:i + 10000])
        conn.execute("COMMIT")
    conn.close()
    seconds = time.perf_counter() - start
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    print(json.dumps({"rows": len(rows), "seconds": seconds, "rows_per_s": len(rows) / seconds}))

main()
