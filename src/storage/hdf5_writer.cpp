#include "daq/storage/hdf5_writer.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "compression_pipeline.hpp"
#include "daq/pool/log.hpp"
#include "daq/storage/storage_error.hpp"
#include "direct_io_driver.hpp"
#include "disk_reserve.hpp"
#include "frame_table.hpp"
#include "hdf5_support.hpp"
#include "iso_time.hpp"

namespace daq::storage {

using detail::checked;
using detail::H5Handle;
using detail::write_attribute;
using Kind = StorageError::Kind;

namespace {

constexpr hsize_t kAlignmentThreshold = 256 * 1024;  // allocations this big start on a page
constexpr hsize_t kAlignment = detail::kDirectIoBlock;  // a page, and a whole O_DIRECT block
// Reserved as the file is created: more than writing the layout and closing the file with the
// summary take, so that a file that could be created can always be closed valid.
constexpr std::uint64_t kCreateReserve = 1u << 20;

hid_t file_type_for(std::size_t bytes_per_pixel) {
  return bytes_per_pixel == 1 ? H5T_STD_U8LE : bytes_per_pixel == 2 ? H5T_STD_U16LE
                                                                    : H5T_STD_U32LE;
}

H5Handle create_group(hid_t parent, const char* name, const char* nx_class) {
  H5Handle group = checked(H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           H5Gclose, Kind::create_failed,
                           std::string("cannot create group ") + name);
  write_attribute(group.get(), "NX_class", nx_class);
  return group;
}

H5Handle create_range_dataset(hid_t group, const char* name) {
  const hsize_t dims[2] = {0, 2};
  const hsize_t max_dims[2] = {H5S_UNLIMITED, 2};
  const hsize_t chunk[2] = {256, 2};
  H5Handle space = checked(H5Screate_simple(2, dims, max_dims), H5Sclose, Kind::create_failed,
                           name);
  H5Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, Kind::create_failed, name);
  H5Pset_chunk(dcpl.get(), 2, chunk);
  return checked(H5Dcreate2(group, name, H5T_STD_U64LE, space.get(), H5P_DEFAULT, dcpl.get(),
                            H5P_DEFAULT),
                 H5Dclose, Kind::create_failed, std::string("cannot create dataset ") + name);
}

}  // namespace

class Hdf5Writer::Impl final : public detail::ChunkSink {
 public:
  explicit Impl(Hdf5WriterOptions options) : options_(std::move(options)) {
    options_.metadata_batch = std::max<std::size_t>(options_.metadata_batch, 1);
  }
  ~Impl() { close(); }

  void open(const StreamInfo& stream) {
    if (file_) throw StorageError(Kind::bad_state, "HDF5 writer: open() called twice");
    const std::size_t bpp = bytes_per_pixel(stream.bit_depth);
    if (stream.width == 0 || stream.height == 0 || bpp == 0) {
      throw StorageError(Kind::create_failed,
                         "HDF5 writer: invalid frame format " + std::to_string(stream.width) +
                             "x" + std::to_string(stream.height) + " at " +
                             std::to_string(stream.bit_depth) +
                             " bits (need width, height >= 1 and bit depth 1..32)");
    }
    stream_ = stream;
    frame_bytes_ = stream.frame_bytes();
    detail::quiet_hdf5();
    std::error_code ec;
    if (!options_.overwrite && std::filesystem::exists(options_.path, ec)) {
      throw StorageError(Kind::exists, "output file exists: " + options_.path.string() +
                                           " (overwriting was not allowed)");
    }
    create_file();  // on failure nothing was created, so there is nothing to remove
    try {
      create_layout(bpp);
      if (options_.swmr && H5Fstart_swmr_write(file_.get()) < 0) {
        throw StorageError(Kind::create_failed, "cannot start SWMR writing on " + where() +
                                                    ": " + detail::hdf5_error_text());
      }
      attach_file_descriptor();
      if (options_.compression != Compression::none) {
        const unsigned threads = options_.compression_threads != 0
                                     ? options_.compression_threads
                                     : std::max(1U, std::thread::hardware_concurrency());
        pipeline_.emplace(options_.compression, bpp, frame_bytes_, threads,
                          options_.compression_level);
      }
    } catch (...) {
      close();
      std::filesystem::remove(options_.path, ec);
      throw;
    }
    last_flush_ = std::chrono::steady_clock::now();
  }

