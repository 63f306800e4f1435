"""Cloud image-to-video providers (Runway, fal): the scene's art crop is uploaded, a clip comes back.

- ``provider``: the interface each protocol implements (``runway``, ``fal``);
- ``http``: requests with timeouts, rate-limit back-off, one-line errors that never carry a key;
- ``shape``: the art cut to the nearest ratio a provider allows, as a data URI;
- ``ledger``: the task id recorded beside the clip, so a restarted run never pays twice;
- ``generate``: one scene through a provider, from submission to a checked MP4;
- ``estimate``: what a run will upload and cost, before anything is submitted.
"""

from __future__ import annotations

from .fal import Fal
from .provider import Provider
from .runway import Runway

PROVIDERS: dict[str, Provider] = {"runway": Runway(), "fal": Fal()}
