"""Loaded by every Python the tests start (PYTHONPATH): connections may go to loopback only.

tests/conftest.py imports this module for the tests' own process; through PYTHONPATH it also
covers the subprocesses (the CLI, its crawl and writer children, the servers). AF_UNIX paths
are local by definition and pass.
"""

import socket

_LOOPBACK = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(real):
    def connect(self, address):
        if not isinstance(address, str | bytes) and not str(address[0]).startswith(_LOOPBACK):
            raise OSError(f"tests may only connect to loopback, not {address!r}")
        return real(self, address)

    return connect


socket.socket.connect = _loopback_only(_real_connect)
socket.socket.connect_ex = _loopback_only(_real_connect_ex)
