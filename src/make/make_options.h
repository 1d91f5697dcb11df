// What `edgeforge make` is asked to do (its flags), and the checks that reject a bad request
// before any work starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "edgeforge/status.h"

namespace edgeforge::make {

// Without --latency-budget the recipe aims at this CPU latency for the float model: small
// enough that the chosen model also runs comfortably on a phone-class core.
inline constexpr double kDefaultLatencyBudgetMs = 5.0;
// Without --epochs, training from scratch gets this many minutes (of which 80% is planned for
// training; evaluation, quantization and the report take the rest).
inline constexpr double kDefaultTimeBudgetMinutes = 5.0;

struct MakeOptions {
  std::string data;    // folder of photos (class subfolders, or train/ + test/), TFRecord, IDX, fashion-mnist
  std::string out;     // output folder (created)
  std::string target = "cpu";  // "cpu" or "edgetpu"
  std::optional<double> latency_budget_ms;  // default kDefaultLatencyBudgetMs
  std::string from;    // pretrained .tflite: transfer learning (head only)
  std::optional<double> time_budget_minutes;  // default kDefaultTimeBudgetMinutes
  int epochs = 0;      // 0: from the time budget
  size_t limit = 0;    // at most this many training examples (class-balanced); 0: all
  int image_size = 0;  // from scratch: 0 picks from the data (ScratchImageSize, recipes.h)
  int threads = 0;     // 0: every core
  uint64_t seed = 1;
  std::string command_line;  // for the report
};

// Errors name the flag and the value: a missing --data or --out, an unknown --target, a
// --latency-budget or --time-budget that is not positive, a --from file that does not exist.
Status ValidateMakeOptions(const MakeOptions& options);

double LatencyBudgetMs(const MakeOptions& options);
double TimeBudgetMinutes(const MakeOptions& options);

}  // namespace edgeforge::make
