"""Keras Lambda bodies as people write them, for `run.py`.

Each case is the source text of a Lambda (a `lambda`, or `def`s whose last one is the entry
point), its inputs, and how to compare. The same text is exec'd in Python with the real
libraries bound (`K`, `tf`, `np`, `ops`, `keras`, `jnp`) to make the reference, and given
verbatim to `lamina run`.

The bodies were written for this corpus in the styles found in public Keras code; none is
copied from elsewhere.
"""

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class T:
    """One input tensor: `spec` is `dtype[d0,d1,...]` with lamina's dtype names.

    kind: how values are drawn --
      normal      floats from N(0, 1) (the default for floats)
      uniform     floats in [lo, hi)
      int         integers in [lo, hi) (the default for integers; lo=0, hi=10)
      intfloat    integers in [lo, hi) stored as floats (ids fed through a float Input)
      bool        True/False
      binary      0/1 labels, in the dtype
      mask        0/1 along the last axis as a prefix of ones (at least one), in the dtype
      padded      N(0, 1) with the steps of axis 1 after a random length (at least one) zeroed
      onehot      one-hot rows along the last axis
      prob        positive rows along the last axis that sum to 1
      nan         N(0, 1) with about a tenth of the values NaN
    """

    spec: str
    lo: Optional[float] = None
    hi: Optional[float] = None
    kind: Optional[str] = None


# Tolerances (rtol, atol) by result dtype. A case overrides them with `tol=` and says why.
DEFAULT_TOL = {
    "float16": (2e-3, 1e-3),   # 1 ulp of f16 is 2**-10 relative: TF computes some f16 ops in f16
                               # or accumulates in f32, lamina computes in f32 and rounds each op
    "bfloat16": (1e-2, 1e-2),
    "float32": (1e-5, 1e-6),   # arithmetic
    "float64": (1e-12, 1e-14),
}
# No case loosens them today: the erf, pow, sin, log and cross-entropy cases all match at the
# f32 default. A case that needs more (a transcendental function whose error a sum or a
# cancellation makes visible) sets tol=(rtol, atol) and says why in why=.


@dataclass(frozen=True)
class Case:
    name: str
    src: str
    inputs: dict
    feed: str = "tf"                    # what the reference receives: tf tensors, np arrays, jax arrays
    tol: Optional[tuple] = None         # (rtol, atol) for float results instead of DEFAULT_TOL
    check: Optional[Callable] = None    # statistical check for random results, instead of values
    why: str = ""                       # why tol or check is what it is


CASES = []


def case(name, src, feed="tf", tol=None, check=None, why="", **inputs):
    CASES.append(Case(name, src.strip("\n"), inputs, feed, tol, check, why))


# ----------------------------------------------------------------------------- statistics
# Random lambdas cannot match value for value (lamina draws with Philox from its own key,
# TensorFlow from its global generator). These compare distributions with explicit bounds
# sized for the sample counts used (4096 draws: the standard error of a mean of N(0, 1) is
# 1/64, of its standard deviation about 1/90).

def check_reparameterised(inputs, out):
    """z = mean + exp(0.5 * log_var) * eps: eps must look like N(0, 1)."""
    z_mean, z_log_var = inputs["args"] if "args" in inputs else inputs["t"]
    eps = (out[0].astype(np.float64) - z_mean) / np.exp(0.5 * z_log_var)
    m, s = float(eps.mean()), float(eps.std())
    ok = abs(m) < 0.06 and abs(s - 1.0) < 0.05
    return ok, f"eps mean {m:.4f} (|.| < 0.06), std {s:.4f} (|1 - .| < 0.05)"


def check_dropout(rate):
    def check(inputs, out):
        x = inputs["x"].astype(np.float64)
        y = out[0].astype(np.float64)
        kept = y != 0
        frac = 1.0 - float(kept.mean())
        scaled_ok = np.allclose(y[kept], x[kept] / (1.0 - rate), rtol=1e-5, atol=1e-6)
        ok = abs(frac - rate) < 0.05 and scaled_ok
        return ok, f"dropped {frac:.3f} (|. - {rate}| < 0.05), kept values x / (1 - rate): {scaled_ok}"
    return check


def check_gaussian_noise(stddev):
    def check(inputs, out):
        noise = out[0].astype(np.float64) - inputs["x"]
        m, s = float(noise.mean()), float(noise.std())
        ok = abs(m) < 4 * stddev / 64 and abs(s - stddev) < 0.05 * stddev
        return ok, f"noise mean {m:.5f} (|.| < {4 * stddev / 64:.5f}), std {s:.5f} (~{stddev} within 5 %)"
    return check


# ----------------------------------------------------------------------------- preprocessing, constants
case("scale_255", "lambda x: x / 255.0", x=T("f32[4,8,8,3]", 0, 255))
case("scale_255_int_literal", "lambda x: x / 255", x=T("f32[4,8,8,3]", 0, 255))
case("uint8_to_float", "lambda x: K.cast(x, 'float32') / 255.", x=T("u8[2,8,8,3]", 0, 256))
case("uint8_tf_cast", "lambda x: tf.cast(x, tf.float32) * (1. / 255)", x=T("u8[2,6,6,3]", 0, 256))
case("center_127_5", "lambda x: (x - 127.5) / 127.5", x=T("f32[2,8,8,3]", 0, 255))
case("mobilenet_preprocess", "lambda x: x / 127.5 - 1.0", x=T("f32[2,8,8,3]", 0, 255))
case("imagenet_mean_list", "lambda x: x - [103.939, 116.779, 123.68]", x=T("f32[2,4,4,3]", 0, 255))
case("caffe_bgr", "lambda x: x[..., ::-1] - tf.constant([103.939, 116.779, 123.68])",
     x=T("f32[2,4,4,3]", 0, 255))
case("torch_style_normalise",
     "lambda x: (x / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])",
     x=T("f32[2,4,4,3]", 0, 255))
case("times_half", "lambda x: x * 0.5", x=T("f32[4,16]"))
case("plus_one", "lambda x: x + 1", x=T("f32[4,16]"))
case("negate", "lambda x: -x", x=T("f32[4,16]"))
case("square_pow", "lambda x: x ** 2", x=T("f32[4,16]"))
case("k_pow_3", "lambda x: K.pow(x, 3)", x=T("f32[4,16]"))
case("tf_pow_half", "lambda x: tf.math.pow(x, 0.5)", x=T("f32[4,16]", 0.01, 4))
case("scale_argument", "lambda x, scale=0.1: x * scale", x=T("f32[4,16]"))
case("sqrt_eps", "lambda x: K.sqrt(x + K.epsilon())", x=T("f32[4,16]", 0, 4))
case("log_eps", "lambda x: K.log(x + 1e-7)", x=T("f32[4,16]", 0.001, 10))
case("k_abs", "lambda x: K.abs(x)", x=T("f32[4,16]"))
case("signed_sqrt", "lambda x: K.sign(x) * K.sqrt(K.abs(x) + 1e-12)", x=T("f32[4,16]"))
case("log1p_exp", "lambda x: tf.math.log1p(tf.exp(x))", x=T("f32[4,16]"))
case("k_round", "lambda x: K.round(x * 4)", x=T("f32[4,16]"))
case("quantise_floor", "lambda x: tf.floor(x * 4) / 4", x=T("f32[4,16]"))
case("constant_vector_scale", "lambda x: x * K.constant([1., 2., 3., 4.])", x=T("f32[3,4]"))
case("exp_neg_square", "lambda x: np.exp(-x ** 2)", feed="np", x=T("f32[4,16]"))
case("np_log_plus_one", "lambda x: np.log(x + 1)", feed="np", x=T("f32[4,16]", 0, 5))
case("np_tanh_scale", "lambda x: 2 * np.tanh(x)", feed="np", x=T("f32[4,16]"))
case("math_pi_constant", "lambda x: x * np.pi / 180.0", x=T("f32[4,16]", -180, 180))

