// Worker threads each produce whole batches, numbered in epoch order; Next() hands them out in
// that order. At most `prefetch` batches are in flight ahead of the consumer. Every random
// choice comes from Rng::For(seed, epoch, dataset index), so the batches do not depend on the
// number of workers or on timing.
#include "data/batch_loader.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "data/augment.h"

namespace edgeforge::data {

namespace {

// Mixed into the seed for the epoch's order, so it differs from every example's stream.
constexpr uint64_t kOrderStream = ~uint64_t{0};

Status CheckOptions(const BatchOptions& o) {
  if (o.image_size < 1) return InvalidArgument("batch loader: image size must be positive");
  if (o.channels != 1 && o.channels != 3) return InvalidArgument("batch loader: channels must be 1 or 3");
  if (o.batch_size < 1) return InvalidArgument("batch loader: batch size must be positive");
  for (const auto* v : {&o.mean, &o.std}) {
    if (v->size() != 1 && v->size() != static_cast<size_t>(o.channels)) {
      return InvalidArgument("batch loader: mean and std need 1 or " + std::to_string(o.channels) + " values");
    }
  }
  for (float s : o.std) {
    if (s == 0) return InvalidArgument("batch loader: std must be non-zero");
  }
  const Augmentation& a = o.augmentation;
  if (!(a.center_crop_fraction > 0 && a.center_crop_fraction <= 1)) {
    return InvalidArgument("batch loader: centre crop fraction must be in (0, 1]");
  }
  if (a.random_resized_crop && !(a.min_area > 0 && a.min_area <= a.max_area && a.max_area <= 1 &&
                                 a.min_aspect > 0 && a.min_aspect <= a.max_aspect)) {
    return InvalidArgument("batch loader: random resized crop needs 0 < min_area <= max_area <= 1 and "
                           "0 < min_aspect <= max_aspect");
  }
  return Status::Ok();
}

struct Produced {
  Batch batch;
  Status status;
};

}  // namespace

struct BatchLoader::Impl {
  const Dataset& dataset;
  std::vector<size_t> indices;
  BatchOptions options;
  Status options_status;
  size_t num_batches = 0;
  size_t prefetch = 2;

  std::mutex mu;
  std::condition_variable work_cv;   // workers wait for work
  std::condition_variable ready_cv;  // Next() waits for its batch
  bool started = false;
  bool stop = false;
  int epoch = 0;
  uint64_t generation = 0;  // bumped by StartEpoch: results of older epochs are dropped
  std::shared_ptr<const std::vector<size_t>> order;
  size_t next_to_produce = 0;
  size_t next_to_consume = 0;
  std::map<size_t, Produced> ready;
  std::vector<Batch> spare;  // buffers handed back by Next(), reused to avoid reallocation
  std::vector<std::thread> threads;

  std::atomic<size_t> skipped{0};
  std::mutex warn_mu;
  std::set<size_t> warned;

  Impl(const Dataset& d, std::vector<size_t> idx, BatchOptions o)
      : dataset(d), indices(std::move(idx)), options(std::move(o)) {
    if (indices.empty()) {
      indices.resize(dataset.size());
      for (size_t i = 0; i < indices.size(); ++i) indices[i] = i;
    }
    options_status = CheckOptions(options);
    const size_t bs = std::max<size_t>(options.batch_size, 1);
    num_batches = options.drop_last ? indices.size() / bs : (indices.size() + bs - 1) / bs;
    prefetch = std::max<size_t>(2, static_cast<size_t>(std::max(options.workers, 0)) + 1);
    for (int w = 0; w < options.workers && options_status.ok(); ++w) threads.emplace_back([this] { WorkerLoop(); });
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    work_cv.notify_all();
    for (std::thread& t : threads) t.join();
  }

  void Start(int e) {
    std::vector<size_t> new_order = indices;
    if (options.shuffle) {
      Rng rng = Rng::For(options.seed, static_cast<uint64_t>(e), kOrderStream);
      rng.Shuffle(new_order);
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      epoch = e;
      ++generation;
      order = std::make_shared<const std::vector<size_t>>(std::move(new_order));
      for (auto& [number, produced] : ready) spare.push_back(std::move(produced.batch));
      ready.clear();
      next_to_produce = next_to_consume = 0;
      started = true;
    }
    work_cv.notify_all();
  }

  void Warn(size_t index, const Status& status) {
    std::lock_guard<std::mutex> lock(warn_mu);
    if (warned.insert(index).second) {
      // Dataset errors usually start with the example's name already.
      const std::string name = dataset.Describe(index);
      const std::string& message = status.message();
      std::fprintf(stderr, "edgeforge: warning: skipping %s%s%s\n",
                   message.find(name) == std::string::npos ? name.c_str() : "",
                   message.find(name) == std::string::npos ? ": " : "", message.c_str());
    }
  }

