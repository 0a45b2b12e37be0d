// frame_json.hpp — one frame's metadata as a JSON object (private; the TIFF ImageDescription).
//
// {"frame_number":7,"hw_frame_nr":7,"timestamp_ns":...,"exposure_ms":10,"temperature_c":null,
//  "width":2048,"height":2048,"bit_depth":16,"roi_x":0,"roi_y":0,"binning":[1,1]}
// Unknown or non-finite values are null. json_integer() reads an integer field back (for
// inspecting a TIFF file). Thread-safe; allocates nothing (fixed buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "daq/pool/frame_view.hpp"

namespace daq::storage::detail {

/// Writes the JSON text, NUL-terminated, into `out`. Returns its length, or 0 when it does not
/// fit (512 bytes always do).
std::size_t frame_json(const FrameMetadata& frame, std::span<char> out) noexcept;

/// The integer value of `"key":` in a flat JSON object such as frame_json() writes (spaces
/// after the colon allowed); nullopt when the key is missing or its value is not a T.
template <class T>
std::optional<T> json_integer(std::string_view json, std::string_view key) noexcept;

extern template std::optional<std::uint64_t> json_integer(std::string_view, std::string_view) noexcept;
extern template std::optional<std::int64_t> json_integer(std::string_view, std::string_view) noexcept;
extern template std::optional<std::uint32_t> json_integer(std::string_view, std::string_view) noexcept;

}  // namespace daq::storage::detail
