// The block-string notation of the MnasNet reference implementation (tensorflow/tpu
// models/official/mnasnet): one inverted-residual stage per string, underscore-separated
// tokens, a letter key followed by its value:
//   r<repeats> k<kernel> s<stride_h><stride_w> e<expansion> i<input filters> o<output filters>
//   [se<squeeze-excite ratio>] [noskip]
// e.g. "r3_k5_s22_e6_i40_o80_se0.25". The first of the r blocks uses the strides and maps i -> o
// filters; the others have stride 1 and o -> o. A block adds its input to its output (identity
// skip) when its strides are 1, its input and output filters are equal and "noskip" is absent.
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::models {

struct BlockArgs {
  int num_repeat = 1;
  int kernel_size = 3;
  int stride_h = 1, stride_w = 1;
  int expand_ratio = 1;
  int input_filters = 0;
  int output_filters = 0;
  float se_ratio = 0.0f;  // 0: no squeeze-excite
  bool id_skip = true;    // false with "noskip"
  bool has_se() const { return se_ratio > 0.0f && se_ratio <= 1.0f; }
  bool operator==(const BlockArgs&) const = default;
};

// Parses one block string. Errors quote the string and name the bad token and the character
// position where it starts ("token 3 's2' at position 6: ...").
StatusOr<BlockArgs> DecodeBlockString(const std::string& block_string);
// Parses a list; errors also say which entry failed.
StatusOr<std::vector<BlockArgs>> DecodeBlockStrings(const std::vector<std::string>& block_strings);
// The canonical string of `args` (DecodeBlockString(EncodeBlockString(a)) == a).
std::string EncodeBlockString(const BlockArgs& args);

// The reference's round_filters: filters * multiplier rounded to the nearest multiple of
// `divisor` (halves up), at least max(min_depth, divisor) and never more than 10 % below the
// scaled value. A multiplier of exactly 1 keeps `filters` as written (the reference's
// depth_multiplier=None), so architectures with filters that are not multiples of 8
// (mnasnet-d1's 36) keep their published widths.
int RoundFilters(int filters, float multiplier, int divisor = 8, int min_depth = 0);
// The reference's round_repeats (EfficientNet family): ceil(multiplier * repeats); a
// multiplier of exactly 1 keeps `repeats`.
int RoundRepeats(int repeats, float multiplier);

}  // namespace edgeforge::models
