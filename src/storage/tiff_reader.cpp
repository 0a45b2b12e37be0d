#include "daq/storage/tiff_reader.hpp"

#include <tiffio.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

#include "daq/storage/storage_error.hpp"
#include "frame_gaps.hpp"
#include "frame_json.hpp"

namespace daq::storage {
namespace {

[[noreturn]] void bad_file(const std::string& message) {
  throw StorageError(StorageError::Kind::bad_file, message);
}

int keep_error(TIFF*, void* text, const char* module, const char* format, va_list args) {
  char line[512];
  std::vsnprintf(line, sizeof line, format, args);
  auto& error = *static_cast<std::string*>(text);
  if (error.empty()) error = module != nullptr ? std::string(module) + ": " + line : line;
  return 1;  // handled: libtiff prints nothing
}

int ignore_warning(TIFF*, void*, const char*, const char*, va_list) {
  return 1;
}

struct TiffCloser {
  void operator()(TIFF* tiff) const noexcept { TIFFClose(tiff); }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

// One page directory: its size and the metadata daq put in its ImageDescription.
struct Page {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t bits = 0;
  std::uint64_t strip_bytes = 0;  // what the page declares it stores
  std::uint64_t frame_number = 0;
  std::int64_t hw_frame_nr = 0;
  std::uint64_t timestamp_ns = 0;
};

std::optional<Page> read_page(TIFF* tiff) {
  Page page;
  std::uint16_t bits = 0;
  char* description = nullptr;
  if (TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &page.width) != 1 ||
      TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &page.height) != 1 ||
      TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits) != 1 ||
      TIFFGetField(tiff, TIFFTAG_IMAGEDESCRIPTION, &description) != 1 || description == nullptr) {
    return std::nullopt;
  }
  page.bits = bits;
  const std::string_view json(description);
  const auto number = detail::json_integer<std::uint64_t>(json, "frame_number");
  const auto hw = detail::json_integer<std::int64_t>(json, "hw_frame_nr");
  const auto timestamp = detail::json_integer<std::uint64_t>(json, "timestamp_ns");
  if (!number || !hw || !timestamp) return std::nullopt;
  page.frame_number = *number;
  page.hw_frame_nr = *hw;
  page.timestamp_ns = *timestamp;
  page.strip_bytes = TIFFNumberOfStrips(tiff) == 1 ? TIFFStripSize64(tiff) : 0;
  return page;
}

// Decodes the current page: "" when it reads, else why not.
std::string unreadable(TIFF* tiff, const Page& page, std::uint64_t file_bytes, std::uint64_t index,
                       const std::string& libtiff_error) {
  const std::string which = "page " + std::to_string(index);
  if (page.strip_bytes == 0 || page.strip_bytes > file_bytes) {
    return which + " declares " + std::to_string(page.strip_bytes) +
           " bytes of pixels in one strip; the file holds " + std::to_string(file_bytes);
  }
  std::vector<std::byte> pixels(page.strip_bytes);
  if (TIFFReadEncodedStrip(tiff, 0, pixels.data(), static_cast<tmsize_t>(pixels.size())) !=
      static_cast<tmsize_t>(pixels.size())) {
    return "cannot read " + which + ": " + (libtiff_error.empty() ? "short read" : libtiff_error);
  }
  return {};
}

}  // namespace

TiffContents inspect_tiff(const std::filesystem::path& path) {
  const std::string where = path.string();
  std::error_code ec;
  const std::uint64_t file_bytes = std::filesystem::file_size(path, ec);
  if (ec) bad_file("cannot read " + where + ": " + ec.message());
  std::string error;
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, keep_error, &error);
  TIFFOpenOptionsSetWarningHandlerExtR(options, ignore_warning, nullptr);
  const TiffHandle tiff(TIFFOpenExt(where.c_str(), "r", options));
  TIFFOpenOptionsFree(options);
  if (!tiff) {
    bad_file("cannot open " + where +
             " as a TIFF file: " + (error.empty() ? std::string("it holds no page") : error));
  }

  TiffContents contents;
  detail::FrameGaps gaps;
  const auto problem = [&](std::string text) {
    if (contents.problems.size() < 8) contents.problems.push_back(std::move(text));
  };
  Page first;
  Page last;
  do {
    const std::uint64_t index = contents.pages;
    const std::optional<Page> page = read_page(tiff.get());
    if (!page) {
      bad_file(where + ": page " + std::to_string(index) +
               " has no daq metadata (JSON with "
               "frame_number in its "
               "ImageDescription): not a TIFF "
               "written by daq");
    }
    if (index == 0) {
      first = *page;
      contents.width = page->width;
      contents.height = page->height;
      contents.bits_per_sample = page->bits;
      contents.first_timestamp_ns = page->timestamp_ns;
    } else {
      if (page->width != first.width || page->height != first.height || page->bits != first.bits) {
        problem("page " + std::to_string(index) + " is " + std::to_string(page->width) + "x" +
                std::to_string(page->height) + " at " + std::to_string(page->bits) +
                " bits, page 0 " + std::to_string(first.width) + "x" +
                std::to_string(first.height) + " at " + std::to_string(first.bits));
      }
      if (page->timestamp_ns < last.timestamp_ns) {
        problem("timestamp_ns decreases at page " + std::to_string(index));
      }
    }
    if (!gaps.add(page->frame_number, page->hw_frame_nr)) {
      problem("frame_number does not increase at page " + std::to_string(index));
    }
    last = *page;
    ++contents.pages;
  } while (TIFFReadDirectory(tiff.get()) == 1);
  if (!error.empty()) problem(where + ": " + error);  // a damaged directory chain
  contents.last_timestamp_ns = last.timestamp_ns;
  contents.missing_frames = gaps.missing();
  contents.lost_hw_frames = gaps.lost_hw();

  for (const std::uint64_t index : {std::uint64_t{0}, contents.pages - 1}) {
    error.clear();
    if (TIFFSetDirectory(tiff.get(), static_cast<tdir_t>(index)) != 1) {
      problem("cannot go back to page " + std::to_string(index) + ": " + error);
      continue;
    }
    if (std::string why =
            unreadable(tiff.get(), index == 0 ? first : last, file_bytes, index, error);
        !why.empty()) {
      problem(std::move(why));
    }
  }
  return contents;
}

}  // namespace daq::storage
