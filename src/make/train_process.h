// Training from scratch runs in `edgeforge-train`, a separate executable next to `edgeforge`
// (LibTorch stays out of the device binary). These functions find it, run it, and read what it
// wrote: metrics.csv becomes the report's training curves.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "report/report_data.h"

namespace edgeforge::make {

// edgeforge-train in the folder of the running executable (/proc/self/exe). NotFound, saying
// how to get it and that --from works without it, when it is absent.
StatusOr<std::string> FindTrainBinary();

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;     // its stdout (stderr goes to ours, so progress stays visible)
};

// Runs `argv` (argv[0] is the program path) and waits for it.
StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv);

// "edgeforge mnasnet-a1 threads=2 batch=64 size=32: 950 images/s" -> 950; error when the
// output has no such line.
StatusOr<double> ParseImagesPerSecond(const std::string& output);

struct TrainingSchedule {
  int epochs = 1;
  size_t examples = 0;  // train on at most this many (class-balanced); 0: all of them
};
// What fits `budget_minutes`, planning 80% of it for training (evaluation, quantization and
// the report take the rest): as many whole epochs as fit, 1 to 100; when not even one epoch
// over every example fits, one epoch over as many examples as fit, at least 10 per class.
TrainingSchedule ScheduleForBudget(double budget_minutes, double images_per_second, size_t train_examples,
                                   size_t classes);

// metrics.csv (epoch,train_loss,train_accuracy,val_loss,val_accuracy,...) by column name.
StatusOr<std::vector<report::EpochCurve>> ReadMetricsCsv(const std::string& path);

}  // namespace edgeforge::make