  // Fills `batch` with batch `number` of `order`. Errors only when every example failed.
  Status Produce(const std::vector<size_t>& ord, int ep, size_t number, Batch* batch) {
    const size_t begin = number * options.batch_size;
    const size_t end = std::min(begin + options.batch_size, ord.size());
    const size_t size = static_cast<size_t>(options.image_size);
    const size_t per_image = size * size * static_cast<size_t>(options.channels);
    batch->images.resize((end - begin) * per_image);
    batch->labels.clear();
    batch->indices.clear();
    size_t filled = 0;
    Status last_error;
    for (size_t k = begin; k < end; ++k) {
      const size_t index = ord[k];
      StatusOr<Image> image = dataset.Load(index);
      if (!image.ok()) {
        skipped.fetch_add(1);
        Warn(index, image.status());
        last_error = image.status();
        continue;
      }
      const Image& img = image.value();
      Rng rng = Rng::For(options.seed, static_cast<uint64_t>(ep), index);
      const Augmentation& a = options.augmentation;
      const CropWindow window = a.random_resized_crop ? RandomResizedCropWindow(img.width, img.height, a, rng)
                                                      : CenterCropWindow(img.width, img.height, a.center_crop_fraction);
      const bool flip = a.horizontal_flip && (rng.Next() & 1) != 0;
      SampleToFloat(img, window, options.image_size, options.channels, flip, options.mean, options.std,
                    std::span<float>(batch->images.data() + filled * per_image, per_image));
      batch->labels.push_back(dataset.label(index));
      batch->indices.push_back(index);
      ++filled;
    }
    batch->size = filled;
    batch->images.resize(filled * per_image);
    if (filled == 0 && end > begin) {
      return InvalidArgument("batch " + std::to_string(number) + " of epoch " + std::to_string(ep) +
                             ": none of its " + std::to_string(end - begin) +
                             " examples could be decoded; last error: " + last_error.message());
    }
    return Status::Ok();
  }

  void WorkerLoop() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      work_cv.wait(lock, [this] {
        return stop || (started && next_to_produce < num_batches && next_to_produce < next_to_consume + prefetch);
      });
      if (stop) return;
      const size_t number = next_to_produce++;
      const uint64_t gen = generation;
      const int ep = epoch;
      std::shared_ptr<const std::vector<size_t>> ord = order;
      Batch batch;
      if (!spare.empty()) {
        batch = std::move(spare.back());
        spare.pop_back();
      }
      lock.unlock();
      Status status = Produce(*ord, ep, number, &batch);
      lock.lock();
      if (gen == generation) {
        ready[number] = Produced{std::move(batch), std::move(status)};
        ready_cv.notify_all();
      } else {
        spare.push_back(std::move(batch));
      }
    }
  }

  StatusOr<bool> Next(Batch* out) {
    EF_RETURN_IF_ERROR(options_status);
    if (!started) Start(0);
    std::unique_lock<std::mutex> lock(mu);
    if (next_to_consume >= num_batches) return false;
    const size_t number = next_to_consume;
    if (threads.empty()) {  // workers = 0: produce on the caller's thread
      ++next_to_consume;
      std::shared_ptr<const std::vector<size_t>> ord = order;
      const int ep = epoch;
      lock.unlock();
      EF_RETURN_IF_ERROR(Produce(*ord, ep, number, out));
      return true;
    }
    ready_cv.wait(lock, [&] { return ready.count(number) != 0; });
    Produced produced = std::move(ready[number]);
    ready.erase(number);
    ++next_to_consume;
    // The caller's old buffers become a spare for a later batch.
    spare.push_back(std::move(*out));
    *out = std::move(produced.batch);
    lock.unlock();
    work_cv.notify_all();
    EF_RETURN_IF_ERROR(produced.status);
    return true;
  }
};

BatchLoader::BatchLoader(const Dataset& dataset, std::vector<size_t> indices, BatchOptions options)
    : impl_(std::make_unique<Impl>(dataset, std::move(indices), std::move(options))) {}

BatchLoader::~BatchLoader() = default;

void BatchLoader::StartEpoch(int epoch) { impl_->Start(epoch); }

StatusOr<bool> BatchLoader::Next(Batch* batch) { return impl_->Next(batch); }

size_t BatchLoader::batches_per_epoch() const { return impl_->num_batches; }

size_t BatchLoader::skipped() const { return impl_->skipped.load(); }

}  // namespace edgeforge::data