  void write(LoanedFrame frame) {
    detail::quiet_hdf5();
    check_writable();
    const FrameData& f = *frame;
    if (f.width != stream_.width || f.height != stream_.height ||
        bytes_per_pixel(f.bit_depth) != bytes_per_pixel(stream_.bit_depth) ||
        f.actual_len != frame_bytes_) {
      fail(StorageError(Kind::invalid_frame,
                        "frame " + std::to_string(f.frame_number) + " (" +
                            std::to_string(f.width) + "x" + std::to_string(f.height) + ", " +
                            std::to_string(f.bit_depth) + " bits, " +
                            std::to_string(f.actual_len) + " bytes) does not match " + where() +
                            " (" + std::to_string(stream_.width) + "x" +
                            std::to_string(stream_.height) + ", " +
                            std::to_string(stream_.bit_depth) + " bits)"));
    }
    guarded([&] {
      if (pipeline_) {
        pipeline_->submit(std::move(frame), *this);
        pipeline_->drain(*this, false);
      } else {
        write_chunk(*frame, frame->pixels(), frame->actual_len);
      }
      flush_if_due_locked();
    });
  }

  void flush_if_due() {
    if (!file_ || failed_ || finished_) return;
    detail::quiet_hdf5();
    guarded([&] {
      if (pipeline_) pipeline_->drain(*this, false);
      flush_if_due_locked();
    });
  }

  void flush() {
    if (!file_ || failed_ || finished_) return;
    detail::quiet_hdf5();
    guarded([&] {
      if (pipeline_) pipeline_->drain(*this, true);
      last_flush_ = {};  // due now
      flush_if_due_locked();
    });
  }

  void finish(const RunSummary& summary) {
    if (finished_) return;
    if (!file_) throw StorageError(Kind::bad_state, "HDF5 writer: finish() before open()");
    detail::quiet_hdf5();
    std::optional<StorageError> error;
    const auto attempt = [&](auto&& step) {
      try {
        step();
      } catch (const StorageError& e) {
        if (!error) error = e;
        failed_ = true;
      }
    };
    if (pipeline_ && !failed_) attempt([&] { pipeline_->drain(*this, true); });
    pipeline_.reset();  // joins the workers; frames not written go back to their pools
    attempt([&] { table_.flush(); });
    attempt([&] {
      // The summary needs a little space; the headroom reserved with the frames covers it.
      reserve_.ensure(end_of_file() + options_.reserve_headroom);
      // Every frame number below frames_produced that is not in the file is a hole: the
      // ledger's drops and the frames the writer received but could not write after an error.
      const std::uint64_t produced = std::max(summary.frames_produced, next_number_);
      std::vector<FrameRange> missing = holes_;
      if (produced > next_number_) missing.push_back({next_number_, produced - 1});
      std::uint64_t dropped = 0;
      for (const FrameRange& r : missing) dropped += r.last - r.first + 1;
      detail::write_ranges(dropped_.get(), missing, "dropped_frame_ranges");
      detail::write_ranges(lost_hw_.get(), summary.lost_hw_frames, "lost_hw_frame_ranges");
      write_counters(produced, dropped);
      write_attribute(entry_.get(), "frames_not_written",
                      dropped > summary.frames_dropped ? dropped - summary.frames_dropped : 0);
      write_attribute(entry_.get(), "end_time",
                      detail::iso8601_utc(std::chrono::system_clock::now()));
    });
    finished_ = true;
    if (!close_handles() && !error) {
      error.emplace(Kind::write_failed,
                    "cannot close " + where() + ": " + detail::hdf5_error_text());
    }
    if (error) throw *error;
  }

