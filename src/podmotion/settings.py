"""Config: one-line validation messages and the settings each scene ends up with.

The Snakemake side validates with ``snakemake.utils.validate`` (which also fills
in the schema's defaults); before that, ``config_problem`` turns the first
schema violation into one line that names the key and what is allowed.
"""

from __future__ import annotations

import copy
import functools
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import yaml


SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def load_schema(path: str | Path = SCHEMA_PATH) -> dict:
    return yaml.safe_load(Path(path).read_text())


@functools.cache
def _schema() -> dict:
    return load_schema(SCHEMA_PATH)


def schema_defaults(*section: str) -> dict:
    """The schema's defaults for one section, the only place defaults live: ``("output",)``,
    ``("animate", "kenburns")``, or ``("topics",)`` (the defaults of every topic's entry)."""
    node = _schema()
    for key in section:
        node = node["properties"][key]
        if "properties" not in node and isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]  # a map of names: each entry's properties
    return {key: copy.deepcopy(spec["default"]) for key, spec in node.get("properties", {}).items()
            if isinstance(spec, dict) and "default" in spec}  # fmt: skip


def normalise(config: dict, schema: dict | None = None) -> dict:
    """What YAML reads as another type, made what the config means: ``3:`` (an int) is scene "3" in overrides,
    and a bare ``off`` (read as false) is "off" where the schema allows that word (``yaml_words``)."""
    overrides = config.get("overrides") or {}
    if isinstance(overrides, dict):
        config["overrides"] = {
            ep: ({str(k): v for k, v in scenes.items()} if isinstance(scenes, dict) else scenes)
            for ep, scenes in overrides.items()
        }
    schema = _schema() if schema is None else schema
    for key, value in list(config.items()):
        config[key] = yaml_words(value, schema.get("properties", {}).get(key, {}), schema)
    return config


# The words YAML 1.1 (PyYAML's) reads as booleans, by the value it gives them.
YAML_BOOL_WORDS = {True: ("on", "yes", "y", "true"), False: ("off", "no", "n", "false")}


