#pragma once

// A Google Benchmark reporter that also keeps each benchmark's real time (the median when
// repetitions ran), by name, for the ratio tables the benchmarks print after the runs.

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace lamina::bench {

class Collector : public benchmark::ConsoleReporter {
public:
  void ReportRuns(const std::vector<Run> &runs) override {
    for (const Run &run : runs)
      if (run.aggregate_name == "median" ||
          (run.run_type == Run::RT_Iteration && !run.error_occurred))
        medians[run.run_name.function_name] = run.GetAdjustedRealTime(); // ns
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> medians;
};

} // namespace lamina::bench
