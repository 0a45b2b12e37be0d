#include "daq/acquisition/summary.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace daq::acquisition {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order they are set

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

Json json_ranges(const std::vector<FrameRange>& ranges) {
  Json out = Json::array();
  for (const FrameRange& r : ranges) out.push_back({r.first, r.last});
  return out;
}

}  // namespace

bool ledger_balanced(const Summary& s) {
  return s.frames_produced == s.frames_written + s.frames_dropped;
}

double frames_per_s_first_to_last_frame(const Summary& s) {
  if (s.frames_written < 2 || s.first_to_last_frame_s <= 0) return kUndefined;
  return static_cast<double>(s.frames_written - 1) / s.first_to_last_frame_s;
}

double frames_per_s_over_wall_time(const Summary& s) {
  if (s.wall_time_s <= 0) return kUndefined;
  return static_cast<double>(s.frames_written) / s.wall_time_s;
}

double mb_per_s_over_wall_time(const Summary& s) {
  if (s.wall_time_s <= 0) return kUndefined;
  return static_cast<double>(s.bytes_written) / 1e6 / s.wall_time_s;
}

std::vector<FrameRange> missing_frames(std::uint64_t produced,
                                       const std::vector<FrameRange>& dropped,
                                       std::uint64_t written) {
  std::vector<FrameRange> missing;
  std::uint64_t next = 0;           // the first frame number not looked at yet
  std::uint64_t to_keep = written;  // written frames not yet placed
  for (const FrameRange& r : dropped) {
    const std::uint64_t delivered_before = r.first - next;
    if (delivered_before >= to_keep) break;  // the writer stopped before this drop
    to_keep -= delivered_before;
    missing.push_back(r);
    next = r.last + 1;
  }
  const std::uint64_t first_unwritten = next + to_keep;
  if (first_unwritten < produced) missing.push_back({first_unwritten, produced - 1});
  return missing;
}

std::string ranges_text(const std::vector<FrameRange>& ranges, std::size_t limit) {
  if (ranges.empty()) return "none";
  std::string text;
  for (std::size_t i = 0; i < ranges.size() && i < limit; ++i) {
    const FrameRange& r = ranges[i];
    if (!text.empty()) text += ", ";
    text += r.first == r.last ? std::to_string(r.first)
                              : std::to_string(r.first) + "-" + std::to_string(r.last);
  }
  if (ranges.size() > limit) text += ", ... (" + std::to_string(ranges.size()) + " ranges)";
  return text;
}

std::string summary_json(const Summary& s) {
  Json json;
  json["output"] = s.output;
  json["camera"] = s.camera;
  json["frames_produced"] = s.frames_produced;
  json["frames_written"] = s.frames_written;
  json["frames_dropped"] = s.frames_dropped;
  json["dropped_by_cause"] = Json::object();
  for (const auto& [cause, count] : s.dropped_by_cause) json["dropped_by_cause"][cause] = count;
  json["dropped_frame_ranges"] = json_ranges(s.missing_frames);
  json["lost_hw_frames"] = s.lost_hw_frames;
  json["frames_exposed"] = s.frames_produced + s.lost_hw_frames;
  json["lost_hw_frame_ranges"] = json_ranges(s.lost_hw_ranges);
  json["ledger_balanced"] = ledger_balanced(s);
  json["fallback_allocations"] = s.fallback_allocations;
  json["hot_path_allocations_per_frame"] =
      s.hot_path_allocations_per_frame ? Json(*s.hot_path_allocations_per_frame) : Json(nullptr);
  json["pool_high_water"] = s.pool_high_water;
  json["pool_capacity"] = s.pool_capacity;
  json["bytes_written"] = s.bytes_written;
  json["bytes_stored"] = s.bytes_stored;
  json["frames_direct"] = s.frames_direct;
  json["frames_lent"] = s.frames_lent;
  json["wall_time_s"] = s.wall_time_s;
  json["frames_per_s_over_wall_time"] = frames_per_s_over_wall_time(s);
  json["mb_per_s_over_wall_time"] = mb_per_s_over_wall_time(s);
  json["first_to_last_frame_s"] = s.first_to_last_frame_s;
  json["frames_per_s_first_to_last_frame"] = frames_per_s_first_to_last_frame(s);
  json["interrupted"] = s.interrupted;
  json["error"] = s.error;
  json["stream"] = nullptr;
  if (s.stream) {
    const StreamSummary& st = *s.stream;
    const std::optional<double>& sender_allocations = st.sender_allocations_per_frame;
    json["stream"] = Json{{"endpoint", st.endpoint},
                          {"sent", st.sent},
                          {"dropped", st.dropped},
                          {"bytes", st.bytes},
                          {"compression", st.compression},
                          {"primary", st.primary},
                          {"start_taken", st.start_taken},
                          {"end_taken", st.end_taken},
                          {"sender_allocations_per_frame",
                           sender_allocations ? Json(*sender_allocations) : Json(nullptr)}};
  }
  // NaN and infinity become null; bytes that are not UTF-8 become U+FFFD instead of throwing.
  return json.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace daq::acquisition