  void close() noexcept {
    pipeline_.reset();
    close_handles();
  }

  WriterCounters counters() const noexcept { return counters_; }
  const std::filesystem::path& path() const noexcept { return options_.path; }

  // ChunkSink: one frame's chunk, in frame order, on the writer's thread.
  void write_chunk(const FrameMetadata& frame, std::span<const std::byte> chunk,
                   std::size_t raw_bytes) override {
    const hsize_t index = counters_.frames_written;
    const std::uint64_t need =
        end_of_file() + chunk.size() + kAlignment + options_.reserve_headroom;
    // Reserve 4 frames further when there is room: one fallocate per few frames, not per frame.
    if (const int err = reserve_.ensure(need, 4 * chunk.size()); err != 0) {
      const std::string kept = " (space for the frame and the " +
                               std::to_string(options_.reserve_headroom >> 20) +
                               " MiB kept free to close the file)";
      throw frame_error(frame, err == EFBIG ? "the file size limit (ulimit -f) is reached" + kept
                                            : std::strerror(err) + kept);
    }
    hsize_t dims[3] = {index + 1, stream_.height, stream_.width};
    if (H5Dset_extent(data_.get(), dims) < 0) {
      throw frame_error(frame, detail::hdf5_error_text());
    }
    const hsize_t offset[3] = {index, 0, 0};
    if (const std::string why = store_chunk(offset, chunk); !why.empty()) {
      dims[0] = index;  // undo the extension, so the dataset holds only complete frames
      if (H5Dset_extent(data_.get(), dims) < 0) detail::hdf5_error_text();
      throw frame_error(frame, why);
    }
    table_.append(frame);
    if (frame.frame_number > next_number_) {
      holes_.push_back({next_number_, frame.frame_number - 1});  // reserved at open()
      hole_frames_ += frame.frame_number - next_number_;
    }
    next_number_ = frame.frame_number + 1;
    counters_.count_frame(frame.timestamp_ns);  // frames_written becomes index + 1
    counters_.bytes_written += raw_bytes;
    counters_.bytes_stored += chunk.size();
  }

 private:
  std::string where() const { return options_.path.string(); }

  // Where the next allocation starts at the latest: libhdf5's end of allocated space, or the
  // file's size when that is larger.
  std::uint64_t end_of_file() const noexcept {
    haddr_t eoa = 0;
    if (H5Fget_eoa(file_.get(), &eoa) < 0) detail::hdf5_error_text();
    return std::max<std::uint64_t>(eoa, reserve_.file_size());
  }

  // Writes one chunk's bytes, the dataset already extended to hold it. libhdf5 finds the
  // chunk's place in its index and hands the bytes to the file driver, which writes them with
  // O_DIRECT when they are whole blocks. Returns why it failed; empty on success.
  std::string store_chunk(const hsize_t (&offset)[3], std::span<const std::byte> chunk) {
    const std::uint64_t direct_before = direct_io_.direct_writes;
    const int refused_before = direct_io_.refused_errno;
    if (H5Dwrite_chunk(data_.get(), H5P_DEFAULT, 0, offset, chunk.size(), chunk.data()) < 0) {
      return detail::hdf5_error_text();
    }
    if (direct_io_.direct_writes != direct_before) ++counters_.frames_direct;
    if (direct_io_.refused_errno != refused_before) {
      log(LogLevel::warn, "storage: %s refused an O_DIRECT write (%s); writing through the page "
          "cache from now on", where().c_str(), std::strerror(direct_io_.refused_errno));
    }
    return {};
  }

  // Direct I/O needs uncompressed chunks of whole blocks (and a filesystem that takes O_DIRECT).
  bool direct_io_wanted() const noexcept {
    return options_.direct_io && options_.compression == Compression::none &&
           frame_bytes_ % detail::kDirectIoBlock == 0;
  }

