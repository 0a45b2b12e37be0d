#include "capacity_table.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace daq::cli {
namespace {

using acquisition::Resource;

std::string cell(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

/// Required and available in the resource's unit.
std::pair<std::string, std::string> amounts(Resource resource,
                                            const acquisition::ResourceUse& use) {
  switch (resource) {
    case Resource::disk:
    case Resource::copy:
      return {cell("%.0f MB/s", use.required / 1e6), cell("%.0f MB/s", use.measured / 1e6)};
    case Resource::cpu:
      return {cell("%.2f cores", use.required), cell("%.1f cores", use.measured)};
    case Resource::memory:
    case Resource::space:
      return {cell("%.2f GB", use.required / 1e9), cell("%.2f GB", use.measured / 1e9)};
  }
  return {};
}

std::string headroom_text(double headroom) {
  if (std::isinf(headroom)) return "-";
  return cell("%.2f×", headroom);
}

}  // namespace

std::string capacity_table(const acquisition::CapacityVerdict& verdict) {
  std::string table = "resource  required        available       headroom\n";
  for (std::size_t i = 0; i < acquisition::kResourceCount; ++i) {
    const auto resource = static_cast<Resource>(i);
    const auto& use = verdict.use(resource);
    if (resource == Resource::space && verdict.run.frame_count == 0) continue;  // continuous
    const auto [required, available] = amounts(resource, use);
    char row[160];
    const std::string_view name = acquisition::to_string(resource);
    std::snprintf(row, sizeof row, "%-8.*s  %-14s  %-14s  %s%s\n", static_cast<int>(name.size()),
                  name.data(), required.c_str(), available.c_str(),
                  headroom_text(use.headroom).c_str(),
                  use.headroom < acquisition::kRequiredHeadroom ? "  short" : "");
    table += row;
  }
  char tail[200];
  const std::string_view bottleneck = acquisition::to_string(verdict.bottleneck);
  std::snprintf(tail, sizeof tail,
                "bottleneck: %.*s; sustainable: %.1f fps; frames that fit: %llu\n",
                static_cast<int>(bottleneck.size()), bottleneck.data(),
                std::floor(verdict.sustainable_fps * 10.0) / 10.0,
                static_cast<unsigned long long>(verdict.frames_that_fit));
  table += tail;
  return table;
}

}  // namespace daq::cli
