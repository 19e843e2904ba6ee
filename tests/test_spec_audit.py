"""Issue 10, 'A spec with no wrong sentence': one test per point of the expert audit.

Each test fails on the text or code the audit found (the old display, the old statement,
the old check), and passes on the fixed one; the numbers are recomputed here by brute force
or by hand, never taken from the code under test.
"""

from __future__ import annotations

import dataclasses
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from cnnspec import formulas as F
from cnnspec import ref, rules
from cnnspec import tolerance as T
from cnnspec.errors import InvalidConfig
from cnnspec.rules import formula_checks as FC
from cnnspec.rules.net_checks import adaptive_window_failures

ROOT = Path(__file__).resolve().parent.parent


def _statement(rule_id: str) -> str:
    return rules.get(rule_id).statement


# ---------------------------------------------------------------- 1. rendered formulas


def test_every_formula_rule_has_a_rendered_formula_check():  # [params.conv] and every symbolic rule
    symbolic = {r.id for r in rules.all_rules() if r.symbolic is not None}
    checked = {c.rule for c in rules.all_checks() if c.name == FC.RENDERED}
    assert symbolic - checked == set(), "rules whose rendered formula nobody evaluates"
    assert symbolic <= set(FC.READINGS)


def _old_params_conv():
    """The display before the fix: C_in -> C_in*g, C_out -> C_out*g, substituted unsaid."""
    c_in, c_out, kh, kw, g = rules._symbols.symbols("C_in C_out k_h k_w g")
    return F.conv_params(c_in * g, c_out * g, (kh, kw), groups=g)


