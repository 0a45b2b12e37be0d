#include "hdf5_support.hpp"

#include <string>
#include <vector>

#include "daq/storage/storage_error.hpp"

namespace daq::storage::detail {
namespace {

herr_t collect(unsigned n, const H5E_error2_t* error, void* data) {
  auto& text = *static_cast<std::string*>(data);
  if (error->desc == nullptr || *error->desc == '\0') return 0;
  // Walking upward: the first entry is the most specific cause.
  if (n == 0) {
    text = error->desc;
  } else if (n == 1) {
    text += " (";
    text += error->desc;
    text += ")";
  }
  return 0;
}

// A failed write of the sec2 driver says "... error message = 'No space left on device' ...":
// that quote is the part a user needs.
std::string shorten(const std::string& text) {
  const std::string key = "error message = '";
  const auto at = text.find(key);
  if (at == std::string::npos) return text;
  const auto end = text.find('\'', at + key.size());
  return text.substr(at + key.size(), end - at - key.size());
}

void write_scalar(hid_t object, const char* name, hid_t type, const void* value) {
  H5Handle attr;
  if (H5Aexists(object, name) > 0) {
    attr = checked(H5Aopen(object, name, H5P_DEFAULT), H5Aclose,
                   StorageError::Kind::write_failed, name);
  } else {
    H5Handle space =
        checked(H5Screate(H5S_SCALAR), H5Sclose, StorageError::Kind::write_failed, name);
    attr = checked(H5Acreate2(object, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, StorageError::Kind::write_failed, name);
  }
  if (H5Awrite(attr.get(), type, value) < 0) {
    throw StorageError(StorageError::Kind::write_failed,
                       std::string("cannot write attribute ") + name + ": " + hdf5_error_text());
  }
}

}  // namespace

void quiet_hdf5() noexcept {
  thread_local bool quiet = false;
  if (!quiet) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    quiet = true;
  }
}

std::string hdf5_error_text() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect, &text);
  H5Eclear2(H5E_DEFAULT);
  if (text.empty()) return "unknown HDF5 error";
  return shorten(text);
}

H5Handle checked(hid_t id, H5Handle::Closer closer, StorageError::Kind kind,
                 std::string_view what) {
  if (id < 0) {
    throw StorageError(kind, std::string(what) + ": " + hdf5_error_text());
  }
  return H5Handle(id, closer);
}

void write_attribute(hid_t object, const char* name, std::string_view value) {
  H5Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose,
                          StorageError::Kind::write_failed, name);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const std::string copy(value);  // NUL-terminated for HDF5
  const char* text = copy.c_str();
  write_scalar(object, name, type.get(), &text);
}

void write_attribute(hid_t object, const char* name, std::uint64_t value) {
  write_scalar(object, name, H5T_NATIVE_UINT64, &value);
}

void write_attribute(hid_t object, const char* name, std::int64_t value) {
  write_scalar(object, name, H5T_NATIVE_INT64, &value);
}

void write_attribute(hid_t object, const char* name, double value) {
  write_scalar(object, name, H5T_NATIVE_DOUBLE, &value);
}

void write_ranges(hid_t dataset, const std::vector<FrameRange>& ranges, const char* name) {
  std::vector<std::uint64_t> flat;
  flat.reserve(ranges.size() * 2);
  for (const FrameRange& r : ranges) {
    flat.push_back(r.first);
    flat.push_back(r.last);
  }
  const hsize_t dims[2] = {ranges.size(), 2};
  if (H5Dset_extent(dataset, dims) < 0 ||
      (!ranges.empty() &&
       H5Dwrite(dataset, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, flat.data()) < 0)) {
    throw StorageError(StorageError::Kind::write_failed,
                       std::string("cannot write ") + name + ": " + hdf5_error_text());
  }
}

}  // namespace daq::storage::detail
