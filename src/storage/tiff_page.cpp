#include "tiff_page.hpp"

#include <array>

#include "frame_json.hpp"

namespace daq::storage::detail {

bool write_tiff_page(TIFF* t, const FrameMetadata& f, std::span<const std::byte> pixels) noexcept {
  std::array<char, 512> description{};
  frame_json(f, description);
  const auto bits = static_cast<unsigned>(bytes_per_pixel(f.bit_depth) * 8);
  const bool fields_ok = TIFFSetField(t, TIFFTAG_IMAGEWIDTH, f.width) == 1 &&
                         TIFFSetField(t, TIFFTAG_IMAGELENGTH, f.height) == 1 &&
                         TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bits) == 1 &&
                         TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1) == 1 &&
                         TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT) == 1 &&
                         TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK) == 1 &&
                         TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) == 1 &&
                         TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE) == 1 &&
                         TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, f.height) == 1 &&
                         TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE) == 1 &&
                         TIFFSetField(t, TIFFTAG_SOFTWARE, "daq " DAQ_VERSION_STRING) == 1 &&
                         TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, description.data()) == 1;
  // Uncompressed: the raw strip is the pixels. libtiff's API takes a non-const buffer but
  // only reads it for a raw strip.
  return fields_ok &&
         TIFFWriteRawStrip(t, 0, const_cast<std::byte*>(pixels.data()),
                           static_cast<tmsize_t>(pixels.size())) ==
             static_cast<tmsize_t>(pixels.size()) &&
         TIFFWriteDirectory(t) == 1;
}

}  // namespace daq::storage::detail
