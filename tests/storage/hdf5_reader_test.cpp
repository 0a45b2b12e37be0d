// Hdf5Reader: clear errors for missing, foreign, truncated and garbage files (never a crash);
// verify() finds inconsistencies; attributes and ranges read back; declared sizes are checked
// against the file; how the writer left the file.
#include "daq/storage/hdf5_reader.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>

#include <algorithm>
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

// Opens `writer` for 16 x 8 frames of `bit_depth` and writes ramp frames 0 .. frames-1.
void write_ramp(Hdf5Writer& writer, std::uint64_t frames, std::uint32_t bit_depth) {
  auto pool = test::make_frame_pool(2, 16 * 8 * 2);
  StreamInfo stream;
  stream.width = 16;
  stream.height = 8;
  stream.bit_depth = bit_depth;
  stream.camera_name = "sim";
  stream.camera_model = "SimCamera";
  writer.open(stream);
  for (std::uint64_t n = 0; n < frames; ++n) {
    LoanedFrame f = pool->acquire();
    test::fill_ramp(*f, n, 16, 8, bit_depth);
    writer.write(std::move(f));
  }
}

std::filesystem::path write_sample(const TempDir& dir, std::uint64_t frames) {
  const auto path = dir / "sample.h5";
  Hdf5Writer writer({.path = path});
  write_ramp(writer, frames, 12);
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

// Sets row `row` of the u64/i64 per-frame dataset `name` (or the /entry attribute `name` when
// row < 0) to `value`, as an editing hand or a buggy tool might.
void tamper(const std::filesystem::path& path, const char* name, long row, std::int64_t value) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (row < 0) {
    const hid_t entry = H5Gopen2(file, "entry", H5P_DEFAULT);
    const hid_t attr = H5Aopen(entry, name, H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_INT64, &value);
    H5Aclose(attr);
    H5Gclose(entry);
  } else {
    const hid_t data = H5Dopen2(file, (std::string("/entry/data/") + name).c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(data);
    const hsize_t start[1] = {static_cast<hsize_t>(row)};
    const hsize_t count[1] = {1};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hid_t one = H5Screate_simple(1, count, nullptr);
    H5Dwrite(data, H5T_NATIVE_INT64, one, space, H5P_DEFAULT, &value);
    H5Sclose(one);
    H5Sclose(space);
    H5Dclose(data);
  }
  H5Fclose(file);
}

// The sample: frames 0..3 written (camera numbers 100..103), 4..5 dropped, 6 produced.
TEST(Hdf5Reader, VerifyFindsFramesTheLedgerDoesNotAccountFor) {
  struct Case {
    const char* name;
    long row;
    std::int64_t value;
    const char* expected;
  };
  for (const Case c : {Case{"frames_produced", -1, 100, "frames_produced = 100 but written 4"},
                       Case{"frame_number", 3, 6, "beyond frames_produced = 6"},
                       Case{"hw_frame_nr", 3, 106, "hw_frame_nr jumps from 102 to 106"}}) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    const auto path = write_sample(dir, 4);
    ASSERT_TRUE(Hdf5Reader(path).verify().empty());
    tamper(path, c.name, c.row, c.value);
    const std::string problems = ::testing::PrintToString(Hdf5Reader(path).verify());
    EXPECT_NE(problems.find(c.expected), std::string::npos) << problems;
  }
}

RunSummary produced_only(std::uint64_t frames) {
  RunSummary summary;
  summary.frames_produced = frames;
  return summary;
}

// A file still being written is marked open for writing; the reader opens it as a SWMR reader
// instead of refusing, says it is in progress and finds nothing wrong with what is flushed.
TEST(Hdf5Reader, AFileStillBeingWrittenOpensAsInProgress) {
  TempDir dir;
  const auto path = dir / "live.h5";
  Hdf5Writer writer({.path = path});
  write_ramp(writer, 3, 16);
  writer.flush();
  {
    const Hdf5Reader reader(path);
    EXPECT_EQ(reader.frames(), 3U);
    EXPECT_EQ(reader.write_state(), WriteState::in_progress);
    EXPECT_TRUE(reader.verify().empty()) << ::testing::PrintToString(reader.verify());
  }
  writer.finish(produced_only(3));
  EXPECT_EQ(Hdf5Reader(path).write_state(), WriteState::finished);
}

// Creates `path` with an uncompressed, chunked /entry/data/data of `frames` x height x width
// uint16 and a frame_number column declaring `rows` rows; nothing is written into either.
void write_declaration(const std::filesystem::path& path, hsize_t frames, hsize_t height,
                       hsize_t width, hsize_t rows) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const auto dataset = [&](const char* name, int rank, const hsize_t* dims, const hsize_t* chunk,
                           hid_t type) {
    const hsize_t max_dims[3] = {H5S_UNLIMITED, H5S_UNLIMITED, H5S_UNLIMITED};
    const hid_t space = H5Screate_simple(rank, dims, max_dims);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    H5Dclose(H5Dcreate2(file, name, type, space, lcpl, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    H5Sclose(space);
  };
  const hsize_t stack[3] = {frames, height, width};
  const hsize_t stack_chunk[3] = {1, std::min<hsize_t>(height, 64), std::min<hsize_t>(width, 64)};
  dataset("/entry/data/data", 3, stack, stack_chunk, H5T_STD_U16LE);
  const hsize_t column[1] = {rows};
  const hsize_t column_chunk[1] = {4096};
  dataset("/entry/data/frame_number", 1, column, column_chunk, H5T_STD_U64LE);
  H5Pclose(lcpl);
  H5Fclose(file);
}

// Sizes a file declares are checked against what it holds before anything is allocated: a
// crafted file of a few KiB declaring 2^28 rows or 2^26 frames is refused at once, clearly.
TEST(Hdf5Reader, RefusesDeclarationsTheFileCannotHold) {
  TempDir dir;
  write_declaration(dir / "rows.h5", 2, 4, 4, hsize_t{1} << 28);
  try {
    const Hdf5Reader reader(dir / "rows.h5");
    (void)reader.verify();
    FAIL() << "2^28 declared rows were read";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.kind(), StorageError::Kind::bad_file);
    EXPECT_NE(std::string(e.what()).find("declares 268435456 elements"), std::string::npos)
        << e.what();
  }
  write_declaration(dir / "frames.h5", hsize_t{1} << 26, 4, 4, 2);
  expect_bad_file(dir / "frames.h5", "declares 67108864 elements");
  write_declaration(dir / "huge.h5", 1, hsize_t{1} << 20, hsize_t{1} << 20, 1);
  expect_bad_file(dir / "huge.h5", "GiB a frame may have");
}

TEST(Hdf5Reader, RefusesWhatIsNotARegularFileWithoutBlocking) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo.h5").c_str(), 0600), 0);
  expect_bad_file(dir / "fifo.h5", "not a regular file");
  expect_bad_file(dir.path(), "not a regular file");
}

}  // namespace
}  // namespace daq::storage
