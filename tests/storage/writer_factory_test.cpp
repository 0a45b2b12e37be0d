// make_writer / format_from_path: extensions pick the format; errors name the option.
#include "daq/storage/writer_factory.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "daq/storage/hdf5_writer.hpp"
#include "daq/storage/tiff_writer.hpp"

namespace daq::storage {
namespace {

TEST(WriterFactory, ExtensionsPickTheFormat) {
  EXPECT_EQ(format_from_path("run.h5"), FileFormat::hdf5);
  EXPECT_EQ(format_from_path("/a/b/run.HDF5"), FileFormat::hdf5);
  EXPECT_EQ(format_from_path("run.nxs"), FileFormat::hdf5);
  EXPECT_EQ(format_from_path("run.tif"), FileFormat::tiff);
  EXPECT_EQ(format_from_path("run.TIFF"), FileFormat::tiff);
  try {
    format_from_path("run.png");
    FAIL() << ".png is not a supported output";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("out"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(".tiff"), std::string::npos);
  }
}

TEST(WriterFactory, BuildsTheWriterForThePath) {
  auto h5 = make_writer({.path = "x.h5", .compression = Compression::bslz4});
  EXPECT_NE(dynamic_cast<Hdf5Writer*>(h5.get()), nullptr);
  EXPECT_EQ(h5->path(), "x.h5");
  auto tif = make_writer({.path = "x.tif"});
  EXPECT_NE(dynamic_cast<TiffWriter*>(tif.get()), nullptr);
  EXPECT_THROW(make_writer({.path = "x.tif", .compression = Compression::lz4}),
               std::invalid_argument);
  EXPECT_THROW(make_writer({.path = "x"}), std::invalid_argument);
}

}  // namespace
}  // namespace daq::storage
