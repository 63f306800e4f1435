"""Random-weight Wan and LTX-Video pipelines of the real diffusers classes, for tests and benchmarks.

Like ``random_model`` (SVD): the parts are the real classes with random
weights, saved with ``save_pretrained`` so they load through podmotion's loader
as a downloaded model does. The tokenizer is a word-level ``tokenizers`` model
(pad 0, ``</s>`` 1, unk 2, ``</s>`` appended), wrapped as a fast tokenizer; the
text encoders are tiny UMT5 (Wan) and T5 (LTX) encoders. Nothing comes from the hub.

Layouts:

- ``wan_ti2v``: Wan 2.2 TI2V-5B (Wan 2.2 VAE, z 48, x16 spatial, patch 2;
  ``expand_timesteps``: the first frame replaces latent frame 0; no image
  encoder; takes no last frame);
- ``wan_flf2v``: Wan 2.1 FLF2V (Wan 2.1 VAE, x8; CLIP image encoder;
  positional embeddings for two images: needs the last frame);
- ``ltx``: LTX-Video (T5 text encoder, LTX VAE); ``ltx_condition``: the same parts as an
  ``LTXConditionPipeline`` (LTX-Video 0.9.5 and later, which takes conditions at any frame).

``TINY`` sizes run on a CPU in about a second; ``FULL`` are the published
architectures, with their sources (benchmarks only: tens of GB of weights).
"""

from __future__ import annotations

import os
from pathlib import Path

WORDS = ("a an the of and with in on gentle natural motion subtle movement steady camera no zoom consistent "
         "lighting high quality shake fast pan flicker distorted deformed blurry low text watermark static image "
         "cat waves sea sky slowly breathing leaves").split()  # fmt: skip
TEXT_DIM = 32  # the tiny text encoders' d_model = the transformers' text_dim / caption_channels

# Full-size architectures (sources: diffusers scripts/convert_wan_to_diffusers.py and convert_ltx_to_diffusers.py;
# the text encoders: the Hub config.json of google/umt5-xxl and google/t5-v1_1-xxl).
WAN22_LATENTS_MEAN = [-0.2289, -0.0052, -0.1323, -0.2339, -0.2799, 0.0174, 0.1838, 0.1557, -0.1382, 0.0542, 0.2813,
                      0.0891, 0.157, -0.0098, 0.0375, -0.1825, -0.2246, -0.1207, -0.0698, 0.5109, 0.2665, -0.2108,
                      -0.2158, 0.2502, -0.2055, -0.0322, 0.1109, 0.1567, -0.0729, 0.0899, -0.2799, -0.123, -0.0313,
                      -0.1649, 0.0117, 0.0723, -0.2839, -0.2083, -0.052, 0.3748, 0.0152, 0.1957, 0.1433, -0.2944,
                      0.3573, -0.0548, -0.1681, -0.0667]  # fmt: skip
WAN22_LATENTS_STD = [0.4765, 1.0364, 0.4514, 1.1677, 0.5313, 0.499, 0.4818, 0.5013, 0.8158, 1.0344, 0.5894, 1.0901,
                     0.6885, 0.6165, 0.8454, 0.4978, 0.5759, 0.3523, 0.7135, 0.6804, 0.5833, 1.4146, 0.8986, 0.5659,
                     0.7069, 0.5338, 0.4889, 0.4917, 0.4069, 0.4999, 0.6866, 0.4093, 0.5709, 0.6065, 0.6415, 0.4944,
                     0.5726, 1.2042, 0.5458, 1.6887, 0.3971, 1.06, 0.3943, 0.5537, 0.5444, 0.4089, 0.7468,
                     0.7744]  # fmt: skip
T5_XXL = dict(d_model=4096, d_kv=64, d_ff=10240, num_layers=24, num_heads=64, relative_attention_num_buckets=32,
              relative_attention_max_distance=128, feed_forward_proj="gated-gelu", layer_norm_epsilon=1e-6,
              tie_word_embeddings=False)  # fmt: skip

