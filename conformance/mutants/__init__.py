"""The mutant zoo: buggy targets, one classic bug each, that the conformance suite must catch.

Every module here is a target in the target contract (docs/contract.md).  It takes the correct ops from
``cnnspec.targets.reference`` and breaks one of them with the smallest readable change, marked
``# BUG``; where the change would also skip the spec's argument checks, it runs them first
(``cnnspec.ref._validate``), so that the bug is the only difference.  Its docstring says the
bug, where real code has had it, and which checks catch it; ``EXPECTED_RULES`` names the rules
whose checks must catch it, the most specific first.

Run the suite on one yourself::

    cnnspec conform conformance/mutants/conv_kernel_flipped.py

``conformance/test_mutants.py`` runs it on all of them; ``python -m conformance.measure_mutants``
prints the table of conformance/README.md.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["MUTANTS", "DIR", "path"]

DIR = Path(__file__).resolve().parent

#: Every mutant, by module name (= the bug), grouped by the op it breaks.
MUTANTS = (
    # conv
    "conv_kernel_flipped",
    "conv_out_size_ceil",
    "conv_padding_only_before",
    "conv_padding_sides_swapped",
    "conv_padding_axes_reversed",
    "conv_padding_twice",
    "conv_bias_before_padding",
    "conv_bias_per_tap",
    "conv_bias_ignored",
    "conv_stride_on_kernel_index",
    "conv_dilation_on_input",
    "conv_dilated_extent_off_by_one",
    "conv_groups_interleaved",
    "conv_depthwise_wrong_weight_slice",
    "conv_float32_accumulation",
    "conv_accepts_kernel_larger_than_input",
    "conv_mutates_weights",
    "conv_batch_offset_missing",
    "conv_rejects_exact_fit",
    "conv_accepts_groups_not_dividing_c_out",
    "conv_last_window_off_by_one",
    "conv_stride_of_first_axis",
    "conv_bias_group_offset_missing",
    "conv_accepts_negative_padding",
    "conv_channel_block_tail_dropped",
    "conv_skips_zero_weights",
    "conv_tail_tile_16",
    "conv_tail_tile_32",
    "conv_channel_block_48_dropped",
    "conv_tf32_inputs",
    "conv_bfloat16_inputs",
    "conv2d_only_kernel_axes_swapped",
    "conv2d_only_pad_scaled_by_stride",
    # conv_transpose
    "conv_transpose_kernel_not_flipped",
    "conv_transpose_output_padding_ignored",
    "conv_transpose_output_padding_before",
    "conv_transpose_padding_adds",
    "conv_transpose_accepts_large_output_padding",
    "conv_transpose_groups_interleaved",
    "conv_transpose_rejects_output_padding_from_stride",
    # max_pool
    "max_pool_pads_with_zero",
    "max_pool_drops_nan",
    "max_pool_ceil_keeps_window_in_padding",
    "max_pool_last_window_off_by_one",
    "max_pool_always_ceil",
    "max_pool_returns_input",
    "max_pool_dilation_ignored",
    "max_pool_accepts_padding_only_window",
    "max_pool_layout_reshaped",
    "max_pool_tile_tail_dropped",
    # avg_pool
    "avg_pool_always_counts_padding",
    "avg_pool_divisor_counts_overhang",
    "avg_pool_floor_division",
    "avg_pool_square_kernel",
)


def path(name: str) -> Path:
    """The file of mutant ``name`` (what ``cnnspec conform`` takes)."""
    return DIR / f"{name}.py"
