"""Every documented config word that YAML reads as a boolean (``off``, ``no``, ``on``, ``yes``) works written bare,
as the README writes it: the config check takes it, it reaches the code as the word, and a workflow run obeys it."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import yaml
from synth import make_podcast

from podmotion.settings import SCHEMA_PATH, YAML_BOOL_WORDS, config_problem, load_schema, normalise

SCHEMA = load_schema(SCHEMA_PATH)
PLACEHOLDERS = ("ep", "2")  # a name for a map of names (an episode), then for the next one down (a scene)


def _resolve(node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = SCHEMA
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"},
                "properties": {**target.get("properties", {}), **node.get("properties", {})}}  # fmt: skip
    return node


def bool_words(node: dict = SCHEMA, path: tuple[str, ...] = (), depth: int = 0) -> list[tuple[tuple, str]]:
    """(config path, word) for every enum word of the schema that YAML reads as a boolean."""
    node = _resolve(node)
    found = []
    for sub in [node, *node.get("oneOf", []), *node.get("anyOf", [])]:
        for value in _resolve(sub).get("enum", []):
            if isinstance(value, str) and isinstance(yaml.safe_load(f"k: {value}")["k"], bool):
                found.append((path, value))
    for key, sub in node.get("properties", {}).items():
        found += bool_words(sub, (*path, key), depth)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and depth < len(PLACEHOLDERS):
        found += bool_words(extra, (*path, PLACEHOLDERS[depth]), depth + 1)
    return sorted(set(found))


def nested_yaml(path: tuple[str, ...], word: str) -> str:
    """The YAML text that sets ``path`` to ``word``, written bare, as a user writes it."""
    lines = ["podcasts:", "  ep: episode.mp4"]
    for depth, key in enumerate(path[:-1]):
        lines.append("  " * depth + f"{key}:")
    lines.append("  " * (len(path) - 1) + f"{path[-1]}: {word}")
    return "\n".join(lines) + "\n"


def test_the_schema_s_boolean_looking_words_are_found():
    """The walk finds layout.mode's off everywhere it can be set: globally and per episode."""
    found = bool_words()
    assert (("layout", "mode"), "off") in found
    assert (("layout", "episodes", "ep", "mode"), "off") in found
    for _, word in found:
        assert word.lower() in YAML_BOOL_WORDS[True] + YAML_BOOL_WORDS[False]


@pytest.mark.parametrize("path, word", bool_words(), ids=lambda v: ".".join(v) if isinstance(v, tuple) else v)
def test_each_word_written_bare_passes_the_check_as_the_word(path, word):
    text = nested_yaml(path, word)
    config = yaml.safe_load(text)
    node = config
    for key in path:
        node = node[key]
    assert isinstance(node, bool)  # what YAML makes of it
    config = normalise(config)
    assert config_problem(config, SCHEMA) is None, text
    node = config
    for key in path:
        node = node[key]
    assert node == word, text


def test_a_boolean_where_the_schema_takes_booleans_stays_one():
    config = normalise(yaml.safe_load("podcasts: {ep: a.mp4}\npad: {drift: off}\n"))
    assert config["pad"]["drift"] is False and config_problem(config, SCHEMA) is None
    config = normalise(yaml.safe_load("podcasts: {ep: a.mp4}\nlayout: {mode: yes}\n"))  # no such word: refused
    assert "layout.mode = True is not allowed; allowed values: auto, off" in config_problem(config, SCHEMA)


@pytest.mark.parametrize("path, word", bool_words(), ids=lambda v: ".".join(v) if isinstance(v, tuple) else v)
def test_each_word_written_bare_runs_the_workflow(workflow, path, word):
    """A dry run of the whole workflow takes the config file with the word written bare."""
    make_podcast(workflow.workdir / "episode.mp4", [10], 20, width=64, height=36, fps=Fraction(10))
    config = workflow.workdir / "config.yaml"
    config.write_text(nested_yaml(path, word) + "output: {preset: veryfast}\n")
    workflow.write_config = lambda: config
    out = workflow.run("--dry-run")
    assert "detect_scenes" in out.stdout


def test_layout_mode_off_written_bare_turns_the_layout_off(workflow):
    """The README's ``layout: {mode: off}``: detection writes a layout with every scene whole-frame art."""
    make_podcast(workflow.workdir / "episode.mp4", [12, 25], 40, width=96, height=64, fps=Fraction(10))
    config = workflow.workdir / "config.yaml"
    config.write_text("podcasts:\n  ep: episode.mp4\nlayout:\n  mode: off\noutput: {preset: veryfast}\n")
    workflow.write_config = lambda: config
    workflow.run("results/ep/scenes")
    layout = json.loads(workflow.result("ep", "scenes", "layout.json").read_text())
    assert layout["mode"] == "off"
    assert [(a["x"], a["y"], a["width"], a["height"]) for a in layout["art"]] == [(0, 0, 96, 64)] * 3
