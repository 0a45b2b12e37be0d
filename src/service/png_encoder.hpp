// png_encoder.hpp — a frame as an 8-bit greyscale PNG with auto contrast (contrast.hpp), for
// GET /api/latest.png: for a person or a script without the live view page. Full resolution.
//
// Thread-safety: a pure function. Allocation: the 8-bit image and the returned bytes.
// Failure: std::runtime_error with libpng's message.
#pragma once

#include <string>

#include "daq/pool/frame_view.hpp"

namespace daq::service {

std::string encode_png_auto_contrast(const FrameView& frame);

}  // namespace daq::service
