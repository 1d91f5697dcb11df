#include "make/make_options.h"

#include <filesystem>

namespace edgeforge::make {

namespace {

std::string Number(double value) {
  std::string text = std::to_string(value);
  while (text.size() > 1 && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

Status ValidateMakeOptions(const MakeOptions& o) {
  if (o.data.empty()) return InvalidArgument("--data is required: a folder of photos, TFRecord files or fashion-mnist");
  if (o.out.empty()) return InvalidArgument("--out is required: the folder the model and report are written to");
  if (o.target != "cpu" && o.target != "edgetpu") {
    return InvalidArgument("--target '" + o.target + "' is not a target; expected cpu or edgetpu");
  }
  if (o.latency_budget_ms && !(*o.latency_budget_ms > 0)) {
    return InvalidArgument("--latency-budget " + Number(*o.latency_budget_ms) +
                           ": expected a positive number of milliseconds");
  }
  if (o.time_budget_minutes && !(*o.time_budget_minutes > 0)) {
    return InvalidArgument("--time-budget " + Number(*o.time_budget_minutes) +
                           ": expected a positive number of minutes");
  }
  if (o.epochs < 0) return InvalidArgument("--epochs " + std::to_string(o.epochs) + ": expected a positive number");
  if (o.image_size != 0 && (o.image_size < 8 || o.image_size > 1024)) {
    return InvalidArgument("--image-size " + std::to_string(o.image_size) + ": expected 8..1024");
  }
  std::error_code ec;
  if (!o.from.empty() && !std::filesystem::is_regular_file(o.from, ec)) {
    return NotFound("--from " + o.from + ": no such file (expected a pretrained .tflite)");
  }
  return Status::Ok();
}

double LatencyBudgetMs(const MakeOptions& o) {
  return o.latency_budget_ms.value_or(kDefaultLatencyBudgetMs);
}

double TimeBudgetMinutes(const MakeOptions& o) {
  return o.time_budget_minutes.value_or(kDefaultTimeBudgetMinutes);
}

}  // namespace edgeforge::make
