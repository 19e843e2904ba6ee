"""InvalidConfig keeps its parts (message, rule, detail) as attributes, and every re-raise
that adds context (an axis index, a layer's place, the layer text) keeps the rule and the
detail.  The expected texts below were worked out by hand from the bad calls."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from cnnspec import layers, ref
from cnnspec.errors import InvalidConfig
from cnnspec.summary import summarize


def _raised(fn, *args, **kwargs) -> InvalidConfig:
    with pytest.raises(InvalidConfig) as info:
        fn(*args, **kwargs)
    return info.value


def _parts(e: InvalidConfig) -> tuple[str, str, str]:
    return e.message, e.rule, e.detail


def test_constructed_error_keeps_its_parts_and_its_text():
    e = InvalidConfig("stride=0, but should be >= 1", rule="config.stride",
                      detail="  [conv(x, w, stride=0)]")
    assert _parts(e) == ("stride=0, but should be >= 1", "config.stride",
                         "  [conv(x, w, stride=0)]")
    assert str(e) == "stride=0, but should be >= 1 [config.stride]\n  [conv(x, w, stride=0)]"
    plain = InvalidConfig("k=0, but should be >= 1", rule="config.kernel")
    assert _parts(plain) == ("k=0, but should be >= 1", "config.kernel", "")
    assert str(plain) == "k=0, but should be >= 1 [config.kernel]"
    assert isinstance(plain, ValueError)


def test_reference_error_indexed_by_axis_keeps_rule_and_detail():
    # axis 1: input 3, kernel 5, dilation 1, no padding -> dilated kernel 1*(5-1)+1 = 5 > 3
    e = _raised(ref.conv, np.zeros((1, 1, 5, 3)), np.zeros((1, 1, 3, 5)))
    assert _parts(e) == ("dilated kernel[1]=5, but should be <= padded input=3",
                         "conv.kernel-fits", "  1*(5-1)+1 = 5 > 3 + 0 + 0 = 3")
    assert str(e) == ("dilated kernel[1]=5, but should be <= padded input=3 "
                      "[conv.kernel-fits]\n  1*(5-1)+1 = 5 > 3 + 0 + 0 = 3")


def test_reference_error_without_detail_has_empty_detail():
    # output_padding 2 on axis 1 with stride 2, dilation 1: must be < max(2, 1) = 2
    e = _raised(ref.conv_transpose, np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)),
                stride=(2, 2), output_padding=(0, 2))
    assert _parts(e) == ("output_padding[1]=2, but should be < max(stride=2, dilation=1)=2",
                         "conv-transpose.output-padding", "")
    assert "\n" not in str(e)


def test_reference_error_with_brackets_in_the_detail():
    # axis 1: width 4 padded by 3 on both sides; window 0 taps padded cells 0 and 1,
    # the input occupies [3, 7) of the padded axis
    e = _raised(ref.max_pool, np.zeros((1, 1, 4, 4)), kernel=2, padding=(0, 3))
    assert _parts(e) == (
        "padding[1]=(3, 3), but should leave every window at least one tap on the input "
        "(window 0 has none)", "pool.window-has-input",
        "  i=4, kernel=2, stride=2, dilation=1, ceil_mode=False: window 0 taps padded "
        "positions [0, 1], the input is at [3, 7)")


def test_layer_language_reraise_keeps_the_rule():
    e = _raised(layers.parse, "dropout(1.5)")
    assert _parts(e) == ("layers='dropout(1.5)': dropout(1.5,): p=1.5, but should be "
                         "0 <= p < 1", "net.layer", "")


def test_network_error_located_once_keeps_rule_and_detail():
    # conv(8, 3) takes 8 -> 6; a 9-wide kernel does not fit 6 cells
    net = layers.parse("conv(8, 3) conv(8, 9)")
    e = _raised(summarize, net, (3, 8, 8))
    assert _parts(e) == ("layer 1 (Conv(8, 9)): dilated kernel=9, but should be <= padded "
                         "input=6", "conv.kernel-fits", "  1*(9-1)+1 = 9 > 6 + 0 + 0 = 6")
    nested = _raised(summarize, layers.parse("conv(8, 3) res[conv(8, 9)]"), (3, 8, 8))
    assert _parts(nested) == ("layer 1.main.0 (Conv(8, 9)): dilated kernel=9, but should be "
                              "<= padded input=6", "conv.kernel-fits",
                              "  1*(9-1)+1 = 9 > 6 + 0 + 0 = 6")


def test_replace_keeps_the_parts_not_given():
    e = InvalidConfig("p=2, but should be < 1", rule="net.layer", detail="  p=2")
    moved = e.replace(message=f"layer 0: {e.message}")
    assert _parts(moved) == ("layer 0: p=2, but should be < 1", "net.layer", "  p=2")
    assert str(moved) == "layer 0: p=2, but should be < 1 [net.layer]\n  p=2"
    more = e.replace(detail="  p=2\n  [f(p=2)]")
    assert _parts(more) == ("p=2, but should be < 1", "net.layer", "  p=2\n  [f(p=2)]")
    assert _parts(e) == ("p=2, but should be < 1", "net.layer", "  p=2")  # unchanged


def test_pickle_keeps_the_parts_and_later_attributes():
    e = _raised(summarize, layers.parse("conv(8, 3) conv(8, 9)"), (3, 8, 8))
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is InvalidConfig
    assert _parts(back) == _parts(e) and str(back) == str(e)
    assert back.index == "1" and back.located is True
