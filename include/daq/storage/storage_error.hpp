// daq/storage/storage_error.hpp — StorageError: the one exception type of the storage layer.
//
// Every message is meant to be shown to a user as it is: it names the file and, for write
// failures, the frame, e.g. "cannot write frame 1234 to /data/run.h5: No space left on device
// (1234 frames written before the error)". kind() lets a caller pick an exit status.
// Thread-safety: a plain exception value.
#pragma once

#include <stdexcept>
#include <string>

namespace daq::storage {

class StorageError : public std::runtime_error {
 public:
  enum class Kind {
    exists,        ///< the output exists and overwriting was not allowed
    create_failed, ///< the file could not be created (path, permissions, bad parameters)
    write_failed,  ///< writing a frame or the summary failed (disk full, I/O error)
    invalid_frame, ///< a frame does not match the format the writer was opened with
    bad_state,     ///< a call out of order (write before open, write after a failure)
    bad_file,      ///< reading: not an HDF5 file, not our layout, or corrupt
  };
  StorageError(Kind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

}  // namespace daq::storage