# ----------------------------------------------------------------------------- slicing
case("first_step", "lambda x: x[:, 0]", x=T("f32[4,5,6]"))
case("last_step", "lambda x: x[:, -1, :]", x=T("f32[4,7,6]"))
case("first_three_channels", "lambda x: x[..., :3]", x=T("f32[2,4,4,5]"))
case("drop_first_feature", "lambda x: x[:, :, 1:]", x=T("f32[4,5,6]"))
case("reverse_time", "lambda x: x[:, ::-1]", x=T("f32[3,5,2]"))
case("strip_ends", "lambda x: x[:, 1:-1]", x=T("f32[3,7,2]"))
case("insert_axis_none", "lambda x: x[:, :, None]", x=T("f32[3,5]"))
case("insert_axis_newaxis", "lambda x: x[:, tf.newaxis, :]", x=T("f32[3,5]"))
case("keep_first_column", "lambda x: x[:, 0:1]", x=T("f32[4,6]"))
case("channel_zero", "lambda x: x[:, :, :, 0]", x=T("f32[2,4,4,3]"))
case("every_other_step", "lambda x: x[:, ::2]", x=T("f32[3,8,2]"))
case("split_halves_list", "lambda x: [x[:, :4], x[:, 4:]]", x=T("f32[4,8]"))
case("channel_slice_keepdim", "lambda x: x[:, :, :, 1:2]", x=T("f32[2,4,4,3]"))
case("crop_border", "lambda x: x[:, 2:-2, 2:-2, :]", x=T("f32[2,8,8,3]"))
case("list_index_np", "lambda x: x[:, [0, 2]]", feed="np", x=T("f32[4,5]"))
case("ellipsis_last", "lambda x: x[..., -1]", x=T("f32[2,3,4]"))

# ----------------------------------------------------------------------------- reductions
case("k_mean_axis1", "lambda x: K.mean(x, axis=1)", x=T("f32[4,6,8]"))
case("k_sum_axis1", "lambda x: K.sum(x, axis=1)", x=T("f32[4,6,8]"))
case("k_max_time", "lambda x: K.max(x, axis=1)", x=T("f32[4,6,8]"))
case("reduce_max_keepdims", "lambda x: tf.reduce_max(x, axis=-1, keepdims=True)", x=T("f32[4,6,8]"))
case("global_avg_pool", "lambda x: tf.reduce_mean(x, axis=[1, 2])", x=T("f32[2,5,5,3]"))
case("global_max_pool_k", "lambda x: K.max(x, axis=(1, 2))", x=T("f32[2,5,5,3]"))
case("reduce_sum_positional", "lambda x: tf.reduce_sum(x, 1, keepdims=True)", x=T("f32[4,6]"))
case("k_min_last", "lambda x: K.min(x, axis=-1)", x=T("f32[4,6]"))
case("k_std_keepdims", "lambda x: K.std(x, axis=-1, keepdims=True)", x=T("f32[4,16]"))
case("k_var_axis0", "lambda x: K.var(x, axis=0)", x=T("f32[8,5]"))
case("reduce_std", "lambda x: tf.math.reduce_std(x, axis=1)", x=T("f32[4,16]"))
case("reduce_prod", "lambda x: tf.reduce_prod(x, axis=-1)", x=T("f32[4,6]", 0.5, 1.5))
case("manual_logsumexp", "lambda x: K.log(K.sum(K.exp(x), axis=-1))", x=T("f32[4,10]"))
case("reduce_logsumexp_keepdims", "lambda x: tf.reduce_logsumexp(x, axis=1, keepdims=True)",
     x=T("f32[4,10]"))
case("k_argmax", "lambda x: K.argmax(x, axis=-1)", x=T("f32[4,10]"))
case("tf_argmax_int32", "lambda x: tf.argmax(x, axis=1, output_type=tf.int32)", x=T("f32[4,10]"))
case("k_any_positive", "lambda x: K.any(x > 0, axis=-1)", x=T("f32[6,3]"))
case("reduce_all", "lambda x: tf.reduce_all(x > -1.0, axis=1)", x=T("f32[6,3]"))
case("count_nonzero", "lambda x: tf.math.count_nonzero(x > 0, axis=-1)", x=T("f32[4,8]"))
case("k_sum_global", "lambda x: K.sum(x)", x=T("f32[4,8]"))
case("reduce_mean_global", "lambda x: tf.reduce_mean(x)", x=T("f32[4,8]"))
case("ops_mean", "lambda x: ops.mean(x, axis=-1)", x=T("f32[4,8]"))
case("ops_max", "lambda x: ops.max(x, axis=1)", x=T("f32[4,5,3]"))
case("np_mean_axis1", "lambda x: np.mean(x, axis=1)", feed="np", x=T("f32[4,8]"))
case("np_max_keepdims", "lambda x: np.max(x, axis=-1, keepdims=True)", feed="np", x=T("f32[4,8]"))
case("k_mean_int", "lambda x: K.mean(x, axis=1)", x=T("i32[4,6]", 0, 100))
case("fraction_above", "lambda x: tf.reduce_sum(tf.cast(x > 0.5, tf.float32), axis=-1)",
     x=T("f32[4,8]", 0, 1))
case("masked_mean_pool",
     "lambda t: K.sum(t[0] * K.expand_dims(t[1], -1), axis=1) / K.sum(t[1], axis=1, keepdims=True)",
     t=[T("f32[4,6,3]"), T("f32[4,6]", kind="mask")])
case("sum_of_squares_keepdims", "lambda x: K.sum(K.square(x), axis=-1, keepdims=True)", x=T("f32[4,8]"))

# ----------------------------------------------------------------------------- normalisation
case("k_l2_normalize", "lambda x: K.l2_normalize(x, axis=1)", x=T("f32[4,8]"))
case("tf_math_l2_normalize", "lambda x: tf.math.l2_normalize(x, axis=-1)", x=T("f32[4,8]"))
case("nn_l2_normalize_positional", "lambda x: tf.nn.l2_normalize(x, 1)", x=T("f32[4,8]"))
case("antirectifier", """
def antirectifier(x):
    x -= K.mean(x, axis=1, keepdims=True)
    x = K.l2_normalize(x, axis=1)
    pos = K.relu(x)
    neg = K.relu(-x)
    return K.concatenate([pos, neg], axis=1)
""", x=T("f32[4,16]"))
case("layer_norm_manual",
     "lambda x: (x - K.mean(x, axis=-1, keepdims=True)) / (K.std(x, axis=-1, keepdims=True) + 1e-6)",
     x=T("f32[4,16]"))
case("moments_normalise", """
def normalise(x):
    mean, var = tf.nn.moments(x, axes=[1], keepdims=True)
    return (x - mean) / tf.sqrt(var + 1e-3)
""", x=T("f32[4,16]"))
case("instance_norm",
     "lambda x: (x - tf.reduce_mean(x, axis=[1, 2], keepdims=True)) / (tf.math.reduce_std(x, axis=[1, 2], keepdims=True) + 1e-5)",
     x=T("f32[2,5,5,3]"))
case("max_abs_scale", "lambda x: x / K.max(K.abs(x), axis=-1, keepdims=True)", x=T("f32[4,8]"))
case("min_max_scale",
     "lambda x: (x - K.min(x, axis=1, keepdims=True)) / (K.max(x, axis=1, keepdims=True) - K.min(x, axis=1, keepdims=True) + K.epsilon())",
     x=T("f32[4,8]"))
case("ops_normalize", "lambda x: ops.normalize(x, axis=-1)", x=T("f32[4,8]"))
case("divide_by_norm", "lambda x: x / tf.norm(x, axis=-1, keepdims=True)", x=T("f32[4,8]"))
case("np_linalg_norm", "lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)", feed="np",
     x=T("f32[4,8]"))
case("softmax_temperature", "lambda x: K.softmax(x / 0.5)", x=T("f32[4,8]"))
case("reduce_euclidean_norm", "lambda x: tf.math.reduce_euclidean_norm(x, axis=-1)", x=T("f32[4,8]"))

# ----------------------------------------------------------------------------- attention, masking
case("batch_dot_scores", "lambda t: K.batch_dot(t[0], t[1], axes=[2, 2])",
     t=[T("f32[2,5,8]"), T("f32[2,6,8]")])
case("batch_dot_vectors", "lambda t: K.batch_dot(t[0], t[1], axes=(1, 1))",
     t=[T("f32[4,8]"), T("f32[4,8]")])
