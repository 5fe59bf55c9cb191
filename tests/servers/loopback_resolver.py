"""A Scrapy DNS resolver for tests: loopback names resolve, every other name fails at once.

Pass `-s TWISTED_DNS_RESOLVER=tests.servers.loopback_resolver.LoopbackResolver` to a
crawl so no DNS query ever leaves the machine: a source on `feeds.example.invalid`
fails with twisted's DNSLookupError, as it would when the name does not exist.
"""

from __future__ import annotations

from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

LOOPBACK_NAMES = {"localhost": "127.0.0.1", "localhost.localdomain": "127.0.0.1"}


def loopback_address(name: str) -> str | None:
    """The IPv4 address of a loopback name or literal, or None for any other name."""
    name = name.lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return "127.0.0.1"
    parts = name.split(".")
    if len(parts) == 4 and parts[0] == "127" and all(p.isdigit() for p in parts):
        return name
    return None


@implementer(IResolverSimple)
class LoopbackResolver:
    """Answers 127.0.0.1 and localhost names; fails every other name immediately."""

    def __init__(self, reactor):
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout=()) -> defer.Deferred:  # noqa: N802 - Twisted API
        address = loopback_address(name)
        if address is None:
            return defer.fail(DNSLookupError(f"{name}: not a loopback name (tests stay offline)"))
        return defer.succeed(address)