def test_the_old_params_conv_display_reads_440_where_the_count_is_112():
    point = {"C_in": 6, "C_out": 4, "k_h": 3, "k_w": 3, "g": 2}
    assert F.conv_params(6, 4, (3, 3), groups=2) == 4 * (6 // 2) * 9 + 4 == 112
    old = dataclasses.replace(rules.get("params.conv"), symbolic=_old_params_conv)
    bad = FC.rendered_mismatches(old, point)
    assert any("= 440 at" in b and b.startswith("plain text") for b in bad), bad
    try:
        import antlr4  # noqa: F401  (the LaTeX is parsed on its own only with antlr4)
    except ImportError:
        pass  # without it, the LaTeX must be the plain text's, which is evaluated above
    else:
        assert any(b.startswith("LaTeX") for b in bad), bad
    assert FC.rendered_mismatches(rules.get("params.conv"), point) == []


def test_the_old_separable_display_was_only_the_m1_no_bias_case():
    def old():
        c_in, c_out, kh, kw = rules._symbols.symbols("C_in C_out k_h k_w")
        return F.depthwise_separable_params(c_in, c_out, (kh, kw), bias=False)

    point = {"C_in": 32, "C_out": 64, "k_h": 3, "k_w": 3, "m": 2}
    # depthwise 32*2*9 + 64 = 640, pointwise 64*64 + 64 = 4160
    assert F.depthwise_separable_params(32, 64, (3, 3), depth_multiplier=2) == 640 + 4160
    stale = dataclasses.replace(rules.get("params.separable"), symbolic=old)
    assert FC.rendered_mismatches(stale, point)
    assert FC.rendered_mismatches(rules.get("params.separable"), point) == []


@pytest.mark.parametrize("rule_id", sorted(FC.READINGS))
def test_each_rendered_form_is_evaluated(rule_id):
    forms = FC.rendered_forms(rules.get(rule_id))
    wheres = [w for w, _, _ in forms]
    assert "plain text" in wheres
    assert any(w.startswith("LaTeX") for w in wheres) or "plain text" in wheres
    assert all(expr is not None for _, _, expr in forms), forms


def test_the_latex_parses_back_with_antlr_when_installed():
    pytest.importorskip("antlr4")
    for rule_id in FC.READINGS:
        wheres = [w for w, _, _ in FC.rendered_forms(rules.get(rule_id))]
        assert "LaTeX" in wheres, (rule_id, wheres)


def test_multi_letter_names_are_one_word_in_latex():
    # conv-transpose.out-size used to print `op`, which LaTeX reads as o times p
    from cnnspec.rules.render import formula_latex

    assert r"\mathit{op}" in formula_latex(rules.get("conv-transpose.out-size"))
    assert r"C_{\mathit{in}}" in formula_latex(rules.get("params.conv"))


# ---------------------------------------------------------------- 2, 3. tolerance scope, TF32


@pytest.mark.parametrize("rule_id", ["tolerance.exact-integers", "tolerance.k-aware"])
def test_tolerance_rules_state_their_summation(rule_id):
    text = _statement(rule_id)
    assert "direct summation" in text and "Winograd" in text and "FFT" in text


def test_fft_convolution_of_small_integers_is_not_exact_in_float32():
    """Why tolerance.exact-integers needs its scope: an FFT conv rounds its transforms."""
    scipy_fft = pytest.importorskip("scipy.fft")
    rng = np.random.default_rng(0)
    x = rng.integers(-4, 5, 64).astype(np.float64)  # (64,)
    w = rng.integers(-4, 5, 9).astype(np.float64)  # (9,)
    exact = ref.conv(x.reshape(1, 1, 64), w.reshape(1, 1, 9))[0, 0]  # (56,)
    spectrum = (scipy_fft.rfft(x.astype(np.float32), 128)
                * scipy_fft.rfft(w[::-1].astype(np.float32), 128))  # complex64
    y = scipy_fft.irfft(spectrum, 128)[8:64]  # (56,) float32
    assert y.dtype == np.float32
    assert np.max(np.abs(y - exact)) > 0


def test_nnpack_convolution_of_small_integers_is_off_by_about_1e_3():
    torch = pytest.importorskip("torch")
    if not torch._nnpack_available():
        pytest.skip("torch was built without NNPACK")
    g = torch.Generator().manual_seed(0)
    x = torch.randint(-4, 5, (1, 8, 32, 32), generator=g).float()  # (N, C_in, H, W)
    w = torch.randint(-4, 5, (16, 8, 3, 3), generator=g).float()  # (C_out, C_in, 3, 3)
    y = torch._nnpack_spatial_convolution(x, w, None, padding=[0, 0]).double().numpy()
    err = np.max(np.abs(y - ref.conv(x.double().numpy(), w.double().numpy())))
    assert err > 1e-4  # direct summation would be exact: |partial sums| <= 72*16 << 2**24


def test_tf32_is_an_input_rounding_not_an_accumulation():
    text = _statement("tolerance.k-aware")
    assert "float16 and TF32" not in text  # the old list of accumulation precisions
    assert "TF32 is an input format" in text and "accumulates in float32" in text


def test_the_k_aware_worked_examples():
    g9 = 9 * 2**-24 / (1 - 9 * 2**-24)  # gamma_9 in float32, about 5.36e-7
    assert g9 * 10 == pytest.approx(5.36e-6, rel=1e-3)  # inputs already float32
    rounded = ((1 + g9) * (1 + 2**-24) ** 2 - 1) * 10  # float64 inputs rounded to float32
    assert rounded == pytest.approx(6.56e-6, rel=1e-3)
    tf32 = ((1 + g9) * (1 + 2**-11) ** 2 - 1) * 10  # TF32 inputs, float32 accumulation
    assert tf32 == pytest.approx(9.77e-3, rel=1e-3)
    assert T.product_factor(T.gamma(9, "float32"), T.U["tf32"], 0.0) * 10 == pytest.approx(tf32)
    results = " ".join(e.result for e in rules.get("tolerance.k-aware").examples)
    assert "5.4e-6" in results and "6.6e-6" in results and "9.8e-3" in results


# ---------------------------------------------------------------- 4. pool.ceil-mode


def _starts_before_the_end(i, k, s, pb, pa, d):
    """The spec's ceil mode, counted: rounded-up window starts, less every one at or after
    the input's end."""
    n = -(-(i + pb + pa - d * (k - 1) - 1) // s) + 1
    return sum(1 for j in range(n) if j * s < pb + i)


def _framework_ceil(i, k, s, pb, pa, d):
    """PyTorch's and ONNX's ceil mode: round up, then drop the last window if it starts in
    the right padding (at most one)."""
    o = -(-(i + pb + pa - d * (k - 1) - 1) // s) + 1
    return o - 1 if (o - 1) * s >= i + pb else o


def test_ceil_mode_counts_the_window_starts_before_the_input_end():
    checked = 0
    for i, k, s, pb, pa, d in _axes():
        if F.pool_window_has_input(i, k, stride=s, padding=(pb, pa), dilation=d,
                                   ceil_mode=True) is not None:
            continue  # taps stepping over an input shorter than d: refused, not counted
        checked += 1
        assert F.pool_out_size(i, k, stride=s, padding=(pb, pa), dilation=d, ceil_mode=True) \
            == _starts_before_the_end(i, k, s, pb, pa, d), (i, k, s, pb, pa, d)
    assert checked > 1000


def _axes():
    for i in range(1, 9):
        for k in range(1, 4):
            for s in range(1, 4):
                for d in (1, 2):
                    for pb in range(0, 4):
                        for pa in range(0, 6):
                            if d * (k - 1) + 1 <= i + pb + pa and pb <= d * (k - 1):
                                yield i, k, s, pb, pa, d


def test_ceil_mode_agrees_with_the_frameworks_below_a_dilated_window_of_right_padding():
    differ = []
    for i, k, s, pb, pa, d in _axes():
        spec, frameworks = _starts_before_the_end(i, k, s, pb, pa, d), _framework_ceil(i, k, s, pb, pa, d)
        if pa <= d * (k - 1):
            assert spec == frameworks, (i, k, s, pb, pa, d)
        elif spec != frameworks:
            differ.append((i, k, s, pb, pa, d))
    assert differ  # beyond it the two rules part
    assert "d*(k-1)" in _statement("pool.ceil-mode") and "at most one" in _statement("pool.ceil-mode")


def test_ceil_mode_accepts_what_floor_mode_refuses():  # i=1, k=1, p=(0, 1)
    with pytest.raises(InvalidConfig, match=r"\[pool\.window-has-input\]"):
        F.pool_out_size(1, 1, stride=1, padding=(0, 1))
    assert F.pool_out_size(1, 1, stride=1, padding=(0, 1), ceil_mode=True) == 1
    y = ref.max_pool(np.array([[[7.0]]]), kernel=(1,), stride=(1,), padding=((0, 1),),
                     ceil_mode=True)
    assert y.tolist() == [[[7.0]]]


# ---------------------------------------------------------------- 5. other sentences


def test_p_after_below_k_is_sufficient_not_necessary():  # [pool.window-has-input]
    assert F.pool_window_has_input(1, 2, stride=3, padding=(0, 2)) is None  # p_after = 2 = k
    y = ref.max_pool(np.array([[[7.0]]]), kernel=(2,), stride=(3,), padding=((0, 2),))
    assert y.tolist() == [[[7.0]]]
    text = _statement("pool.window-has-input")
    assert "this means p_before < k and p_after < k" not in text
    assert "not necessary" in text


def test_same_avg_pool_divisor_differs_from_tensorflow():  # [pad.same]
    x = np.array([[[0.0, 10, 20, 30, 40]]])  # (1, 1, 5)
    pads = F.same_padding(5, 4)
    assert pads == (1, 2)
    spec = ref.avg_pool(x, kernel=(4,), stride=(1,), padding=(pads,))
    assert spec.tolist() == [[[7.5, 15, 25, 22.5, 17.5]]]  # [pad,0,10,20]/4 = 30/4
    tf = ref.avg_pool(x, kernel=(4,), stride=(1,), padding=(pads,), count_include_pad=False)
    assert tf.tolist() == [[[10, 15, 25, 30, 35]]]  # 30/3, ..., [30,40,pad,pad] -> 70/2
    assert "divisor" in _statement("pad.same")


def test_equal_shapes_do_not_imply_equal_jumps():  # [net.rf-union]
    from cnnspec.layers import Conv, Residual
    from cnnspec.summary import summarize

    main, short = F.conv_out_size(4, 3), F.conv_out_size(4, 1, stride=2)
    assert (main, short) == (2, 2)
    s = summarize([Residual([Conv(2, 3)], [Conv(2, 1, stride=2)])], (2, 4, 4))
    assert s.output_shape == (2, 2, 2)
    with pytest.raises(InvalidConfig, match=r"\[net\.rf-union\]"):
        F.receptive_field_union(F.RF(3, 1, 0), F.RF(1, 2, 0))
    assert "agree whenever" not in _statement("net.rf-union")


def test_batch_norm_counts_of_the_frameworks_are_stated():  # [params.batch-norm]
    text = _statement("params.batch-norm")
    assert "2C + 1" in text and "4C" in text
    torch = pytest.importorskip("torch")
    bn = torch.nn.BatchNorm2d(64)
    assert sum(p.numel() for p in bn.parameters()) == 128
    assert sum(b.numel() for b in bn.buffers()) == 129  # + num_batches_tracked


# ---------------------------------------------------------------- 6. summarize and windows


def test_summarize_refuses_a_pool_that_no_size_makes_valid():
    from cnnspec.layers import MaxPool
    from cnnspec.summary import summarize

    layer = MaxPool(2, stride=1, padding=((0, 2),))
    for h in range(1, 30):  # window H (of H + 1) is [pad, pad] for every H
        with pytest.raises(InvalidConfig, match=r"\[pool\.window-has-input\]"):
            summarize([layer], (1, h))
    with pytest.raises(InvalidConfig, match=r"\[pool\.window-has-input\]"):
        summarize([layer], (1, "H"))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2, stride=3, padding=((0, 2),)),
                                    dict(kernel_size=2, stride=4, padding=((1, 3),), dilation=3),
                                    dict(kernel_size=3, stride=2, padding=((2, 2),)),
                                    dict(kernel_size=2, stride=2, padding=((1, 1),), ceil_mode=True)],
                         ids=str)
