"""Scene detection made for still-image video: the ``slides`` detector.

A podcast video holds each picture for seconds, so almost every frame repeats
the one before it. This detector reads the compressed stream to find where
something may change, and decodes only there:

1. **Packets.** Demuxing (no decoding) gives every frame's packet size. A
   repeated picture costs a few bytes; a new picture, caption or chart costs
   many more than the episode's usual packet around it (a rolling median, so a
   waveform that moves all the time raises the baseline instead of firing).
2. **Keyframes** are decoded on their own (the decoder skips the rest).
3. **Windows** around each packet that stands out are decoded exactly. For
   H.264 the decoder is handed the GOP's keyframe, the I and P packets up to
   the window (the references it needs) and the window's own packets; the
   B-frames in between are skipped. A short stretch at the start is decoded
   exactly, to learn what moves within scenes.
4. **Live cells** (an audiogram, a progress bar, a clock) are the cells of a
   coarse grid that change between frames whose packets are ordinary. They
   are left out of every comparison below.
5. **Gaps.** Between two decoded frames the picture is taken as unchanged
   only when the two agree; where they don't and no window explains it, that
   stretch is decoded exactly, frame by frame. A change is never inferred
   from packet sizes alone.
6. **Footage.** Spans where a large part of the picture keeps changing and
   never holds (an intro, a clip, an outro) are footage (the rule is
   ``podmotion.segments``'). Each is a scene of its own, cut at its first and
   last frame; nothing inside it is a hold, nor a shot the film holds (one it
   stops on or starts from with no cut, inside footage or shorter than a
   slide). Live cells and the noise step are learnt from the still spans
   alone: footage would make the whole frame live.
7. **Holds and cuts.** A hold is a run of frames that agree with each other
   for at least ``settle_s``. Between two holds that differ there is one cut:
   at the first frame nearer the new picture than the old one (a hard cut's
   first frame, a dissolve's middle), or, for a transition that passes far
   from both pictures (a fade through black), at its middle.

The passes, one module each: ``packets`` (1, 3), ``decoder`` (2, 3, 5), ``grids``
(the luma grids), ``compare`` (two frames, the noise step), ``live`` (4),
``footage`` (6), ``holds`` (7); ``scan`` runs them in order and ``result``
holds what they find.

Frames are compared on the luma plane averaged over cells of about 1/160 of
the frame's longer side (at least ``MIN_CELL_PX`` pixels). Two pictures differ when at least ``MIN_CELLS``
cells outside the live region differ by more than a threshold that follows
the episode's own compression noise (``NOISE_FACTOR`` times the typical
difference between two frames of one hold, never below ``MIN_STEP``).
"""

from .compare import MIN_STEP
from .footage import footage_reach_boxes
from .grids import Signatures
from .live import live_boxes, live_kinds
from .packets import Packets, read_packets
from .result import SlideScan
from .scan import SETTLE_S, analyse, main, scan

__all__ = ["MIN_STEP", "SETTLE_S", "Packets", "Signatures", "SlideScan", "analyse", "footage_reach_boxes",
           "live_boxes", "live_kinds", "main", "read_packets", "scan"]
