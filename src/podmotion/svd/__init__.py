"""Stable Video Diffusion: the pieces behind the ``svd`` backend.

- ``plan``: pure decisions (model size for an image's aspect, what each retry
  changes); no torch, so the workflow and tests can import it cheaply.
- ``loader``: the one place a pipeline is loaded (hub id or local folder), kept
  for the life of the process; weights problems become one-line errors.
- ``generate``: one clip from one still: denoise, decode, numeric checks.
- ``faults``: test hooks that simulate out-of-memory and bad numerics.
- ``random_model``: random-weight pipelines of the real classes, for tests and
  benchmarks.

torch and diffusers are imported only inside ``loader``, ``generate`` and
``random_model``, which only the svd job and the tests load.
"""
