"""Consent, keys and money, said before anything is uploaded.

- ``providers_named``: where the config names a cloud provider (a backend, a
  fallback chain, a scene's override). Nothing is uploaded unless it does:
  ``animate.backend: auto`` never picks one.
- ``key_problem``: the one line that stops a run before any job when a named
  provider's key is not in the environment.
- ``consent_line``: the run's first line, saying how many stills go where.
- ``episode_estimate`` and ``estimate_lines``: seconds of video x price per
  second, per provider, once an episode's scenes are known; ``over_budget``:
  the one line that stops the episode's uploads when an estimate passes
  ``animate.<provider>.max_cost``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from urllib.parse import urlsplit

from . import PROVIDERS


def providers_named(config: dict) -> dict[str, list[str]]:
    """Provider -> the config keys that name it (in the order met), for the global section and every override."""
    named: dict[str, list[str]] = defaultdict(list)

    def look(animate: dict, where: str) -> None:
        if animate.get("backend") in PROVIDERS:
            named[animate["backend"]].append(f"{where}.backend")
        for name in animate.get("fallback") or []:
            if name in PROVIDERS:
                named[name].append(f"{where}.fallback")

    look(config.get("animate") or {}, "animate")
    for episode, scenes in (config.get("overrides") or {}).items():
        for scene, override in (scenes or {}).items():
            look((override or {}).get("animate") or {}, f"overrides.{episode}.{scene}.animate")
    return dict(named)


def key_problem(config: dict, environ: os._Environ | dict = os.environ) -> str | None:
    """One line for the first named provider whose key is missing from the environment; None when all are set."""
    for provider, where in providers_named(config).items():
        env = PROVIDERS[provider].key_env
        if not environ.get(env, "").strip():
            return (f"config: {where[0]} is {provider}, but {env} is not set: export {env} with your "
                    f"{provider} API key, or choose another backend")  # fmt: skip
    return None


def host_of(config: dict, provider: str) -> str:
    return urlsplit(str(config["animate"][provider]["base_url"])).netloc or config["animate"][provider]["base_url"]


def consent_line(config: dict) -> str | None:
    """``podmotion: uploads: ...``: which stills go to which provider (its host and model), by what the config
    says: every still scene of the episodes that use it as their backend, or the scenes whose override names
    it; None where no provider is named."""
    named = providers_named(config)
    if not named:
        return None
    episodes = [*config.get("podcasts", {}), *config.get("topics", {})]
    global_backend = (config.get("animate") or {}).get("backend")
    parts = []
    for provider, where in named.items():
        scenes = [w.split(".")[1:3] for w in where if w.startswith("overrides.") and w.endswith(".backend")]
        said = []
        if global_backend == provider:
            said.append(f"every still scene of {', '.join(episodes)}")
        said += [f"scene {scene} of {ep}" for ep, scene in scenes]
        if any(w.endswith(".fallback") for w in where):
            said.append("a scene whose backend fails before it (fallback)")
        options = config["animate"][provider]
        parts.append(f"to {provider} ({host_of(config, provider)}, {options['model']}): {'; '.join(said)}")
    return ("podmotion: uploads: each scene's art crop (nothing else) goes " + "; and ".join(parts)
            + ". Each episode's estimate is printed before its first upload.")


def price_per_s(provider: str, options: dict) -> float:
    """US dollars per second of video: the config's price, else (fal) the table's for a known model."""
    from . import fal

    price = fal.price_per_s(options) if provider == "fal" else options.get("price_per_s")
    return float(price or 0.0)


def options_problem(config: dict) -> str | None:
    """One line where a named provider's settings can't make a request: a model without a known price or
    length, or without known ratios."""
    from .fal import durations_s, price_per_s
    from .runway import RATIOS

    named = providers_named(config)
    if "runway" in named:
        runway = config["animate"]["runway"]
        if runway.get("price_per_s") is None:
            return "config: animate.runway.price_per_s is null: give the price of a second of video, for the estimate"
        if not runway.get("ratios") and runway["model"] not in RATIOS:
            return (f"config: animate.runway.model {runway['model']!r}: podmotion does not know its ratios; list "
                    "them in animate.runway.ratios (e.g. [\"1280:720\", \"720:1280\"])")  # fmt: skip
    if "fal" in named:
        fal = config["animate"]["fal"]
        if price_per_s(fal) is None:
            return (f"config: animate.fal.price_per_s: podmotion has no price for {fal['model']!r}; give one "
                    "(US dollars per second of video), so the estimate can be made")  # fmt: skip
        allowed = durations_s(fal["model"])
        if allowed and int(fal["duration_s"]) not in allowed:
            return (f"config: animate.fal.duration_s = {fal['duration_s']}: {fal['model']} makes "
                    f"{' or '.join(map(str, allowed))} s clips")  # fmt: skip
    return None


def episode_estimate(plan: list[dict]) -> dict[str, dict]:
    """Per provider: the scenes, seconds of video, dollars, and the cap, from the per-scene ``plan`` entries
    ``{scene, provider, model, duration_s, price_per_s, max_cost}`` of the scenes that will be submitted."""
    out: dict[str, dict] = {}
    for entry in plan:
        row = out.setdefault(entry["provider"], {"model": entry["model"], "scenes": [], "seconds": 0.0,
                                                 "usd": 0.0, "max_cost": entry.get("max_cost")})  # fmt: skip
        row["scenes"].append(entry["scene"])
        row["seconds"] += float(entry["duration_s"])
        row["usd"] += float(entry["duration_s"]) * float(entry["price_per_s"])
    for row in out.values():
        row["seconds"], row["usd"] = round(row["seconds"], 3), round(row["usd"], 4)
    return out


def estimate_lines(episode: str, estimate: dict[str, dict], reused: int = 0,
                   spent_usd: dict[str, float] | None = None) -> list[str]:  # fmt: skip
    """``podmotion: EP: estimate: 3 stills to runway (gen4_turbo), 15 s of video x $0.050/s = $0.75 (max_cost
    $1.00)``, one per provider; one saying nothing will be submitted where nothing will."""
    lines = []
    for provider, row in estimate.items():
        n = len(row["scenes"])
        per_s = row["usd"] / row["seconds"] if row["seconds"] else 0.0
        cap = f" (max_cost ${row['max_cost']:.2f})" if row.get("max_cost") is not None else " (no max_cost)"
        before = (spent_usd or {}).get(provider, 0.0)
        if before:
            cap += f"; ${before:.2f} already submitted for this episode"
        lines.append(f"podmotion: {episode}: estimate: {n} still{'s' if n != 1 else ''} to {provider} "
                     f"({row['model']}), {row['seconds']:g} s of video x ${per_s:.3f}/s = ${row['usd']:.2f}{cap}")  # fmt: skip
    if not lines:
        lines.append(f"podmotion: {episode}: estimate: nothing to submit to a cloud provider")
    if reused:
        lines.append(f"podmotion: {episode}: {reused} scene{'s' if reused != 1 else ''} reuse a task already "
                     "submitted (not counted)")  # fmt: skip
    return lines


def over_budget(estimate: dict[str, dict], spent_usd: dict[str, float] | None = None) -> str | None:
    """One line where a provider's estimate, with what the episode already submitted to it, passes its cap."""
    spent_usd = spent_usd or {}
    for provider, row in estimate.items():
        before = spent_usd.get(provider, 0.0)
        if row.get("max_cost") is not None and before + row["usd"] > float(row["max_cost"]) + 1e-9:
            already = f" (with ${before:.2f} already submitted for this episode)" if before else ""
            return (f"the estimate, ${row['usd']:.2f} for {len(row['scenes'])} stills to {provider}{already}, is "
                    f"over animate.{provider}.max_cost (${float(row['max_cost']):.2f}); nothing was submitted: "
                    "raise max_cost, or send fewer scenes")  # fmt: skip
    return None
