"""The tests' network guard: loopback only, in this process and in every subprocess.

The probes call the guarded `socket.socket.connect` with a stand-in object instead of a
socket: a working guard refuses the address first; a missing guard fails on the stand-in
with a TypeError. Either way no packet is ever sent.
"""

import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import TEST_PYTHONPATH

PROBE = """
import socket
try:
    socket.socket.connect(object(), ("192.0.2.1", 80))
except OSError as error:
    print("refused:", error)
except TypeError:
    print("unguarded")
"""


def test_this_process_may_not_leave_loopback():
    with pytest.raises(OSError, match="only connect to loopback"):
        socket.socket.connect(object(), ("192.0.2.1", 80))


def test_subprocesses_may_not_leave_loopback():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": TEST_PYTHONPATH}, timeout=60)
    assert result.stdout.startswith("refused: tests may only connect to loopback"), result.stdout
