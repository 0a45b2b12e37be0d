// Hdf5Reader: clear errors for missing, foreign, truncated and garbage files (never a crash);
// verify() finds inconsistencies; attributes and ranges read back.
#include "daq/storage/hdf5_reader.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <fstream>

#include "daq/storage/hdf5_writer.hpp"
#include "daq/storage/storage_error.hpp"
#include "storage_test_support.hpp"

namespace daq::storage {
namespace {

using test::TempDir;

void expect_bad_file(const std::filesystem::path& path, const std::string& fragment) {
  try {
    Hdf5Reader reader(path);
    FAIL() << path << " should not open";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::bad_file);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

std::filesystem::path write_sample(const TempDir& dir, std::uint64_t frames) {
  const auto path = dir / "sample.h5";
  auto pool = test::make_frame_pool(2, 16 * 8 * 2);
  Hdf5Writer writer({.path = path});
  StreamInfo stream;
  stream.width = 16;
  stream.height = 8;
  stream.bit_depth = 12;
  stream.camera_name = "sim";
  stream.camera_model = "SimCamera";
  writer.open(stream);
  for (std::uint64_t n = 0; n < frames; ++n) {
    LoanedFrame f = pool->acquire();
    test::fill_ramp(*f, n, 16, 8, 12);
    writer.write(std::move(f));
  }
  writer.finish({.frames_produced = frames + 2,
                 .frames_dropped = 2,
                 .dropped_frames = {{frames, frames + 1}},
                 .lost_hw_frames = {{7, 9}}});
  return path;
}

TEST(Hdf5Reader, ReadsShapeAttributesRowsAndRanges) {
  TempDir dir;
  Hdf5Reader reader(write_sample(dir, 5));
  EXPECT_EQ(reader.frames(), 5U);
  EXPECT_EQ(reader.width(), 16U);
  EXPECT_EQ(reader.height(), 8U);
  EXPECT_EQ(reader.dtype(), "uint16");
  EXPECT_EQ(reader.compression(), "none");
  const Attributes entry = reader.entry_attributes();
  EXPECT_EQ(std::get<std::string>(entry.at("NX_class")), "NXentry");
  EXPECT_EQ(std::get<std::uint64_t>(entry.at("frames_written")), 5U);
  EXPECT_EQ(std::get<std::uint64_t>(entry.at("frames_produced")), 7U);
  EXPECT_FALSE(std::get<std::string>(entry.at("end_time")).empty());
  const Attributes detector = reader.detector_attributes();
  EXPECT_EQ(std::get<std::uint64_t>(detector.at("bit_depth")), 12U);
  EXPECT_EQ(std::get<std::string>(detector.at("camera_model")), "SimCamera");
  const PerFrameData rows = reader.per_frame();
  EXPECT_EQ(rows.frame_number, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(rows.hw_frame_nr[4], 104);
  EXPECT_TRUE(std::isnan(rows.temperature_c[1]));
  EXPECT_EQ(reader.dropped_frame_ranges(), (std::vector<FrameRange>{{5, 6}}));
  EXPECT_EQ(reader.lost_hw_frame_ranges(), (std::vector<FrameRange>{{7, 9}}));
  EXPECT_TRUE(reader.verify().empty()) << ::testing::PrintToString(reader.verify());
  std::vector<std::byte> pixels(16 * 8 * 2);
  EXPECT_THROW(reader.read_frame(5, pixels), StorageError);
  EXPECT_THROW(reader.read_frame(0, std::span(pixels).first(10)), StorageError);
}

TEST(Hdf5Reader, ForeignAndBrokenFilesGiveClearErrors) {
  TempDir dir;
  expect_bad_file(dir / "absent.h5", "no such file");
  std::ofstream(dir / "text.h5") << "this is not HDF5\n";
  expect_bad_file(dir / "text.h5", "not an HDF5 file");
  {
    const hid_t file = H5Fcreate((dir / "other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT,
                                 H5P_DEFAULT);
    H5Gclose(H5Gcreate2(file, "entry", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Fclose(file);
  }
  expect_bad_file(dir / "other.h5", "no /entry/data/data");
  // A real file cut in half: the superblock survives, the rest does not.
  const auto sample = write_sample(dir, 40);
  const auto size = std::filesystem::file_size(sample);
  std::filesystem::copy_file(sample, dir / "cut.h5");
  std::filesystem::resize_file(dir / "cut.h5", size / 2);
  try {
    Hdf5Reader reader(dir / "cut.h5");
    // If the metadata happened to survive, reading must still fail cleanly, not crash.
    std::vector<std::byte> pixels(16 * 8 * 2);
    for (std::uint64_t i = 0; i < reader.frames(); ++i) reader.read_frame(i, pixels);
    (void)reader.per_frame();
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::bad_file) << e.what();
  }
}

TEST(Hdf5Reader, VerifyReportsAnInconsistentFile) {
  TempDir dir;
  const auto path = write_sample(dir, 4);
  {
    // Corrupt the bookkeeping: claim more frames were written than the stack holds.
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t entry = H5Gopen2(file, "entry", H5P_DEFAULT);
    const hid_t attr = H5Aopen(entry, "frames_written", H5P_DEFAULT);
    const std::uint64_t wrong = 9;
    H5Awrite(attr, H5T_NATIVE_UINT64, &wrong);
    H5Aclose(attr);
    H5Gclose(entry);
    H5Fclose(file);
  }
  const auto problems = Hdf5Reader(path).verify();
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(::testing::PrintToString(problems).find("frames_written = 9"), std::string::npos)
      << ::testing::PrintToString(problems);
}

}  // namespace
}  // namespace daq::storage
