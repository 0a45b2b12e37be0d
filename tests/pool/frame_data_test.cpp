#include "daq/pool/frame_data.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "daq/pool/page_memory.hpp"

namespace daq {
namespace {

// A frame with every metadata field away from its default.
void fill_metadata(FrameData& f) {
  f.frame_number = 9;
  f.hw_frame_nr = 1234;
  f.width = 640;
  f.height = 480;
  f.bit_depth = 12;
  f.timestamp_ns = 55'000;
  f.exposure_ms = 2.5;
  f.roi_x = 16;
  f.roi_y = 32;
  f.temperature_c = -20.0;
  f.binning = Binning{2, 2};
}

std::vector<std::byte> pattern(std::size_t n) {
  std::vector<std::byte> bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::byte>(i * 7 + 3);
  return bytes;
}

std::uint64_t allocations_now() {
  return alloc_counter::this_thread().allocations;
}

// Tripwire: reset() must clear ALL per-frame state. A field added to FrameData (rather than to
// FrameMetadata, which ResetClearsEveryMetadataField compares as a whole) changes this size:
// make reset() clear it, then update this line.
static_assert(sizeof(FrameData) == sizeof(FrameMetadata) + sizeof(PageMemory) + sizeof(std::size_t),
              "FrameData gained a field: make reset() clear it and extend frame_data_test");

// view() of a temporary would dangle as soon as the statement ends, so it must not compile.
template <class Frame>
concept ViewableTemporary = requires {
  std::declval<Frame>().view();
};
template <class Frame>
concept ViewableLvalue = requires(const Frame& frame) {
  frame.view();
};
static_assert(!ViewableTemporary<FrameData>, "view() of a temporary FrameData must not compile");
static_assert(ViewableLvalue<FrameData>, "view() of an lvalue FrameData must compile");

TEST(FrameData, WithCapacityGivesPageAlignedWholePages) {
  const std::size_t page = PageMemory::page_size();
  FrameData f = FrameData::with_capacity(page + 1);
  EXPECT_EQ(f.capacity(), 2 * page);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(f.buffer.data()) % page, 0u);
  EXPECT_EQ(f.actual_len, 0u);
  EXPECT_TRUE(f.pixels().empty());
}

TEST(FrameData, HeadroomSitsInFrontOfPageAlignedPixelsAndCopiesKeepItsSize) {
  const std::size_t page = PageMemory::page_size();
  FrameData f = FrameData::with_capacity(2 * page, 1);
  EXPECT_EQ(f.capacity(), 2 * page) << "the headroom is not capacity";
  EXPECT_EQ(f.headroom().size(), page);
  EXPECT_EQ(f.headroom().data() + page, f.buffer.data());
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(f.pixels().data()) % page, 0u);
  f.copy_from_sdk(std::vector<std::byte>(page, std::byte{9}).data(), page);
  EXPECT_EQ(f.pixels().data(), f.buffer.data()) << "the pixels start behind the headroom";
  const FrameData copy(f);
  EXPECT_EQ(copy.headroom().size(), page);
  EXPECT_TRUE(FrameData::with_capacity(64).headroom().empty()) << "no headroom unless asked";
}

TEST(FrameData, MappedBytesIsWhatWithCapacityMaps) {
  const std::size_t page = PageMemory::page_size();
  const FrameData with_headroom = FrameData::with_capacity(page + 1, 1);
  EXPECT_EQ(FrameData::mapped_bytes(page + 1, 1), 3 * page)
      << "two pages of pixels, one of headroom";
  EXPECT_EQ(FrameData::mapped_bytes(page + 1, 1),
            with_headroom.capacity() + with_headroom.headroom().size());
  EXPECT_EQ(FrameData::mapped_bytes(page), FrameData::with_capacity(page).capacity());
}

TEST(FrameData, ResetClearsEveryMetadataField) {
  FrameData f = FrameData::with_capacity(64);
  fill_metadata(f);
  f.actual_len = 10;
  ASSERT_NE(static_cast<const FrameMetadata&>(f), FrameMetadata{});
  f.reset();
  EXPECT_EQ(static_cast<const FrameMetadata&>(f), FrameMetadata{});
  EXPECT_EQ(f.actual_len, 0u);
  EXPECT_FALSE(f.temperature_c.has_value());
  EXPECT_FALSE(f.binning.has_value());
  EXPECT_EQ(f.hw_frame_nr, -1);
}

TEST(FrameData, ResetNeverTouchesThePixels) {
  FrameData f = FrameData::with_capacity(4096);
  const auto bytes = pattern(4096);
  f.copy_from_sdk(bytes.data(), bytes.size());
  const std::byte* const buffer = f.buffer.data();
  f.reset();
  EXPECT_EQ(f.buffer.data(), buffer);
  EXPECT_EQ(f.capacity(), 4096u);
  EXPECT_EQ(std::memcmp(f.buffer.data(), bytes.data(), bytes.size()), 0)
      << "reset() changed pixel bytes";
}

TEST(FrameData, CopyFromSdkCopiesAndSetsActualLen) {
  FrameData f = FrameData::with_capacity(1000);
  const auto bytes = pattern(777);
  f.copy_from_sdk(bytes.data(), bytes.size());
  EXPECT_EQ(f.actual_len, 777u);
  ASSERT_EQ(f.pixels().size(), 777u);
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), f.pixels().begin()));
}

TEST(FrameData, CopyFromSdkRejectsMoreThanCapacityNamingBothSizes) {
  FrameData f = FrameData::with_capacity(4096);
  const auto before = pattern(100);
  f.copy_from_sdk(before.data(), before.size());
  const auto big = pattern(5000);
  try {
    f.copy_from_sdk(big.data(), big.size());
    FAIL() << "expected std::length_error";
  } catch (const std::length_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("5000"), std::string::npos) << message;
    EXPECT_NE(message.find("4096"), std::string::npos) << message;
  }
  EXPECT_EQ(f.actual_len, 100u) << "a rejected copy must leave the frame unchanged";
  EXPECT_TRUE(std::equal(before.begin(), before.end(), f.pixels().begin()));
}

