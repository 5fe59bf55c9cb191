"""Shared fixtures: loopback-only network, golden files, a fixture HTTP server."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# Loopback-only connects for this process: the same guard every test subprocess loads.
import tests.netguard.sitecustomize  # noqa: F401


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request) -> bool:
    """True when the run was asked to rewrite golden files."""
    return request.config.getoption("--update-golden")




ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# Subprocesses get the loopback-only guard too, through tests/netguard/sitecustomize.py.
TEST_PYTHONPATH = os.pathsep.join([str(ROOT / "tests" / "netguard"), str(ROOT)])


@dataclass
class LocalServer:
    """A server subprocess on 127.0.0.1 and the log of the requests it received."""

    url: str
    log_path: Path
    process: subprocess.Popen

    def requests(self) -> list[dict]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line]

    def clear_log(self) -> None:
        self.log_path.write_text("")


def start_server(script: Path, *args: str, log_path: Path) -> LocalServer:
    """Start a server script that prints `PORT <n>`; returns once it listens."""
    process = subprocess.Popen([sys.executable, str(script), *args, str(log_path)],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise RuntimeError(f"{script.name} did not start: {line!r}")
    return LocalServer(f"http://127.0.0.1:{int(line.split()[1])}", log_path, process)


@pytest.fixture(scope="session")
def fixture_server(tmp_path_factory):
    """tests/fixtures served over HTTP on 127.0.0.1, port 0, with conditional GET."""
    log_path = tmp_path_factory.mktemp("fixture-server") / "requests.jsonl"
    server = start_server(ROOT / "tests" / "servers" / "fixture_server.py", str(FIXTURES),
                          log_path=log_path)
    yield server
    server.process.kill()
    server.process.wait()


def run_cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `rivalwatch` command in a subprocess and return its result."""
    env = {**os.environ, "PYTHONPATH": TEST_PYTHONPATH, "RIVALWATCH_CONFIG": ""}
    return subprocess.run([sys.executable, "-m", "rivalwatch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def site_server(tmp_path):
    """A server over a fresh copy of the small feed site, which a test may edit."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "feeds" / "site", root)
    server = start_server(ROOT / "tests" / "servers" / "fixture_server.py", str(root),
                          log_path=tmp_path / "requests.jsonl")
    server.root = root
    yield server
    server.process.kill()
    server.process.wait()
