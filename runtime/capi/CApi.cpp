// The C ABI (include/lamina.h) over the C++ API: each entry point catches every exception at
// the boundary and turns it into a lamina_error, so no C++ exception, std::bad_alloc
// included, reaches a C caller.

#include "lamina.h"

#include "lamina/lamina.h"

#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

struct lamina_error {
  std::string text, code;
  std::vector<lamina::DiagnosticRecord> records;
};

struct lamina_options {
  lamina::ComputeOptions compute;
};

struct lamina_function {
  std::shared_ptr<lamina::Lambda> layer;
  lamina::CallOptions call;
};

struct lamina_model {
  std::shared_ptr<lamina::Model> model;
  lamina::CallOptions call;
};

struct lamina_outputs {
  std::vector<lamina::Tensor> tensors; // contiguous, owned
};

static_assert(int(lamina::DType::Bool) == LAMINA_BOOL && int(lamina::DType::I8) == LAMINA_I8 &&
                  int(lamina::DType::U8) == LAMINA_U8 && int(lamina::DType::I32) == LAMINA_I32 &&
                  int(lamina::DType::I64) == LAMINA_I64 && int(lamina::DType::F16) == LAMINA_F16 &&
                  int(lamina::DType::BF16) == LAMINA_BF16 &&
                  int(lamina::DType::F32) == LAMINA_F32 && int(lamina::DType::F64) == LAMINA_F64 &&
                  int(lamina::DType::I16) == LAMINA_I16 && int(lamina::DType::U16) == LAMINA_U16 &&
                  int(lamina::DType::U32) == LAMINA_U32 && int(lamina::DType::U64) == LAMINA_U64,
              "lamina_dtype must number the dtypes as lamina::DType does");

namespace {

void store(lamina_error **error, lamina_error value) {
  if (!error)
    return;
  try {
    *error = new lamina_error(std::move(value));
  } catch (...) {
    *error = nullptr; // out of memory while reporting: the status still says it failed
  }
}

// Runs `body`; an exception becomes the caller's lamina_error and status 1.
template <class Body> int guarded(lamina_error **error, Body &&body) {
  if (error)
    *error = nullptr;
  try {
    body();
    return 0;
  } catch (const lamina::Error &e) {
    store(error, {e.what(), e.code(), e.diagnostics()});
  } catch (const std::bad_alloc &) {
    // The C++ API already turns its own allocation failures into E0706; this catches one in
    // the C layer itself (copying the caller's shapes, say), with the same code.
    store(error, {"error[E0706]: out of memory", "E0706", {}});
  } catch (const std::exception &e) {
    store(error, {std::string("internal error: ") + e.what(), "E0007", {}});
  } catch (...) {
    store(error, {"internal error: an unknown exception", "E0007", {}});
  }
  return 1;
}

std::vector<lamina::Tensor> tensorsOf(size_t count, const lamina_buffer *inputs) {
  std::vector<lamina::Tensor> out;
  for (size_t k = 0; k < count; ++k) {
    const lamina_buffer &b = inputs[k];
    if (b.dtype < LAMINA_BOOL || b.dtype > LAMINA_U64)
      throw lamina::Error("", "input " + std::to_string(k) + " has an unknown dtype");
    if (b.rank > 0 && !b.shape)
      throw lamina::Error("", "input " + std::to_string(k) + " has a rank but no shape");
    lamina::TensorShape shape(b.shape, b.shape + b.rank);
    out.push_back(lamina::Tensor::view(lamina::DType(b.dtype), std::move(shape), b.data));
  }
  return out;
}

// Zeros of the buffers' dtypes and shapes (data not read), for a warm-up.
std::pair<std::vector<lamina::TensorShape>, std::vector<lamina::DType>>
signatureOf(size_t count, const lamina_buffer *inputs) {
  std::vector<lamina::TensorShape> shapes;
  std::vector<lamina::DType> dtypes;
  for (size_t k = 0; k < count; ++k) {
    if (inputs[k].rank > 0 && !inputs[k].shape)
      throw lamina::Error("", "input " + std::to_string(k) + " has a rank but no shape");
    if (inputs[k].dtype < LAMINA_BOOL || inputs[k].dtype > LAMINA_U64)
      throw lamina::Error("", "input " + std::to_string(k) + " has an unknown dtype");
    shapes.emplace_back(inputs[k].shape, inputs[k].shape + inputs[k].rank);
    dtypes.push_back(lamina::DType(inputs[k].dtype));
  }
  return {shapes, dtypes};
}

lamina_outputs *outputsOf(std::vector<lamina::Tensor> tensors) {
  auto out = std::make_unique<lamina_outputs>();
  for (lamina::Tensor &t : tensors)
    out->tensors.push_back(t.contiguous() ? std::move(t) : t.contiguousCopy());
  return out.release();
}

void requireArgument(const void *pointer, const char *what) {
  if (!pointer)
    throw lamina::Error("", std::string(what) + " is NULL");
}

} // namespace

