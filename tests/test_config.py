import pytest

from pipeline.config import ConfigError, load_config


def test_defaults_come_from_the_default_file():
    config = load_config()
    assert config.language.source == "de" and config.language.target == "en"
    assert config.summary.algorithm == "lexrank"


def test_a_config_file_overrides_only_its_keys_and_options_override_the_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[summary]\nalgorithm = 'lsa'\nlength = '20%'\n", encoding="utf-8")
    config = load_config(path, {"summary.length": "5", "translate.beam_size": None})
    assert (config.summary.algorithm, config.summary.length) == ("lsa", "5")
    assert config.translate.beam_size == load_config().translate.beam_size


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[summary]\nalgorithm = 'magic'\n", "summary.algorithm"),
        ("[summary]\nlength = 'lots'\n", "summary.length"),
        ("[translate]\nbeam_size = 0\n", "translate.beam_size"),
        ("[translate]\ninter_threads = -1\n", "translate.inter_threads"),
        ("[translate]\nbeam_size = 'four'\n", "translate.beam_size must be int"),
        ("[translate]\nbeem_size = 4\n", "unknown key translate.beem_size"),
        ("[colour]\nx = 1\n", "unknown section"),
        ("[output]\nformats = ['odt']\n", "output.formats"),
        ("[review]\nmin_confidence = 0.5\n", "review.min_confidence must be ≥ -1000 and ≤ 0"),
        ("this is = not toml", "cannot read config"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, problem):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and problem in str(err.value)
