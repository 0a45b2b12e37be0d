#include "frame_table.hpp"

#include <limits>
#include <string>

#include "daq/storage/storage_error.hpp"

namespace daq::storage::detail {
namespace {

constexpr hsize_t kRowsPerChunk = 4096;

H5Handle create_column(hid_t group, const char* name, hid_t file_type, const char* units) {
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  const auto kind = StorageError::Kind::create_failed;
  H5Handle space = checked(H5Screate_simple(1, dims, max_dims), H5Sclose, kind, name);
  H5Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, kind, name);
  const hsize_t chunk[1] = {kRowsPerChunk};
  H5Pset_chunk(dcpl.get(), 1, chunk);
  H5Handle dataset = checked(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT,
                                        dcpl.get(), H5P_DEFAULT),
                             H5Dclose, kind, std::string("cannot create dataset ") + name);
  if (units != nullptr) write_attribute(dataset.get(), "units", units);
  return dataset;
}

}  // namespace

void FrameTable::create(hid_t group, std::size_t batch) {
  frame_number_.assign(batch, 0);
  hw_frame_nr_.assign(batch, 0);
  timestamp_ns_.assign(batch, 0);
  exposure_ms_.assign(batch, 0.0);
  temperature_c_.assign(batch, 0.0);
  columns_ = {
      Column{create_column(group, "frame_number", H5T_STD_U64LE, nullptr), H5T_NATIVE_UINT64,
             frame_number_.data()},
      Column{create_column(group, "hw_frame_nr", H5T_STD_I64LE, nullptr), H5T_NATIVE_INT64,
             hw_frame_nr_.data()},
      Column{create_column(group, "timestamp_ns", H5T_STD_U64LE, "ns"), H5T_NATIVE_UINT64,
             timestamp_ns_.data()},
      Column{create_column(group, "exposure_ms", H5T_IEEE_F64LE, "ms"), H5T_NATIVE_DOUBLE,
             exposure_ms_.data()},
      Column{create_column(group, "temperature_c", H5T_IEEE_F64LE, "degC"), H5T_NATIVE_DOUBLE,
             temperature_c_.data()},
  };
  buffered_ = 0;
  written_ = 0;
}

void FrameTable::append(const FrameMetadata& frame) {
  frame_number_[buffered_] = frame.frame_number;
  hw_frame_nr_[buffered_] = frame.hw_frame_nr;
  timestamp_ns_[buffered_] = frame.timestamp_ns;
  exposure_ms_[buffered_] = frame.exposure_ms;
  temperature_c_[buffered_] = frame.temperature_c.value_or(std::numeric_limits<double>::quiet_NaN());
  if (++buffered_ == frame_number_.size()) flush();
}

void FrameTable::flush() {
  if (buffered_ == 0) return;
  const hsize_t start[1] = {written_};
  const hsize_t count[1] = {buffered_};
  const hsize_t total[1] = {written_ + buffered_};
  for (Column& column : columns_) {
    const hid_t dataset = column.dataset.get();
    bool ok = H5Dset_extent(dataset, total) >= 0;
    if (ok) {
      H5Handle file_space(H5Dget_space(dataset), H5Sclose);
      H5Handle memory_space(H5Screate_simple(1, count, nullptr), H5Sclose);
      ok = file_space && memory_space &&
           H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count,
                               nullptr) >= 0 &&
           H5Dwrite(dataset, column.memory_type, memory_space.get(), file_space.get(),
                    H5P_DEFAULT, column.data) >= 0;
    }
    if (!ok) {
      throw StorageError(StorageError::Kind::write_failed,
                         "cannot append the per-frame datasets for frames " +
                             std::to_string(frame_number_[0]) + ".." +
                             std::to_string(frame_number_[buffered_ - 1]) + ": " +
                             hdf5_error_text());
    }
  }
  written_ += buffered_;
  buffered_ = 0;
}

void FrameTable::close() noexcept {
  for (Column& column : columns_) column.dataset.reset();
}

}  // namespace daq::storage::detail