  StorageError frame_error(const FrameMetadata& frame, const std::string& why) const {
    return StorageError(Kind::write_failed,
                        "cannot write frame " + std::to_string(frame.frame_number) + " to " +
                            where() + ": " + why + " (" +
                            std::to_string(counters_.frames_written) +
                            " frames written before the error)");
  }

  void check_writable() const {
    if (!file_ || finished_) {
      throw StorageError(Kind::bad_state, "HDF5 writer: write() outside open()..finish()");
    }
    if (failed_) {
      throw StorageError(Kind::bad_state,
                         "HDF5 writer: " + where() + " stopped after an earlier error");
    }
  }

  [[noreturn]] void fail(StorageError error) {
    failed_ = true;
    throw error;
  }

  template <class Step>
  void guarded(Step&& step) {
    try {
      step();
    } catch (const StorageError& e) {
      fail(e);
    }
  }

  // The ledger in /entry: written + dropped == produced. Kept current at each flush, so that a
  // file a crash left open says how far it got (docs/adr/0010-crash-recovery.md).
  void write_counters(std::uint64_t produced, std::uint64_t dropped) {
    write_attribute(entry_.get(), "frames_produced", produced);
    write_attribute(entry_.get(), "frames_written", counters_.frames_written);
    write_attribute(entry_.get(), "frames_dropped", dropped);
  }

