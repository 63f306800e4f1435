"""The scene folder's file names and paths (the folder's format: ``podmotion.scene_folder``, which re-exports these).

The names of the folder's files; how a scene's files are named, in the scene
folder and in the episode's other folders (``clips/``, ``padded/``,
``combined/``); the folder's stamp, which changes when what ``SceneFolder``
reads changes; and ``FolderFiles``, where the files are, for the reader and the
writer alike.
"""

from __future__ import annotations

import os
from pathlib import Path

TIMESTAMPS_CSV = "timestamps.csv"
NARRATION_CSV = "narration.csv"
NARRATION_WAV = "narration.wav"
NARRATION_M4A = "narration.m4a"
VARIANTS_CSV = "variants.csv"
PROMPTS_CSV = "prompts.csv"
SOURCE_JSON = "source.json"
LAYOUT_JSON = "layout.json"
LAYOUT_PNG = "layout.png"
STAMPED = (TIMESTAMPS_CSV, NARRATION_CSV, SOURCE_JSON, LAYOUT_JSON, PROMPTS_CSV)  # what SceneFolder reads, but stills


def scene_label(scene: int) -> str:
    """How a detected episode numbers a scene's files: ``4`` -> ``"004"``."""
    return f"{scene:03d}"


def scene_file_name(label: str, suffix: str) -> str:
    """A scene's file in any of the episode's folders: ``("004", ".mp4")`` -> ``scene_004.mp4``."""
    return f"scene_{label}{suffix}"


def still_name(label: str) -> str:
    """A scene's still in the scene folder: ``scene_004.png``."""
    return scene_file_name(label, ".png")


def folder_stamp(path: str | os.PathLike) -> tuple:
    """The state of the files ``SceneFolder`` reads (``STAMPED``): each one's inode, mtime (ns) and size, or
    None while it is absent. It changes when the folder is written again (new files) or a file in it is
    edited (a new mtime). Quick: the workflow asks once per job it plans (``Episode.of_folder``)."""
    path = os.fspath(path)
    stamps = []
    for name in STAMPED:
        try:
            st = os.stat(os.path.join(path, name))
        except FileNotFoundError:
            stamps.append(None)
        else:
            stamps.append((st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def _in_folder(name: str, doc: str) -> property:
    """A read-only attribute: the path of the folder's file ``name`` (``self.path / name``)."""
    return property(lambda self: self.path / name, doc=doc)


class FolderFiles:
    """Where a scene folder's files are, for the reader and the writer alike: ``path`` is the folder."""

    path: Path
    narration_pcm = _in_folder(NARRATION_WAV, "A topic's joined narration, 48 kHz PCM (``narration.wav``).")
    narration_audio = _in_folder(NARRATION_M4A, "A topic's joined narration, encoded once (``narration.m4a``): "
                                                "the merged episode's audio.")  # fmt: skip
    variants_csv = _in_folder(VARIANTS_CSV, "A topic's candidate images, their scores and the one chosen "
                                            "(``variants.csv``).")  # fmt: skip
    prompts_csv = _in_folder(PROMPTS_CSV, "A topic's prompts from its prompt files (``prompts.csv``).")
