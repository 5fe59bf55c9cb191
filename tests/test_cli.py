"""The command line: help everywhere, init and sources check for real, exit codes."""

import re
import sys

import pytest
from click.testing import CliRunner

from rivalwatch.cli import cli
from tests.conftest import ROOT, run_cli


def all_commands(group=cli, prefix=()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if hasattr(command, "commands"):
            yield from all_commands(command, path)


@pytest.mark.parametrize("path,command", list(all_commands()),
                         ids=[" ".join(p) for p, _ in all_commands()])
def test_every_command_has_help_with_an_example(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"rivalwatch {path[0]}" in result.output


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path, _ in all_commands():
        assert f"rivalwatch {' '.join(path)}" in readme, path


def test_init_writes_a_starter_that_sources_check_accepts(tmp_path):
    result = run_cli("init", "watch.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "watch.toml").read_text().startswith("# rivalwatch.toml")
    checked = run_cli("sources", "check", "-c", "watch.toml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "OK: 1 competitors, 4 sources, 3 tracked topics" in checked.stdout
    assert re.search(r"linear-pricing\s+page\s+linear\s+https://linear.app/pricing",
                     checked.stdout)


def test_init_refuses_to_overwrite(tmp_path):
    (tmp_path / "rivalwatch.toml").write_text("# mine\n")
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert (tmp_path / "rivalwatch.toml").read_text() == "# mine\n"


def test_config_mistake_exits_2_naming_file_and_key(tmp_path):
    (tmp_path / "rivalwatch.toml").write_text('[project]\nnmae = "x"\n')
    result = run_cli("sources", "check", cwd=tmp_path)
    assert result.returncode == 2
    assert "rivalwatch.toml" in result.stderr and "project.nmae: unknown key" in result.stderr


def test_missing_config_exits_2_and_says_how_to_create_one(tmp_path):
    result = run_cli("crawl", cwd=tmp_path)
    assert result.returncode == 2
    assert "rivalwatch init" in result.stderr


def test_config_from_environment_variable(tmp_path, monkeypatch):
    CliRunner().invoke(cli, ["init", str(tmp_path / "env.toml")])
    monkeypatch.setenv("RIVALWATCH_CONFIG", str(tmp_path / "env.toml"))
    result = CliRunner().invoke(cli, ["sources", "check"])
    assert result.exit_code == 0, result.output
    assert "env.toml: OK" in result.output


def test_bad_week_is_a_clear_error(tmp_path):
    CliRunner().invoke(cli, ["init", str(tmp_path / "rivalwatch.toml")])
    result = run_cli("report", "--week", "2026-48", cwd=tmp_path)
    assert result.returncode == 1
    assert "write it like 2026-W48" in result.stderr


def test_module_entry_point_prints_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "version" in result.output
    assert sys.executable


CLI_DOCS = ROOT / "docs" / "cli.md"


def cli_reference() -> str:
    """docs/cli.md, generated from the CLI's own help."""
    parts = ["# rivalwatch command reference\n",
             "Generated from `rivalwatch COMMAND --help` by tests/test_cli.py "
             "(`pytest tests/test_cli.py --update-golden` rewrites it).\n"]
    for path, _ in all_commands():
        help_text = CliRunner().invoke(cli, [*path, "--help"], prog_name="rivalwatch",
                                       terminal_width=100).output
        parts.append(f"## rivalwatch {' '.join(path)}\n\n```\n{help_text.rstrip()}\n```\n")
    return "\n".join(parts)


def test_cli_reference_is_generated_from_the_cli(update_golden):
    expected = cli_reference()
    if update_golden:
        CLI_DOCS.write_text(expected, encoding="utf-8")
    assert CLI_DOCS.read_text(encoding="utf-8") == expected, \
        "docs/cli.md is stale: run pytest tests/test_cli.py --update-golden"
