"""The reference conv's batching and blocking never change a result.

ref.conv processes the batch in chunks (CHUNK_BYTES) on its dense path and planes in blocks
(DEPTHWISE_BLOCK_BYTES) on its depthwise path; at test sizes both fit in one piece, so here
they are forced down to a few bytes, and every chunk / block edge is crossed.
"""

from __future__ import annotations

import importlib

from helpers import cites
from hypothesis import given
from oracle import conv as oracle_conv

from cnnspec.asserts import assert_exact
from cnnspec.strategies import conv_configs

conv_module = importlib.import_module("cnnspec.ref.conv")  # the module, not ref.conv the function


@cites("conv.def", "conv.groups")
@given(cfg=conv_configs(max_batch=3))
def test_conv_with_one_sample_chunks_and_one_plane_blocks(cfg):
    saved = conv_module.CHUNK_BYTES, conv_module.DEPTHWISE_BLOCK_BYTES
    conv_module.CHUNK_BYTES = conv_module.DEPTHWISE_BLOCK_BYTES = 1
    try:
        y = conv_module.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    finally:
        conv_module.CHUNK_BYTES, conv_module.DEPTHWISE_BLOCK_BYTES = saved
    assert_exact(y, oracle_conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs), rule="conv.def", call=cfg.call())
