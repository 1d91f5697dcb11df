#include "train/progress.h"

#include <unistd.h>

#include <cmath>

namespace edgeforge::train {

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

ProgressBar::ProgressBar(std::FILE* out, int epoch, int epochs, size_t steps)
    : out_(out), terminal_(out != nullptr && isatty(fileno(out))), epoch_(epoch), epochs_(epochs),
      steps_(steps), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void ProgressBar::Update(size_t step, double loss, double accuracy, size_t images) {
  if (out_ == nullptr || steps_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (terminal_) {
    // Redrawing more often than 10 times a second only costs time.
    if (step != steps_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  } else if (step * 10 / steps_ == last_printed_ * 10 / steps_ && step != steps_) {
    return;
  }
  last_draw_ = now;
  last_printed_ = step;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? images / elapsed : 0;
  const double eta = step > 0 ? elapsed * (static_cast<double>(steps_) - step) / step : 0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * step / steps_);
  std::string bar(kWidth, ' ');
  for (int i = 0; i < filled; ++i) bar[i] = '=';
  if (filled < kWidth) bar[filled] = '>';
  std::fprintf(out_, "%sepoch %d/%d [%s] %zu/%zu loss %.4f acc %.1f%% %.0f img/s ETA %s%s",
               terminal_ ? "\r" : "", epoch_, epochs_, bar.c_str(), step, steps_, loss,
               100 * accuracy, rate, FormatDuration(eta).c_str(), terminal_ ? "" : "\n");
  std::fflush(out_);
}

void ProgressBar::Finish(const std::string& summary) {
  if (out_ == nullptr) return;
  std::fprintf(out_, "%s%s\n", terminal_ ? "\n" : "", summary.c_str());
  std::fflush(out_);
}

}  // namespace edgeforge::train
