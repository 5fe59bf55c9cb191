"""Docs that run: the README's commands, config example and CI entry point."""

import re
import tomllib
from pathlib import Path

from rivalwatch.config import parse_config
from tests.conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_ci_runs_the_readme_test_command():
    first_block = code_blocks("sh")[0]
    test_command = next(line.split("#")[0].strip() for line in first_block.splitlines()
                        if line.startswith("make test"))
    ci_script = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci_script.splitlines()


def test_readme_config_example_is_valid():
    (example,) = code_blocks("toml")
    config = parse_config(example)
    assert config.competitors[0].name == "Linear"
    assert tomllib.loads(example)["feeds"][0]["name"] == "Industry news"


def test_readme_quickstart_runs_offline_up_to_the_crawl(tmp_path: Path):
    quickstart = code_blocks("sh")[1]
    for line in quickstart.splitlines():
        command = line.split("#")[0].split()
        if not command or command[0].startswith("$") or command[1] != "init" and \
                command[1:3] != ["sources", "check"]:
            continue
        result = run_cli(*command[1:], cwd=tmp_path)
        assert result.returncode == 0, (line, result.stderr)
    assert (tmp_path / "rivalwatch.toml").exists()


def test_readme_config_error_example_is_what_the_code_says(tmp_path):
    (tmp_path / "rivalwatch.toml").write_text('[project]\nnmae = "x"\n')
    result = run_cli("sources", "check", cwd=tmp_path)
    quoted = re.search(r"`(rivalwatch\.toml: 1 problem.*?)`", README, re.S).group(1)
    assert " ".join(result.stderr.split()).endswith(" ".join(quoted.split()))
