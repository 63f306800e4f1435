"""The image-to-video family on diffusers: the pieces behind the ``svd``, ``wan`` and ``ltx`` backends.

- ``members``: what differs per model (pipeline class, sizes, frame rule, fps,
  prompt, last frame, memory savers, pipeline kwargs); no torch.
- ``plan``: pure decisions (model size for an image's aspect, what each retry
  changes); no torch, so the workflow and tests can import it cheaply.
- ``loader``: the one place a pipeline is loaded (hub id or local folder), kept
  for the life of the process, keyed by member, model, placement and preparation;
  weights problems become one-line errors (``weights``).
- ``generate``: one clip from one still: denoise, decode, numeric checks, redo.
- ``extend``: a clip continued from its own last frames to ``extend_s``, its colour drift checked.
- ``worker``: one resident process per workflow folder that keeps the model loaded.
- ``faults``: test hooks that simulate out-of-memory and bad numerics, for every member.
- ``random_model``: random-weight pipelines of the real classes (svd here;
  wan and ltx in ``random_models``), for tests and benchmarks.

torch and diffusers are imported only inside ``loader``, ``generate`` and the
random models, which only the image-to-video jobs and the tests load.
"""
