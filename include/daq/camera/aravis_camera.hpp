// daq/camera/aravis_camera.hpp — GenICam cameras (GigE Vision, USB3 Vision) through Aravis.
//
// AravisSource is a FrameSource: run it with the shared delivery loop,
//   StreamingProducer(make_aravis_source(config), options).
// prepare() opens the camera (by id, or the first one found), applies the configuration and
// reads back what the camera accepted; settings it cannot take are a ConfigError naming the
// field and the limit; a camera that cannot be opened is a SourceError naming the id and the
// cameras that were found.
//
// Buffer modes
// - copy (default): wait_frame() pops a filled Aravis buffer, read_frame() copies it once into the
//   loop's pooled FrameData and pushes the buffer straight back, so a slow consumer can never
//   starve the camera of input buffers.
// - zero_copy: the Aravis buffers are the memory of the source's own Pool<FrameData>
//   (arv_buffer_new_full, preallocated). lend_frame() hands the filled frame out as a
//   LoanedFrame without copying; when the loan is released its slot returns to that pool and the
//   source queues it to the camera again at its next wait_frame() (on the delivery thread, so a
//   release never touches the stream, and loans may outlive the source). A held loan removes a
//   camera input buffer; the bound: at most stream_buffers - camera_reserve loans are out,
//   beyond that lend_frame() refuses (the frame is then copied or dropped by the caller), so the
//   camera always keeps camera_reserve (>= 1) buffers and never starves.
//   read_frame() still works in this mode (it copies), for loops that do not lend.
//
// Frame accounting: a buffer whose status is not SUCCESS (missing packets, timeout, ...) is
// handed to the loop as an empty frame (read_frame() leaves actual_len 0), which the loop drops
// as source_error; stats() counts it by status. GigE Vision frame ids are 16 bit, wrap and skip
// 0; they are unwrapped into a monotonic PendingFrame::hw_frame_nr, so every gap is a lost
// hardware frame for the ledger. A buffer whose id is not newer than the last one (Aravis
// repeats ids and completes frames late when packets go missing) is returned to the camera
// unseen and counted as stats().stale.
//
// Thread-safety: the FrameSource calls come from one thread at a time (the delivery thread).
// software_trigger() and stats() may be called from any thread. Loans from lend_frame() may be
// released on any thread and may outlive the source.
// Allocation: prepare() allocates (camera, stream, buffers, pool); wait_frame(), read_frame(),
// skip_frame() and lend_frame() allocate nothing in our code. Aravis/GLib themselves call malloc
// in their queues; those are C allocations outside our operator new and are not counted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daq/camera/camera_config.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "daq/pool/frame_data.hpp"

namespace daq::camera {

enum class AravisPixelFormat { mono8, mono12, mono16 };
enum class AravisTrigger { free_run, software };
enum class AravisBufferMode { copy, zero_copy };

struct AravisConfig {
  /// Aravis device id ("Aravis-Fake-GV01", a serial, or an IP address such as "192.168.1.20");
  /// empty: the first camera found. "Fake_1" opens Aravis's in-process fake camera.
  std::string camera_id;
  std::optional<double> exposure_us;    ///< unset: leave the camera's value
  std::optional<double> gain_db;        ///< unset: leave the camera's value
  std::optional<double> frame_rate_hz;  ///< unset: leave the camera's value (free-run)
  /// Unset: leave the camera's region. In sensor pixels, as for every driver
  /// (camera_config.hpp: width/height 0 mean "up to the sensor edge"); the delivered image is
  /// roi / binning. (GenICam counts binned pixels; the driver converts.)
  std::optional<Roi> roi;
  std::optional<Binning> binning;  ///< unset: leave the camera's binning
  AravisPixelFormat pixel_format = AravisPixelFormat::mono8;
  AravisTrigger trigger = AravisTrigger::free_run;
  AravisBufferMode buffer_mode = AravisBufferMode::copy;
  std::uint32_t stream_buffers = 8;  ///< Aravis input buffers (2..256)
  std::uint32_t camera_reserve = 2;  ///< zero_copy: buffers never lent (1..stream_buffers-1)
  std::uint32_t packet_size = 0;     ///< GigE Vision packet size in bytes; 0: the camera's
  std::uint64_t frame_count = 0;     ///< frames until finished unless a start gives its own
                                     ///< (StartOptions); 0: continuous
  /// Most bytes the stream buffers may take (stream_buffers x the camera's payload).
  std::size_t memory_budget_bytes = std::size_t{1} << 30;

