"""Config: one-line validation messages and the settings each scene ends up with.

The Snakemake side validates with ``snakemake.utils.validate`` (which also fills
in the schema's defaults); before that, ``config_problem`` turns the first
schema violation into one line that names the key and what is allowed.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path

import yaml


def load_schema(path: str | Path) -> dict:
    return yaml.safe_load(Path(path).read_text())


def normalise(config: dict) -> dict:
    """YAML reads ``3:`` as an int; scene numbers in overrides are compared as strings."""
    overrides = config.get("overrides") or {}
    if isinstance(overrides, dict):
        config["overrides"] = {
            ep: ({str(k): v for k, v in scenes.items()} if isinstance(scenes, dict) else scenes)
            for ep, scenes in overrides.items()
        }
    return config


def _key(path) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _describe(error) -> str:
    key = _key(error.absolute_path)
    validator, schema = error.validator, error.schema
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        where = f"{key}." if error.absolute_path else ""
        names = ", ".join(f"{where}{e}" for e in extra) or key
        listed = ", ".join(allowed) if allowed else "none"
        return f"config: unknown key {names}; allowed keys here: {listed}"
    if validator == "enum":
        allowed = ", ".join(str(v) for v in schema["enum"])
        return f"config: {key} = {error.instance!r} is not allowed; allowed values: {allowed}"
    if validator == "pattern":
        return f"config: {key}: {error.instance!r} does not match {schema['pattern']}"
    if validator == "oneOf":
        options = []
        for sub in schema["oneOf"]:
            kind = sub.get("type")
            rng = []
            for bound, word in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("multipleOf", "multiple of")):
                if bound in sub:
                    rng.append(f"{word} {sub[bound]}")
            if "pattern" in sub:
                rng.append("like '30000/1001'")
            options.append(f"{kind}{' ' + ' '.join(rng) if rng else ''}")
        return f"config: {key} = {error.instance!r} is not allowed; allowed: {', or '.join(options)}"
    return f"config: {key} = {error.instance!r}: {error.message}"


def config_problem(config: dict, schema: dict) -> str | None:
    """The first thing wrong with ``config``, as one line, or None."""
    import jsonschema
    from jsonschema.exceptions import best_match

    for section in ("podcasts", "overrides"):
        names = config.get(section)
        odd = [k for k in names if not isinstance(k, str)] if isinstance(names, dict) else []
        if odd:
            return (f"config: {section}: episode name {odd[0]!r} is not text; YAML reads yes/no/on/off/true/false "
                    "and bare numbers as other types: put the name in quotes")  # fmt: skip
    validator = jsonschema.Draft202012Validator(schema)
    error = best_match(validator.iter_errors(config))
    if error is not None:
        return _describe(error)
    fps = (config.get("output") or {}).get("fps")
    if fps is not None and not 1 <= rate_from_config(fps) <= MAX_FPS:
        return f"config: output.fps = {fps!r} is not allowed; allowed: 1 to {MAX_FPS} frames per second"
    return None


MAX_FPS = 240


def rate_from_config(value) -> Fraction:
    """``output.fps`` as an exact rate: 25 -> 25, 29.97 -> 2997/100, "30000/1001" -> 30000/1001."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(str(value))


def deep_merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scene_settings(config: dict, episode: str, scene: int) -> dict:
    """``{"animate": ..., "pad": ...}`` for one scene: the global sections with its override merged in."""
    override = (config.get("overrides") or {}).get(episode, {}).get(str(int(scene)), {})
    return {
        "animate": deep_merge(config["animate"], override.get("animate", {})),
        "pad": deep_merge(config["pad"], override.get("pad", {})),
    }
