// Test element type that counts constructions and destructions, to prove every object a
// container builds is destroyed exactly once.
#pragma once

#include <atomic>
#include <cstdint>

namespace daq::test {

struct LifetimeCounts {
  std::atomic<std::int64_t> constructed{0};
  std::atomic<std::int64_t> destroyed{0};
  std::int64_t alive() const { return constructed.load() - destroyed.load(); }
};

class Tracked {
 public:
  explicit Tracked(LifetimeCounts& counts, std::uint64_t value = 0)
      : counts_(&counts), value_(value) {
    counts_->constructed.fetch_add(1);
  }
  Tracked(const Tracked& other) : counts_(other.counts_), value_(other.value_) {
    counts_->constructed.fetch_add(1);
  }
  Tracked(Tracked&& other) noexcept : counts_(other.counts_), value_(other.value_) {
    counts_->constructed.fetch_add(1);
  }
  Tracked& operator=(const Tracked& other) {
    value_ = other.value_;
    return *this;
  }
  ~Tracked() { counts_->destroyed.fetch_add(1); }

  std::uint64_t value() const { return value_; }
  void set_value(std::uint64_t v) { value_ = v; }

 private:
  LifetimeCounts* counts_;
  std::uint64_t value_;
};

}  // namespace daq::test
