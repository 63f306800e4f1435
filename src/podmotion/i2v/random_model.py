"""Random-weight Stable Video Diffusion pipelines, for tests and benchmarks.

The weights can't be downloaded everywhere, and speed doesn't depend on their
values. ``build_pipeline`` assembles the real diffusers classes with random
weights; ``save_pipeline`` writes them with ``save_pretrained`` so they load
through the same code path as a downloaded model.

``FULL`` is the published SVD-XT architecture; ``TINY`` is small enough for a
CPU test run in seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Architecture:
    unet: dict  # UNetSpatioTemporalConditionModel kwargs (empty = the diffusers defaults, SVD's own)
    vae: dict  # AutoencoderKLTemporalDecoder kwargs
    clip: dict  # CLIPVisionConfig kwargs
    image_size: int  # the CLIP image processor's input size


FULL = Architecture(
    unet={"sample_size": 96, "num_frames": 25},
    vae={
        "block_out_channels": [128, 256, 512, 512],
        "down_block_types": ["DownEncoderBlock2D"] * 4,
        "layers_per_block": 2,
        "latent_channels": 4,
        "sample_size": 768,
        "scaling_factor": 0.18215,
        "force_upcast": True,
    },
    clip={
        "hidden_size": 1280,
        "num_hidden_layers": 32,
        "num_attention_heads": 16,
        "intermediate_size": 5120,
        "patch_size": 14,
        "image_size": 224,
        "projection_dim": 1024,
        "hidden_act": "gelu",
    },
    image_size=224,
)

TINY = Architecture(
    unet={
        "sample_size": 16,
        "in_channels": 8,
        "out_channels": 4,
        "down_block_types": ["CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"],
        "up_block_types": ["UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"],
        "block_out_channels": [32, 64],
        "layers_per_block": 1,
        "cross_attention_dim": 32,
        "num_attention_heads": [2, 4],
        "addition_time_embed_dim": 32,
        "projection_class_embeddings_input_dim": 96,  # 3 added time ids x 32
        "num_frames": 4,
    },
    vae={
        "block_out_channels": [32, 64],
        "down_block_types": ["DownEncoderBlock2D"] * 2,
        "layers_per_block": 1,
        "latent_channels": 4,
        "sample_size": 32,
        "scaling_factor": 0.18215,
        "force_upcast": True,
    },
    clip={
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 37,
        "patch_size": 32,  # the pipeline always feeds CLIP 224x224: 7x7 patches
        "image_size": 224,
        "projection_dim": 32,
        "hidden_act": "gelu",
    },
    image_size=224,
)

# SVD's published scheduler: EDM-style Euler with v-prediction and Karras sigmas.
SCHEDULER = {
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "num_train_timesteps": 1000,
    "prediction_type": "v_prediction",
    "interpolation_type": "linear",
    "use_karras_sigmas": True,
    "sigma_min": 0.002,
    "sigma_max": 700.0,
    "timestep_spacing": "leading",
    "timestep_type": "continuous",
    "steps_offset": 1,
}

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def build_pipeline(arch: Architecture = TINY, seed: int = 0, dtype=None):
    """A ``StableVideoDiffusionPipeline`` of the real classes with random weights."""
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(seed)
    unet = UNetSpatioTemporalConditionModel(**arch.unet)
    vae = AutoencoderKLTemporalDecoder(**arch.vae)
    image_encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(**arch.clip))
    size = arch.image_size
    feature_extractor = CLIPImageProcessor(
        size={"shortest_edge": size}, crop_size={"height": size, "width": size},
        image_mean=CLIP_MEAN, image_std=CLIP_STD,
    )  # fmt: skip
    pipe = StableVideoDiffusionPipeline(
        vae=vae, image_encoder=image_encoder, unet=unet,
        scheduler=EulerDiscreteScheduler(**SCHEDULER), feature_extractor=feature_extractor,
    )  # fmt: skip
    if dtype is not None:
        pipe.to(dtype=dtype)
    return pipe


def save_pipeline(folder: str | os.PathLike, arch: Architecture = TINY, seed: int = 0, variant: str | None = None) -> Path:
    """Write a random-weight pipeline with ``save_pretrained``; return the folder.

    A ``variant`` of fp16 or bf16 stores the weights in that precision, as the
    published ``*.fp16.safetensors`` files are (save_pretrained only names them).
    """
    import torch

    folder = Path(folder)
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(variant or "")
    build_pipeline(arch, seed, dtype=dtype).save_pretrained(folder, variant=variant)
    return folder