extern "C" {

const char *lamina_version(void) { return lamina::version(); }

void lamina_set_blas_threads(int threads) {
  try {
    lamina::setBlasThreads(threads);
  } catch (...) {
  }
}

const char *lamina_error_text(const lamina_error *error) {
  return error ? error->text.c_str() : "";
}

const char *lamina_error_code(const lamina_error *error) {
  return error ? error->code.c_str() : "";
}

size_t lamina_error_diagnostic_count(const lamina_error *error) {
  return error ? error->records.size() : 0;
}

lamina_diagnostic lamina_error_diagnostic(const lamina_error *error, size_t index) {
  if (!error || index >= error->records.size())
    return lamina_diagnostic{"", "", "", "", 0, 0, 0};
  const lamina::DiagnosticRecord &r = error->records[index];
  return lamina_diagnostic{r.code.c_str(), r.severity.c_str(), r.message.c_str(), r.file.c_str(),
                           r.line,         r.column,           r.length};
}

void lamina_error_destroy(lamina_error *error) { delete error; }

lamina_options *lamina_options_create(void) { return new (std::nothrow) lamina_options(); }

void lamina_options_destroy(lamina_options *options) { delete options; }

int lamina_options_set_threads(lamina_options *options, unsigned threads) {
  if (!options || threads > lamina::ComputeOptions::kMaxThreads)
    return 1;
  options->compute.threads = threads;
  return 0;
}

void lamina_options_set_cpu(lamina_options *options, const char *cpu) {
  if (options)
    options->compute.cpu = cpu ? cpu : "";
}

void lamina_options_set_cache_dir(lamina_options *options, const char *dir) {
  if (!options)
    return;
  options->compute.kernelCache = dir != nullptr;
  options->compute.cacheDir = dir ? dir : "";
}

void lamina_options_set_interpreter(lamina_options *options, int on) {
  if (options)
    options->compute.engine = on ? lamina::Engine::Interpreter : lamina::Engine::Jit;
}

void lamina_options_set_byte_budget(lamina_options *options, uint64_t bytes) {
  if (options)
    options->compute.byteBudget = bytes;
}

lamina_function *lamina_function_create(const char *source, const lamina_options *options,
                                        lamina_error **error) {
  lamina_function *out = nullptr;
  guarded(error, [&] {
    requireArgument(source, "source");
    auto f = std::make_unique<lamina_function>();
    f->layer = std::make_shared<lamina::Lambda>(source);
    if (options)
      f->call.compute = options->compute;
    out = f.release();
  });
  return out;
}

void lamina_function_destroy(lamina_function *function) { delete function; }

int lamina_function_warm_up(lamina_function *function, size_t count, const lamina_buffer *inputs,
                            lamina_error **error) {
  return guarded(error, [&] {
    requireArgument(function, "function");
    auto [shapes, dtypes] = signatureOf(count, inputs);
    function->layer->warmUp(shapes, dtypes, function->call);
  });
}

int lamina_function_run(lamina_function *function, size_t count, const lamina_buffer *inputs,
                        lamina_outputs **outputs, lamina_error **error) {
  return guarded(error, [&] {
    requireArgument(function, "function");
    requireArgument(outputs, "outputs");
    *outputs = nullptr;
    *outputs = outputsOf(function->layer->call(tensorsOf(count, inputs), function->call).outputs);
  });
}

lamina_model *lamina_model_load(const char *path, const lamina_options *options,
                                lamina_error **error) {
  lamina_model *out = nullptr;
  guarded(error, [&] {
    requireArgument(path, "path");
    auto m = std::make_unique<lamina_model>();
    m->model = lamina::loadModel(path);
    if (options)
      m->call.compute = options->compute;
    out = m.release();
  });
  return out;
}

void lamina_model_destroy(lamina_model *model) { delete model; }

size_t lamina_model_input_count(const lamina_model *model) {
  return model ? model->model->inputs().size() : 0;
}

int lamina_model_warm_up(lamina_model *model, size_t count, const lamina_buffer *inputs,
                         lamina_error **error) {
  return guarded(error, [&] {
    requireArgument(model, "model");
    auto [shapes, dtypes] = signatureOf(count, inputs);
    model->model->warmUp(shapes, dtypes, model->call);
  });
}

int lamina_model_run(lamina_model *model, size_t count, const lamina_buffer *inputs,
                     lamina_outputs **outputs, lamina_error **error) {
  return guarded(error, [&] {
    requireArgument(model, "model");
    requireArgument(outputs, "outputs");
    *outputs = nullptr;
    *outputs = outputsOf(model->model->call(tensorsOf(count, inputs), model->call).outputs);
  });
}

size_t lamina_outputs_count(const lamina_outputs *outputs) {
  return outputs ? outputs->tensors.size() : 0;
}

lamina_buffer lamina_outputs_get(const lamina_outputs *outputs, size_t index) {
  if (!outputs || index >= outputs->tensors.size())
    return lamina_buffer{LAMINA_F32, 0, nullptr, nullptr};
  const lamina::Tensor &t = outputs->tensors[index];
  return lamina_buffer{int32_t(t.dtype()), t.rank(), t.shape().data(),
                       const_cast<void *>(t.data())};
}

void lamina_outputs_destroy(lamina_outputs *outputs) { delete outputs; }

} // extern "C"
