// Reference kernel of HARD_SWISH: x · relu6(x + 3) / 6. Float32, and TFLite's 16-bit
// fixed-point reference algorithm for int8/uint8 with multipliers precomputed once.
#pragma once

#include <cstdint>

namespace edgeforge::kernels::reference {

void HardSwish(const float* input, float* output, int64_t size);

// TFLite's HardSwishParams. The input is first moved to a "hires" scale (input_scale / 128);
// the output multiplier maps that to the output scale, the "reluish" multiplier maps it to a
// scale where 3.0 is 32768, so relu6(x + 3) / 6 becomes a Q15 value in [0, 1].
struct HardSwishParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int16_t output_multiplier_fixedpoint_int16 = 0;
  int output_multiplier_exponent = 0;  // always <= 0 (see MakeHardSwishParams)
  int16_t reluish_multiplier_fixedpoint_int16 = 0;
  int reluish_multiplier_exponent = 0;
};

// As TFLite's HardSwishPrepare. TFLite requires output_multiplier_exponent <= 0, i.e. an output
// scale above input_scale / 128; the caller checks that and reports it.
HardSwishParams MakeHardSwishParams(float input_scale, int32_t input_zero_point,
                                    float output_scale, int32_t output_zero_point);

void QuantizedHardSwish(const HardSwishParams& params, const int8_t* input, int8_t* output,
                        int64_t size);
void QuantizedHardSwish(const HardSwishParams& params, const uint8_t* input, uint8_t* output,
                        int64_t size);

}  // namespace edgeforge::kernels::reference