def yaml_words(value, node: dict, root: dict):
    """``value`` with every boolean that stands where the schema allows only words (an ``enum`` of strings,
    such as ``layout.mode: [auto, "off"]``) turned back into the word YAML read as that boolean."""
    node = _resolved(node, root)
    if isinstance(value, bool):
        allowed = [v for sub in [node, *node.get("oneOf", []), *node.get("anyOf", [])]
                   for v in _resolved(sub, root).get("enum", [])]  # fmt: skip
        if value not in [v for v in allowed if isinstance(v, bool)]:
            words = [v for v in allowed if isinstance(v, str) and v.lower() in YAML_BOOL_WORDS[value]]
            return words[0] if words else value
        return value
    if isinstance(value, dict):
        props, extra = node.get("properties", {}), node.get("additionalProperties")
        return {k: yaml_words(v, props.get(k, extra if isinstance(extra, dict) else {}), root)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        items = node.get("items") if isinstance(node.get("items"), dict) else {}
        return [yaml_words(v, items, root) for v in value]
    return value


def _resolved(node: dict, root: dict) -> dict:
    """``node`` with its ``$ref`` (``#/$defs/...``) followed; keys beside the ``$ref`` win, properties merged."""
    if not isinstance(node, dict) or "$ref" not in node:
        return node if isinstance(node, dict) else {}
    target = root
    for part in node["$ref"].lstrip("#/").split("/"):
        target = target[part]
    target = _resolved(target, root)
    merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    merged["properties"] = {**target.get("properties", {}), **node.get("properties", {})}
    for key, sub in target.get("properties", {}).items():
        if key in node.get("properties", {}):
            merged["properties"][key] = {**sub, **node["properties"][key]}
    return merged


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

    for section in ("podcasts", "topics", "overrides"):
        names = config.get(section)
        odd = [k for k in names if not isinstance(k, str)] if isinstance(names, dict) else []
        if odd:
            return (f"config: {section}: episode name {odd[0]!r} is not text; YAML reads yes/no/on/off/true/false "
                    "and bare numbers as other types: put the name in quotes")  # fmt: skip
    validator = jsonschema.Draft202012Validator(schema)
    error = best_match(validator.iter_errors(config))
    if error is not None:
        return _describe(error)
    problem = svd_problem(config)
    if problem:
        return problem
    fps = (config.get("output") or {}).get("fps")
    if fps is not None and not 1 <= rate_from_config(fps) <= MAX_FPS:
        return f"config: output.fps = {fps!r} is not allowed; allowed: 1 to {MAX_FPS} frames per second"
    return None


MAX_FPS = 240


def rate_from_config(value) -> Fraction:
    """``output.fps`` as an exact rate: 25 -> 25, 29.97 -> 2997/100, "30000/1001" -> 30000/1001."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(str(value))


def deep_merge(base: dict, extra: dict) -> dict:
    """A copy of ``base`` with ``extra`` merged in, dict into dict; nothing in it is shared with either."""
    out = _copied(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = _copied(value)
    return out


_SCALARS = (str, int, float, bool, type(None))


def _copied(value):
    """A deep copy of config data: its dicts, lists and scalars (what YAML gives) copied here, two to three times
    quicker than ``copy.deepcopy`` (a scene's settings are merged several times per job the workflow plans);
    anything else by ``copy.deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)


def scene_settings(config: dict, episode: str, scene: int) -> dict:
    """``{"animate": ..., "pad": ...}`` for one scene: the global sections with its override merged in."""
    override = (config.get("overrides") or {}).get(episode, {}).get(str(int(scene)), {})
    return {
        "animate": deep_merge(config["animate"], override.get("animate", {})),
        "pad": deep_merge(config["pad"], override.get("pad", {})),
    }


def chapter_titles(config: dict, episode: str) -> dict[str, str]:
    """The chapter titles given in ``overrides`` for one episode: scene number (a string) -> title."""
    scenes = (config.get("overrides") or {}).get(episode, {})
    return {str(int(scene)): o["title"] for scene, o in scenes.items() if o.get("title")}


def backend_options(config: dict, episode: str, scene: int, backend: str, runtime_keys: tuple[str, ...]) -> tuple[dict, dict]:
    """(the options that shape the clip, the ones that say how to run it) for one scene's backend."""
    options = scene_settings(config, episode, scene)["animate"].get(backend, {}) or {}
    shaping = {k: v for k, v in options.items() if k not in runtime_keys}
    runtime = {k: v for k, v in options.items() if k in runtime_keys}
    return shaping, runtime


def fallback_chain(config: dict, episode: str, scene: int, backend: str) -> list[str]:
    """The backends a scene tries, in turn, when its own fails: ``animate.fallback`` (the scene's, else the
    global list), else the backend's own ``fallback``, else kenburns."""
    animate = scene_settings(config, episode, scene)["animate"]
    chain = animate.get("fallback")
    if chain is None:
        chain = [(animate.get(backend) or {}).get("fallback") or "kenburns"]
    return [name for name in chain if name != backend]


def animate_runtime(config: dict, episode: str, scene: int, backend: str, runtime_keys: tuple[str, ...]) -> dict:
    """How to run one scene's backend, plus its fallback chain and each fallback's options for the scene."""
    _, runtime = backend_options(config, episode, scene, backend, runtime_keys)
    animate = scene_settings(config, episode, scene)["animate"]
    runtime["chain"] = fallback_chain(config, episode, scene, backend)
    runtime["chain_options"] = {name: animate.get(name, {}) or {} for name in runtime["chain"]}
    return runtime


def scene_overrides(config: dict) -> Iterator[tuple[str, str, dict]]:
    """Every per-scene override, once: ``(episode, scene, override)``, for all the checks that look
    at them (here, ``i2v.weights`` and ``topics``)."""
    for episode, scenes in (config.get("overrides") or {}).items():
        for scene, override in (scenes or {}).items():
            yield episode, str(scene), override or {}


def svd_problem(config: dict) -> str | None:
    """Checks across keys that the schema can't express, for animate.svd globally and per scene."""
    svd = (config.get("animate") or {}).get("svd") or {}
    places = [("animate.svd", svd, {})]
    for episode, scene, override in scene_overrides(config):
        scene_animate = override.get("animate") or {}
        for name in ("svd", "wan", "ltx"):
            if "retries" in (scene_animate.get(name) or {}):
                return (f"config: overrides.{episode}.{scene}.animate.{name}.retries: retries can only be set "
                        f"globally (animate.{name}.retries)")  # fmt: skip
        places.append((f"overrides.{episode}.{scene}.animate.svd", svd, scene_animate.get("svd") or {}))
    for where, base, extra in places:
        merged = {**base, **extra}
        low, high = merged.get("min_guidance_scale", 1.0), merged.get("max_guidance_scale", 3.0)
        if low > high:
            return f"config: {where}: min_guidance_scale {low} is above max_guidance_scale {high}"
    return None


def layout_settings(config: dict, episode: str) -> dict:
    """``layout`` for one episode: ``layout.episodes.<episode>`` over the global keys."""
    section = config.get("layout") or {}
    merged = {key: section.get(key) for key in ("mode", "art", "live")}
    merged.update((section.get("episodes") or {}).get(episode) or {})
    return merged