case("batch_dot_default", "lambda t: K.batch_dot(t[0], t[1])", t=[T("f32[2,5,8]"), T("f32[2,8,3]")])
case("attention_weighted_sum", "lambda t: K.sum(t[0] * K.expand_dims(t[1], axis=-1), axis=1)",
     t=[T("f32[4,6,8]"), T("f32[4,6]", kind="prob")])
case("softmax_over_time", "lambda x: K.softmax(x, axis=1)", x=T("f32[4,6,2]"))
case("scaled_dot_product", """
def attention(q, k, v):
    scores = tf.matmul(q, k, transpose_b=True) / tf.math.sqrt(tf.cast(tf.shape(k)[-1], tf.float32))
    weights = tf.nn.softmax(scores, axis=-1)
    return tf.matmul(weights, v)
""", q=T("f32[2,5,8]"), k=T("f32[2,6,8]"), v=T("f32[2,6,4]"))
case("masked_softmax_additive", """
def masked_softmax(t):
    scores, mask = t
    scores = scores - 1e9 * (1.0 - mask)
    return K.softmax(scores, axis=-1)
""", t=[T("f32[2,4,6]"), T("f32[2,4,6]", kind="mask")])
case("masked_softmax_where",
     "lambda t: tf.nn.softmax(tf.where(t[1], t[0], -1e9 * tf.ones_like(t[0])), axis=-1)",
     t=[T("f32[3,6]"), T("bool[3,6]", kind="mask")])
case("sequence_mask_float", "lambda lengths: tf.sequence_mask(lengths, maxlen=8, dtype=tf.float32)",
     lengths=T("i32[4]", 0, 9))
case("sequence_mask_apply",
     "lambda t: t[0] * tf.expand_dims(tf.sequence_mask(t[1], 6, dtype=tf.float32), -1)",
     t=[T("f32[4,6,3]"), T("i32[4]", 0, 7)])
case("causal_mask_add",
     "lambda x: x + (1.0 - tf.linalg.band_part(tf.ones((5, 5)), -1, 0)) * -1e9",
     x=T("f32[2,5,5]"))
case("lower_triangle", "lambda x: tf.linalg.band_part(x, -1, 0)", x=T("f32[2,4,4]"))
case("padding_mask_from_ids",
     "lambda ids: tf.cast(tf.math.not_equal(ids, 0), tf.float32)[:, tf.newaxis, tf.newaxis, :]",
     ids=T("i32[3,7]", 0, 5))
case("k_not_equal_mask", "lambda x: K.cast(K.not_equal(x, 0), K.floatx())", x=T("i32[3,7]", 0, 4))
case("look_ahead_mask", "lambda x: 1 - tf.linalg.band_part(tf.ones((x.shape[1], x.shape[1])), -1, 0)",
     x=T("f32[2,4,8]"))
case("einsum_context", "lambda t: tf.einsum('bqk,bkd->bqd', t[0], t[1])",
     t=[T("f32[2,5,6]"), T("f32[2,6,4]")])
case("ops_einsum_bmm", "lambda t: ops.einsum('bij,bjk->bik', t[0], t[1])",
     t=[T("f32[2,5,6]"), T("f32[2,6,4]")])
case("split_heads", "lambda x: tf.transpose(tf.reshape(x, (-1, 5, 2, 4)), perm=[0, 2, 1, 3])",
     x=T("f32[3,5,8]"))
case("merge_heads", "lambda x: K.reshape(K.permute_dimensions(x, (0, 2, 1, 3)), (-1, 5, 8))",
     x=T("f32[3,2,5,4]"))
case("additive_attention_tanh", "lambda t: K.tanh(t[0] + K.expand_dims(t[1], 1))",
     t=[T("f32[4,6,8]"), T("f32[4,8]")])
case("attention_pool", """
def attention_pool(h):
    scores = K.sum(h, axis=-1)
    weights = K.softmax(scores)
    return K.sum(h * K.expand_dims(weights), axis=1)
""", h=T("f32[4,6,8]"))
case("self_weighted_softmax", "lambda x: tf.nn.softmax(x, axis=1) * x", x=T("f32[4,6]"))
case("mask_zero_timesteps", "lambda x: K.cast(K.any(K.not_equal(x, 0.0), axis=-1), 'float32')",
     x=T("f32[3,5,4]", kind="padded"))

# ----------------------------------------------------------------------------- embeddings, gather
case("k_gather_rows", "lambda t: K.gather(t[0], t[1])", t=[T("f32[10,4]"), T("i32[6]", 0, 10)])
case("tf_gather_axis1", "lambda t: tf.gather(t[0], t[1], axis=1)", t=[T("f32[3,8,4]"), T("i32[5]", 0, 8)])
case("tf_gather_batch_dims", "lambda t: tf.gather(t[0], t[1], batch_dims=1)",
     t=[T("f32[3,8,4]"), T("i32[3,2]", 0, 8)])
case("gather_constant_indices", "lambda x: tf.gather(x, [0, 2, 4], axis=-1)", x=T("f32[4,6]"))
case("gather_nd", "lambda t: tf.gather_nd(t[0], t[1])", t=[T("f32[4,5]"), T("i32[3,2]", 0, 4)])
case("embedding_lookup", "lambda t: tf.nn.embedding_lookup(t[0], t[1])",
     t=[T("f32[10,4]"), T("i32[3,5]", 0, 10)])
case("ops_take", "lambda t: ops.take(t[0], t[1], axis=0)", t=[T("f32[10,4]"), T("i32[2,3]", 0, 10)])
case("np_take_axis1", "lambda t: np.take(t[0], t[1], axis=1)", feed="np",
     t=[T("f32[3,6]"), T("i64[4]", 0, 6)])
case("gather_float_ids", "lambda t: K.gather(t[0], K.cast(t[1], 'int32'))",
     t=[T("f32[10,4]"), T("f32[5]", 0, 10, kind="intfloat")])
case("gather_last_valid_step", """
def last_valid(t):
    seq, lengths = t
    idx = tf.stack([tf.range(tf.shape(seq)[0]), lengths - 1], axis=1)
    return tf.gather_nd(seq, idx)
""", t=[T("f32[4,6,3]"), T("i32[4]", 1, 7)])

# ----------------------------------------------------------------------------- merging
case("k_concatenate_list", "lambda t: K.concatenate(t, axis=-1)", t=[T("f32[4,3]"), T("f32[4,5]")])
case("k_concatenate_default_axis", "lambda t: K.concatenate([t[0], t[1]])",
     t=[T("f32[4,2,3]"), T("f32[4,2,5]")])
case("infersent_features", "lambda t: tf.concat([t[0], t[1], t[0] * t[1], K.abs(t[0] - t[1])], axis=-1)",
     t=[T("f32[4,6]"), T("f32[4,6]")])
case("tf_stack_axis1", "lambda t: tf.stack(t, axis=1)", t=[T("f32[4,3]"), T("f32[4,3]"), T("f32[4,3]")])
case("k_stack_last", "lambda t: K.stack([t[0], t[1]], axis=-1)", t=[T("f32[4,3]"), T("f32[4,3]")])
case("list_product", "lambda t: t[0] * t[1]", t=[T("f32[4,8]"), T("f32[4,8]")])
case("list_sum", "lambda t: t[0] + t[1]", t=[T("f32[4,8]"), T("f32[4,8]")])
case("list_difference", "lambda t: t[0] - t[1]", t=[T("f32[4,8]"), T("f32[4,8]")])
case("siamese_l1", "lambda t: K.abs(t[0] - t[1])", t=[T("f32[4,8]"), T("f32[4,8]")])
case("k_maximum_pair", "lambda t: K.maximum(t[0], t[1])", t=[T("f32[4,8]"), T("f32[4,8]")])
case("average_of_three", "lambda t: (t[0] + t[1] + t[2]) / 3",
     t=[T("f32[4,8]"), T("f32[4,8]"), T("f32[4,8]")])
