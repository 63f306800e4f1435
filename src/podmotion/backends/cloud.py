"""The ``runway`` and ``fal`` backends: a cloud provider animates the art crop (``podmotion.cloud``).

The clip that comes back (the provider's ratio, size and rate) is fitted to the
art box by ``cover`` and encoded with the clip's encoder at the provider's rate;
the padder makes it the scene's length, as it does an SVD clip. The report
says which provider, model and task made it, how long it waited and what it
cost.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ..cloud import PROVIDERS
from ..cloud.generate import generate
from ..ffmpeg import encode_frames
from ..fit import fit_frame
from ..media import iter_frames_with_time, open_media, read_image
from . import AnimateRequest


def animate(request: AnimateRequest) -> dict:
    provider = PROVIDERS[request.backend]
    art = read_image(request.image_path)
    made = generate(provider, request.options, art, request.seed, request.clip_path or request.out_path,
                    attempt=request.attempt)  # fmt: skip
    with open_media(made.path) as container:
        stream = container.streams.video[0]
        rate = Fraction(stream.average_rate or stream.guessed_rate or 24)
        sent_w, sent_h = stream.codec_context.width, stream.codec_context.height
    keep = min(made.frames, max(1, math.ceil(request.max_duration_s * rate)))  # frames past the scene's end go
    frames = (fit_frame(rgb, request.width, request.height, "cover")
              for k, (_, rgb) in enumerate(iter_frames_with_time(made.path)) if k < keep)  # fmt: skip
    written = encode_frames(frames, request.out_path, width=request.width, height=request.height, fps=rate,
                            encoder=request.encoder)  # fmt: skip
    return {
        "frames": written,
        "fps": str(rate),
        "width": request.width,
        "height": request.height,
        "provider": provider.name,
        "model": made.plan.model,
        "task_id": made.task_id,
        "ratio": made.plan.shape.name,
        "provider_clip": {"width": sent_w, "height": sent_h, "frames": made.frames},
        "duration_s": made.plan.duration_s,
        "seconds_waited": made.waited_s,
        "resumed_task": made.resumed,
        "cost_usd": round(made.cost_usd, 4),
        "cost_source": made.cost_source,
    }