  /// Throws ConfigError naming the field and the limit (checks that need no camera).
  void validate() const;
};

/// One camera as Aravis lists it (for `daq cameras`).
struct CameraInfo {
  std::string id;  ///< pass as AravisConfig::camera_id
  std::string vendor;
  std::string model;
  std::string serial;
  std::string protocol;  ///< "GigEVision", "USB3Vision", "Fake"
  std::string address;   ///< IP address for GigE Vision
};

/// Discovers cameras (GigE Vision discovery waits about a second). With include_fake, Aravis's
/// in-process fake camera "Fake_1" is listed too. Thread-safe.
std::vector<CameraInfo> list_aravis_cameras(bool include_fake = false);

/// Counters of one source: Aravis's stream statistics and ours. Read with stats().
struct AravisStats {
  // Aravis's stream statistics (0 where the transport does not report one).
  std::uint64_t completed_buffers = 0;
  std::uint64_t failures = 0;
  std::uint64_t underruns = 0;  ///< frames Aravis had no input buffer for
  std::uint64_t timeouts = 0;
  std::uint64_t missing_frames = 0;
  std::uint64_t resent_packets = 0;
  std::uint64_t missing_packets = 0;
  std::uint64_t transferred_bytes = 0;
  // Ours.
  std::uint64_t frames = 0;          ///< SUCCESS buffers handed to the loop
  std::uint64_t lost_hw_frames = 0;  ///< frame-id gaps between consecutive SUCCESS frames
  std::uint64_t broken_timeout = 0;  ///< buffer status TIMEOUT
  std::uint64_t broken_missing_packets = 0;
  std::uint64_t broken_size_mismatch = 0;  ///< SIZE_MISMATCH, or a frame not matching the format
  std::uint64_t broken_other = 0;          ///< WRONG_PACKET_ID, ABORTED, CLEARED, UNKNOWN, ...
  std::uint64_t stale = 0;                 ///< repeated or late frame ids (never shown to the loop)
  std::uint64_t lent = 0;                  ///< zero_copy loans handed out
  std::uint64_t lend_refused = 0;          ///< zero_copy: refused to keep camera_reserve buffers
  std::uint64_t broken() const noexcept {
    return broken_timeout + broken_missing_packets + broken_size_mismatch + broken_other;
  }
};

class AravisSource final : public FrameSource {
 public:
  /// Validates the configuration (ConfigError); touches no camera until prepare().
  explicit AravisSource(AravisConfig config);
  ~AravisSource() override;
  AravisSource(const AravisSource&) = delete;
  AravisSource& operator=(const AravisSource&) = delete;

  std::string_view name() const noexcept override;
  SourceFormat prepare() override;
  using FrameSource::start;
  void start(const StartOptions& options) override;
  SourceStatus wait_frame(std::chrono::nanoseconds timeout,
                          PendingFrame& pending) noexcept override;
  void read_frame(FrameData& frame) noexcept override;
  void skip_frame() noexcept override;
  void stop() noexcept override;
  std::string error_message() const override;

  /// zero_copy mode: the pending frame as a loan of the source's pool, metadata filled as by
  /// read_frame(); the camera buffer goes back when the loan is released. nullopt (and the frame
  /// stays pending: read_frame() or skip_frame() next) in copy mode or when lending would leave
  /// the camera fewer than camera_reserve buffers.
  std::optional<LoanedFrame> lend_frame() noexcept override;

  /// Fires the camera's software trigger (trigger = software). Any thread, while started.
  /// Throws SourceError when the camera refuses or is gone.
  void software_trigger();

  /// Aravis's stream statistics and ours. Any thread; our counters are exact, Aravis's are
  /// read without Aravis's lock (exact once stopped).
  AravisStats stats() const;

  /// The configuration as the camera accepted it (after prepare()): actual exposure, rate, ROI.
  const AravisConfig& applied_config() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// The factory the CLI uses (`--camera aravis[:ID]`).
std::unique_ptr<FrameSource> make_aravis_source(const AravisConfig& config);

/// "mono8" / "Mono8" -> mono8 etc.; nullopt for other names.
std::optional<AravisPixelFormat> parse_aravis_pixel_format(std::string_view name) noexcept;

}  // namespace daq::camera
