"""podmotion: turn still-image podcast videos into animated ones.

The package holds the logic; the Snakemake rules in ``workflow/`` only wire it
together. Modules:

- ``timeline``: frame math (which output frames a scene owns) as pure functions.
- ``padding``: plans that stretch a short clip to a scene's exact frame count.
- ``media``: probing video files (PyAV) and reading/writing frames.
- ``ffmpeg``: the one place that builds and runs ffmpeg command lines.
- ``detect``: scene detection (PySceneDetect) and representative stills.
- ``backends``: the animators, one module each, behind one signature.
- ``pad`` / ``assemble``: per-scene padding, concatenation and audio muxing.
- ``settings``: config validation messages and per-scene effective settings.
"""

__version__ = "0.1.0"