  void flush_if_due_locked() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_flush_ < options_.flush_interval) return;
    table_.flush();
    write_counters(next_number_, hole_frames_);
    if (H5Fflush(file_.get(), H5F_SCOPE_LOCAL) < 0) {
      throw StorageError(Kind::write_failed,
                         "cannot flush " + where() + " after " +
                             std::to_string(counters_.frames_written) +
                             " frames: " + detail::hdf5_error_text());
    }
    reserve_.rebase();  // the flush may have truncated the file to its allocated end
    last_flush_ = now;
  }

  void create_file() {
    H5Handle fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, Kind::create_failed, "fapl");
    H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    if (!detail::set_direct_io_driver(fapl.get(), {.direct = direct_io_wanted(),
                                                   .reserve_on_create = kCreateReserve,
                                                   .counters = &direct_io_})) {
      throw StorageError(Kind::create_failed, "cannot set up the HDF5 file driver for " +
                                                  where() + ": " + detail::hdf5_error_text());
    }
    // Chunks start on a page: large ones always, every one when they may go with O_DIRECT.
    const hsize_t threshold = direct_io_wanted() ? frame_bytes_ : kAlignmentThreshold;
    H5Pset_alignment(fapl.get(), threshold, kAlignment);
    const unsigned flags = options_.overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL;
    const hid_t file = H5Fcreate(options_.path.c_str(), flags, H5P_DEFAULT, fapl.get());
    if (file < 0) {
      const std::string why = detail::hdf5_error_text();
      std::error_code ec;
      if (direct_io_.created) {
        // Ours, and empty: it could be created but not written (a full disk).
        std::filesystem::remove(options_.path, ec);
        throw StorageError(Kind::write_failed, "cannot create " + where() + ": " + why);
      }
      // Nothing is removed here: the path may be another program's file (created between
      // our check and this call) or one that --overwrite could not replace.
      if (!options_.overwrite && std::filesystem::exists(options_.path, ec)) {
        throw StorageError(Kind::exists, "output file exists: " + where() +
                                             " (overwriting was not allowed)");
      }
      throw StorageError(Kind::create_failed, "cannot create " + where() + ": " + why);
    }
    file_ = H5Handle(file, H5Fclose);
    if (direct_io_wanted() && direct_io_.refused_errno != 0) {
      log(LogLevel::info, "storage: %s: no O_DIRECT on this filesystem (%s); frames go through "
          "the page cache", where().c_str(), std::strerror(direct_io_.refused_errno));
    }
  }

  void create_layout(std::size_t bpp) {
    const hid_t root = file_.get();
    write_attribute(root, "default", "entry");
    write_attribute(root, "creator", "daq " DAQ_VERSION_STRING);

    entry_ = create_group(root, "entry", "NXentry");
    write_attribute(entry_.get(), "default", "data");
    write_attribute(entry_.get(), "start_time",
                    detail::iso8601_utc(std::chrono::system_clock::now()));
    write_attribute(entry_.get(), "end_time", "");  // set by finish(); empty = unfinished
    write_attribute(entry_.get(), "software_version", DAQ_VERSION_STRING);
    for (const char* name :
         {"frames_produced", "frames_written", "frames_dropped", "frames_not_written"}) {
      write_attribute(entry_.get(), name, std::uint64_t{0});
    }

    H5Handle instrument = create_group(entry_.get(), "instrument", "NXinstrument");
    H5Handle detector = create_group(instrument.get(), "detector", "NXdetector");
    const hid_t d = detector.get();
    const auto u64 = [](std::uint32_t v) { return std::uint64_t{v}; };
    write_attribute(d, "camera_name", stream_.camera_name);
    write_attribute(d, "camera_model", stream_.camera_model);
    write_attribute(d, "sensor_width",
                    u64(stream_.sensor_width != 0 ? stream_.sensor_width : stream_.width));
    write_attribute(d, "sensor_height",
                    u64(stream_.sensor_height != 0 ? stream_.sensor_height : stream_.height));
    write_attribute(d, "bit_depth", u64(stream_.bit_depth));
    write_attribute(d, "width", u64(stream_.width));
    write_attribute(d, "height", u64(stream_.height));
    write_attribute(d, "roi_x", u64(stream_.roi_x));
    write_attribute(d, "roi_y", u64(stream_.roi_y));
    write_attribute(d, "binning_x", u64(stream_.binning_x));
    write_attribute(d, "binning_y", u64(stream_.binning_y));
    write_attribute(d, "frames_per_second", stream_.frames_per_second);

    H5Handle data_group = create_group(entry_.get(), "data", "NXdata");
    write_attribute(data_group.get(), "signal", "data");
    data_ = create_image_dataset(data_group.get(), bpp);
    table_.create(data_group.get(), options_.metadata_batch);
    holes_.reserve(256);
    dropped_ = create_range_dataset(data_group.get(), "dropped_frame_ranges");
    lost_hw_ = create_range_dataset(data_group.get(), "lost_hw_frame_ranges");
  }

  H5Handle create_image_dataset(hid_t group, std::size_t bpp) {
    const hsize_t dims[3] = {0, stream_.height, stream_.width};
    const hsize_t max_dims[3] = {H5S_UNLIMITED, stream_.height, stream_.width};
    H5Handle space = checked(H5Screate_simple(3, dims, max_dims), H5Sclose,
                             Kind::create_failed, "image dataspace");
    H5Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, Kind::create_failed, "dcpl");
    const hsize_t chunk[3] = {1, stream_.height, stream_.width};  // one frame per chunk
    H5Pset_chunk(dcpl.get(), 3, chunk);
    H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER);
    const FilterSpec spec =
        filter_spec(options_.compression, bpp, frame_bytes_, options_.compression_level);
    if (spec.id != 0) add_filter(dcpl.get(), spec);
    H5Handle dapl = checked(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, Kind::create_failed, "dapl");
    H5Pset_chunk_cache(dapl.get(), 0, 0, 1.0);  // direct chunk writes bypass the cache anyway
    H5Handle dataset = checked(H5Dcreate2(group, "data", file_type_for(bpp), space.get(),
                                          H5P_DEFAULT, dcpl.get(), dapl.get()),
                               H5Dclose, Kind::create_failed,
                               "cannot create /entry/data/data in " + where());
    write_attribute(dataset.get(), "interpretation", "image");
    if (spec.id != 0) verify_filter(dataset.get(), spec);
    return dataset;
  }

  // The filter is OPTIONAL so that creating the dataset needs no plugin. When the bitshuffle
  // plugin is installed, libhdf5 runs its set_local callback, which prepends (version, version,
  // element size) to the values given: then pass only (block size, compression).
  void add_filter(hid_t dcpl, const FilterSpec& spec) const {
    const unsigned* values = spec.cd_values.data();
    std::size_t count = spec.cd_count;
    if (options_.compression == Compression::bslz4 && H5Zfilter_avail(static_cast<H5Z_filter_t>(spec.id)) > 0) {
      values += 3;
      count -= 3;
    }
    H5Eclear2(H5E_DEFAULT);  // a missing plugin leaves a harmless error on the stack
    if (H5Pset_filter(dcpl, static_cast<H5Z_filter_t>(spec.id), H5Z_FLAG_OPTIONAL, count,
                      values) < 0) {
      throw StorageError(Kind::create_failed,
                         "cannot set HDF5 filter " + std::to_string(spec.id) + ": " +
                             detail::hdf5_error_text());
    }
  }

  void verify_filter(hid_t dataset, const FilterSpec& spec) const {
    H5Handle dcpl(H5Dget_create_plist(dataset), H5Pclose);
    unsigned flags = 0;
    std::array<unsigned, 16> values{};
    std::size_t count = values.size();
    if (!dcpl || H5Pget_filter_by_id2(dcpl.get(), static_cast<H5Z_filter_t>(spec.id), &flags,
                                      &count, values.data(), 0, nullptr, nullptr) < 0 ||
        count != spec.cd_count ||
        !std::equal(spec.cd_values.begin(), spec.cd_values.begin() + static_cast<long>(count),
                    values.begin())) {
      throw StorageError(Kind::create_failed,
                         "HDF5 filter " + std::to_string(spec.id) + " of " + where() +
                             " does not have the parameters its chunks are encoded with");
    }
  }

  void attach_file_descriptor() {
    void* handle = nullptr;
    if (H5Fget_vfd_handle(file_.get(), H5P_DEFAULT, &handle) >= 0 && handle != nullptr) {
      const int fd = *static_cast<int*>(handle);  // the file driver's handle is its int fd
      reserve_.attach(fd);
    } else {
      detail::hdf5_error_text();
    }
  }

  bool close_handles() noexcept {
    reserve_.detach();
    table_.close();
    data_.reset();
    dropped_.reset();
    lost_hw_.reset();
    entry_.reset();
    return file_.close();
  }

  Hdf5WriterOptions options_;
  StreamInfo stream_;
  std::size_t frame_bytes_ = 0;
  H5Handle file_;
  H5Handle entry_;
  H5Handle data_;
  H5Handle dropped_;
  H5Handle lost_hw_;
  detail::FrameTable table_;
  detail::DiskReserve reserve_;
  detail::DirectIoCounters direct_io_;  // kept by the file driver
  std::optional<detail::CompressionPipeline> pipeline_;
  WriterCounters counters_;
  std::vector<FrameRange> holes_;  // gaps between the frame numbers written so far
  std::uint64_t hole_frames_ = 0;  // the frames in holes_
  std::uint64_t next_number_ = 0;  // the frame number after the last one written
  std::chrono::steady_clock::time_point last_flush_;
  bool failed_ = false;
  bool finished_ = false;
};

Hdf5Writer::Hdf5Writer(Hdf5WriterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
Hdf5Writer::~Hdf5Writer() = default;

void Hdf5Writer::open(const StreamInfo& stream) { impl_->open(stream); }
void Hdf5Writer::write(LoanedFrame frame) { impl_->write(std::move(frame)); }
void Hdf5Writer::flush_if_due() { impl_->flush_if_due(); }
void Hdf5Writer::flush() { impl_->flush(); }
void Hdf5Writer::finish(const RunSummary& summary) { impl_->finish(summary); }
void Hdf5Writer::close() noexcept { impl_->close(); }
WriterCounters Hdf5Writer::counters() const noexcept { return impl_->counters(); }
const std::filesystem::path& Hdf5Writer::path() const noexcept { return impl_->path(); }

}  // namespace daq::storage
