#include "daq/camera/fault_script.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <utility>

#include "daq/pipeline/frame_source.hpp"

namespace daq {
namespace {

struct KindName {
  FaultKind kind;
  std::string_view name;
  bool has_amount;
};

constexpr std::array<KindName, 5> kKinds{{
    {FaultKind::gap, "gap", true},
    {FaultKind::stall, "stall", true},
    {FaultKind::burst, "burst", true},
    {FaultKind::sdk_error, "sdk_error", false},
    {FaultKind::disconnect, "disconnect", false},
}};

constexpr std::uint64_t kMaxStallMs = 3'600'000;

const KindName& info(FaultKind kind) {
  return *std::find_if(kKinds.begin(), kKinds.end(),
                       [&](const KindName& k) { return k.kind == kind; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

[[noreturn]] void reject(std::string_view item, const std::string& why) {
  throw ConfigError("faults: '" + std::string(item) + "': " + why +
                    " (expected kind@frame[:amount], kinds: gap@N:K, stall@N:MS, burst@N:K, "
                    "sdk_error@N, disconnect@N)");
}

std::uint64_t number(std::string_view item, std::string_view text, const char* what) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    reject(item, std::string(what) + " '" + std::string(text) + "' is not a whole number");
  }
  return value;
}

Fault parse_item(std::string_view item) {
  const auto at = item.find('@');
  if (at == std::string_view::npos) reject(item, "missing '@'");
  const std::string_view kind_name = item.substr(0, at);
  const auto kind = std::find_if(kKinds.begin(), kKinds.end(),
                                 [&](const KindName& k) { return k.name == kind_name; });
  if (kind == kKinds.end()) reject(item, "unknown kind '" + std::string(kind_name) + "'");
  std::string_view rest = item.substr(at + 1);
  const auto colon = rest.find(':');
  Fault fault;
  fault.kind = kind->kind;
  fault.frame = number(item, rest.substr(0, colon), "frame");
  if (kind->has_amount) {
    if (colon == std::string_view::npos) reject(item, "missing ':amount'");
    fault.amount = number(item, rest.substr(colon + 1), "amount");
  } else if (colon != std::string_view::npos) {
    reject(item, std::string(kind->name) + " takes no amount");
  }
  return fault;
}

}  // namespace

std::vector<Fault> parse_faults(std::string_view script) {
  std::vector<Fault> faults;
  while (!trim(script).empty()) {
    const auto comma = script.find(',');
    const std::string_view item = trim(script.substr(0, comma));
    if (item.empty()) reject(item, "empty item");
    faults.push_back(parse_item(item));
    script = comma == std::string_view::npos ? std::string_view{} : script.substr(comma + 1);
  }
  validate_faults(faults);
  return faults;
}

std::string to_string(std::span<const Fault> faults) {
  std::string out;
  for (const Fault& f : faults) {
    if (!out.empty()) out += ',';
    const KindName& k = info(f.kind);
    out += std::string(k.name) + '@' + std::to_string(f.frame);
    if (k.has_amount) out += ':' + std::to_string(f.amount);
  }
  return out;
}

void validate_faults(std::span<const Fault> faults) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;
  for (const Fault& f : faults) {
    const std::string item = to_string(std::span<const Fault>(&f, 1));
    if (info(f.kind).has_amount && f.amount == 0) reject(item, "amount must be at least 1");
    if (f.kind == FaultKind::stall && f.amount > kMaxStallMs) {
      reject(item, "a stall may last at most " + std::to_string(kMaxStallMs) + " ms");
    }
    if (f.kind == FaultKind::gap) {
      if (f.frame + f.amount < f.frame) reject(item, "gap runs past the last frame number");
      gaps.emplace_back(f.frame, f.frame + f.amount);
    }
  }
  std::sort(gaps.begin(), gaps.end());
  for (std::size_t i = 1; i < gaps.size(); ++i) {
    if (gaps[i].first < gaps[i - 1].second) {
      throw ConfigError("faults: gaps starting at frames " + std::to_string(gaps[i - 1].first) +
                        " and " + std::to_string(gaps[i].first) + " overlap");
    }
  }
}

}  // namespace daq
