// daq/acquisition/output.hpp — the output side of a series: every check that can reject the
// output before anything is created, opening the file, and what the file is told about the
// stream and, at the end, about the run.
//
// Bad input is a ConfigError naming the flag (--out, --compression, --summary-json, --overwrite)
// and is found before any file is created or truncated.
// Thread-safety: plain functions; one caller per writer. Allocation: not a hot path.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "daq/acquisition/camera_factory.hpp"
#include "daq/acquisition/settings.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "daq/pipeline/ledger.hpp"
#include "daq/storage/frame_writer.hpp"

namespace daq::acquisition {

/// The writer for --out (not opened): checks the extension, the compression, that --out and
/// --summary-json can be created (directory exists and is writable, the name is not too long
/// for the filesystem; an existing file only with --overwrite) and are different files (by
/// identity: a symbolic or hard link to --out is --out). Throws ConfigError.
std::unique_ptr<storage::FrameWriter> make_output_writer(const Settings& options);

/// Writes `text` to the --summary-json file `path`, unless that is `data_file` by identity
/// (device and inode, checked on the opened file before it is truncated). "" on success, else
/// one line naming --summary-json, the path and errno's reason.
std::string write_summary_file(const std::string& path, const std::string& text,
                               const std::filesystem::path& data_file);

/// writer.open(stream); an output that cannot be created is bad input (ConfigError naming
/// --out), other failures propagate as StorageError.
void open_output(storage::FrameWriter& writer, const storage::StreamInfo& stream);

/// What the file records about the camera and the geometry.
storage::StreamInfo stream_info(const SourceFormat& format, const CameraSetup& camera,
                                const std::string& camera_name);

/// The ledger as the writer records it at finish().
storage::RunSummary file_summary(const LedgerSnapshot& ledger);

}  // namespace daq::acquisition