case("add_n", "lambda t: tf.add_n(t)", t=[T("f32[4,8]"), T("f32[4,8]"), T("f32[4,8]")])
case("two_named_inputs", "lambda x, y: x * y", x=T("f32[4,8]"), y=T("f32[4,8]"))
case("unpack_list", """
def gate(inputs):
    a, b = inputs
    return a * K.sigmoid(b)
""", inputs=[T("f32[4,8]"), T("f32[4,8]")])
case("ops_concatenate", "lambda t: ops.concatenate(t, axis=1)", t=[T("f32[4,3]"), T("f32[4,2]")])
case("np_concatenate", "lambda t: np.concatenate(t, axis=-1)", feed="np", t=[T("f32[4,3]"), T("f32[4,2]")])
case("tf_unstack_outputs", "lambda x: tf.unstack(x, axis=1)", x=T("f32[4,3,2]"))
case("tf_split_equal", "lambda x: tf.split(x, 2, axis=-1)", x=T("f32[4,6]"))
case("tf_split_sizes", "lambda x: tf.split(x, [2, 3], axis=1)", x=T("f32[4,5]"))
case("ops_split", "lambda x: ops.split(x, 2, axis=-1)", x=T("f32[4,6]"))
case("broadcast_add_bias", "lambda t: t[0] + t[1][:, None, :]", t=[T("f32[4,6,3]"), T("f32[4,3]")])

# ----------------------------------------------------------------------------- distances, siamese
case("euclidean_distance_def", """
def euclidean_distance(vects):
    x, y = vects
    sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))
""", vects=[T("f32[4,8]"), T("f32[4,8]")])
case("euclidean_distance_lambda",
     "lambda t: K.sqrt(K.maximum(K.sum(K.square(t[0] - t[1]), axis=1, keepdims=True), K.epsilon()))",
     t=[T("f32[4,8]"), T("f32[4,8]")])
case("cosine_similarity_manual",
     "lambda t: K.sum(K.l2_normalize(t[0], axis=-1) * K.l2_normalize(t[1], axis=-1), axis=-1, keepdims=True)",
     t=[T("f32[4,8]"), T("f32[4,8]")])
case("manhattan_similarity", "lambda t: K.exp(-K.sum(K.abs(t[0] - t[1]), axis=1, keepdims=True))",
     t=[T("f32[4,8]", -0.3, 0.3), T("f32[4,8]", -0.3, 0.3)])
case("contrastive_loss", """
def contrastive_loss(y_true, y_pred):
    margin = 1
    square_pred = K.square(y_pred)
    margin_square = K.square(K.maximum(margin - y_pred, 0))
    return K.mean(y_true * square_pred + (1 - y_true) * margin_square)
""", y_true=T("f32[8,1]", kind="binary"), y_pred=T("f32[8,1]", 0, 2))
case("triplet_loss", """
def triplet(t):
    anchor, positive, negative = t
    pos_dist = K.sum(K.square(anchor - positive), axis=-1)
    neg_dist = K.sum(K.square(anchor - negative), axis=-1)
    return K.maximum(pos_dist - neg_dist + 0.2, 0.0)
""", t=[T("f32[6,4]"), T("f32[6,4]"), T("f32[6,4]")])

# ----------------------------------------------------------------------------- activations
case("k_relu", "lambda x: K.relu(x)", x=T("f32[4,16]"))
case("k_relu_alpha", "lambda x: K.relu(x, alpha=0.1)", x=T("f32[4,16]"))
case("k_relu_max6", "lambda x: K.relu(x, max_value=6)", x=T("f32[4,16]", -8, 8))
case("k_relu_max1", "lambda x: K.relu(x, max_value=1.0)", x=T("f32[4,16]"))
case("relu6", "lambda x: tf.nn.relu6(x)", x=T("f32[4,16]", -8, 8))
case("leaky_relu", "lambda x: tf.nn.leaky_relu(x, alpha=0.3)", x=T("f32[4,16]"))
case("k_elu", "lambda x: K.elu(x)", x=T("f32[4,16]"))
case("selu", "lambda x: tf.nn.selu(x)", x=T("f32[4,16]"))
case("gelu_exact", "lambda x: tf.nn.gelu(x)", x=T("f32[4,16]"))
case("gelu_tanh", "lambda x: tf.nn.gelu(x, approximate=True)", x=T("f32[4,16]"))
case("gelu_bert_manual",
     "lambda x: 0.5 * x * (1.0 + tf.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * tf.pow(x, 3))))",
     x=T("f32[4,16]"))
case("swish_manual", "lambda x: x * K.sigmoid(x)", x=T("f32[4,16]"))
case("swish_tf", "lambda x: tf.nn.swish(x)", x=T("f32[4,16]"))
case("mish_manual", "lambda x: x * K.tanh(K.softplus(x))", x=T("f32[4,16]"))
case("k_hard_sigmoid", "lambda x: K.hard_sigmoid(x)", x=T("f32[4,16]", -4, 4))
case("keras_softsign", "lambda x: keras.activations.softsign(x)", x=T("f32[4,16]"))
case("ops_silu", "lambda x: ops.silu(x)", x=T("f32[4,16]"))
case("ops_log_softmax", "lambda x: ops.log_softmax(x, axis=-1)", x=T("f32[4,16]"))
case("nn_log_softmax", "lambda x: tf.nn.log_softmax(x)", x=T("f32[4,16]"))
case("k_softplus", "lambda x: K.softplus(x)", x=T("f32[4,16]"))
case("shifted_softplus", "lambda x: tf.math.softplus(x) - np.log(2.0)", x=T("f32[4,16]"))
case("scaled_tanh", "lambda x: K.tanh(x) * 2.5", x=T("f32[4,16]"))
case("keras_relu_max", "lambda x: keras.activations.relu(x, max_value=1.0)", x=T("f32[4,16]"))
case("manual_sigmoid", "lambda x: 1.0 / (1.0 + K.exp(-x))", x=T("f32[4,16]"))
case("k_sigmoid_times_10", "lambda x: K.sigmoid(x) * 10", x=T("f32[4,16]"))
case("tf_nn_softmax", "lambda x: tf.nn.softmax(x)", x=T("f32[4,16]"))
case("ops_softmax", "lambda x: ops.softmax(x, axis=-1)", x=T("f32[4,16]"))

# ----------------------------------------------------------------------------- shapes
case("k_expand_dims_axis1", "lambda x: K.expand_dims(x, axis=1)", x=T("f32[4,8]"))
case("k_expand_dims_default", "lambda x: K.expand_dims(x)", x=T("f32[4,8]"))
case("k_squeeze_last", "lambda x: K.squeeze(x, axis=-1)", x=T("f32[4,5,1]"))
case("tf_squeeze_axis1", "lambda x: tf.squeeze(x, axis=1)", x=T("f32[4,1,3]"))
case("tf_squeeze_all", "lambda x: tf.squeeze(x)", x=T("f32[4,1,3,1]"))
case("k_permute_021", "lambda x: K.permute_dimensions(x, (0, 2, 1))", x=T("f32[4,5,3]"))
case("nhwc_to_nchw", "lambda x: tf.transpose(x, [0, 3, 1, 2])", x=T("f32[2,4,5,3]"))
case("k_repeat_elements", "lambda x: K.repeat_elements(x, 3, axis=1)", x=T("f32[4,5]"))
case("k_repeat_vector", "lambda x: K.repeat(x, 4)", x=T("f32[3,5]"))
case("k_tile", "lambda x: K.tile(x, [1, 3])", x=T("f32[4,5]"))
case("tile_expanded", "lambda x: tf.tile(K.expand_dims(x, 1), [1, 5, 1])", x=T("f32[4,3]"))
case("tf_repeat", "lambda x: tf.repeat(x, repeats=2, axis=-1)", x=T("f32[4,3]"))
case("k_reshape", "lambda x: K.reshape(x, (-1, 4, 4))", x=T("f32[3,16]"))
case("reshape_dynamic_batch", "lambda x: tf.reshape(x, [tf.shape(x)[0], -1])", x=T("f32[3,4,5]"))
case("k_batch_flatten", "lambda x: K.batch_flatten(x)", x=T("f32[3,4,5]"))
case("k_flatten", "lambda x: K.flatten(x)", x=T("f32[3,4]"))
case("k_reverse", "lambda x: K.reverse(x, axes=1)", x=T("f32[3,5,2]"))
case("tf_reverse", "lambda x: tf.reverse(x, axis=[1])", x=T("f32[3,5,2]"))
case("ops_expand_dims", "lambda x: ops.expand_dims(x, -1)", x=T("f32[4,8]"))
case("ops_transpose", "lambda x: ops.transpose(x, (0, 2, 1))", x=T("f32[4,5,3]"))
case("np_swapaxes", "lambda x: np.swapaxes(x, 1, 2)", feed="np", x=T("f32[4,5,3]"))
case("broadcast_to", "lambda x: tf.broadcast_to(x[:, None, :], (4, 3, 5))", x=T("f32[4,5]"))
case("reshape_with_int_shape", "lambda x: K.reshape(x, (-1, K.int_shape(x)[1] * K.int_shape(x)[2]))",
     x=T("f32[3,4,5]"))
