"""Depth of a picture, for the 2.5D parallax camera move: one float map per still, in [0, 1], near = 1.

The map comes from a monocular depth model run through transformers (Depth
Anything V2 Small unless ``animate.parallax.model`` names another, from the
Hugging Face cache or a local folder), or from the user's own depth image
(a grayscale PNG, bright = near).

- ``model``: ``DepthSpec`` (which model, revision, device), ``load`` (once per
  process, kept) and ``estimate`` (one picture -> its depth map, the picture's size).
- ``image``: the user's depth image: read, checked, resized to the still;
  a depth map written as a 16-bit PNG.
- ``weights``: whether the model's weights are on this machine, and one line
  saying how to get them when they are not; no torch, so the workflow can check
  the config before any job starts.
- ``random_model``: random-weight models of the real transformers classes, for
  tests and benchmarks.

torch and transformers are imported only inside ``model``'s functions and ``random_model``.
"""

DEFAULT_MODEL = "depth-anything/Depth-Anything-V2-Small-hf"
