// The training progress line: "epoch 3/10 [=======>     ] 120/469 loss 0.532 acc 81.2%
// 1234 img/s ETA 0:12". Redrawn in place on a terminal; on a pipe or file (CI logs) a line is
// printed every tenth of the epoch instead, so logs stay readable.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace edgeforge::train {

class ProgressBar {
 public:
  ProgressBar(std::FILE* out, int epoch, int epochs, size_t steps);
  // After each step: running mean loss and accuracy of the epoch, images seen in it.
  void Update(size_t step, double loss, double accuracy, size_t images);
  // Ends the line with the epoch's evaluation.
  void Finish(const std::string& summary);

 private:
  std::FILE* out_;
  bool terminal_;
  int epoch_, epochs_;
  size_t steps_;
  size_t last_printed_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "1:02:03" / "2:03".
std::string FormatDuration(double seconds);

}  // namespace edgeforge::train
