// tiff_page.hpp — one frame as one TIFF page (private to the storage layer): the one place that
// sets the page's fields, so the TIFF file writer and the in-memory encoder write the same page.
//
// The page: uncompressed, one strip, 8/16/32-bit unsigned grey (BitsPerSample by storage size),
// the frame's metadata as JSON in ImageDescription (frame_json.hpp); the pixels are written as
// the raw strip straight from `pixels` (no copy by us), then the directory.
// Thread-safety: one thread per TIFF handle. Allocation: libtiff's own (the page directory).
#pragma once

#include <tiffio.h>

#include <cstddef>
#include <span>

#include "daq/pool/frame_view.hpp"

namespace daq::storage::detail {

/// Writes `frame` (its metadata and `pixels`, exactly width * height * bytes-per-pixel bytes)
/// as the next page of `tiff`. False when libtiff reported an error (through its handler).
bool write_tiff_page(TIFF* tiff, const FrameMetadata& frame,
                     std::span<const std::byte> pixels) noexcept;

}  // namespace daq::storage::detail
