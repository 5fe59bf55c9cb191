"""Config loading: good files load, every kind of mistake names file, key and fix."""

from pathlib import Path

import pytest

from rivalwatch.config import ConfigError, load_config, parse_config
from rivalwatch.starter import starter_text

GOOD = """
[project]
name = "Acme"
db = "data/rw.db"

[[competitors]]
name = "Linear App"
aliases = ["Linear"]

  [[competitors.sources]]
  kind = "feed"
  url = "https://linear.app/rss/changelog.xml"

  [[competitors.sources]]
  kind = "page"
  url = "https://linear.app/pricing"
  label = "pricing"
  ignore = ['\\d+ teams']

[[feeds]]
name = "Industry News"
url = "https://news.example/rss"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rivalwatch.toml"
    path.write_text(text)
    return path


def test_good_config_loads_with_ids_and_paths_relative_to_the_file(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.competitors[0].id == "linear-app"
    assert [s.id for s in config.sources()] == [
        "linear-app-releases", "linear-app-pricing", "industry-news"]
    assert config.sources()[0].releases is True
    assert config.sources()[2].competitor_id is None
    assert config.db_path == tmp_path / "data" / "rw.db"


def test_starter_config_is_valid(tmp_path):
    config = load_config(write(tmp_path, starter_text()))
    assert {s.kind for s in config.sources()} == {"feed", "changelog", "page"}


CASES = [
    ("unknown key", GOOD.replace('name = "Acme"', 'nmae = "Acme"'),
     ["rivalwatch.toml", "project.nmae", "unknown key", "allowed keys here: ", "name"]),
    ("wrong type", GOOD.replace('aliases = ["Linear"]', 'aliases = "Linear"'),
     ["competitors[0] (Linear App).aliases", "valid list"]),
    ("bad URL scheme", GOOD.replace("https://news.example/rss", "ftp://news.example/rss"),
     ["feeds[0] (Industry News).url", "'ftp://news.example/rss'", "http:// or https://"]),
    ("bad kind", GOOD.replace('kind = "page"', 'kind = "website"'),
     ["competitors[0] (Linear App).sources[1].kind", "'feed', 'changelog' or 'page'"]),
    ("bad regex", GOOD.replace("'\\d+ teams'", "'(unclosed'"),
     ["sources[1].ignore", "not a valid regular expression"]),
    ("missing key", GOOD.replace('url = "https://news.example/rss"', ""),
     ["feeds[0] (Industry News).url", "required key is missing"]),
    ("duplicate id", GOOD + '\n[[competitors]]\nname = "linear app"\n',
     ["competitors[1].id", "duplicate id 'linear-app'", "set a different `id`"]),
    ("duplicate source id", GOOD + '\n[[feeds]]\nname = "Industry  news!"\nurl = "https://b.example/"\n',
     ["feeds[1] (Industry  news!).id", "duplicate id 'industry-news'"]),
    ("TOML syntax error", GOOD.replace('name = "Acme"', 'name = "Acme'),
     ["rivalwatch.toml", "TOML syntax error", "line 3"]),
]


@pytest.mark.parametrize("case,text,expected", CASES, ids=[c[0] for c in CASES])
def test_mistakes_name_the_file_the_key_and_the_fix(tmp_path, case, text, expected):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    for fragment in expected:
        assert fragment in str(error.value), f"{case}: {fragment!r} not in {error.value}"


def test_missing_file_says_how_to_create_one(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path / "nope.toml")
    assert "nope.toml: file not found" in str(error.value)
    assert "rivalwatch init" in str(error.value)


def test_parse_config_validates_text_like_a_file():
    config = parse_config(GOOD, "demo/rivalwatch.toml")
    assert config.db_path.name == "rw.db"
