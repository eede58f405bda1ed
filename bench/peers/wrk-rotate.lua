-- Spreads wrk's requests over the same feed URLs the crawlers fetch.
local urls = tonumber(os.getenv("BENCH_URLS") or "1000")
local n = 0
request = function()
  n = (n + 1) % urls
  return wrk.format("GET", "/feeds/" .. n .. ".atom")
end
