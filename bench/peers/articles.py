"""Article peer: trafilatura or readability-lxml over the benchmark pages; writes the texts for
`outages-bench score` so that every extractor is scored by the project's metric."""
import json, os, sys, time

def main():
    mode, bench_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
    truth = json.load(open(os.path.join(bench_dir, "ground-truth.json")))
    pages = [(h, open(os.path.join(bench_dir, "html", h + ".html"), "rb").read().decode("utf-8", "replace"))
             for h in sorted(truth)]
    if mode == "trafilatura":
        import trafilatura
        def extract(html):
            return trafilatura.extract(html) or ""
    else:
        from readability import Document
        import lxml.html
        def extract(html):
            summary = Document(html).summary(html_partial=True)
            return lxml.html.fromstring(summary).text_content() if summary.strip() else ""
    texts = {}
    start = time.perf_counter()
    for h, html in pages:
        try:
            texts[h] = extract(html)
        except Exception:
            texts[h] = ""
    seconds = time.perf_counter() - start
    json.dump(texts, open(out, "w"))
    print(json.dumps({"pages": len(pages), "seconds": seconds, "pages_per_s": len(pages) / seconds}))

main()