case("shape_batch_size", "lambda x: tf.shape(x)[0]", x=T("f32[3,4]"))

# ----------------------------------------------------------------------------- where, clipping, casting
case("where_leaky", "lambda x: tf.where(x > 0, x, 0.01 * x)", x=T("f32[4,16]"))
case("where_nan_to_zero", "lambda x: tf.where(tf.math.is_nan(x), tf.zeros_like(x), x)",
     x=T("f32[4,16]", kind="nan"))
case("k_switch", "lambda x: K.switch(x > 0.5, K.ones_like(x), K.zeros_like(x))", x=T("f32[4,16]", 0, 1))
case("k_clip_unit", "lambda x: K.clip(x, 0.0, 1.0)", x=T("f32[4,16]"))
case("clip_by_value", "lambda x: tf.clip_by_value(x, -1.0, 1.0)", x=T("f32[4,16]"))
case("k_clip_epsilon", "lambda x: K.clip(x, K.epsilon(), 1 - K.epsilon())", x=T("f32[4,16]", -0.2, 1.2))
case("np_clip", "lambda x: np.clip(x, -0.5, 0.5)", feed="np", x=T("f32[4,16]"))
case("ops_clip_ints", "lambda x: ops.clip(x, 0, 6)", x=T("f32[4,16]", -8, 8))
case("where_scalars", "lambda x: tf.where(x > 0.0, 1.0, -1.0)", x=T("f32[4,16]"))
case("max_plus_min", "lambda x: tf.maximum(x, 0.0) + tf.minimum(x, 0.0) * 0.2", x=T("f32[4,16]"))
case("threshold_to_int", "lambda x: tf.cast(x > 0.5, tf.int32)", x=T("f32[4,16]", 0, 1))
case("k_greater_float", "lambda x: K.cast(K.greater(x, 0), 'float32')", x=T("f32[4,16]"))
case("clip_by_norm", "lambda x: tf.clip_by_norm(x, 1.0, axes=[1])", x=T("f32[4,8]"))
case("divide_no_nan", "lambda x: tf.math.divide_no_nan(x[:, 0], x[:, 1])", x=T("f32[6,2]", 0, 3, kind="intfloat"))
case("squared_difference", "lambda x: tf.math.squared_difference(x[:, :3], x[:, 3:])", x=T("f32[4,6]"))
case("is_finite", "lambda x: tf.math.is_finite(x)", x=T("f32[4,8]", kind="nan"))
case("logical_and_masks", "lambda t: tf.logical_and(t[0], t[1])", t=[T("bool[4,6]"), T("bool[4,6]")])
case("logical_not", "lambda x: tf.logical_not(x)", x=T("bool[4,6]"))
case("cast_bool_to_float", "lambda m: tf.cast(m, tf.float32) * 2.0 - 1.0", m=T("bool[4,6]"))

# ----------------------------------------------------------------------------- one_hot, cumsum, top_k, sort
case("k_one_hot", "lambda x: K.one_hot(x, 10)", x=T("i32[4,3]", 0, 10))
case("tf_one_hot_from_float", "lambda x: tf.one_hot(tf.cast(x, tf.int32), depth=5)",
     x=T("f32[6]", 0, 5, kind="intfloat"))
case("tf_one_hot_on_off", "lambda x: tf.one_hot(x, 4, on_value=1.0, off_value=0.0, axis=-1)",
     x=T("i32[6]", 0, 4))
case("ops_one_hot", "lambda x: ops.one_hot(x, 6)", x=T("i32[5]", 0, 6))
case("k_cumsum", "lambda x: K.cumsum(x, axis=1)", x=T("f32[4,8]"))
case("tf_cumsum_exclusive", "lambda x: tf.cumsum(x, axis=1, exclusive=True)", x=T("f32[4,8]"))
case("tf_cumsum_reverse", "lambda x: tf.math.cumsum(x, axis=-1, reverse=True)", x=T("f32[4,8]"))
case("np_cumsum", "lambda x: np.cumsum(x, axis=1)", feed="np", x=T("f32[4,8]"))
case("k_cumprod", "lambda x: K.cumprod(x, axis=1)", x=T("f32[4,8]", 0.8, 1.2))
case("top_k_both", "lambda x: tf.math.top_k(x, k=3)", x=T("f32[4,10]"))
case("top_k_values_attr", "lambda x: tf.nn.top_k(x, k=2).values", x=T("f32[4,10]"))
case("k_max_pooling", """
def kmax_pooling(x):
    shifted = tf.transpose(x, [0, 2, 1])
    top = tf.math.top_k(shifted, k=2, sorted=True)[0]
    return tf.transpose(top, [0, 2, 1])
""", x=T("f32[3,6,4]"))
case("sort_descending", "lambda x: tf.sort(x, axis=-1, direction='DESCENDING')", x=T("f32[4,8]"))
case("tf_argsort", "lambda x: tf.argsort(x, axis=-1)", x=T("f32[4,8]"))
case("ops_sort", "lambda x: ops.sort(x, axis=1)", x=T("f32[4,8]"))
case("np_sort", "lambda x: np.sort(x, axis=-1)", feed="np", x=T("f32[4,8]"))
case("np_argsort", "lambda x: np.argsort(x, axis=-1)", feed="np", x=T("f32[4,8]"))
case("ops_top_k", "lambda x: ops.top_k(x, k=2)", x=T("f32[4,8]"))
case("ops_argmax", "lambda x: ops.argmax(x, axis=-1)", x=T("f32[4,8]"))
case("np_argmax", "lambda x: np.argmax(x, axis=-1)", feed="np", x=T("f32[4,8]"))

# ----------------------------------------------------------------------------- images
case("flip_left_right", "lambda x: tf.image.flip_left_right(x)", x=T("f32[2,6,5,3]"))
case("flip_up_down", "lambda x: tf.image.flip_up_down(x)", x=T("f32[2,6,5,3]"))
case("per_image_standardization", "lambda x: tf.image.per_image_standardization(x)",
     x=T("f32[2,6,5,3]", 0, 255))
case("resize_bilinear_up", "lambda x: tf.image.resize(x, (8, 8))", x=T("f32[2,4,5,3]"))
case("resize_nearest_down", "lambda x: tf.image.resize(x, [3, 3], method='nearest')", x=T("f32[2,6,6,3]"))
case("resize_bilinear_2x", "lambda x: tf.image.resize(x, (12, 10))", x=T("f32[2,6,5,3]"))
case("resize_to_224", "lambda x: tf.image.resize(x, (224, 224))", x=T("f32[1,32,32,3]", 0, 255))
case("resize_nearest_by_shape",
     "lambda x: tf.image.resize(x, (x.shape[1] * 2, x.shape[2] * 2), method='nearest')",
     x=T("f32[2,3,4,2]"))
case("central_crop", "lambda x: tf.image.central_crop(x, 0.5)", x=T("f32[2,8,8,3]"))
case("crop_to_bounding_box", "lambda x: tf.image.crop_to_bounding_box(x, 1, 2, 4, 4)", x=T("f32[2,8,8,3]"))
case("pad_to_bounding_box", "lambda x: tf.image.pad_to_bounding_box(x, 2, 2, 10, 10)", x=T("f32[2,6,6,3]"))
case("rgb_to_grayscale", "lambda x: tf.image.rgb_to_grayscale(x)", x=T("f32[2,4,4,3]", 0, 1))
case("rot90", "lambda x: tf.image.rot90(x)", x=T("f32[2,4,5,3]"))
case("tf_pad_spatial", "lambda x: tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])", x=T("f32[2,4,4,3]"))
case("tf_pad_reflect", "lambda x: tf.pad(x, [[0, 0], [2, 2], [2, 2], [0, 0]], mode='REFLECT')",
     x=T("f32[2,5,5,3]"))
