-- wrk script for benches/run: posts comments, each with a unique body (the
-- same text twice would be refused as a duplicate). BENCH_FORM holds the
-- form's hidden fields and BENCH_COOKIE the visitor's cookies, both taken
-- from one visit to the article page.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
local form = os.getenv("BENCH_FORM") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""

function request()
  counter = counter + 1
  local body = "author=Bench+" .. tid
    .. "&email=bench" .. tid .. "%40example.com"
    .. "&comment=Load+test+comment+" .. tid .. "-" .. counter
    .. "&" .. form
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if cookie ~= "" then
    headers["Cookie"] = cookie
  end
  return wrk.format("POST", nil, headers, body)
end
