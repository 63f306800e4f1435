"""Random-weight Depth Anything models of the real transformers classes, for tests and benchmarks.

The weights can't be downloaded everywhere, and speed doesn't depend on their
values. ``save_random_model`` builds a ``DepthAnythingForDepthEstimation`` with
random weights and writes it with ``save_pretrained``, beside the image
processor Depth-Anything-V2-Small-hf publishes, so it loads through the same
code path (``model.load``) as a downloaded model.

``SMALL`` is the published Depth-Anything-V2-Small architecture (24.8 M
parameters: a DINOv2 ViT-S/14 backbone and the DPT head); ``TINY`` keeps its
layout (four backbone stages into a four-level neck) at a width that runs in a
fraction of a second on two CPU cores.

Random weights as transformers initialises them (normal, std 0.02) give a
prediction that is almost all zeros after the head's ReLU; the neck and head
convolutions are given PyTorch's own initialisation and the last one a bias
of 1, so the map varies across the picture as a real one does.
"""

from __future__ import annotations

import os
from pathlib import Path

SMALL = {
    "backbone_config": {"model_type": "dinov2", "hidden_size": 384, "num_hidden_layers": 12, "num_attention_heads": 6,
                        "mlp_ratio": 4, "patch_size": 14, "image_size": 518, "out_indices": [3, 6, 9, 12],
                        "reshape_hidden_states": False},
    "reassemble_hidden_size": 384,
    "reassemble_factors": [4, 2, 1, 0.5],
    "neck_hidden_sizes": [48, 96, 192, 384],
    "fusion_hidden_size": 64,
    "head_hidden_size": 32,
    "patch_size": 14,
    "depth_estimation_type": "relative",
}  # fmt: skip

TINY = {
    "backbone_config": {"model_type": "dinov2", "hidden_size": 32, "num_hidden_layers": 4, "num_attention_heads": 2,
                        "mlp_ratio": 2, "patch_size": 14, "image_size": 518, "out_indices": [1, 2, 3, 4],
                        "reshape_hidden_states": False},
    "reassemble_hidden_size": 32,
    "reassemble_factors": [4, 2, 1, 0.5],
    "neck_hidden_sizes": [8, 8, 16, 16],
    "fusion_hidden_size": 8,
    "head_hidden_size": 8,
    "patch_size": 14,
    "depth_estimation_type": "relative",
}  # fmt: skip

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def processor_options(size_px: int = 518) -> dict:
    """Depth-Anything-V2-Small-hf's preprocessor_config.json: the short side to ``size_px``, a multiple of 14."""
    return {
        "do_resize": True, "size": {"height": size_px, "width": size_px}, "keep_aspect_ratio": True,
        "ensure_multiple_of": 14, "resample": 3,  # PIL bicubic
        "do_rescale": True, "rescale_factor": 1 / 255,
        "do_normalize": True, "image_mean": IMAGENET_MEAN, "image_std": IMAGENET_STD,  # not the class's 0.5 defaults
        "do_pad": False,
    }  # fmt: skip


def build_model(*, small: bool = False, seed: int = 0):
    """A ``DepthAnythingForDepthEstimation`` with random weights, in eval mode."""
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation

    torch.manual_seed(seed)
    model = DepthAnythingForDepthEstimation(DepthAnythingConfig(**(SMALL if small else TINY)))
    for module in [*model.neck.modules(), *model.head.modules()]:
        if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            module.reset_parameters()
    torch.nn.init.constant_(model.head.conv3.bias, 1.0)
    return model.eval()


def build_processor(size_px: int = 518):
    """The image processor ``AutoImageProcessor`` picks for depth-anything: torchvision's if installed, else PIL's."""
    from transformers.utils import is_torchvision_available

    if is_torchvision_available():
        from transformers import DPTImageProcessor as processor_class
    else:  # importing DPTImageProcessor without torchvision warns and falls back to this
        from transformers import DPTImageProcessorPil as processor_class
    return processor_class(**processor_options(size_px))


def save_random_model(folder: str | os.PathLike, *, small: bool = False, size_px: int = 518, seed: int = 0) -> Path:
    """Write a random-weight depth model and its image processor with ``save_pretrained``; return the folder.

    ``size_px`` is the processor's short side (518 as published; e.g. 140 for speed in tests).
    """
    folder = Path(folder)
    build_model(small=small, seed=seed).save_pretrained(folder)
    build_processor(size_px).save_pretrained(folder)
    return folder