case("k_spatial_2d_padding", "lambda x: K.spatial_2d_padding(x, padding=((1, 1), (2, 2)))",
     x=T("f32[2,4,4,3]"))
case("k_resize_images", "lambda x: K.resize_images(x, 2, 2, 'channels_last')", x=T("f32[2,3,4,3]"))
case("depth_to_space", "lambda x: tf.nn.depth_to_space(x, 2)", x=T("f32[2,3,3,8]"))
case("space_to_depth", "lambda x: tf.nn.space_to_depth(x, 2)", x=T("f32[2,4,4,3]"))
case("adjust_brightness", "lambda x: tf.image.adjust_brightness(x, 0.1)", x=T("f32[2,4,4,3]", 0, 1))
case("convert_image_dtype", "lambda x: tf.image.convert_image_dtype(x, tf.float32)", x=T("u8[2,4,4,3]", 0, 256))
case("grayscale_replicate", "lambda x: tf.concat([x, x, x], axis=-1)", x=T("f32[2,4,4,1]"))
case("temporal_pad", "lambda x: tf.pad(x, [[0, 0], [2, 0], [0, 0]])", x=T("f32[3,5,4]"))

# ----------------------------------------------------------------------------- losses and metrics
case("mse_def", """
def mse(y_true, y_pred):
    return K.mean(K.square(y_true - y_pred))
""", y_true=T("f32[8,4]"), y_pred=T("f32[8,4]"))
case("rmse", """
def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))
""", y_true=T("f32[8,4]"), y_pred=T("f32[8,4]"))
case("mae_lambda", "lambda y_true, y_pred: K.mean(K.abs(y_true - y_pred), axis=-1)",
     y_true=T("f32[8,4]"), y_pred=T("f32[8,4]"))
case("r_squared", """
def r2(y_true, y_pred):
    ss_res = K.sum(K.square(y_true - y_pred))
    ss_tot = K.sum(K.square(y_true - K.mean(y_true)))
    return 1 - ss_res / (ss_tot + K.epsilon())
""", y_true=T("f32[8,1]"), y_pred=T("f32[8,1]"))
case("k_binary_crossentropy", "lambda y_true, y_pred: K.binary_crossentropy(y_true, y_pred)",
     y_true=T("f32[8,3]", kind="binary"), y_pred=T("f32[8,3]", 0.01, 0.99))
case("k_categorical_crossentropy", "lambda y_true, y_pred: K.categorical_crossentropy(y_true, y_pred)",
     y_true=T("f32[8,5]", kind="onehot"), y_pred=T("f32[8,5]", kind="prob"))
case("keras_mse", "lambda y_true, y_pred: keras.losses.mean_squared_error(y_true, y_pred)",
     y_true=T("f32[8,4]"), y_pred=T("f32[8,4]"))
case("keras_huber", "lambda y_true, y_pred: keras.losses.huber(y_true, y_pred)",
     y_true=T("f32[8,4]"), y_pred=T("f32[8,4]"))
case("keras_categorical_crossentropy",
     "lambda y_true, y_pred: keras.losses.categorical_crossentropy(y_true, y_pred)",
     y_true=T("f32[8,5]", kind="onehot"), y_pred=T("f32[8,5]", kind="prob"))
case("keras_binary_accuracy", "lambda y_true, y_pred: keras.metrics.binary_accuracy(y_true, y_pred)",
     y_true=T("f32[8,3]", kind="binary"), y_pred=T("f32[8,3]", 0, 1))
case("keras_sparse_cce_logits",
     "lambda y_true, y_pred: keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)",
     y_true=T("i32[6]", 0, 5), y_pred=T("f32[6,5]"))
case("accuracy_manual",
     "lambda y_true, y_pred: K.mean(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)))",
     y_true=T("f32[8,5]", kind="onehot"), y_pred=T("f32[8,5]", kind="prob"))
case("dice_coefficient", """
def dice_coef(y_true, y_pred, smooth=1.0):
    y_true_f = K.flatten(y_true)
    y_pred_f = K.flatten(y_pred)
    intersection = K.sum(y_true_f * y_pred_f)
    return (2. * intersection + smooth) / (K.sum(y_true_f) + K.sum(y_pred_f) + smooth)
""", y_true=T("f32[2,8,8,1]", kind="binary"), y_pred=T("f32[2,8,8,1]", 0, 1))
case("focal_loss", """
def focal_loss(y_true, y_pred, gamma=2.0, alpha=0.25):
    y_pred = K.clip(y_pred, K.epsilon(), 1.0 - K.epsilon())
    pt = tf.where(K.equal(y_true, 1), y_pred, 1 - y_pred)
    return -K.mean(alpha * K.pow(1.0 - pt, gamma) * K.log(pt))
""", y_true=T("f32[8,3]", kind="binary"), y_pred=T("f32[8,3]", 0, 1))
case("iou_metric", """
def iou(y_true, y_pred):
    intersection = K.sum(y_true * y_pred, axis=[1, 2, 3])
    union = K.sum(y_true + y_pred, axis=[1, 2, 3]) - intersection
    return K.mean((intersection + 1.) / (union + 1.))
""", y_true=T("f32[2,6,6,1]", kind="binary"), y_pred=T("f32[2,6,6,1]", 0, 1))
case("vae_kl_loss", """
def kl_loss(t):
    z_mean, z_log_var = t
    return -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
""", t=[T("f32[8,4]"), T("f32[8,4]", -1, 1)])
case("keras_cosine_similarity", "lambda t: keras.losses.cosine_similarity(t[0], t[1])",
     t=[T("f32[4,8]"), T("f32[4,8]")])
case("precision_metric", """
def precision(y_true, y_pred):
    true_positives = K.sum(K.round(K.clip(y_true * y_pred, 0, 1)))
    predicted_positives = K.sum(K.round(K.clip(y_pred, 0, 1)))
    return true_positives / (predicted_positives + K.epsilon())
""", y_true=T("f32[8,3]", kind="binary"), y_pred=T("f32[8,3]", 0, 1))
case("recall_metric", """
def recall(y_true, y_pred):
    true_positives = K.sum(K.round(K.clip(y_true * y_pred, 0, 1)))
    possible_positives = K.sum(K.round(K.clip(y_true, 0, 1)))
    return true_positives / (possible_positives + K.epsilon())
""", y_true=T("f32[8,3]", kind="binary"), y_pred=T("f32[8,3]", 0, 1))
case("reduce_mean_squared_difference",
     "lambda y_true, y_pred: tf.reduce_mean(tf.math.squared_difference(y_true, y_pred))",
     y_true=T("f32[8,4]"), y_pred=T("f32[8,4]"))
case("keras_log_cosh", "lambda y_true, y_pred: keras.losses.log_cosh(y_true, y_pred)",
     y_true=T("f32[8,4]"), y_pred=T("f32[8,4]"))
case("keras_sparse_categorical_accuracy",
     "lambda y_true, y_pred: keras.metrics.sparse_categorical_accuracy(y_true, y_pred)",
     y_true=T("i32[6]", 0, 5), y_pred=T("f32[6,5]", kind="prob"))

# ----------------------------------------------------------------------------- random
case("vae_sampling", """
def sampling(args):
    z_mean, z_log_var = args
    batch = K.shape(z_mean)[0]
    dim = K.int_shape(z_mean)[1]
    epsilon = K.random_normal(shape=(batch, dim))
    return z_mean + K.exp(0.5 * z_log_var) * epsilon
""", args=[T("f32[256,16]"), T("f32[256,16]", -1, 1)],
     check=check_reparameterised, why="random: eps recovered from the output must be N(0, 1)")