FULL = {
    "wan_ti2v": {
        "transformer": dict(added_kv_proj_dim=None, attention_head_dim=128, cross_attn_norm=True, eps=1e-6,
                            ffn_dim=14336, freq_dim=256, in_channels=48, num_attention_heads=24, num_layers=30,
                            out_channels=48, patch_size=[1, 2, 2], qk_norm="rms_norm_across_heads", text_dim=4096),
        "vae": dict(base_dim=160, z_dim=48, is_residual=True, in_channels=12, out_channels=12, decoder_base_dim=256,
                    scale_factor_temporal=4, scale_factor_spatial=16, patch_size=2, latents_mean=WAN22_LATENTS_MEAN,
                    latents_std=WAN22_LATENTS_STD),
        "text": dict(T5_XXL, vocab_size=256384), "flow_shift": 5.0,
    },
    "wan_flf2v": {
        "transformer": dict(image_dim=1280, added_kv_proj_dim=5120, attention_head_dim=128, cross_attn_norm=True,
                            eps=1e-6, ffn_dim=13824, freq_dim=256, in_channels=36, num_attention_heads=40,
                            num_layers=40, out_channels=16, patch_size=[1, 2, 2], qk_norm="rms_norm_across_heads",
                            text_dim=4096, rope_max_seq_len=1024, pos_embed_seq_len=257 * 2),
        "vae": {},  # AutoencoderKLWan() defaults are the Wan 2.1 VAE
        "clip": dict(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32, num_attention_heads=16,
                     patch_size=14, image_size=224, projection_dim=1024, hidden_act="gelu", layer_norm_eps=1e-5),
        "clip_size": 224, "text": dict(T5_XXL, vocab_size=256384), "flow_shift": 16.0,
    },
    "ltx": {
        "transformer": {},  # LTXVideoTransformer3DModel() defaults are the 2B model
        "vae": dict(in_channels=3, out_channels=3, latent_channels=128, block_out_channels=(128, 256, 512, 1024, 2048),
                    down_block_types=("LTXVideo095DownBlock3D",) * 4, decoder_block_out_channels=(256, 512, 1024),
                    layers_per_block=(4, 6, 6, 2, 2), decoder_layers_per_block=(5, 5, 5, 5),
                    spatio_temporal_scaling=(True, True, True, True),
                    decoder_spatio_temporal_scaling=(True, True, True), decoder_inject_noise=(False,) * 4,
                    downsample_type=("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
                    upsample_residual=(True, True, True), upsample_factor=(2, 2, 2), timestep_conditioning=True,
                    patch_size=4, patch_size_t=1, resnet_norm_eps=1e-6, scaling_factor=1.0, encoder_causal=True,
                    decoder_causal=False, spatial_compression_ratio=32, temporal_compression_ratio=8),
        "text": dict(T5_XXL, vocab_size=32128),
    },
}  # fmt: skip

_TINY_TEXT = dict(d_model=TEXT_DIM, d_kv=8, d_ff=64, num_layers=2, num_heads=4, relative_attention_num_buckets=8,
                  relative_attention_max_distance=16)  # fmt: skip
TINY = {
    "wan_ti2v": {
        "transformer": dict(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=48,
                            out_channels=48, text_dim=TEXT_DIM, freq_dim=256, ffn_dim=32, num_layers=2,
                            cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32),
        "vae": dict(base_dim=3, z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2,
                    latents_mean=[0.0] * 48, latents_std=[1.0] * 48, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                    scale_factor_spatial=16, scale_factor_temporal=4, temperal_downsample=[False, True, True]),
        "text": _TINY_TEXT, "flow_shift": 5.0,
    },
    "wan_flf2v": {
        "transformer": dict(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=36,
                            out_channels=16, text_dim=TEXT_DIM, freq_dim=256, ffn_dim=32, num_layers=2,
                            cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
                            image_dim=4, added_kv_proj_dim=24, pos_embed_seq_len=2 * (4 * 4 + 1)),
        "vae": dict(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                    temperal_downsample=[False, True, True]),
        "clip": dict(hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=4,
                     intermediate_size=16, patch_size=1),
        "clip_size": 4, "text": _TINY_TEXT, "flow_shift": 16.0,
    },
    "ltx": {
        "transformer": dict(in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4,
                            attention_head_dim=8, cross_attention_dim=32, num_layers=1, caption_channels=TEXT_DIM),
        "vae": dict(in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
                    decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
                    decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
                    decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False,) * 5,
                    upsample_residual=(False,) * 4, upsample_factor=(1,) * 4, timestep_conditioning=False,
                    patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False),
        "text": _TINY_TEXT,
    },
}  # fmt: skip


