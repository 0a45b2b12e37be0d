#include "daq/storage/tiff_writer.hpp"

#include <fcntl.h>
#include <tiffio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "daq/storage/storage_error.hpp"
#include "disk_reserve.hpp"
#include "page_cache_release.hpp"
#include "tiff_page.hpp"

namespace daq::storage {

using Kind = StorageError::Kind;

namespace {

// Reserved as the file is created: more than its header and closing take, so that a file that
// could be created can always be closed.
constexpr std::uint64_t kCreateReserve = 64 * 1024;

}  // namespace

class TiffWriter::Impl {
 public:
  explicit Impl(TiffWriterOptions options) : options_(std::move(options)) {}
  ~Impl() { close(); }

  void open(const StreamInfo& stream) {
    if (tiff_ != nullptr) throw StorageError(Kind::bad_state, "TIFF writer: open() called twice");
    const std::size_t bpp = bytes_per_pixel(stream.bit_depth);
    if (stream.width == 0 || stream.height == 0 || bpp == 0) {
      throw StorageError(Kind::create_failed,
                         "TIFF writer: invalid frame format " + std::to_string(stream.width) + "x" +
                             std::to_string(stream.height) + " at " +
                             std::to_string(stream.bit_depth) +
                             " bits (need width, height >= 1 and bit depth 1..32)");
    }
    stream_ = stream;
    const int flags = O_RDWR | O_CREAT | O_CLOEXEC | (options_.overwrite ? O_TRUNC : O_EXCL);
    const int fd = ::open(options_.path.c_str(), flags, 0644);
    if (fd < 0) {
      if (errno == EEXIST) {
        throw StorageError(Kind::exists,
                           "output file exists: " + where() + " (overwriting was not allowed)");
      }
      throw StorageError(Kind::create_failed,
                         "cannot create " + where() + ": " + std::strerror(errno));
    }
    // The file is ours from here on: when it cannot be written (a full disk), it goes.
    const auto abandon = [&](const std::string& why) {
      reserve_.detach();
      ::close(fd);
      std::error_code ec;
      std::filesystem::remove(options_.path, ec);
      throw StorageError(Kind::write_failed, "cannot create " + where() + ": " + why);
    };
    reserve_.attach(fd);
    if (const int err = reserve_.ensure(kCreateReserve); err != 0) abandon(std::strerror(err));
    TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(opts, &Impl::on_error, this);
    tiff_ = TIFFFdOpenExt(fd, options_.path.c_str(), "w8", opts);  // "8": BigTIFF
    TIFFOpenOptionsFree(opts);
    if (tiff_ == nullptr) abandon(last_error_);
    cache_release_.attach(fd);
  }

  void write(LoanedFrame frame) {
    if (tiff_ == nullptr || finished_) {
      throw StorageError(Kind::bad_state, "TIFF writer: write() outside open()..finish()");
    }
    if (failed_) {
      throw StorageError(Kind::bad_state,
                         "TIFF writer: " + where() + " stopped after an earlier error");
    }
    const FrameData& f = *frame;
    const std::size_t bpp = bytes_per_pixel(stream_.bit_depth);
    if (f.width != stream_.width || f.height != stream_.height ||
        bytes_per_pixel(f.bit_depth) != bpp || f.actual_len != stream_.frame_bytes()) {
      fail(Kind::invalid_frame, f,
           "it does not match the stream format " + std::to_string(stream_.width) + "x" +
               std::to_string(stream_.height) + " at " + std::to_string(stream_.bit_depth) +
               " bits");
    }
    if (const int err = reserve_.ensure(
            reserve_.file_size() + f.actual_len + options_.reserve_headroom, 4 * f.actual_len);
        err != 0) {
      fail(Kind::write_failed, f,
           err == EFBIG ? "the file size limit (ulimit -f) is reached" : std::strerror(err));
    }
    const std::uint64_t page_start = reserve_.file_size();
    const bool ok = detail::write_tiff_page(tiff_, f, f.pixels());
    if (!ok) fail(Kind::write_failed, f, last_error_.empty() ? "libtiff failed" : last_error_);
    cache_release_.written(page_start, reserve_.file_size() - page_start);
    counters_.count_frame(f.timestamp_ns);
    counters_.bytes_written += f.actual_len;
    counters_.bytes_stored += f.actual_len;
  }

  void finish(const RunSummary&) {
    if (finished_) return;
    if (tiff_ == nullptr)
      throw StorageError(Kind::bad_state, "TIFF writer: finish() before open()");
    finished_ = true;
    last_error_.clear();
    close();
    if (!last_error_.empty()) {
      throw StorageError(Kind::write_failed, "cannot close " + where() + ": " + last_error_);
    }
  }

  void close() noexcept {
    if (tiff_ == nullptr) return;
    reserve_.release();  // every page is written: nothing more needs the reserved space
    reserve_.detach();
    cache_release_.detach();
    TIFF* t = std::exchange(tiff_, nullptr);
    if (failed_) {
      // Every page before the failed one is complete and linked; TIFFClose would also write
      // the failed page's half-set directory, so free the handle without flushing.
      const int fd = TIFFFileno(t);
      TIFFCleanup(t);
      ::close(fd);
    } else {
      TIFFClose(t);  // writes nothing pending between pages; closes the file descriptor
    }
  }

  WriterCounters counters() const noexcept { return counters_; }
  const std::filesystem::path& path() const noexcept { return options_.path; }

 private:
  static int on_error(TIFF*, void* self, const char* module, const char* format, va_list args) {
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    auto& error = static_cast<Impl*>(self)->last_error_;
    error = module != nullptr ? std::string(module) + ": " + text : std::string(text);
    return 1;  // handled: libtiff's global handler stays quiet
  }

  std::string where() const { return options_.path.string(); }

  [[noreturn]] void fail(Kind kind, const FrameMetadata& frame, const std::string& why) {
    failed_ = true;
    throw StorageError(kind, "cannot write frame " + std::to_string(frame.frame_number) + " to " +
                                 where() + ": " + why + " (" +
                                 std::to_string(counters_.frames_written) +
                                 " frames written before the error)");
  }

  TiffWriterOptions options_;
  StreamInfo stream_;
  TIFF* tiff_ = nullptr;
  detail::DiskReserve reserve_;
  detail::PageCacheRelease cache_release_;  // pages leave the page cache once written
  WriterCounters counters_;
  std::string last_error_;
  bool failed_ = false;
  bool finished_ = false;
};

TiffWriter::TiffWriter(TiffWriterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
TiffWriter::~TiffWriter() = default;

void TiffWriter::open(const StreamInfo& stream) {
  impl_->open(stream);
}
void TiffWriter::write(LoanedFrame frame) {
  impl_->write(std::move(frame));
}
void TiffWriter::finish(const RunSummary& summary) {
  impl_->finish(summary);
}
void TiffWriter::close() noexcept {
  impl_->close();
}
WriterCounters TiffWriter::counters() const noexcept {
  return impl_->counters();
}
const std::filesystem::path& TiffWriter::path() const noexcept {
  return impl_->path();
}

}  // namespace daq::storage
