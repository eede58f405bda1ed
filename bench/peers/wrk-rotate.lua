-- Spreads wrk's requests over the same feed URLs the crawlers fetch. With BENCH_CONDITIONAL=1
-- each request carries the ETag the bench server gives that URL, as a re-crawl does, and is
-- answered 304 Not Modified.
local urls = tonumber(os.getenv("BENCH_URLS") or "1000")
local conditional = os.getenv("BENCH_CONDITIONAL") == "1"
local n = 0
request = function()
  n = (n + 1) % urls
  local headers = {}
  if conditional then
    headers["If-None-Match"] = '"feed-' .. n .. '"'
  end
  return wrk.format("GET", "/feeds/" .. n .. ".atom", headers)
end
