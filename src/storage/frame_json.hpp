// frame_json.hpp — one frame's metadata as a JSON object (private; the TIFF ImageDescription).
//
// {"frame_number":7,"hw_frame_nr":7,"timestamp_ns":...,"exposure_ms":10,"temperature_c":null,
//  "width":2048,"height":2048,"bit_depth":16,"roi_x":0,"roi_y":0,"binning":[1,1]}
// Unknown or non-finite values are null. Thread-safe; allocates nothing (fixed buffer).
#pragma once

#include <cstddef>
#include <span>

#include "daq/pool/frame_view.hpp"

namespace daq::storage::detail {

/// Writes the JSON text, NUL-terminated, into `out`. Returns its length, or 0 when it does not
/// fit (512 bytes always do).
std::size_t frame_json(const FrameMetadata& frame, std::span<char> out) noexcept;

}  // namespace daq::storage::detail
