"""Scrapy settings: polite and safe defaults.

Values that depend on rivalwatch.toml (user agent, timeouts, sizes, concurrency) are
applied by the spiders in from_crawler, from the config named by `-a config=...`.
"""

BOT_NAME = "rivalwatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

ROBOTSTXT_OBEY = True
USER_AGENT = "rivalwatch/0.1 (+https://github.com/rivalwatch/rivalwatch)"
TELNETCONSOLE_ENABLED = False
COOKIES_ENABLED = False

CONCURRENT_REQUESTS = 16
# Each response yields one result item; Scrapy's default of 100 starts 100 tasks per response.
CONCURRENT_ITEMS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 15
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX_SECONDS = 30

# Only the web: no file://, data:, ftp:// or s3:// fetches, even through a redirect.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.RetryAfterMiddleware": 550,  # retries that honour Retry-After
    "crawlers.middlewares.SizeLimitMiddleware": 560,  # "response too large" at DOWNLOAD_MAXSIZE
    # after HttpCompressionMiddleware (590) has decompressed the body
    "crawlers.middlewares.Utf8RepairMiddleware": 580,  # invalid UTF-8 bytes become U+FFFD
    "crawlers.middlewares.ConditionalGetMiddleware": 600,  # If-None-Match / If-Modified-Since
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,  # we keep our own state
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,  # no credentials, ever
}

EXTENSIONS = {
    "crawlers.logfilters.QuietRobotsErrors": 500,  # no traceback for an unreachable robots.txt
    # Not used, and each costs start-up time on every crawl (imports, listeners):
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "scrapy.extensions.memdebug.MemoryDebugger": None,
    "scrapy.extensions.spiderstate.SpiderState": None,
}

ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,  # clean text, hash content, pick dedupe key
    "pipelines.dedupe.DedupePipeline": 200,  # drop repeats within one crawl
    "pipelines.store.StorePipeline": 300,  # write documents and source health to SQLite
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
