"""The README's two commands stay true: CI runs the test command verbatim."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", (REPO / "README.md").read_text(), re.S)
    demo, tests = blocks[0].strip(), blocks[1].strip()
    assert "snakemake" in demo and "pytest" in tests
    assert tests in (REPO / ".ci" / "run").read_text().splitlines()


def test_every_config_key_is_documented():
    import yaml

    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    doc = (REPO / "config" / "README.md").read_text()
    keys = []
    for section in ("detect", "output"):
        keys += list(schema["properties"][section]["properties"])
    keys += list(schema["$defs"]["animate"]["properties"]) + list(schema["$defs"]["pad"]["properties"])
    keys += [f"kenburns.{k}" for k in schema["$defs"]["animate"]["properties"]["kenburns"]["properties"]]
    missing = [k for k in keys if f"`{k}`" not in doc and f"`{k.split('.')[-1]}`" not in doc]
    assert not missing