case("vae_sampling_tf",
     "lambda t: t[0] + tf.exp(0.5 * t[1]) * tf.random.normal(tf.shape(t[0]))",
     t=[T("f32[256,16]"), T("f32[256,16]", -1, 1)],
     check=check_reparameterised, why="random: eps recovered from the output must be N(0, 1)")
case("mc_dropout", "lambda x: K.dropout(x, 0.5)", x=T("f32[64,64]"),
     check=check_dropout(0.5), why="random: the dropped fraction and the scale of the kept values")
case("gaussian_noise", "lambda x: x + K.random_normal(K.shape(x), mean=0., stddev=0.1)", x=T("f32[64,64]"),
     check=check_gaussian_noise(0.1), why="random: the noise's mean and standard deviation")

# ----------------------------------------------------------------------------- linear algebra
case("gram_matrix", "lambda x: K.dot(x, K.transpose(x))", x=T("f32[4,6]"))
case("tf_matmul", "lambda t: tf.matmul(t[0], t[1])", t=[T("f32[2,4,5]"), T("f32[2,5,3]")])
case("tf_matmul_transpose_b", "lambda t: tf.matmul(t[0], t[1], transpose_b=True)",
     t=[T("f32[2,4,5]"), T("f32[2,3,5]")])
case("k_dot", "lambda t: K.dot(t[0], t[1])", t=[T("f32[4,5]"), T("f32[5,3]")])
case("bilinear_pooling", "lambda x: tf.linalg.matmul(x, x, transpose_a=True) / 5.0", x=T("f32[2,5,3]"))
case("matmul_operator", "lambda x: x @ tf.transpose(x, [0, 2, 1])", x=T("f32[2,4,3]"))
case("style_gram", """
def gram(x):
    features = K.reshape(x, (-1, K.int_shape(x)[1] * K.int_shape(x)[2], K.int_shape(x)[3]))
    return K.batch_dot(features, features, axes=1) / (K.int_shape(x)[1] * K.int_shape(x)[2])
""", x=T("f32[2,4,4,3]"))

# ----------------------------------------------------------------------------- creation, positions
case("position_ids", "lambda x: tf.range(tf.shape(x)[1])", x=T("f32[3,7,2]"))
case("add_positions",
     "lambda x: x + tf.cast(tf.range(tf.shape(x)[1])[None, :, None], tf.float32)", x=T("f32[3,5,2]"))
case("ones_like_slice", "lambda x: tf.ones_like(x[:, :, :1])", x=T("f32[3,5,4]"))
case("k_zeros_like", "lambda x: K.zeros_like(x)", x=T("f32[3,5]"))
case("zeros_with_batch", "lambda x: tf.zeros((tf.shape(x)[0], 4))", x=T("f32[3,5]"))
case("fill_batch", "lambda x: tf.fill([tf.shape(x)[0], 1], 0.5)", x=T("f32[3,5]"))
case("sinusoid_angle", """
def angles(x):
    pos = tf.cast(tf.range(tf.shape(x)[1]), tf.float32)[:, None]
    i = tf.cast(tf.range(tf.shape(x)[2]), tf.float32)[None, :]
    return x + tf.sin(pos / tf.pow(10000.0, i / 8.0))
""", x=T("f32[2,6,8]"))

# ----------------------------------------------------------------------------- float16
case("f16_scale", "lambda x: x * 2.0", x=T("f16[4,16]"))
case("f16_cast_from_f32", "lambda x: tf.cast(x, tf.float16)", x=T("f32[4,16]"))
case("f16_mean", "lambda x: K.mean(x, axis=-1)", x=T("f16[4,16]"))
case("f16_relu", "lambda x: tf.nn.relu(x)", x=T("f16[4,16]"))
case("f16_softmax", "lambda x: tf.nn.softmax(x)", x=T("f16[4,16]"))
case("f16_to_f32", "lambda x: K.cast(x, 'float32') * 0.5", x=T("f16[4,16]"))
case("f16_uint8_image", "lambda x: tf.cast(x, tf.float16) / 255.0", x=T("u8[2,4,4,3]", 0, 256))

# ----------------------------------------------------------------------------- integers
case("int_mod", "lambda x: x % 7", x=T("i32[4,8]", -50, 50))
case("int_floordiv", "lambda x: x // 2", x=T("i64[4,8]", -50, 50))
case("floormod", "lambda x: tf.math.floormod(x, 3)", x=T("i32[4,8]", -50, 50))
case("int_to_float_scale", "lambda x: tf.cast(x, tf.float32) * 0.1", x=T("i32[4,8]", 0, 100))
case("int_sum", "lambda x: K.sum(x, axis=1)", x=T("i32[4,8]", 0, 100))
case("int_reduce_max", "lambda x: tf.reduce_max(x, axis=-1)", x=T("i32[4,8]", -100, 100))
case("int_affine", "lambda x: x * 2 + 1", x=T("i64[4,8]", -100, 100))
case("bitwise_and_odd", "lambda x: tf.bitwise.bitwise_and(x, 1)", x=T("i32[4,8]", 0, 100))
case("int_maximum", "lambda x: tf.math.maximum(x, 0)", x=T("i32[4,8]", -10, 10))
case("ids_shift", "lambda x: x + 1", x=T("i32[4,8]", 0, 100))

# ----------------------------------------------------------------------------- keras.ops
case("ops_where_relu", "lambda x: ops.where(x > 0, x, ops.zeros_like(x))", x=T("f32[4,8]"))
case("ops_cast_int", "lambda x: ops.cast(x, 'int32')", x=T("f32[4,8]", -10, 10))
case("ops_reshape", "lambda x: ops.reshape(x, (-1, 8))", x=T("f32[4,2,4]"))
case("ops_norm_manual", "lambda x: ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True))", x=T("f32[4,8]"))
case("ops_stack_pos_neg", "lambda x: ops.stack([x, -x], axis=-1)", x=T("f32[4,8]"))
case("ops_erf", "lambda x: ops.erf(x)", x=T("f32[4,8]"))
case("ops_logsumexp", "lambda x: ops.logsumexp(x, axis=-1)", x=T("f32[4,8]"))
case("ops_cumsum", "lambda x: ops.cumsum(x, axis=1)", x=T("f32[4,8]"))
case("ops_pad", "lambda x: ops.pad(x, ((0, 0), (1, 2)))", x=T("f32[4,8]"))
case("ops_tile", "lambda x: ops.tile(x, (1, 2))", x=T("f32[4,3]"))
case("ops_repeat", "lambda x: ops.repeat(x, 2, axis=1)", x=T("f32[4,3]"))
case("ops_flip", "lambda x: ops.flip(x, axis=1)", x=T("f32[4,3]"))
case("ops_mean_spatial", "lambda x: ops.mean(x, axis=(1, 2))", x=T("f32[2,4,4,3]"))
case("ops_matmul", "lambda t: ops.matmul(t[0], t[1])", t=[T("f32[4,5]"), T("f32[5,3]")])
case("ops_maximum", "lambda x: ops.maximum(x, 0.0)", x=T("f32[4,8]"))
case("ops_log1p", "lambda x: ops.log1p(ops.abs(x))", x=T("f32[4,8]"))
case("ops_tril", "lambda x: ops.tril(x)", x=T("f32[2,4,4]"))
case("ops_take_along_axis", "lambda t: ops.take_along_axis(t[0], t[1], axis=1)",
     t=[T("f32[4,6]"), T("i32[4,2]", 0, 6)])

