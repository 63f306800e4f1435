"""How a video's Y'CbCr values are read as colours, and how the output keeps the source's reading.

A decoded H.264 frame is Y'CbCr. What colour it is depends on its matrix
(BT.709, BT.601, ...) and range (limited, "tv": Y' 16-235; full, "pc": 0-255),
which a file may say (its colour tags) or leave unsaid. A player reads an
unsaid file by its size: BT.709 at 720 lines and more, BT.601 below; limited
range. ``Colour.of_tags`` is that reading.

The output is read the way the source is (``Colour.for_output``): a tagged
source's tags are written again; an untagged one stays untagged, so that
what the output's Y'CbCr values are is what the source's were, in any
player, unless the output's size would make a player guess another matrix:
then the source's reading is written down. Every conversion between RGB and
Y'CbCr here uses the same matrix and range both ways (``to_planes``,
``to_rgb``: the arithmetic in floating point, rounded once to 8 bits), and
chroma goes up and down so that RGB and back gives the same planes: a frame
podmotion only copies keeps the source's values but for rounding, and what
it animates keeps its colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Each matrix's luma weights (Kr, Kb), by FFmpeg's names for it.
LUMA_WEIGHTS = {
    "bt709": (0.2126, 0.0722),
    "smpte170m": (0.299, 0.114),  # BT.601 (NTSC), what players use for small untagged video
    "bt470bg": (0.299, 0.114),  # BT.601 (PAL): the same matrix
    "fcc": (0.30, 0.11),
    "smpte240m": (0.212, 0.087),
    "bt2020nc": (0.2627, 0.0593),
}
RANGES = ("tv", "pc")
HD_LINES = 720  # players read an untagged video of this many lines or more as BT.709, a smaller one as BT.601


def guessed_matrix(height: int) -> str:
    """The matrix a player takes for an untagged video ``height`` lines high."""
    return "bt709" if height >= HD_LINES else "smpte170m"


@dataclass(frozen=True)
class Colour:
    """One reading of Y'CbCr values: ``matrix`` and ``range`` (what the conversions use), ``primaries`` and
    ``transfer`` ("" where unsaid: carried, never converted), and ``said``: whether a file written with it
    carries the tags (an untagged source's output stays untagged where a player reads it the same way)."""

    matrix: str = "bt709"
    range: str = "tv"
    primaries: str = "bt709"
    transfer: str = "bt709"
    said: bool = True

    def __post_init__(self):
        if self.matrix not in LUMA_WEIGHTS:
            raise ValueError(f"colour matrix {self.matrix!r} is not one of {', '.join(LUMA_WEIGHTS)}")
        if self.range not in RANGES:
            raise ValueError(f"colour range {self.range!r} is not tv or pc")

    @classmethod
    def of_tags(cls, matrix: str | None, range_: str | None, primaries: str | None, transfer: str | None,
                height: int) -> Colour:  # fmt: skip
        """How a player reads a video with these tags (FFmpeg's names; None, "" or "unknown" where unsaid),
        ``height`` lines high. A matrix podmotion has no weights for is read as a player guesses it."""
        said = matrix if matrix in LUMA_WEIGHTS else None
        return cls(matrix=said or guessed_matrix(height), range="pc" if range_ in ("pc", "jpeg") else "tv",
                   primaries=_known(primaries), transfer=_known(transfer), said=said is not None)  # fmt: skip

    @classmethod
    def of_frame(cls, frame) -> Colour:
        """A decoded PyAV frame's reading, by its own tags (its format's, for the full-range ``yuvj`` ones)."""
        range_ = "pc" if frame.format.name.startswith("yuvj") else _av_name(frame.color_range, RANGE_NAMES)
        return cls.of_tags(_av_name(frame.colorspace, MATRIX_NAMES), range_, _av_name(frame.color_primaries,
                           PRIMARIES_NAMES), _av_name(frame.color_trc, TRANSFER_NAMES), frame.height)  # fmt: skip

    def for_output(self, height: int) -> Colour:
        """What an output ``height`` lines high says so that a player reads it as this: the same, or, where this
        is unsaid and a player would guess another matrix at that size, this reading written down."""
        if self.said or guessed_matrix(height) == self.matrix:
            return self
        return Colour(self.matrix, self.range, self.primaries, self.transfer, said=True)

    def tags(self) -> list[str]:
        """FFmpeg's options that say this (for an encoder's output, or raw frames' input); none when unsaid."""
        if not self.said:
            return []
        args = ["-colorspace", self.matrix, "-color_range", self.range]
        args += ["-color_primaries", self.primaries] if self.primaries else []
        return args + (["-color_trc", self.transfer] if self.transfer else [])

    def setparams(self) -> str:
        """An FFmpeg filter that labels frames as this, so that nothing converts them and the encoder writes
        what this says (unsaid: every tag unknown, whatever the frames came with)."""
        if not self.said:
            return "setparams=range=unknown:colorspace=unknown:color_primaries=unknown:color_trc=unknown"
        parts = [f"range={self.range}", f"colorspace={self.matrix}"]
        parts += [f"color_primaries={self.primaries}"] if self.primaries else []
        parts += [f"color_trc={self.transfer}"] if self.transfer else []
        return "setparams=" + ":".join(parts)

    def to_dict(self) -> dict:
        return {"matrix": self.matrix, "range": self.range, "primaries": self.primaries, "transfer": self.transfer,
                "said": self.said}  # fmt: skip

    # -- conversions ----------------------------------------------------------------------------------------
    def rgb_to_ycbcr(self) -> np.ndarray:
        """3x4 matrix: RGB (0-255) to Y', Cb, Cr code values (8 bits), the offsets in the last column."""
        kr, kb = LUMA_WEIGHTS[self.matrix]
        kg = 1.0 - kr - kb
        ys, cs, y0 = (219.0 / 255.0, 224.0 / 255.0, 16.0) if self.range == "tv" else (1.0, 1.0, 0.0)
        return np.array([
            [kr * ys, kg * ys, kb * ys, y0],
            [-kr / (2 - 2 * kb) * cs, -kg / (2 - 2 * kb) * cs, 0.5 * cs, 128.0],
            [0.5 * cs, -kg / (2 - 2 * kr) * cs, -kb / (2 - 2 * kr) * cs, 128.0],
        ], dtype=np.float32)  # fmt: skip

    def ycbcr_to_rgb(self) -> np.ndarray:
        """3x4 matrix: Y', Cb, Cr code values (8 bits) to RGB (0-255), the inverse of ``rgb_to_ycbcr``."""
        forward = self.rgb_to_ycbcr().astype(np.float64)
        inverse = np.linalg.inv(forward[:, :3])
        return np.hstack([inverse, -inverse @ forward[:, 3:]]).astype(np.float32)

    def to_planes(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """RGB (h x w x 3, uint8) as 4:2:0 planes: Y' (h x w), Cb and Cr (ceil(h/2) x ceil(w/2)), uint8; each
        chroma sample that of its 2x2 pixels' mean colour (the matrix is linear: the mean of theirs), an odd edge
        repeated. OpenCV's 8-bit paths (rounded, clipped): 5 ms a 1080p frame."""
        import cv2

        h, w = rgb.shape[:2]
        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        matrix = self.rgb_to_ycbcr()
        y = cv2.extractChannel(cv2.transform(rgb, matrix), 0)  # the 3-channel path is OpenCV's fast one
        even = cv2.copyMakeBorder(rgb, 0, h % 2, 0, w % 2, cv2.BORDER_REPLICATE) if (h | w) % 2 else rgb
        half = cv2.transform(cv2.resize(even, ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA), matrix)
        return y, cv2.extractChannel(half, 1), cv2.extractChannel(half, 2)

    def to_rgb(self, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """4:2:0 (or 4:4:4) planes, 8 bits, as RGB (uint8). Chroma is upsampled bilinearly, then each 2x2 block
        is shifted so that its mean is its sample again (``_upsampled``): as smooth as bilinear, and ``to_planes``
        gives the same planes back but for rounding, so a frame only copied through RGB keeps its values.
        (Plain bilinear chroma would blur a logo's colour edges by 7 levels a round trip; repeated chroma keeps
        them but shows its 2x2 blocks.)"""
        import cv2

        h, w = y.shape
        if u.shape != y.shape:
            u, v = _upsampled(u, w, h), _upsampled(v, w, h)
        return cv2.transform(cv2.merge([y, u, v]), self.ycbcr_to_rgb())


def _upsampled(chroma: np.ndarray, width: int, height: int) -> np.ndarray:
    """A chroma plane at twice its size, cropped to ``width`` x ``height``: bilinear, plus each block's
    difference between its sample and the mean of its 2x2 bilinear pixels."""
    import cv2

    size, own = (chroma.shape[1] * 2, chroma.shape[0] * 2), (chroma.shape[1], chroma.shape[0])
    smooth = cv2.resize(chroma, size, interpolation=cv2.INTER_LINEAR)
    off = cv2.subtract(chroma, cv2.resize(smooth, own, interpolation=cv2.INTER_AREA), dtype=cv2.CV_16S)
    return cv2.add(smooth, cv2.resize(off, size, interpolation=cv2.INTER_NEAREST), dtype=cv2.CV_8U)[:height, :width]

def frame_rgb(frame) -> np.ndarray:
    """A decoded frame as RGB, read by its own tags (or as a player guesses them). Frames that are not Y'CbCr
    (RGB, palette, grey) are converted by FFmpeg."""
    planes = frame_planes(frame)
    if planes is None:
        return frame.to_ndarray(format="rgb24")
    return Colour.of_frame(frame).to_rgb(*planes)


def frame_planes(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """A decoded Y'CbCr frame's three planes as they are, 8 bits (deeper ones rounded to 8 bits, full-range
    ``yuvj`` formats taken as they are: the range is the frame's colour, not its values); None for a frame
    that is not Y'CbCr."""
    bits = YCBCR_FORMATS.get(frame.format.name)
    if bits is None:
        return None
    dtype = np.dtype(np.uint8) if bits == 8 else np.dtype("<u2")
    planes = []
    for index, plane in enumerate(frame.planes):
        w, h = (frame.width, frame.height) if index == 0 else (plane.width, plane.height)
        data = np.frombuffer(plane, dtype).reshape(-1, plane.line_size // dtype.itemsize)[:h, :w]
        if bits > 8:
            data = np.clip(data.astype(np.float32) / (1 << (bits - 8)) + 0.5, 0, 255).astype(np.uint8)
        planes.append(np.ascontiguousarray(data))
    return planes[0], planes[1], planes[2]


# PyAV gives the tags as FFmpeg's enum numbers; these are FFmpeg's names for those this module knows.
MATRIX_NAMES = {1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020nc"}
RANGE_NAMES = {1: "tv", 2: "pc"}
PRIMARIES_NAMES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film", 9: "bt2020",
                   10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213"}  # fmt: skip
TRANSFER_NAMES = {1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear",
                  13: "iec61966-2-1", 14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 18: "arib-std-b67"}  # fmt: skip
# The Y'CbCr formats read here, and their bits a sample.
YCBCR_FORMATS = {"yuv420p": 8, "yuvj420p": 8, "yuv444p": 8, "yuvj444p": 8, "yuv420p10le": 10, "yuv420p12le": 12,
                 "yuv444p10le": 10}  # fmt: skip


def _known(name: str | None) -> str:
    return "" if not name or name in ("unknown", "unspecified", "reserved") else name


def _av_name(value, names: dict[int, str]) -> str | None:
    """A PyAV colour property (an int, or an enum in newer PyAV) as FFmpeg's name, None where unsaid."""
    if value is None:
        return None
    return names.get(int(value))
