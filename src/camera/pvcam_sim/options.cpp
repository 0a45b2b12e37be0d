#include "options.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "daq/pipeline/frame_source.hpp"
#include "errors.hpp"

namespace pvcam_sim {
namespace {

std::mutex g_mutex;
std::map<std::string, std::string, std::less<>> g_options;  // set through the API

constexpr std::string_view kKeys[] = {"cameras",       "sensor",  "bit_depth", "row_time_us",
                                      "temperature_c", "pattern", "seed",      "faults"};

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

bool in_range(std::string_view text, double low, double high, double& out) {
  return parse_number(text, out) && out >= low && out <= high;
}

bool reject(std::string& why, std::string reason) {
  why = std::move(reason);
  return false;
}

/// Applies one key to `s`; false with a reason when the value is invalid.
bool apply(std::string_view key, std::string_view value, Settings& s, std::string& why) {
  if (key == "cameras") {
    double n = 0;
    if (!in_range(value, 1, 8, n) || n != static_cast<int>(n)) return reject(why, "1..8");
    s.cameras = static_cast<int>(n);
  } else if (key == "sensor") {
    const auto x = value.find('x');
    if (x == std::string_view::npos || !parse_number(value.substr(0, x), s.width) ||
        !parse_number(value.substr(x + 1), s.height) || s.width == 0 || s.height == 0 ||
        s.width > 65535 || s.height > 65535) {
      return reject(why, "WIDTHxHEIGHT, each 1..65535");
    }
  } else if (key == "bit_depth") {
    if (!parse_number(value, s.bit_depth) ||
        (s.bit_depth != 8 && s.bit_depth != 12 && s.bit_depth != 16)) {
      return reject(why, "8, 12 or 16");
    }
  } else if (key == "row_time_us") {
    if (!in_range(value, 0, 1000, s.row_time_us)) return reject(why, "0..1000 microseconds");
  } else if (key == "temperature_c") {
    if (!in_range(value, -100, 100, s.temperature_c)) return reject(why, "-100..100");
  } else if (key == "pattern") {
    try {
      s.pattern = daq::parse_sim_pattern(value);
    } catch (const daq::ConfigError& e) {
      return reject(why, e.what());
    }
  } else if (key == "seed") {
    if (!parse_number(value, s.seed)) return reject(why, "an unsigned integer");
  } else if (key == "faults") {
    try {
      s.faults = daq::parse_faults(value);
    } catch (const daq::ConfigError& e) {
      return reject(why, e.what());
    }
  } else {
    return reject(why, "unknown key");
  }
  return true;
}

std::string env_name(std::string_view key) {
  std::string name = "PVCAM_SIM_";
  for (const char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

rs_bool set_option(std::string_view key, std::string_view value) {
  Settings scratch;
  std::string why;
  if (!apply(key, value, scratch, why)) {
    return fail(PVCAM_SIM_ERR_BAD_OPTION, "%.*s = '%.*s': %s", static_cast<int>(key.size()),
                key.data(), static_cast<int>(value.size()), value.data(), why.c_str());
  }
  std::lock_guard lock(g_mutex);
  g_options[std::string(key)] = std::string(value);
  return PV_OK;
}

void reset_options() {
  std::lock_guard lock(g_mutex);
  g_options.clear();
}

rs_bool resolve_settings(Settings& out) {
  Settings s;
  std::lock_guard lock(g_mutex);
  for (const std::string_view key : kKeys) {
    const auto set = g_options.find(key);
    const std::string name = env_name(key);
    const char* env = set == g_options.end() ? std::getenv(name.c_str()) : nullptr;
    if (set == g_options.end() && env == nullptr) continue;
    const std::string_view value = set != g_options.end() ? std::string_view(set->second) : env;
    std::string why;
    if (!apply(key, value, s, why)) {
      return fail(PVCAM_SIM_ERR_BAD_OPTION, "%s = '%s': %s", name.c_str(),
                  std::string(value).c_str(), why.c_str());
    }
  }
  out = std::move(s);
  return PV_OK;
}

}  // namespace pvcam_sim