# ----------------------------------------------------------------------------- numpy and jax
case("np_sqrt", "lambda x: np.sqrt(x)", feed="np", x=T("f32[4,8]", 0, 4))
case("np_maximum_zero", "lambda x: np.maximum(x, 0)", feed="np", x=T("f32[4,8]"))
case("np_where", "lambda x: np.where(x > 0, x, 0.0)", feed="np", x=T("f32[4,8]"))
case("np_expand_dims", "lambda x: np.expand_dims(x, axis=1)", feed="np", x=T("f32[4,8]"))
case("np_stack", "lambda t: np.stack(t, axis=-1)", feed="np", t=[T("f32[4,3]"), T("f32[4,3]")])
case("np_transpose", "lambda x: np.transpose(x, (0, 2, 1))", feed="np", x=T("f32[2,3,4]"))
case("np_squeeze", "lambda x: np.squeeze(x, axis=-1)", feed="np", x=T("f32[4,3,1]"))
case("np_sum_int", "lambda x: np.sum(x, axis=1)", feed="np", x=T("i32[4,8]", 0, 100))
case("np_mean_int", "lambda x: np.mean(x, axis=1)", feed="np", x=T("i32[4,8]", 0, 100))
case("jnp_tanh", "lambda x: jnp.tanh(x) * 2", feed="jax", x=T("f32[4,8]"))
case("jnp_argmax", "lambda x: jnp.argmax(x, axis=-1)", feed="jax", x=T("f32[4,8]"))
case("jnp_mean", "lambda x: jnp.mean(x, axis=-1, keepdims=True)", feed="jax", x=T("f32[4,8]"))
case("jnp_where", "lambda x: jnp.where(x > 0, x, 0.1 * x)", feed="jax", x=T("f32[4,8]"))

# ----------------------------------------------------------------------------- more models' lambdas
case("capsule_squash", """
def squash(x, axis=-1):
    s_squared_norm = K.sum(K.square(x), axis, keepdims=True) + K.epsilon()
    scale = K.sqrt(s_squared_norm) / (0.5 + s_squared_norm)
    return scale * x
""", x=T("f32[2,6,8]"))
case("capsule_length", "lambda x: K.sqrt(K.sum(K.square(x), -1))", x=T("f32[2,10,16]"))
case("capsule_mask_by_argmax", """
def mask(inputs):
    x = K.sqrt(K.sum(K.square(inputs), -1))
    mask = K.one_hot(indices=K.argmax(x, 1), num_classes=x.get_shape().as_list()[1])
    return K.batch_flatten(inputs * K.expand_dims(mask, -1))
""", inputs=T("f32[2,5,4]"))
case("ctc_lambda", """
def ctc_lambda_func(args):
    y_pred, labels, input_length, label_length = args
    return K.ctc_batch_cost(labels, y_pred, input_length, label_length)
""", args=[T("f32[2,12,6]", kind="prob"), T("i32[2,4]", 0, 5), T("i32[2,1]", 12, 13), T("i32[2,1]", 4, 5)])
case("tensordot_attention", "lambda t: tf.tensordot(t[0], t[1], axes=1)", t=[T("f32[2,5,8]"), T("f32[8]")])
case("max_pool_in_lambda", "lambda x: tf.nn.max_pool2d(x, ksize=2, strides=2, padding='SAME')",
     x=T("f32[2,4,4,3]"))
case("resize_bilinear_v1_align_corners",
     "lambda x: tf.compat.v1.image.resize_bilinear(x, (8, 8), align_corners=True)", x=T("f32[2,4,4,3]"))
case("resize_method_enum",
     "lambda x: tf.image.resize(x, [8, 10], method=tf.image.ResizeMethod.BILINEAR)", x=T("f32[2,4,5,3]"))
case("resize_nearest_enum",
     "lambda x: tf.image.resize(x, (8, 8), method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)", x=T("f32[2,4,4,3]"))
case("k_resize_images_bilinear", "lambda x: K.resize_images(x, 2, 2, 'channels_last', interpolation='bilinear')",
     x=T("f32[2,3,4,3]"))
case("resize_to_skip_connection", "lambda t: tf.image.resize(t[0], tf.shape(t[1])[1:3])",
     t=[T("f32[2,4,4,3]"), T("f32[2,8,8,5]")])
case("resize_uint8_image", "lambda x: tf.image.resize(x, (6, 6))", x=T("u8[2,4,4,3]", 0, 256))
case("resize_f16_image", "lambda x: tf.image.resize(x, (6, 6))", x=T("f16[2,4,4,3]"))
case("keras_ops_image_resize", "lambda x: ops.image.resize(x, (8, 8))", x=T("f32[2,4,4,3]"))
case("rgb_to_bgr_slice", "lambda x: x[:, :, :, ::-1]", x=T("f32[2,4,4,3]"))
case("round_to_int64", "lambda x: tf.cast(tf.round(x), tf.int64)", x=T("f32[4,8]", -10, 10))
case("tf_math_argmax_default", "lambda x: tf.math.argmax(x, axis=-1)", x=T("f32[4,8]"))
case("linalg_l2_normalize_scaled", "lambda x: tf.linalg.l2_normalize(x, axis=1) * 10", x=T("f32[4,8]"))
case("masked_mean_safe", """
def masked_mean(t):
    x, mask = t
    total = tf.math.reduce_sum(x * mask[..., None], axis=1)
    return total / tf.math.maximum(tf.reduce_sum(mask, axis=1, keepdims=True), 1.0)
""", t=[T("f32[4,6,3]"), T("f32[4,6]", kind="mask")])
case("numpy_positional_encoding",
     "lambda x: x + np.sin(np.arange(5)[:, None] / 10000 ** (np.arange(4)[None, :] / 4))",
     x=T("f32[2,5,4]"))
case("accuracy_reduce_mean_cast",
     "lambda t: tf.reduce_mean(tf.cast(tf.equal(tf.argmax(t[0], -1), tf.argmax(t[1], -1)), tf.float32))",
     t=[T("f32[8,5]", kind="onehot"), T("f32[8,5]", kind="prob")])
case("keep_last_step_3d", "lambda x: x[:, -1:, :]", x=T("f32[3,5,4]"))
case("bidirectional_ends", "lambda x: K.concatenate([x[0][:, -1, :], x[1][:, 0, :]])",
     x=[T("f32[3,5,4]"), T("f32[3,5,4]")])
case("gate_repeat_channel", "lambda inputs: inputs[0] * K.repeat_elements(inputs[1], 8, axis=-1)",
     inputs=[T("f32[2,4,4,8]"), T("f32[2,4,4,1]", 0, 1)])
case("highway_mix", "lambda t: t[0] * t[2] + t[1] * (1 - t[2])",
     t=[T("f32[4,8]"), T("f32[4,8]"), T("f32[4,8]", 0, 1)])
case("log_clipped", "lambda x: tf.math.log(tf.clip_by_value(x, 1e-10, 1.0))", x=T("f32[4,8]", -0.1, 1.1))
case("reduce_max_spatial", "lambda x: tf.math.reduce_max(x, axis=[1, 2])", x=T("f32[2,4,4,3]"))
case("reduce_variance", "lambda x: tf.math.reduce_variance(x, axis=-1)", x=T("f32[4,8]"))
case("mean_over_dynamic_length", "lambda x: K.sum(x, axis=1) / K.cast(K.shape(x)[1], 'float32')",
     x=T("f32[3,6,4]"))
case("k_dot_constant", "lambda x: K.dot(x, K.constant([[1., 0.], [0., 1.], [1., 1.]]))", x=T("f32[4,3]"))
case("ops_moments", "lambda x: ops.moments(x, axes=[1])", x=T("f32[4,8]"))
case("ops_any_nonzero", "lambda x: ops.any(ops.not_equal(x, 0), axis=-1)", x=T("i32[4,6]", 0, 2))
case("ops_arange_positions", "lambda x: ops.expand_dims(ops.arange(x.shape[1]), 0)", x=T("f32[3,6]"))
case("f16_sigmoid", "lambda x: tf.nn.sigmoid(x)", x=T("f16[4,16]"))
case("f16_reduce_sum", "lambda x: tf.reduce_sum(x, axis=-1)", x=T("f16[4,16]"))
case("f16_scale_255", "lambda x: x / 255.0", x=T("f16[2,4,4,3]", 0, 255))
case("int_reduce_mean_global", "lambda x: tf.math.reduce_mean(x)", x=T("i32[4,8]", 0, 100))
case("int_count_nonzero", "lambda x: tf.math.count_nonzero(x, axis=1)", x=T("i32[4,8]", 0, 3))
case("int_argmax", "lambda x: tf.argmax(x, axis=-1)", x=T("i32[4,8]", 0, 1000))
case("expand_dims_tf_last", "lambda x: tf.expand_dims(x, axis=-1)", x=T("f32[4,8]"))
case("sum_second_to_last", "lambda x: K.sum(x, axis=-2)", x=T("f32[3,5,4]"))
