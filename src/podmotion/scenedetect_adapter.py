"""The ``slides`` detector behind PySceneDetect's detector interface.

For users of PySceneDetect who have their own pipeline around it::

    import scenedetect
    from podmotion.scenedetect_adapter import SlideDetector

    scenes = scenedetect.detect("episode.mp4", SlideDetector())

PySceneDetect decodes every frame and hands it over, so this runs the slides
detector's full-decode mode: the same luma grids, live cells, noise step,
holds and cuts as ``podmotion.slides.scan``, without its sparse decoding.
Cuts are reported once the last frame is in (``post_process``): a cut is only
known once the new picture has held.
"""

from __future__ import annotations

import numpy as np
from scenedetect import FrameTimecode, SceneDetector

from . import slides


class SlideDetector(SceneDetector):
    """Cuts of still-image video: a picture that changes and then holds, however small the change.

    ``threshold``: grey levels a grid cell must change by (default: from the
    video's own noise). ``min_scene_len_s``: shorter scenes merge into the one
    before. ``settle_s``: how long a picture must hold to count.
    """

    def __init__(self, threshold: float | None = None, min_scene_len_s: float = 0.6,
                 settle_s: float = slides.SETTLE_S):  # fmt: skip
        super().__init__()
        self.threshold, self.min_scene_len_s, self.settle_s = threshold, min_scene_len_s, settle_s
        self._sigs: slides.Signatures | None = None
        self._timecodes: list[FrameTimecode] = []
        self.result: slides.SlideScan | None = None  # the full scan, once post_process has run

    def process_frame(self, timecode: FrameTimecode, frame_img: np.ndarray) -> list[FrameTimecode]:
        import cv2

        if self._sigs is None:
            self._sigs = slides.Signatures(frame_img.shape[1], frame_img.shape[0])
        index = len(self._timecodes)
        grey = cv2.cvtColor(frame_img, cv2.COLOR_BGR2GRAY) if frame_img.ndim == 3 else frame_img
        self._sigs.by_frame[index] = self._sigs.of_luma(grey)
        self._sigs.exact.add(index)
        self._sigs.decoded += 1
        self._timecodes.append(timecode)
        return []

    def post_process(self, timecode: FrameTimecode) -> list[FrameTimecode]:
        if self._sigs is None:
            return []
        n = len(self._timecodes)
        fps = float(self._timecodes[0].frame_rate)
        self.result = slides.analyse(self._sigs, np.zeros(n, bool), 1, fps, threshold=self.threshold,
                                     min_scene_len_s=self.min_scene_len_s, settle_s=self.settle_s)  # fmt: skip
        return [self._timecodes[cut] for cut in self.result.cut_frames]

    def get_metrics(self) -> list[str]:
        return []
