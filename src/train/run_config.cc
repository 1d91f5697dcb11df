#include "train/run_config.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>

#include "core/file.h"

namespace edgeforge::train {

namespace {

using Json = nlohmann::ordered_json;

// One list of fields for both directions, so save and load cannot drift apart.
template <typename Visit>
void VisitFields(TrainOptions& o, Visit&& v) {
  v("architecture", o.architecture);
  v("width_multiplier", o.width_multiplier);
  v("pretrained", o.pretrained);
  v("cut_at", o.cut_at);
  v("unfreeze_from", o.unfreeze_from);
  v("backbone_lr_scale", o.backbone_lr_scale);
  v("data", o.data);
  v("image_size", o.image_size);
  v("channels", o.channels);
  v("epochs", o.epochs);
  v("batch_size", o.batch_size);
  v("threads", o.threads);
  v("workers", o.workers);
  v("optimizer", o.optimizer);
  v("lr_per_256", o.lr_per_256);
  v("warmup_epochs", o.warmup_epochs);
  v("decay_epochs", o.decay_epochs);
  v("decay_rate", o.decay_rate);
  v("cosine", o.cosine);
  v("weight_decay", o.weight_decay);
  v("label_smoothing", o.label_smoothing);
  v("dropout", o.dropout);
  v("ema_decay", o.ema_decay);
  v("batch_norm_momentum", o.batch_norm_momentum);
  v("random_crop", o.random_crop);
  v("force_random_crop", o.force_random_crop);
  v("min_crop_area", o.min_crop_area);
  v("flip", o.flip);
  v("val_fraction", o.val_fraction);
  v("limit", o.limit);
  v("eval_limit", o.eval_limit);
  v("seed", o.seed);
  v("device", o.device);
  v("qat", o.qat);
  v("qat_epochs", o.qat_epochs);
  v("qat_io", o.qat_io);
}

}  // namespace

Status SaveRunConfig(const std::string& dir, const TrainOptions& options) {
  Json j;
  TrainOptions copy = options;
  VisitFields(copy, [&](const char* key, auto& value) { j[key] = value; });
  const std::string text = j.dump(2) + "\n";
  return core::WriteFileAtomic(
      (std::filesystem::path(dir) / kRunConfigFile).string(),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Status LoadRunConfig(const std::string& dir, TrainOptions* options) {
  const std::string path = (std::filesystem::path(dir) / kRunConfigFile).string();
  std::ifstream in(path);
  if (!in) return NotFound(path + ": no run configuration (is this a training output folder?)");
  Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument(path + ": not valid JSON");
  Status status;
  VisitFields(*options, [&](const char* key, auto& value) {
    if (!status.ok() || !j.contains(key)) return;
    using T = std::decay_t<decltype(value)>;
    const Json& field = j[key];
    const bool type_ok = std::is_same_v<T, std::string> ? field.is_string()
                         : std::is_same_v<T, bool>      ? field.is_boolean()
                                                        : field.is_number();
    if (!type_ok) {
      status = InvalidArgument(path + ": field '" + key + "' has the wrong type");
      return;
    }
    value = field.get<T>();
  });
  return status;
}

}  // namespace edgeforge::train
