"""Feed crawling: rivalwatch against a bare Scrapy + feedparser spider, same feeds, same run.

Serves 200 generated RSS feeds of 50 entries each on 127.0.0.1, then times:
  1. a bare Scrapy spider that downloads every feed and parses it with feedparser;
  2. `rivalwatch crawl` over the same feeds into a fresh SQLite database;
  3. `rivalwatch crawl` again, with nothing changed (conditional GET, 304s).
Both crawlers run with the same concurrency and no AutoThrottle (a loopback server
needs no politeness). Prints feeds/second, the ratio, and re-crawl / first-crawl time.
"""

from __future__ import annotations

import email.utils
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import start_server  # noqa: E402

FEEDS, ENTRIES, CONCURRENCY = 200, 50, 16

# The bare spider: download and parse with feedparser; with an ETag file, a conditional
# re-crawl that sends If-None-Match as rivalwatch does (the floor for a re-crawl).
BARE_SPIDER = textwrap.dedent("""
    import json, os, sys, feedparser, scrapy
    from scrapy.crawler import CrawlerProcess

    ETAGS = sys.argv[1]
    KNOWN = json.load(open(ETAGS)) if os.path.exists(ETAGS) else {}

    class Bare(scrapy.Spider):
        name = "bare"
        seen = {}
        async def start(self):
            for url in sys.argv[2:]:
                headers = {"If-None-Match": KNOWN[url]} if url in KNOWN else {}
                yield scrapy.Request(url, headers=headers,
                                     meta={"handle_httpstatus_list": [304]})
        def parse(self, response):
            self.seen[response.url] = response.headers.get("ETag", b"").decode()
            if response.status == 200:
                feed = feedparser.parse(response.body)
                self.crawler.stats.inc_value("entries", len(feed.entries))
        def closed(self, reason):
            if not KNOWN:
                json.dump(self.seen, open(ETAGS, "w"))

    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": %d,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": %d, "ROBOTSTXT_OBEY": True,
                              "TELNETCONSOLE_ENABLED": False})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    print(crawler.stats.get_value("entries") or 0, crawler.stats.get_value("elapsed_time_seconds"))
""") % (CONCURRENCY, CONCURRENCY)


def make_feeds(folder: Path) -> None:
    for f in range(FEEDS):
        items = "".join(_item(f, e) for e in range(ENTRIES))
        (folder / f"feed{f}.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Vendor {f} news</title><link>https://vendor{f}.example/</link>"
            f"{items}</channel></rss>", encoding="utf-8")


def _item(f: int, e: int) -> str:
    date = email.utils.formatdate(1_760_000_000 + e * 86400 + f * 60, usegmt=True)
    return (f"<item><title>Vendor {f} ships feature {e}</title>"
            f"<link>https://vendor{f}.example/news/{e}</link><guid>v{f}-{e}</guid>"
            f"<pubDate>{date}</pubDate><description>&lt;p&gt;Vendor {f} released feature {e} "
            f"with faster sync, new &lt;b&gt;pricing&lt;/b&gt; controls and bug fixes for teams "
            f"that use usage-based billing.&lt;/p&gt;</description></item>")


def write_config(folder: Path, base: str) -> Path:
    lines = ['[project]\nname = "bench"\ndb = "bench.db"\n',
             f"[crawl]\nautothrottle = false\nconcurrent_requests = {CONCURRENCY}\n"
             f"concurrent_per_domain = {CONCURRENCY}\n"]
    lines += [f'[[feeds]]\nname = "Vendor {f}"\nurl = "{base}/feed{f}.xml"\n' for f in range(FEEDS)]
    path = folder / "rivalwatch.toml"
    path.write_text("\n".join(lines))
    return path


def timed(command: list[str], cwd: Path) -> tuple[float, str, float]:
    """Wall time of the whole command, its stdout, and Scrapy's own crawl time."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    crawl = re.search(r"'elapsed_time_seconds': ([\d.]+)", result.stderr)
    return wall, result.stdout, float(crawl.group(1)) if crawl else float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "site").mkdir()
        make_feeds(folder / "site")
        server = start_server(ROOT / "tests" / "servers" / "fixture_server.py",
                              str(folder / "site"), log_path=folder / "log.jsonl")
        try:
            run(folder, server.url)
        finally:
            server.process.kill()


def run(folder: Path, base: str) -> None:
    urls = [f"{base}/feed{f}.xml" for f in range(FEEDS)]
    bare = [sys.executable, "-c", BARE_SPIDER, str(folder / "etags.json"), *urls]
    bare_time, bare_out, _ = timed(bare, folder)
    bare_again_time, bare_again_out, _ = timed(bare, folder)
    entries, bare_crawl = bare_out.split()
    bare_again_crawl = float(bare_again_out.split()[1])
    write_config(folder, base)
    rivalwatch = [sys.executable, "-m", "rivalwatch", "-v", "crawl", "-c", "rivalwatch.toml"]
    first_time, first_out, first_crawl = timed(rivalwatch, folder)
    again_time, again_out, again_crawl = timed(rivalwatch, folder)
    bare_crawl = float(bare_crawl)
    print(f"feeds: {FEEDS} x {ENTRIES} entries; bare spider parsed {entries} entries")
    print("                          process wall   feeds/s   (Scrapy's crawl time)")
    print(f"bare Scrapy + feedparser: {bare_time:8.2f} s {FEEDS / bare_time:9.1f}   "
          f"({bare_crawl:.2f} s)")
    print(f"rivalwatch crawl:         {first_time:8.2f} s {FEEDS / first_time:9.1f}   "
          f"({first_crawl:.2f} s)")
    print(f"rivalwatch re-crawl:      {again_time:8.2f} s {'':>9}   ({again_crawl:.2f} s)")
    print(f"bare conditional re-crawl:{bare_again_time:8.2f} s {'':>9}   "
          f"({bare_again_crawl:.2f} s)  (the same 200 requests answered 304, nothing else)")
    print(f"ratio rivalwatch / bare (feeds/s): {bare_time / first_time:.2f}x process wall, "
          f"{bare_crawl / first_crawl:.2f}x crawl time  (target >= 0.7x)")
    print(f"re-crawl / first crawl: {again_time / first_time:.1%} process wall, "
          f"{again_crawl / first_crawl:.1%} crawl time  (target <= 15%)")
    print(f"bare re-crawl / bare first crawl: {bare_again_time / bare_time:.1%} process wall, "
          f"{bare_again_crawl / bare_crawl:.1%} crawl time")
    print(first_out.strip().splitlines()[1], "|", again_out.strip().splitlines()[0])


if __name__ == "__main__":
    main()
