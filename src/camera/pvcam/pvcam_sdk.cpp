#include "pvcam_sdk.hpp"

#include <cstdio>
#include <mutex>

#include "daq/pipeline/frame_source.hpp"

namespace daq::pvcam {
namespace {

std::mutex g_mutex;
int g_references = 0;  // guarded by g_mutex

}  // namespace

std::shared_ptr<PvcamLibrary> PvcamLibrary::acquire() {
  std::lock_guard lock(g_mutex);
  if (g_references == 0 && pl_pvcam_init() != PV_OK) {
    throw SourceError(sdk_failure("pvcam", "pl_pvcam_init"));
  }
  ++g_references;
  return std::shared_ptr<PvcamLibrary>(new PvcamLibrary());
}

PvcamLibrary::~PvcamLibrary() {
  std::lock_guard lock(g_mutex);
  if (--g_references == 0) pl_pvcam_uninit();
}

void sdk_failure(char* out, std::size_t size, const char* who, const char* call) noexcept {
  const int16 code = pl_error_code();
  char message[ERROR_MSG_LEN + 1] = "";
  if (pl_error_message(code, message) != PV_OK) std::snprintf(message, sizeof message, "?");
  std::snprintf(out, size, "%s: %s failed: %s (error %d)", who, call, message, code);
}

std::string sdk_failure(std::string_view who, std::string_view call) {
  char text[ERROR_MSG_LEN + 200];
  sdk_failure(text, sizeof text, std::string(who).c_str(), std::string(call).c_str());
  return text;
}

}  // namespace daq::pvcam
