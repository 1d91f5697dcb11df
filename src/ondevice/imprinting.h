// Weight imprinting (Qi et al., "Low-Shot Learning with Imprinted Weights", as Coral's
// on-device ImprintingEngine does it): each class's weight row is the L2-normalized mean of its
// L2-normalized embeddings, times `scale`; behind an L2_NORMALIZATION the logits are scaled
// cosine similarities. No iterations, one pass over the data.
#pragma once

#include <string>
#include <vector>

#include "ondevice/classifier_head.h"
#include "ondevice/embeddings.h"

namespace edgeforge::ondevice {

// Rows for classes 0..num_classes-1 from `set`; classes without embeddings get zero rows.
ClassifierHead ImprintHead(const EmbeddingSet& set, int num_classes, float scale);

// `base` extended with the classes of `set`: a class already in `base_labels` gets its row
// re-imprinted from the new data, new classes are appended. Returns the merged labels too.
StatusOr<ClassifierHead> MergeImprinted(const ClassifierHead& base, const std::vector<std::string>& base_labels,
                                        const ClassifierHead& fresh, const std::vector<std::string>& fresh_labels,
                                        std::vector<std::string>* merged_labels);

}  // namespace edgeforge::ondevice
