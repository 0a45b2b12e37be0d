// live_view_message.hpp — the binary message the live view streams to a browser: one frame,
// binned to fit a requested size, with a fixed little-endian header. The stream (GET
// /api/stream) is a sequence of messages, each prefixed by its length:
//
//   u32 length            bytes that follow (0: a heartbeat, nothing follows)
//   header, 56 bytes:
//    0 u32 magic          "DAQL"
//    4 u16 header_bytes   56 (a reader skips this many bytes to the pixels)
//    6 u16 version        1
//    8 u64 frame_number
//   16 i64 hw_frame_nr
//   24 u64 timestamp_ns   the camera's time of the frame (steady clock)
//   32 u64 capture_unix_ns  the same instant on the wall clock (the server's estimate), for the
//                         age of the displayed frame
//   40 u32 width          after binning
//   44 u32 height
//   48 u16 bit_depth      significant bits; pixels are 1 (<= 8), 2 (<= 16) or 4 bytes
//   50 u16 binning        N: each pixel is the mean of an N x N block
//   52 u32 frames_skipped frames this viewer was too slow for so far (saturates)
//   pixels                width * height, little-endian, row-major
//
// Thread-safety: pure functions. Allocation: encode_live_message grows `out` only when the
// message is larger than any before (the live view reuses its buffers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "daq/pool/frame_view.hpp"

namespace daq::service {

inline constexpr std::uint32_t kLiveViewMagic = 0x4C514144;  // "DAQL" little-endian
inline constexpr std::size_t kLiveViewLengthBytes = 4;
inline constexpr std::size_t kLiveViewHeaderBytes = 56;
inline constexpr std::size_t kLiveViewSkippedOffset = kLiveViewLengthBytes + 52;

/// The smallest binning N (at most kMaxImageBinning) with width / N <= max_width and
/// height / N <= max_height.
std::uint32_t fitting_binning(std::uint32_t width, std::uint32_t height, std::uint32_t max_width,
                              std::uint32_t max_height) noexcept;

/// Writes the whole message (length prefix, header, binned pixels) for `frame` into `out`,
/// with frames_skipped 0.
void encode_live_message(const FrameView& frame, std::uint32_t binning,
                         std::uint64_t capture_unix_ns, std::vector<std::byte>& out);

/// Sets the frames_skipped field of a message encode_live_message() wrote.
void set_frames_skipped(std::vector<std::byte>& message, std::uint64_t skipped) noexcept;

}  // namespace daq::service
