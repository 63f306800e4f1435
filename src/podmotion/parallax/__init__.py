"""Depth parallax: a still moved through its depth, near things sliding past far ones, on the CPU.

The ``parallax`` backend (``podmotion.backends.parallax``) moves the camera of
``podmotion.camera`` through the picture's depth (``podmotion.depth``). Its
parts, each a module:

- ``layers``: the picture split at its depth's jumps into layers, far to near,
  each with the colour behind the layers in front of it filled in once, and a
  smooth depth of its own; text lines flat, on the plane that does not move.
- ``fill``: what a near layer covered, filled from the layer's own background
  texture (mirrored across the nearest visible pixel), never by smearing the
  edge's colour.
- ``motion``: the depth move that rides on the camera's tour: how far a point
  of each depth is shifted in each frame, at a pace a viewer sees, and the
  margins the tour keeps so that no layer ever shows past the picture's edge.
- ``render``: each frame, the layers warped by their depth and laid far to
  near, straight into the encoder's 4:2:0 planes (as ``podmotion.yuv420`` does
  for the flat move).
"""
