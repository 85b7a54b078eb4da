// Migration aliases (docs/language.md, "Aliases"): module-qualified names from Keras,
// TensorFlow, NumPy and JAX mapped onto lamina's builtins. Rows are written with the canonical
// prefixes `K.`, `np.`, `ops.` and `activations.`; the registry also files them under
// `keras.backend.`, `tf.keras.backend.`, `jnp.`, `numpy.`, `tf.experimental.numpy.`,
// `keras.ops.`, `keras.activations.` and `tf.keras.activations.`.
//
// A row with a signature of its own must keep the target's slots in the target's order; it
// may rename them, add keyword spellings (`keep_dims`) and change defaults (`tf.argmax` reduces
// axis 0). Where an API means something else by the same name, the row calls a different
// target (`K.repeat` is RepeatVector, `tf.split` takes sizes, `K.hard_sigmoid` is Keras 2's).

#include "compiler/sema/Builtins.h"

#include <deque>
#include <set>
#include <string>

namespace lamina::sema {
namespace {

// Same name, same signature: `<prefix><name>` calls `<name>`.
struct Group {
  std::string_view prefix;
  std::string_view names; // space separated
};

constexpr Group kSameName[] = {
    {"np.",
     "abs sign negative square sqrt exp expm1 log log1p log2 log10 sin cos tan sinh cosh "
     "tanh floor ceil round trunc minimum maximum clip mod add subtract multiply divide "
     "floor_divide equal not_equal less less_equal greater greater_equal logical_and "
     "logical_or logical_xor logical_not where isnan isinf isfinite max min any "
     "all argmax argmin count_nonzero reshape transpose "
     "expand_dims squeeze stack split tile repeat broadcast_to pad flip take zeros ones full "
     "zeros_like ones_like full_like arange linspace eye array matmul dot einsum shape "
     "ndim reciprocal bitwise_and bitwise_or bitwise_xor invert left_shift right_shift hypot "
     "copysign signbit real imag conj tril triu size swapaxes moveaxis fmod cbrt exp2 deg2rad "
     "rad2deg fabs fmax fmin logaddexp logaddexp2 heaviside sinc nan_to_num isclose allclose "
     "float_power acos asin atan acosh asinh atanh concat pow"},
    {"ops.", "abs sign negative square sqrt rsqrt exp expm1 log log1p log2 log10 sin cos tan sinh "
             "cosh tanh erf floor ceil round trunc minimum maximum clip mod add subtract multiply "
             "divide floor_divide equal not_equal less less_equal greater greater_equal "
             "logical_and logical_or logical_xor logical_not where isnan isinf isfinite sum prod "
             "max min any all mean var std argmax argmin cumsum cumprod count_nonzero logsumexp "
             "reshape transpose expand_dims squeeze stack split tile repeat broadcast_to pad flip "
             "take zeros ones full zeros_like ones_like full_like arange linspace eye array "
             "matmul dot einsum shape ndim cast relu relu6 sigmoid softplus softsign silu swish "
             "elu selu leaky_relu hard_sigmoid hard_silu hard_swish mish softmax log_softmax "
             "stop_gradient reciprocal erfc bitwise_and bitwise_or bitwise_xor left_shift "
             "right_shift real imag conj tril triu unstack swapaxes moveaxis cbrt exp2 deg2rad "
             "rad2deg fabs fmax fmin logaddexp logaddexp2 heaviside sinc nan_to_num isclose "
             "allclose divide_no_nan hypot fmod signbit log_sigmoid celu glu hard_tanh "
             "hard_shrink soft_shrink tanh_shrink squareplus sparse_plus sparse_sigmoid threshold"},
    {"K.", "abs sign square sqrt exp log round sin cos tanh minimum maximum clip equal not_equal "
           "greater greater_equal less less_equal sum prod max min any all var std argmax "
           "argmin cumsum cumprod logsumexp l2_normalize relu elu sigmoid softplus softsign "
           "softmax reshape flatten transpose expand_dims squeeze stack tile reverse one_hot "
           "zeros ones eye zeros_like ones_like arange cast dot batch_dot shape ndim "
           "stop_gradient"},
    {"tf.",
     "abs sign square sqrt exp log sin cos tan tanh sigmoid floor ceil round maximum one_hot "
     "minimum add subtract multiply divide equal not_equal less less_equal greater "
     "greater_equal logical_and logical_or logical_not where cast reshape transpose "
     "expand_dims squeeze stack tile repeat broadcast_to pad reverse zeros ones zeros_like "
     "ones_like linspace einsum shape identity stop_gradient unstack sequence_mask "
     "squared_difference acos acosh asin asinh atan atan2 atanh cosh sinh negative"},
    {"tf.math.", "abs sign square sqrt rsqrt exp expm1 log log1p sin cos tan asin acos atan atan2 "
                 "sinh cosh tanh asinh acosh atanh erf erfc floor ceil round maximum minimum add "
                 "subtract multiply divide equal not_equal less less_equal greater greater_equal "
                 "logical_and logical_or logical_not logical_xor sigmoid softplus reciprocal "
                 "count_nonzero cumsum cumprod l2_normalize squared_difference divide_no_nan "
                 "real imag conj reduce_euclidean_norm log_sigmoid softmax log_softmax softsign "
                 "mod negative xlogy xlog1py xdivy multiply_no_nan reciprocal_no_nan"},
    {"tf.bitwise.", "bitwise_and bitwise_or bitwise_xor invert left_shift right_shift"},
    {"tf.image.", "resize resize_with_pad resize_with_crop_or_pad flip_left_right flip_up_down "
                  "rot90 per_image_standardization "
                  "central_crop crop_to_bounding_box pad_to_bounding_box rgb_to_grayscale "
                  "convert_image_dtype adjust_brightness adjust_contrast"},
    {"tf.nn.", "depth_to_space space_to_depth relu relu6 elu selu sigmoid tanh softplus softsign "
               "silu swish log_softmax "
               "l2_normalize"},
    {"losses.", "mean_squared_error mean_absolute_error mean_absolute_percentage_error "
                "mean_squared_logarithmic_error huber log_cosh kl_divergence poisson hinge "
                "squared_hinge categorical_hinge cosine_similarity binary_crossentropy "
                "categorical_crossentropy sparse_categorical_crossentropy"},
    {"metrics.", "mean_squared_error mean_absolute_error mean_absolute_percentage_error "
                 "mean_squared_logarithmic_error log_cosh kl_divergence poisson hinge "
                 "squared_hinge categorical_hinge binary_crossentropy categorical_crossentropy "
                 "sparse_categorical_crossentropy binary_accuracy categorical_accuracy "
                 "sparse_categorical_accuracy"},
    {"activations.", "relu relu6 sigmoid tanh softplus softsign selu elu gelu silu swish "
                     "hard_sigmoid hard_silu hard_swish leaky_relu mish softmax log_softmax "
                     "log_sigmoid celu glu hard_tanh hard_shrink soft_shrink tanh_shrink "
                     "squareplus sparse_plus sparse_sigmoid threshold"},
    {"np.", "roll tensordot outer inner trace diagonal diag tri hstack vstack dstack column_stack "
            "meshgrid take_along_axis average ptp"},
    {"ops.", "roll tensordot outer inner diagonal diag tri hstack dstack meshgrid ptp "
             "layer_normalization rms_normalization multi_hot"},
    {"tf.", "meshgrid"},
    {"tf.nn.",
     "bias_add l2_loss sigmoid_cross_entropy_with_logits weighted_cross_entropy_with_logits "
     "softmax_cross_entropy_with_logits sparse_softmax_cross_entropy_with_logits crelu "
     "embedding_lookup batch_normalization"},
};

constexpr std::string_view kTfReduce = "input_tensor|x, axis=None, keepdims|keep_dims=False";
// tf.argmax(input, axis, output_type): TF 2 reduces axis 0 when it is None. (The slots keep
// the target's order, so output_type is keyword-only here.)
constexpr std::string_view kTfArg =
    "input|x, axis|dimension=0, *, keepdims=False, output_type|dtype=None";
constexpr std::string_view kTfScan = "x, axis=0, exclusive=False, reverse=False";
// tf.nn.max_pool2d(input, ksize, strides, padding, data_format): strides and padding required.
constexpr std::string_view kTfPool = "input|x, ksize|pool_size, strides, padding, data_format=None";

constexpr AliasDef kRenamed[] = {
    // NumPy spellings
    {"np.absolute", "abs", ""},
    // NumPy's dtypes: integer sums are int64, integer means float64.
    {"np.sum", "_np_sum", ""},
    {"np.prod", "_np_prod", ""},
    {"np.mean", "_np_mean", ""},
    {"np.var", "_np_var", ""},
    {"np.std", "_np_std", ""},
    {"np.cumsum", "_np_cumsum", ""},
    {"np.cumprod", "_np_cumprod", ""},
    {"np.arcsin", "asin", ""},
    {"np.arccos", "acos", ""},
    {"np.arctan", "atan", ""},
    {"np.arctan2", "atan2", "x1|y, x2|x"},
    {"np.arcsinh", "asinh", ""},
    {"np.arccosh", "acosh", ""},
    {"np.arctanh", "atanh", ""},
    {"np.power", "pow", "x1|x, x2|y"},
    {"np.remainder", "mod", ""},
    {"np.true_divide", "divide", ""},
    {"np.amax", "max", "a|x, axis=None, keepdims=False"},
    {"np.amin", "min", "a|x, axis=None, keepdims=False"},
    {"np.concatenate", "concat", ""},
    {"np.ravel", "flatten", ""},
    {"np.asarray", "array", ""},
    {"np.linalg.norm", "norm", ""},
    {"np.conjugate", "conj", ""},
    {"np.sort", "sort", "a|x, axis=-1, *, direction='ASCENDING', kind=None"},
    {"np.argsort", "argsort", "a|x, axis=-1, *, direction='ASCENDING', kind=None"},
    {"np.bitwise_not", "invert", ""},
    {"np.bitwise_invert", "invert", ""},
    {"np.bitwise_left_shift", "left_shift", ""},
    {"np.bitwise_right_shift", "right_shift", ""},
    {"np.degrees", "rad2deg", ""},
    {"np.radians", "deg2rad", ""},
    {"np.rint", "round", ""},
    {"np.fix", "trunc", ""},
    {"np.positive", "identity", ""},
    {"np.permute_dims", "transpose", "a|x, axes|perm=None"},
    {"np.atan2", "atan2", "x1|y, x2|x"},
    // Keras 3 ops
    {"ops.concatenate", "concat", ""},
    {"ops.power", "pow", ""},
    {"ops.arcsin", "asin", ""},
    {"ops.arccos", "acos", ""},
    {"ops.arctan", "atan", ""},
    {"ops.arctan2", "atan2", "x1|y, x2|x"},
    {"ops.absolute", "abs", ""},
    {"ops.amax", "max", ""},
    {"ops.amin", "min", ""},
    {"ops.convert_to_tensor", "array", "x|value, dtype=None"},
    {"ops.gelu", "gelu", "x, approximate=True"},
    {"ops.one_hot", "one_hot",
     "x|indices, num_classes|depth, *, on_value=None, off_value=None, axis=-1, dtype=None"},
    {"ops.normalize", "l2_normalize", "x, axis=-1, epsilon=1e-12"},
    {"ops.norm", "norm", ""},
    {"ops.conjugate", "conj", ""},
    {"ops.sort", "sort", "x, axis=-1, *, direction='ASCENDING', kind=None"},
    {"ops.argsort", "_tf_argsort", "x, axis=-1, *, direction='ASCENDING', kind=None"},
    {"ops.top_k", "top_k", ""},
    {"ops.size", "_tf_size", "x|input, out_type=None"},
    // Keras 3 gives indices and counts as int32, and integer ranges as int32 (TensorFlow's).
    {"ops.argmax", "argmax", "x, axis=None, keepdims=False, *, output_type|dtype='int32'"},
    {"ops.argmin", "argmin", "x, axis=None, keepdims=False, *, output_type|dtype='int32'"},
    {"ops.count_nonzero", "_keras_count_nonzero", ""},
    {"ops.arange", "_tf_range", "start, stop=None, step=1, dtype=None"},
    {"ops.bitwise_invert", "invert", ""},
    {"ops.bitwise_not", "invert", ""},
    {"ops.bitwise_left_shift", "left_shift", ""},
    {"ops.bitwise_right_shift", "right_shift", ""},
    {"ops.arcsinh", "asinh", ""},
    {"ops.arccosh", "acosh", ""},
    {"ops.arctanh", "atanh", ""},
    {"ops.true_divide", "divide", ""},
    {"ops.ravel", "flatten", ""},
    {"ops.moments", "moments", "x, axes, keepdims=False, *, synchronized=False"},
    {"ops.average_pool", "avg_pool", ""},
    {"ops.max_pool", "max_pool", ""},
    {"tf.nn.max_pool", "max_pool", kTfPool},
    {"tf.nn.max_pool1d", "max_pool", kTfPool},
    {"tf.nn.max_pool2d", "max_pool", kTfPool},
    {"tf.nn.max_pool3d", "max_pool", kTfPool},
    {"tf.nn.avg_pool", "avg_pool", kTfPool},
    {"tf.nn.avg_pool1d", "avg_pool", kTfPool},
    {"tf.nn.avg_pool2d", "avg_pool", kTfPool},
    {"tf.nn.avg_pool3d", "avg_pool", kTfPool},
    {"K.pool2d", "_keras2_pool2d", ""},
    {"K.pool3d", "_keras2_pool2d", ""},
    {"tf.math.rint", "round", ""},
    {"tf.realdiv", "divide", ""},
    {"tf.truncatemod", "fmod", ""},
    // Keras backend (Keras 2 / tf.keras)
    {"K.pow", "pow", "x, a|y"},
    {"K.concatenate", "concat", "tensors, axis=-1"},
    {"K.switch", "where", "condition, then_expression, else_expression"},
    {"K.permute_dimensions", "transpose", "x, pattern"},
    {"K.repeat", "_repeat_vector", "x, n"},
    {"K.repeat_elements", "repeat", "x, rep|repeats, axis"},
    {"K.batch_flatten", "_batch_flatten", ""},
    {"K.gather", "gather", "reference|x, indices, axis=0"},
    {"K.hard_sigmoid", "_hard_sigmoid_keras2", ""},
    {"K.sqrt", "_backend_sqrt", ""},
    {"K.arange", "_tf_range", "start, stop=None, step=1, dtype=None"},
    {"K.int_shape", "shape", ""},
    {"K.dtype", "_dtype_name", ""},
    {"K.epsilon", "_epsilon", ""},
    {"K.mean", "_keras2_mean", ""}, // TensorFlow's mean (integers truncate), of bools as floatx
    {"K.learning_phase", "_learning_phase", ""},
    {"K.random_normal", "random_normal", ""},
    {"K.random_uniform", "random_uniform", ""},
    {"K.dropout", "dropout", ""},
    {"tf.random.normal", "random_normal", ""},
    {"tf.random.uniform", "random_uniform", ""},
    {"tf.nn.dropout", "dropout", ""},
    {"random.normal", "random_normal", ""},
    {"random.uniform", "random_uniform", ""},
    {"random.dropout", "dropout", ""},
    {"losses.mse", "mean_squared_error", ""},
    {"losses.mae", "mean_absolute_error", ""},
    {"losses.mape", "mean_absolute_percentage_error", ""},
    {"losses.msle", "mean_squared_logarithmic_error", ""},
    {"losses.logcosh", "log_cosh", ""},
    {"losses.kld", "kl_divergence", ""},
    {"losses.kullback_leibler_divergence", "kl_divergence", ""},
    {"metrics.mse", "mean_squared_error", ""},
    {"metrics.mae", "mean_absolute_error", ""},
    {"metrics.cosine_similarity", "_cosine_similarity_metric", ""},
    {"K.binary_crossentropy", "_backend_binary_crossentropy", ""},
    {"K.categorical_crossentropy", "categorical_crossentropy",
     "target|y_true, output|y_pred, from_logits=False, *, label_smoothing=0.0, axis=-1"},
    {"K.sparse_categorical_crossentropy", "sparse_categorical_crossentropy",
     "target|y_true, output|y_pred, from_logits=False, axis=-1"},
    {"K.resize_images", "_resize_images", ""},
    {"ops.image.resize", "_keras_image_resize", ""},
    {"tf.depth_to_space", "depth_to_space", ""},
    {"tf.space_to_depth", "space_to_depth", ""},
    {"K.in_train_phase", "_in_train_phase", ""},
    {"K.in_test_phase", "_in_test_phase", ""},
    {"K.floatx", "_floatx", ""},
    {"K.constant", "_keras_constant", ""},
    {"K.variable", "variable", "value, *, name=None, trainable=True, dtype=None"},
    {"K.log_softmax", "log_softmax", ""},
    // TensorFlow
    {"tf.reduce_sum", "sum", kTfReduce},
    {"tf.reduce_mean", "_tf_mean", kTfReduce},
    {"tf.reduce_max", "max", kTfReduce},
    {"tf.reduce_min", "min", kTfReduce},
    {"tf.reduce_prod", "prod", kTfReduce},
    {"tf.reduce_any", "any", kTfReduce},
    {"tf.reduce_all", "all", kTfReduce},
    {"tf.reduce_logsumexp", "logsumexp", kTfReduce},
    {"tf.math.reduce_sum", "sum", kTfReduce},
    {"tf.math.reduce_mean", "_tf_mean", kTfReduce},
    {"tf.math.reduce_max", "max", kTfReduce},
    {"tf.math.reduce_min", "min", kTfReduce},
    {"tf.math.reduce_prod", "prod", kTfReduce},
    {"tf.math.reduce_any", "any", kTfReduce},
    {"tf.math.reduce_all", "all", kTfReduce},
    {"tf.math.reduce_logsumexp", "logsumexp", kTfReduce},
    {"tf.math.reduce_variance", "var", "input_tensor|x, axis=None, keepdims=False, ddof=0"},
    {"tf.math.reduce_std", "std", "input_tensor|x, axis=None, keepdims=False, ddof=0"},
    {"tf.argmax", "argmax", kTfArg},
    {"tf.argmin", "argmin", kTfArg},
    {"tf.math.argmax", "argmax", kTfArg},
    {"tf.math.argmin", "argmin", kTfArg},
    {"tf.math.cumsum", "cumsum", kTfScan},
    {"tf.math.cumprod", "cumprod", kTfScan},
    {"K.argmax", "argmax", "x, axis=-1, *, keepdims=False, output_type|dtype=None"},
    {"K.argmin", "argmin", "x, axis=-1, *, keepdims=False, output_type|dtype=None"},
    {"K.cumsum", "cumsum", "x, axis=0, *, exclusive=False, reverse=False"},
    {"K.cumprod", "cumprod", "x, axis=0, *, exclusive=False, reverse=False"},
    {"K.expand_dims", "expand_dims", "x, axis=-1"},
    {"K.clip", "clip", "x, min_value|min, max_value|max"},
    {"K.reverse", "reverse", "x, axes|axis"},
    {"np.take", "take", "a|x, indices, axis=None"},
    {"ops.take", "take", "x, indices, axis=None"},
    {"tf.nn.relu", "relu", "features|x, *, negative_slope=0.0, max_value=None, threshold=0.0"},
    {"tf.nn.relu6", "relu6", "features|x"},
    {"tf.nn.elu", "elu", "features|x, *, alpha=1.0"},
    {"tf.nn.selu", "selu", "features|x"},
    {"tf.nn.silu", "silu", "features|x"},
    {"tf.nn.swish", "swish", "features|x"},
    {"tf.nn.softplus", "softplus", "features|x"},
    {"tf.nn.softsign", "softsign", "features|x"},
    {"tf.cumsum", "cumsum", kTfScan},
    {"tf.cumprod", "cumprod", kTfScan},
    {"tf.clip_by_value", "clip", "t|x, clip_value_min, clip_value_max"},
    {"tf.pow", "pow", ""},
    {"tf.math.pow", "pow", ""},
    {"tf.truediv", "divide", ""},
    {"tf.math.truediv", "divide", ""},
    {"tf.floordiv", "floor_divide", ""},
    {"tf.math.floordiv", "floor_divide", ""},
    {"tf.math.floormod", "mod", ""},
    {"tf.mod", "mod", ""},
    {"tf.math.is_nan", "isnan", ""},
    {"tf.math.is_inf", "isinf", ""},
    {"tf.math.is_finite", "isfinite", ""},
    {"tf.concat", "concat", "values, axis"},
    {"tf.split", "_tf_split", ""},
    {"tf.gather", "_tf_gather", ""},
    {"tf.gather_nd", "gather_nd", ""},

    {"tf.fill", "full", "dims|shape, value|fill_value, dtype=None"},
    {"tf.range", "_tf_range", ""},
    {"tf.eye", "_tf_eye", ""},
    {"tf.matmul", "_tf_matmul", ""},
    {"tf.linalg.matmul", "_tf_matmul", ""},
    {"tf.linalg.einsum", "einsum", ""},
    {"tf.linalg.l2_normalize", "l2_normalize", ""},
    {"tf.linalg.band_part", "band_part", ""},
    {"tf.matrix_band_part", "band_part", ""},
    {"tf.size", "_tf_size", ""},
    {"tf.div_no_nan", "divide_no_nan", ""},
    {"tf.nn.moments", "moments", ""},
    {"tf.sort", "sort", "values|x, axis=-1, direction='ASCENDING', *, kind=None"},
    {"tf.argsort", "_tf_argsort", "values|x, axis=-1, direction='ASCENDING', *, kind=None"},
    {"tf.math.top_k", "top_k", "input|x, k=1, sorted=True"},
    {"tf.nn.top_k", "top_k", "input|x, k=1, sorted=True"},
    {"tf.norm", "norm", "tensor|x, ord=None, axis=None, keepdims=False"},
    {"tf.linalg.norm", "norm", "tensor|x, ord=None, axis=None, keepdims=False"},
    {"tf.rank", "_tf_rank", ""},
    {"tf.constant", "_tf_constant", ""},
    {"tf.convert_to_tensor", "_tf_constant", ""},
    {"tf.nn.softmax", "softmax", "logits|x, axis|dim=-1"},
    {"tf.nn.log_softmax", "log_softmax", "logits|x, axis|dim=-1"},
    {"tf.nn.leaky_relu", "leaky_relu", "features|x, alpha=0.2"},
    {"tf.nn.gelu", "gelu", "features|x, approximate=False"},
    {"activations.exponential", "exp", ""},
    {"activations.linear", "identity", ""},
    // Arrays, statistics and neural-network helpers (BuiltinsArrays.cpp, BuiltinsNeuralNet.cpp)
    {"np.median", "median", "a|x, axis=None, *, keepdims=False"},
    {"np.quantile", "quantile", "a|x, q, axis=None, *, method='linear', keepdims=False"},
    {"np.percentile", "percentile", "a|x, q, axis=None, *, method='linear', keepdims=False"},
    {"ops.trace", "_ops_trace", ""},
    {"ops.vstack", "_ops_vstack", ""},
    {"ops.median", "_ops_median", "x, axis=None, keepdims=False"},
    {"ops.quantile", "_ops_quantile", ""},
    {"ops.percentile", "_ops_percentile", ""},
    {"ops.average", "_ops_average",
     "x, axis=None, weights=None, *, returned=False, keepdims=False"},
    {"ops.take_along_axis", "take_along_axis", "x, indices, axis=None"},
    {"ops.slice", "_tf_slice", "inputs|x, start_indices, shape"},
    {"ops.binary_crossentropy", "_backend_binary_crossentropy", ""},
    {"ops.categorical_crossentropy", "_ops_categorical_crossentropy", ""},
    {"ops.sparse_categorical_crossentropy", "sparse_categorical_crossentropy",
     "target|y_true, output|y_pred, from_logits=False, axis=-1"},
    {"tf.roll", "roll", "input|x, shift, axis"},
    {"tf.tensordot", "tensordot", "a, b, axes"},
    {"tf.linalg.tensordot", "tensordot", "a, b, axes"},
    {"tf.linalg.trace", "_tf_trace", ""},
    {"tf.linalg.diag", "_tf_diag", ""},
    {"tf.linalg.diag_part", "_tf_diag_part", ""},
    {"tf.slice", "_tf_slice", ""},
    {"tf.add_n", "_add_n", ""},
    {"tf.math.add_n", "_add_n", ""},
    {"tf.scalar_mul", "_scalar_mul", ""},
    {"tf.math.scalar_mul", "_scalar_mul", ""},
    {"tf.clip_by_norm", "_clip_by_norm", ""},
    {"tf.ensure_shape", "_ensure_shape", ""},
    {"tf.saturate_cast", "_saturate_cast", ""},
    {"tf.nn.softmax_cross_entropy_with_logits_v2", "softmax_cross_entropy_with_logits", ""},
    {"K.bias_add", "_keras_bias_add", ""},
    {"K.batch_normalization", "_keras_batch_normalization", ""},
    {"K.temporal_padding", "_temporal_padding", ""},
    {"K.spatial_2d_padding", "_spatial_2d_padding", ""},
    {"K.spatial_3d_padding", "_spatial_3d_padding", ""},
    {"K.random_bernoulli", "_random_bernoulli", ""},
    {"K.random_binomial", "_random_bernoulli", ""},
};

std::vector<AliasDef> buildTable() {
  static std::deque<std::string> names; // the storage behind the generated rows' views
  // A row of its own wins over the same name in a group (`K.argmax` reduces axis -1).
  std::vector<AliasDef> out(std::begin(kRenamed), std::end(kRenamed));
  std::set<std::string_view> own;
  for (const AliasDef &row : kRenamed)
    own.insert(row.name);
  for (const Group &g : kSameName) {
    std::string_view list = g.names;
    while (!list.empty()) {
      size_t space = list.find(' ');
      std::string_view name = list.substr(0, space);
      std::string full = std::string(g.prefix) + std::string(name);
      if (!name.empty() && !own.count(full)) {
        names.push_back(std::move(full));
        out.push_back({names.back(), name, ""});
      }
      list = space == std::string_view::npos ? "" : list.substr(space + 1);
    }
  }
  return out;
}

} // namespace

std::span<const AliasDef> aliasTable() {
  static const std::vector<AliasDef> table = buildTable();
  return table;
}

} // namespace lamina::sema
