#include "report/report_json.h"

#include <cmath>
#include <span>

#include "core/file.h"

namespace edgeforge::report {

namespace {

using Json = nlohmann::ordered_json;

// JSON has no infinity or NaN; nlohmann would write them as null anyway, but say it here.
Json Number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

Json AccuracyJson(const ModelAccuracy& a) {
  return Json{{"model", a.model},         {"evaluated", a.evaluated},
              {"top1", a.top1},           {"top5", a.top5},
              {"class_accuracy", a.class_accuracy}, {"confusion", a.confusion},
              {"has_other_column", a.has_other_column}};
}

Json DatasetJson(const DatasetSummary& d) {
  return Json{{"spec", d.spec},
              {"description", d.description},
              {"class_names", d.class_names},
              {"train_examples", d.train_examples},
              {"test_examples", d.test_examples},
              {"test_split", d.test_split},
              {"image_size", d.image_size},
              {"channels", d.channels}};
}

Json RecipeJson(const RecipeSummary& r) {
  Json j{{"kind", r.kind},
         {"reason", r.reason},
         {"target", r.target},
         {"latency_budget_ms", r.latency_budget_ms},
         {"pretrained", r.pretrained},
         {"architecture", r.architecture},
         {"width", r.width},
         {"epochs", r.epochs},
         {"epochs_reason", r.epochs_reason},
         {"candidates", Json::array()}};
  for (const CandidateScore& c : r.candidates) {
    j["candidates"].push_back(Json{{"architecture", c.architecture},
                                   {"width", c.width},
                                   {"macs", c.macs},
                                   {"parameters", c.parameters},
                                   {"latency_ms", c.latency_ms},
                                   {"proxy", c.proxy},
                                   {"score", c.score},
                                   {"chosen", c.chosen}});
  }
  return j;
}

Json QuantizationJson(const QuantizationSummary& q) {
  Json j{{"output_sqnr_db", Number(q.output_sqnr_db)},
         {"images", q.images},
         {"top1_agreement", q.top1_agreement},
         {"float_bytes", q.float_bytes},
         {"int8_bytes", q.int8_bytes},
         {"note", q.note},
         {"layers", Json::array()}};
  for (const LayerError& l : q.layers) {
    j["layers"].push_back(
        Json{{"op_index", l.op_index}, {"op", l.op}, {"tensor", l.tensor}, {"sqnr_db", Number(l.sqnr_db)}});
  }
  return j;
}

Json LatencyJson(const LatencySummary& l) {
  Json j{{"model", l.model}, {"threads", l.threads}, {"runs", l.runs}, {"median_ms", l.median_ms},
         {"float_median_ms", l.float_median_ms ? Json(*l.float_median_ms) : Json(nullptr)},
         {"by_op_type", Json::array()}};
  for (const OpTypeLatency& o : l.by_op_type) {
    j["by_op_type"].push_back(Json{{"op", o.op}, {"count", o.count}, {"ms", o.ms}});
  }
  return j;
}

Json EdgeTpuJson(const EdgeTpuSummary& e) {
  Json j{{"mapped", e.mapped},
         {"cpu", e.cpu},
         {"fully_mapped", e.fully_mapped},
         {"first_cpu_op", e.first_cpu_op ? Json(*e.first_cpu_op) : Json(nullptr)},
         {"first_cpu_op_name", e.first_cpu_op_name},
         {"model_reason", e.model_reason},
         {"ops", Json::array()}};
  for (const EdgeTpuOp& o : e.ops) {
    j["ops"].push_back(Json{{"index", o.index}, {"op", o.op}, {"mapped", o.mapped}, {"reason", o.reason},
                            {"detail", o.detail}});
  }
  return j;
}

template <typename T, typename F>
Json Optional(const std::optional<T>& value, F to_json) {
  return value ? to_json(*value) : Json(nullptr);
}

}  // namespace

nlohmann::ordered_json ReportToJson(const ReportData& data) {
  Json j;
  j["title"] = data.title;
  j["created"] = data.created;
  j["command"] = data.command;
  j["dataset"] = DatasetJson(data.dataset);
  j["recipe"] = RecipeJson(data.recipe);
  j["curves"] = Json::array();
  for (const EpochCurve& e : data.curves) {
    j["curves"].push_back(Json{{"epoch", e.epoch},
                               {"train_loss", e.train_loss},
                               {"train_accuracy", e.train_accuracy},
                               {"val_loss", e.val_loss},
                               {"val_accuracy", e.val_accuracy}});
  }
  j["float_accuracy"] = Optional(data.float_accuracy, AccuracyJson);
  j["int8_accuracy"] = Optional(data.int8_accuracy, AccuracyJson);
  j["quantization"] = Optional(data.quantization, QuantizationJson);
  j["latency"] = Optional(data.latency, LatencyJson);
  j["edgetpu"] = Optional(data.edgetpu, EdgeTpuJson);
  j["files"] = Json::array();
  for (const WrittenFile& f : data.files) j["files"].push_back(Json{{"path", f.path}, {"bytes", f.bytes}});
  j["notes"] = data.notes;
  return j;
}

Status WriteReportJson(const ReportData& data, const std::string& path) {
  // Replace rather than throw on a file name that is not valid UTF-8: no exceptions here.
  const std::string text = ReportToJson(data).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  return core::WriteFileAtomic(
      path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace edgeforge::report