def test_the_symbolic_constraint_is_the_set_of_valid_sizes(kwargs):
    import sympy

    from cnnspec.layers import MaxPool
    from cnnspec.summary import summarize

    layer = MaxPool(**kwargs)
    s = summarize([layer], (1, "H"))
    h = next(iter(s.output_shape[1].free_symbols))
    for n in range(1, 60):
        try:
            summarize([layer], (1, n))
            valid = True
        except InvalidConfig:
            valid = False
        holds = all(bool(sympy.sympify(c).subs(h, n)) for c in s.constraints)
        assert holds == valid, (n, s.constraints)


# ---------------------------------------------------------------- 7. adaptive pooling windows


def _non_overlapping(i, o, j):
    return j * i // o, (j + 1) * i // o


def _whole_when_uneven(i, o, j):
    return (0, i) if i % o else (j * (i // o), (j + 1) * (i // o))


def _old_check_passes(window, i, o):
    """The check before the fix: non-empty windows inside [0, i), covering it; uniform when
    o divides i."""
    windows = [window(i, o, j) for j in range(o)]
    covered = {q for lo, hi in windows for q in range(lo, hi)}
    return (all(0 <= lo < hi <= i for lo, hi in windows) and covered == set(range(i))
            and (i % o or windows == [(j * (i // o), (j + 1) * (i // o)) for j in range(o)]))


@pytest.mark.parametrize("wrong", [_non_overlapping, _whole_when_uneven])
def test_wrong_adaptive_windows_passed_the_old_check_and_fail_the_new(wrong):
    def pytorch(i, o, j):  # exact fractions
        return math.floor(Fraction(j * i, o)), math.ceil(Fraction((j + 1) * i, o))

    cases = [(i, o) for i in range(1, 41) for o in range(1, 13) if o <= i]
    assert all(_old_check_passes(wrong, i, o) for i, o in cases)
    differ = sum(wrong(i, o, j) != pytorch(i, o, j) for i, o in cases for j in range(o))
    assert differ > 1000
    assert any(adaptive_window_failures(wrong, i, o) for i, o in cases)
    assert not any(adaptive_window_failures(F.adaptive_pool_window, i, o) for i, o in cases)


# ---------------------------------------------------------------- 8. errata and citations


def test_spec_cites_no_local_seed_files_or_machine_paths():
    pattern = re.compile(r"seeds/|/work/|\d{3}_[0-9a-f]{16}\.txt")
    for path in sorted((ROOT / "spec").glob("*.md")):
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name
    for r in rules.all_rules():
        for source in r.sources:
            assert not pattern.search(source), (r.id, source)


def test_errata_keras_1_syntax_in_keras_2():  # seed 004: Convolution2D(25, 3, 3), 28x28x1
    assert F.conv_out_size(28, 3) == 28 - 3 + 1 == 26  # Keras 1: 25 filters of 3x3
    assert F.conv_out_size(28, 3, stride=3) == (28 - 3) // 3 + 1 == 9  # Keras 2: strides=3
    errata = (ROOT / "spec" / "errata.md").read_text(encoding="utf-8")
    assert "9×9×25" in errata and "Conv2D(25, 3, 3)" in errata


def test_errata_convolution_is_equivariant_by_weight_sharing():  # seed 001
    rng = np.random.default_rng(1)
    x = rng.integers(-3, 4, (1, 1, 12)).astype(float)  # (1, 1, 12)
    w = rng.integers(-3, 4, (1, 1, 3)).astype(float)  # (1, 1, 3)
    shifted = np.roll(x, 2, axis=-1)
    y, ys = ref.conv(x, w), ref.conv(shifted, w)  # (1, 1, 10)
    assert np.array_equal(ys[..., 2:], y[..., :-2])  # the output moves with the input
    assert not np.array_equal(ys, y)  # so it is not invariant
    errata = (ROOT / "spec" / "errata.md").read_text(encoding="utf-8")
    assert "equivariant" in errata and "weight sharing" in errata
