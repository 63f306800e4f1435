"""podmotion: turn still-image podcast videos into animated ones.

The package holds the logic; the Snakemake rules in ``workflow/`` only wire it
together. Modules, by stage:

- frame math and files: ``timeline`` (which output frames a scene owns, as pure
  functions), ``media`` (probing with PyAV, reading and writing frames),
  ``ffmpeg`` (the one place that builds and runs ffmpeg command lines),
  ``colour`` (how Y'CbCr values are read as colours: the source's reading,
  kept both ways and written as the source says it),
  ``atomic`` (outputs written under a temporary name), ``tables`` (the one
  place CSV tables are read and written, with pandas), ``errors`` (one-line
  errors), ``jobs`` (what every workflow script shares), ``settings`` (config
  checks, the schema's defaults, per-scene effective settings), ``job_settings``
  (what each scene's animate, pad and footage jobs get), ``memory`` (what each
  job holds at its peak: the ``mem_mb`` every rule declares), ``plan`` (the
  run's decisions, per episode and per scene: backends and fallbacks, scene
  kinds, each job's settings and memory, the closing lines; what common.smk
  calls).
- finding the scenes: ``detect`` (PySceneDetect and the stills), ``slides`` (the
  still-image detector, a package of its passes), ``segments`` (which spans are stills and which are
  footage), ``scenedetect_adapter`` (it, as a PySceneDetect
  detector), ``layout`` (art, frame and live regions), ``scene_folder`` (the
  scene folder's format; ``scene_files``, its file names and paths), ``episode`` (an episode's output timeline),
  ``topics`` and ``narration`` (image-folder mode).
- animating: ``backends`` (the animators, behind one signature), ``i2v`` (the
  image-to-video models on diffusers, SVD among them: loading, generation,
  memory plans, the resident worker), ``cloud`` (the cloud providers, Runway and fal:
  their protocols, the task ledger that never pays twice, the estimate),
  ``animate`` (a scene's clip, fallback and sidecar), ``fit`` and ``compose``
  (fitting a clip, pasting the art back), ``framing`` (what a still holds that
  the camera must keep whole and go toward: text lines, faces, the salient
  region), ``camera`` (the tour of a picture at a pace a viewer sees, Ken
  Burns' and drift's), ``yuv420`` (a moving picture drawn straight into the
  encoder's 4:2:0 planes: the camera's hot loop), ``depth`` (a picture's depth,
  near = 1: a depth model through transformers, or the user's depth image) and
  ``parallax`` (the camera moved through that depth: layers, the background
  they uncover filled in, each frame drawn in the encoder's planes).
- padding and joining: ``pad_plan`` (which clip frames fill a scene), ``pad``
  (does it), ``drift`` (a slow move over a padded clip's art, so no frame
  repeats), ``interpolate`` (a clip at another rate played at the output's),
  ``footage`` (a footage scene's frames, passed through from the source),
  ``assemble`` (join, live regions, mux), ``chapters``.
- after the run: ``summary`` (the run summary), ``report`` (the report's
  pictures and pages), ``report_cache`` (each scene's card and preview, kept
  between runs while its files are unchanged), ``verify`` (a finished episode against its source),
  ``repetition`` (visible repetition measured: twins, of a camera path of any length too, turn-backs, seams,
  joins).
"""

__version__ = "0.1.0"
