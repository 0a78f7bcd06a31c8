-- The answers HAProxy gives itself when a pool cannot serve a request (haproxy.cfg's
-- `http-error`): no server up, or a request that waited past `timeout queue` (503); a
-- server silent past `timeout server` (504), or cut off before its answer (502); and the
-- front's own rate limit on the staff pool (429, too-many.html's words). People
-- meet a page of ours, in both languages (HAProxy cannot know theirs), saying when to try
-- again; the API's calls (txn.api, set in the front) get the API's error shape. And a
-- request whose body HAProxy cannot read (400, bad-request.html's words): said plainly,
-- nothing was done. The pages beside this file are read once, at start.

-- A page on one line: the `http-error` that sends it formats its body as a log line is,
-- which would write each line break as the text "%0A".
local function read(name)
    local file = assert(io.open(name, "rb"))
    local text = file:read("a")
    file:close()
    return (text:gsub("%s*\n%s*", " "))
end

-- One page, several sets of words: a 504's or a 502's (timeout.html), a 429's, a 400's take
-- the place of unavailable.html's title and <main>.
local page = read("unavailable.html")
local function part(text, pattern)
    return assert(text:match(pattern), pattern)
end
local function with_words(name)
    local words = read(name)
    return (page
        :gsub("<title>.-</title>", function() return part(words, "<title>.-</title>") end, 1)
        :gsub("<main>.*</main>", function() return part(words, "<main>.*</main>") end, 1))
end
local timeout_page = with_words("timeout.html")

local answers = {
    ["400"] = {
        page = with_words("bad-request.html"),
        api = '{"error": {"code": "bad_request", "message": "The request could not be read (the framing of its '
              .. 'body is broken); nothing was done: send it again whole."}}',
    },
    ["429"] = {
        page = with_words("too-many.html"),
        api = '{"error": {"code": "rate_limited", "message": "Too many requests from your address to the staff '
              .. 'pool; wait a few seconds."}}',
    },
    ["503"] = {
        page = page,
        api = '{"error": {"code": "service_unavailable", "message": "The box office is not answering for a moment; '
              .. 'try again in a few seconds."}}',
    },
    ["502"] = {
        page = timeout_page,
        api = '{"error": {"code": "bad_gateway", "message": "The box office stopped before answering and what was '
              .. 'asked may still have been done: send it again with the same Idempotency-Key to learn how it ended, '
              .. 'in a few seconds."}}',
    },
    ["504"] = {
        page = timeout_page,
        api = '{"error": {"code": "gateway_timeout", "message": "The box office took too long to answer and what '
              .. 'was asked may still have been done: send it again with the same Idempotency-Key to learn how it '
              .. 'ended, in a few seconds."}}',
    },
}

-- lua.unavailable(503): the body for this request. An API call's is JSON, and marked so
-- (txn.json_reply) for the front to say so in Content-Type: an http-error has but one.
core.register_fetches("unavailable", function(txn, status)
    local answer = answers[status]
    if txn:get_var("txn.api") then
        txn:set_var("txn.json_reply", true)
        return answer.api
    end
    return answer.page
end)
