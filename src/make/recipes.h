// The two ways `edgeforge make` gets a model, each ending with OUT/model_float.tflite,
// OUT/model_int8.tflite and OUT/labels.txt:
//   * transfer learning (--from PRETRAINED.tflite): head-only, transfer/head_only.h;
//   * from scratch: a zoo architecture chosen for the latency budget (recipe.h), trained by
//     edgeforge-train for the epochs the time budget allows, then quantized to int8 with
//     calibration images from the training data.
// Each fills the recipe, curves and quantization parts of the report.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "edgeforge/status.h"
#include "make/data_plan.h"
#include "make/make_options.h"
#include "report/report_data.h"

namespace edgeforge::make {

struct RecipeOutcome {
  std::string float_model;
  std::string int8_model;  // empty when no int8 model was written (the Edge TPU check failed)
  std::string labels;
  // Set when the run must end in an error after the report is written (e.g. --target edgetpu
  // and ops that would run on the CPU).
  std::optional<Status> failure;
};

StatusOr<RecipeOutcome> RunTransferRecipe(const MakeOptions& options, const DataPlan& plan, report::ReportData* report,
                                          std::FILE* log);

StatusOr<RecipeOutcome> RunScratchRecipe(const MakeOptions& options, const DataPlan& plan, report::ReportData* report,
                                         std::FILE* log);

// The input size a from-scratch model gets: 32 for images up to 32 pixels (MNIST-like data),
// otherwise the image's larger side rounded down to a multiple of 32, at most 128 (training
// from scratch on a CPU at 224 takes hours).
int ScratchImageSize(int native_size);

}  // namespace edgeforge::make
