"""The ``still`` backend: the image held, no motion (a one-frame clip the padder repeats)."""

from __future__ import annotations

from ..ffmpeg import encode_frames
from ..fit import fit_frame
from ..media import read_image
from . import AnimateRequest


def animate(request: AnimateRequest) -> dict:
    image = read_image(request.image_path)
    frame = fit_frame(image, request.width, request.height, request.fit)
    n = encode_frames(
        [frame], request.out_path, width=request.width, height=request.height, fps=request.fps, encoder=request.encoder
    )
    return {"backend": "still", "frames": n, "fps": str(request.fps)}
