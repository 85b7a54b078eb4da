// Issue 14, item 2: no std::bad_alloc or std::bad_weak_ptr reaches a host through the C++ API.
// Allocations really fail here, nothing is mocked: a size past the address space, or a child
// process whose address space is capped (setrlimit(RLIMIT_AS)) just above what it uses, so
// that a model, a call or a parse that fits every lamina limit still cannot get its memory.

#include "lamina/Model.h"
#include "tests/runtime/RuntimeTestSupport.h"

#include <cstdio>
#include <fstream>
#include <new>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <type_traits>
#include <unistd.h>

using namespace lamina;
using namespace lamina::test;

namespace {

// Sanitizers reserve terabytes of shadow memory and abort on a failed allocation instead of
// returning null, so these tests only mean something without them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// What a body run in a capped child threw: "lamina::Error <code>\n<what>", "std::bad_alloc",
// "another exception" or "nothing".
struct ChildOutcome {
  std::string kind, code, what;
};

size_t addressSpaceInUse() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0;
  statm >> pages;
  return pages * size_t(sysconf(_SC_PAGESIZE));
}

// Runs `body` in a forked child whose address space may grow by `headroom` bytes at most.
// The child reports through a pipe and leaves with _exit: it shares the parent's doctest
// state, which must not see its checks.
ChildOutcome inCappedChild(size_t headroom, const std::function<void()> &body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    std::string report;
    rlimit cap{};
    cap.rlim_cur = cap.rlim_max = addressSpaceInUse() + headroom;
    if (setrlimit(RLIMIT_AS, &cap) != 0) {
      report = "setrlimit failed";
    } else {
      try {
        body();
        report = "nothing";
      } catch (const Error &e) {
        report = "lamina::Error\n" + e.code() + "\n" + e.what();
      } catch (const std::bad_alloc &) {
        report = "std::bad_alloc";
      } catch (...) {
        report = "another exception";
      }
    }
    (void)!write(fds[1], report.data(), report.size());
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, size_t(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  ChildOutcome out;
  size_t first = text.find('\n');
  out.kind = text.substr(0, first);
  if (first != std::string::npos) {
    size_t second = text.find('\n', first + 1);
    out.code = text.substr(first + 1, second - first - 1);
    out.what = second == std::string::npos ? "" : text.substr(second + 1);
  }
  return out;
}

constexpr size_t kHeadroom = size_t(256) << 20;

} // namespace

// Item 1: the constructor that took the runtime's LambdaSource is gone from the public surface.
static_assert(!std::is_constructible_v<Lambda, std::nullptr_t, LambdaOptions, std::nullptr_t,
                                       std::nullptr_t>);
static_assert(std::is_constructible_v<Lambda, std::string, LambdaOptions>);

TEST_CASE("out of memory: a tensor past the address space is E0706" * doctest::skip(kSanitized)) {
  // 2^59 bytes: within the shape checks (no 64-bit overflow), beyond any machine.
  std::string what = errorOf([] { (void)Tensor::empty(DType::F32, {int64_t(1) << 57}); }, "E0706");
  CHECK(what == "error[E0706]: out of memory: cannot allocate 576460752303423488 bytes for a "
                "tensor");
  errorOf([] { (void)Tensor::zeros(DType::F64, {int64_t(1) << 28, int64_t(1) << 28}); }, "E0706");
}

TEST_CASE("out of memory: loading a model whose weights do not fit is E0706" *
          doctest::skip(kSanitized)) {
  // A 16384 x 16384 f32 kernel is 1 GiB: within the byte budget (E0703), not within the cap.
  std::string config = R"j({"class_name": "Sequential", "config": {"name": "m", "layers": [
  {"class_name": "InputLayer", "config": {"batch_shape": [null, 16384], "name": "in"}},
  {"class_name": "Dense", "config": {"name": "d", "units": 16384}}]}})j";
  ChildOutcome out = inCappedChild(kHeadroom, [&] { (void)modelFromJson(config, "big.json"); });
  CHECK(out.kind == "lamina::Error");
  CHECK(out.code == "E0706");
  CHECK(out.what.find("error[E0706]: out of memory: ") == 0);
}

TEST_CASE("out of memory: a call whose values do not fit is E0706, on both engines" *
          doctest::skip(kSanitized)) {
  // tile to 8192 x 16384: 1 GiB at the budget's 8 bytes an element, well within its 4 GiB.
  for (Engine engine : {Engine::Interpreter, Engine::Jit}) {
    CAPTURE(int(engine));
    ChildOutcome out = inCappedChild(kHeadroom, [&] {
      LambdaOptions options;
      options.engine = engine;
      auto tile = std::make_shared<Lambda>("lambda x: tile(x, (2048, 4096))", options);
      CallOptions call;
      call.compute.threads = 1; // the child has only the forking thread
      call.compute.kernelCache = false;
      (void)tile->call({f32({4, 4}, std::vector<float>(16, 1.0f))}, call);
    });
    CHECK(out.kind == "lamina::Error");
    CHECK(out.code == "E0706");
    CHECK_MESSAGE(out.what.find("out of memory") != std::string::npos, out.what);
  }
}

TEST_CASE("out of memory: parsing JSON in a capped process is E0706, not std::bad_alloc" *
          doctest::skip(kSanitized)) {
  // 15 MiB of nested arrays of numbers (within the 16 MiB limit) make far more in memory than
  // the text: each value is a Json object of about 150 bytes.
  std::string text = "[";
  for (int k = 0; k < 5'000'000; ++k)
    text += k ? ",0" : "0";
  text += "]";
  ChildOutcome out = inCappedChild(size_t(64) << 20, [&] { (void)Json::parse(text, "big.json"); });
  CHECK(out.kind == "lamina::Error");
  CHECK(out.code == "E0706");
}

// Calling a layer that no std::shared_ptr owns on symbolic tensors is what would have thrown
// std::bad_weak_ptr (a node must share its layer); it is a lamina::Error that says what to do.
TEST_CASE("a layer not owned by a shared_ptr, called symbolically, is a lamina::Error") {
  SymbolicTensor x = Input({4});
  LambdaOptions squareOptions;
  squareOptions.name = "square";
  Lambda square("lambda x: x * x", squareOptions);
  std::string what = errorOf([&] { (void)square(x); });
  CHECK(what.find("layer `square` is called on symbolic tensors") != std::string::npos);
  CHECK(what.find("std::make_shared<Lambda>") != std::string::npos);
  Dense dense(3);
  errorOf([&] { (void)dense(x); });
  // On concrete tensors such a layer computes: only model building needs shared ownership.
  CHECK(square(f32({1, 2}, {3, 4})).at({0, 1}) == 16.0);
}
