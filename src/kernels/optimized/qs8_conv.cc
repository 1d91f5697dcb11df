#include "kernels/optimized/qs8_conv.h"

#include <algorithm>

#include "core/check.h"

namespace edgeforge::kernels::optimized {

namespace {

constexpr size_t kAlign = 64;
size_t AlignUp(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

}  // namespace

void Qs8Conv::Prepare(const ConvGeometry& geometry, bool is_uint8, const uint8_t* filter,
                      const int32_t* bias, const reference::LinearQuantization& quant,
                      const Qs8GemmKernel& kernel, int num_threads) {
  geometry_ = geometry;
  operands_ = {is_uint8, quant.input_zero_point, quant.filter_zero_point};
  output_stage_ = quant.output;
  raw_accumulators_ = quant.output.scheme != reference::OutputStage::Scheme::kXnnpackFloatScale;
  kernel_ = &kernel;
  pack_rows_ = BestQs8PackRows(kernel.format);

  const int32_t n = geometry.n();
  const int32_t k = geometry.k();
  const int32_t kp = Qs8PaddedK(kernel, k);
  PackQs8Weights(kernel.format, kp, kernel.signed_a, operands_, n, k, filter, bias, &weights_);

  const size_t padded_cols = static_cast<size_t>(weights_.panels) * kPanelWidth;
  scales_.assign(padded_cols, 0.0f);
  if (!raw_accumulators_) {
    for (int32_t c = 0; c < n; ++c) scales_[static_cast<size_t>(c)] = quant.output.scale[c];
  }
  scales_at_most_half_ = true;
  for (float s : scales_) scales_at_most_half_ = scales_at_most_half_ && s <= 0.5f;
  min_less_zero_point_ = static_cast<float>(quant.output.min - quant.output.zero_point);
  max_less_zero_point_ = static_cast<float>(quant.output.max - quant.output.zero_point);

  a_stride_ = static_cast<size_t>(kp) * Qs8AElementBytes(kernel.format);
  split_ = PlanGemmWork(geometry.m(), weights_.panels, a_stride_, num_threads);

  const int64_t rows_per_block = split_.rows_per_block;
  const int64_t padded_rows =
      (rows_per_block + kernel.row_padding - 1) / kernel.row_padding * kernel.row_padding;
  a_bytes_ = AlignUp(static_cast<size_t>(padded_rows) * a_stride_ + kPackSlack);
  correction_bytes_ =
      weights_.row_correction_factor != 0 ? AlignUp(sizeof(int32_t) * rows_per_block) : 0;
  const size_t raw_bytes =
      raw_accumulators_ ? AlignUp(sizeof(int32_t) * rows_per_block * padded_cols) : 0;
  slot_bytes_ = a_bytes_ + correction_bytes_ + raw_bytes;
  // Pointwise rows that need no transform are A's rows already: the kernel reads the input.
  read_input_in_place_ = kernel.format == Qs8Format::kC4 && geometry.is_pointwise() && kp == k &&
                         weights_.a_xor == 0 && weights_.row_correction_factor == 0;
}

void Qs8Conv::Run(const uint8_t* input, uint8_t* output, void* scratch,
                  core::ThreadPool& pool) const {
  EF_CHECK(kernel_ != nullptr);
  auto* slots = static_cast<uint8_t*>(scratch);
  pool.ParallelFor(split_.tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) RunTask(t, input, output, slots);
  });
}

void Qs8Conv::RunTask(int64_t task, const uint8_t* input, uint8_t* output, uint8_t* scratch) const {
  const int64_t m0 = split_.row_begin(task);
  const int64_t m1 = std::min(geometry_.m(), m0 + split_.rows_per_block);
  const int32_t panel0 = split_.panel_begin(task);
  const int32_t panel1 = std::min(weights_.panels, panel0 + split_.panels_per_split);
  if (m0 >= m1 || panel0 >= panel1) return;

  uint8_t* slot = scratch + static_cast<size_t>(task) * slot_bytes_;
  auto* correction = reinterpret_cast<int32_t*>(slot + a_bytes_);
  auto* raw = reinterpret_cast<int32_t*>(slot + a_bytes_ + correction_bytes_);
  // In place unless the kernel's whole row tiles would read past the input (the last block).
  const int64_t padding = kernel_->row_padding;
  const bool in_place =
      read_input_in_place_ && m0 + (m1 - m0 + padding - 1) / padding * padding <= geometry_.m();
  const uint8_t* a = slot;
  if (in_place) {
    a = input + m0 * a_stride_;
  } else {
    pack_rows_(geometry_, weights_, operands_, input, m0, m1, slot, a_stride_, correction);
  }

  const int32_t n = geometry_.n();
  const int32_t col0 = panel0 * kPanelWidth;
  Qs8GemmBlock block;
  block.rows = static_cast<int32_t>(m1 - m0);
  block.cols = std::min(n, panel1 * kPanelWidth) - col0;
  block.kp = weights_.kp;
  block.a = a;
  block.a_stride = a_stride_;
  block.a_is_signed = weights_.a_signed;
  block.b = weights_.b.as<uint8_t>() + static_cast<size_t>(panel0) * weights_.panel_stride;
  block.b_panel_stride = weights_.panel_stride;
  block.column_bias = weights_.column_bias.data() + col0;
  block.row_correction = weights_.row_correction_factor != 0 ? correction : nullptr;
  block.scale = scales_.data() + col0;
  block.min_less_zero_point = min_less_zero_point_;
  block.max_less_zero_point = max_less_zero_point_;
  block.zero_point = output_stage_.zero_point;
  block.min = output_stage_.min;
  block.max = output_stage_.max;
  block.is_uint8 = operands_.is_uint8;
  block.scales_at_most_half = scales_at_most_half_;
  block.c = output + m0 * n + col0;
  block.c_stride = static_cast<size_t>(n);
  if (!raw_accumulators_) {
    kernel_->fn(block);
    return;
  }
  // TFLite's fixed-point output stage: the kernel hands back accumulators, the reference's
  // scalar Requantize finishes them.
  block.c_int32 = raw;
  block.c_int32_stride = static_cast<size_t>(block.cols);
  kernel_->fn(block);
  for (int32_t r = 0; r < block.rows; ++r) {
    for (int32_t c = 0; c < block.cols; ++c) {
      block.c[r * block.c_stride + c] = static_cast<uint8_t>(reference::Requantize(
          output_stage_, raw[r * block.cols + c], col0 + c));
    }
  }
}

}  // namespace edgeforge::kernels::optimized
