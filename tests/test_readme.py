"""The README's two commands stay true: CI runs the test command verbatim."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", (REPO / "README.md").read_text(), re.S)
    demo, tests = blocks[0].strip(), blocks[1].strip()
    assert "snakemake" in demo and "pytest" in tests
    assert tests in (REPO / ".ci" / "run").read_text().splitlines()


def schema_defaults() -> dict[str, object]:
    """section.key -> default, from the schema's top-level sections (backend sections nested one deeper)."""
    import yaml

    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    out = {}
    for section in ("detect", "layout", "animate", "pad", "output"):
        for key, sub in schema["properties"][section]["properties"].items():
            if key in ("kenburns", "parallax", "svd", "wan", "ltx", "runway", "fal"):
                for k, v in sub["properties"].items():
                    out[f"animate.{key}.{k}"] = v["default"]
            else:
                out[f"{section}.{key}"] = sub["default"]
    return out


def documented_defaults() -> dict[str, str]:
    """section.key -> default cell, from the tables in config/README.md."""
    out, section = {}, None
    for line in (REPO / "config" / "README.md").read_text().splitlines():
        heading = re.match(r"## `(\w+)`", line)
        if heading:
            section = heading.group(1)
        row = re.match(r"\| `([\w.]+)`(?:, `([\w.]+)`)?(?: \*\(run\)\*)? \| `([^`]*)` \|", line)
        if row and section:
            for key in filter(None, row.group(1, 2)):
                name = f"animate.{key}" if key.startswith(("kenburns.", "parallax.", "svd.", "wan.", "ltx.", "runway.", "fal.")) else f"{section}.{key}"
                out[name] = row.group(3)
    return out


def test_every_config_key_is_documented_with_its_default():
    def shown(value) -> str:
        if isinstance(value, bool):
            return str(value).lower()
        return "null" if value is None else str(value)

    from podmotion.settings import schema_defaults as section_defaults

    topic_defaults = section_defaults("topics")  # a map of names: the defaults of each entry
    documented = documented_defaults()
    expected = {key: shown(value) for key, value in schema_defaults().items()}
    expected.update({f"topics.{k}": shown(v) for k, v in topic_defaults.items() if not k.endswith("_pattern")})
    assert documented == expected
    doc = (REPO / "config" / "README.md").read_text()
    for key in ("image_pattern", "audio_pattern"):
        assert f"`{topic_defaults[key].replace('|', chr(92) + '|')}`" in doc