def tokenizer(max_length: int = 128):
    """A word-level T5-style fast tokenizer over ``WORDS``; unknown words become ``<unk>``."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>",
                                                       special_tokens=[("</s>", 1)])  # fmt: skip
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
                                   model_max_length=max_length)  # fmt: skip


def build_pipeline(layout: str, arch: dict | None = None, seed: int = 0):
    """A Wan (``wan_ti2v``, ``wan_flf2v``) or LTX (``ltx``: 0.9.0/0.9.1 image-to-video; ``ltx_condition``:
    0.9.5 and later) image-to-video pipeline with random weights."""
    import torch
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    arch = (arch or TINY)[layout]
    full = arch is FULL.get(layout)
    tok = tokenizer()
    text_config = dict(arch["text"], pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    text_config.setdefault("vocab_size", len(tok))
    torch.manual_seed(seed)
    if layout in ("ltx", "ltx_condition"):
        import diffusers

        parts = dict(tokenizer=tok, text_encoder=T5EncoderModel(T5Config(**text_config)).eval(),
                     transformer=diffusers.LTXVideoTransformer3DModel(**arch["transformer"]),
                     vae=diffusers.AutoencoderKLLTXVideo(**arch["vae"]))  # fmt: skip
        if layout == "ltx_condition":  # 0.9.5 and later: the pipeline sets its own timesteps, no dynamic shift
            return diffusers.LTXConditionPipeline(
                **parts, scheduler=diffusers.FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=False))
        return diffusers.LTXImageToVideoPipeline(
            **parts, scheduler=diffusers.FlowMatchEulerDiscreteScheduler(
                use_dynamic_shifting=True, base_shift=0.95, max_shift=2.05, base_image_seq_len=1024,
                max_image_seq_len=4096, shift_terminal=0.1))  # fmt: skip
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanImageToVideoPipeline, WanTransformer3DModel

    parts = dict(
        tokenizer=tok, text_encoder=UMT5EncoderModel(UMT5Config(**text_config)).eval(),
        transformer=WanTransformer3DModel(**arch["transformer"]), vae=AutoencoderKLWan(**arch["vae"]),
        scheduler=UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True,
                                          num_train_timesteps=1000, flow_shift=arch["flow_shift"]),
        transformer_2=None,
    )  # fmt: skip
    if layout == "wan_ti2v":
        return WanImageToVideoPipeline(**parts, image_encoder=None, image_processor=None, boundary_ratio=None,
                                       expand_timesteps=True)  # fmt: skip
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    size = arch["clip_size"]
    processor = CLIPImageProcessor(crop_size=size, size=size) if not full else CLIPImageProcessor(
        size={"shortest_edge": size}, crop_size={"height": size, "width": size})  # fmt: skip
    return WanImageToVideoPipeline(**parts, image_encoder=CLIPVisionModel(CLIPVisionConfig(**arch["clip"])).eval(),
                                   image_processor=processor)  # fmt: skip


def save_pipeline(folder: str | os.PathLike, layout: str, arch: dict | None = None, seed: int = 0,
                  dtype=None) -> Path:  # fmt: skip
    """Write a random-weight pipeline with ``save_pretrained``; return the folder."""
    folder = Path(folder)
    pipe = build_pipeline(layout, arch, seed)
    if dtype is not None:
        pipe.to(dtype=dtype)
    pipe.save_pretrained(folder)
    return folder


# LTX-Video 0.9.5 and later: the same parts, saved as an LTXConditionPipeline.
FULL["ltx_condition"] = FULL["ltx"]
TINY["ltx_condition"] = TINY["ltx"]
