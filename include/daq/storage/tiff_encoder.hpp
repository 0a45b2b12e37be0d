// daq/storage/tiff_encoder.hpp — one frame as a TIFF file in memory, for a server to send
// (`daq serve`'s GET /api/latest.tiff). The page is exactly the page TiffWriter writes
// (tiff_writer.hpp: uncompressed, full bit depth, the metadata as JSON in ImageDescription),
// in a classic (not Big) TIFF, so tifffile, ImageJ and libtiff read it as one image.
//
// Thread-safety: a pure function. Allocation: the returned bytes and libtiff's directory.
// Failure: StorageError(write_failed) with libtiff's message; invalid_frame for a frame whose
// pixels are not width * height * bytes-per-pixel.
#pragma once

#include <string>

#include "daq/pool/frame_view.hpp"

namespace daq::storage {

std::string encode_tiff(const FrameView& frame);

}  // namespace daq::storage