TEST(FrameData, PixelsAreExactlyActualLenBytes) {
  FrameData f = FrameData::with_capacity(8192);
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{8192}}) {
    f.actual_len = len;
    EXPECT_EQ(f.pixels().size(), len);
    EXPECT_EQ(f.pixels().data(), f.buffer.data());
  }
}

TEST(FrameData, WritablePixelsSetsActualLenAndRejectsTooMuch) {
  FrameData f = FrameData::with_capacity(4096);
  std::span<std::byte> out = f.writable_pixels(300);
  EXPECT_EQ(out.size(), 300u);
  EXPECT_EQ(out.data(), f.buffer.data());
  EXPECT_EQ(f.actual_len, 300u);
  EXPECT_THROW((void)f.writable_pixels(4097), std::length_error);
  EXPECT_EQ(f.actual_len, 300u);
}

TEST(FrameData, ViewShowsThePixelsAndTheMetadata) {
  FrameData f = FrameData::with_capacity(4096);
  fill_metadata(f);
  const auto bytes = pattern(640);
  f.copy_from_sdk(bytes.data(), bytes.size());
  const FrameView view = f.view();
  EXPECT_EQ(view.pixels().data(), f.buffer.data());
  EXPECT_EQ(view.pixels().size(), 640u);
  EXPECT_EQ(view.metadata(), static_cast<const FrameMetadata&>(f));
}

TEST(FrameData, MoveTakesTheBufferAndLeavesNoBytesBehind) {
  FrameData a = FrameData::with_capacity(4096);
  const auto bytes = pattern(100);
  a.copy_from_sdk(bytes.data(), bytes.size());
  const std::byte* const buffer = a.buffer.data();
  FrameData b = std::move(a);
  EXPECT_EQ(b.buffer.data(), buffer);
  EXPECT_EQ(b.actual_len, 100u);
  EXPECT_TRUE(a.pixels().empty()) << "a moved-from frame must not claim bytes it lost";  // NOLINT
  FrameData c;
  c = std::move(b);
  EXPECT_EQ(c.buffer.data(), buffer);
  EXPECT_TRUE(b.pixels().empty());  // NOLINT(bugprone-use-after-move): tested on purpose
}

TEST(FrameData, CopyIsDeep) {
  FrameData a = FrameData::with_capacity(4096);
  fill_metadata(a);
  const auto bytes = pattern(200);
  a.copy_from_sdk(bytes.data(), bytes.size());
  const FrameData b(a);
  EXPECT_NE(b.buffer.data(), a.buffer.data());
  EXPECT_EQ(b.capacity(), a.capacity());
  EXPECT_EQ(static_cast<const FrameMetadata&>(b), static_cast<const FrameMetadata&>(a));
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), b.pixels().begin(), b.pixels().end()));
}

TEST(FrameData, CopyAssignmentReusesALargeEnoughBufferAndGrowsASmallOne) {
  FrameData source = FrameData::with_capacity(8192);
  const auto bytes = pattern(5000);
  source.copy_from_sdk(bytes.data(), bytes.size());

  FrameData large = FrameData::with_capacity(8192);
  const std::byte* const kept = large.buffer.data();
  large = source;
  EXPECT_EQ(large.buffer.data(), kept) << "a large-enough buffer must be reused";
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), large.pixels().begin(), large.pixels().end()));

  FrameData small = FrameData::with_capacity(4096);
  small = source;
  EXPECT_GE(small.capacity(), 5000u);
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), small.pixels().begin(), small.pixels().end()));
}

TEST(FrameData, ResetCopyAndCopyAssignmentAllocateNothingAfterWarmUp) {
  FrameData f = FrameData::with_capacity(64 * 1024);
  FrameData other = FrameData::with_capacity(64 * 1024);
  const auto bytes = pattern(60 * 1024);
  const std::byte* const buffer = f.buffer.data();
  const std::uint64_t before = allocations_now();
  for (int i = 0; i < 100; ++i) {
    f.copy_from_sdk(bytes.data(), bytes.size());
    f.frame_number = static_cast<std::uint64_t>(i);
    f.temperature_c = 1.0;
    other = f;
    f.reset();
  }
  EXPECT_EQ(allocations_now() - before, 0u);
  EXPECT_EQ(f.buffer.data(), buffer) << "no new mapping either";
}

TEST(FrameData, LoanedFrameCloneIntoAFreeSlotReusesItsBuffer) {
  constexpr std::size_t kBytes = 256 * 1024;
  auto pool = Pool<FrameData>::create(
      2, [] { return FrameData::with_capacity(kBytes); }, [](FrameData& f) { f.reset(); });
  LoanedFrame frame = pool->acquire();
  const auto bytes = pattern(kBytes);
  frame->copy_from_sdk(bytes.data(), bytes.size());
  frame->frame_number = 77;
  const std::byte* other_buffer = nullptr;
  {
    LoanedFrame warm = frame.clone();
    other_buffer = warm->buffer.data();
  }
  const std::uint64_t before = allocations_now();
  LoanedFrame copy = frame.clone();
  EXPECT_EQ(allocations_now() - before, 0u);
  EXPECT_EQ(copy->buffer.data(), other_buffer) << "the clone must reuse the slot's own buffer";
  EXPECT_EQ(copy->frame_number, 77u);
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), copy->pixels().begin(), copy->pixels().end()));
}

}  // namespace
}  // namespace daq
