// errors.hpp — pvcam-sim's per-thread error state (pl_error_code / pl_error_message). Internal.
//
// fail() records a code and a formatted detail in thread-local storage (fixed buffers: setting an
// error never allocates, it may happen on the frame path) and returns PV_FAIL, so API functions
// end with `return fail(...)`. pl_error_message(code) gives the detail when `code` is this
// thread's last error, else the code's generic text.
#pragma once

#include <cstddef>

#include "master.h"
#include "pvcam_sim.h"

namespace pvcam_sim {

/// Starts an API call: the thread's error code becomes PVCAM_SIM_ERR_NONE.
void clear_error() noexcept;

/// Records `code` with a printf-style detail; returns PV_FAIL.
rs_bool fail(int code, const char* format, ...) noexcept __attribute__((format(printf, 2, 3)));

int16 last_error() noexcept;

/// Writes the message of `code` (at most ERROR_MSG_LEN bytes with the terminator) into `out`.
void error_message(int16 code, char* out) noexcept;

}  // namespace pvcam_sim
