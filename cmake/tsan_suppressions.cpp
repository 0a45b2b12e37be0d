// ThreadSanitizer builds only: the one list of suppressions for the whole build, for the C
// libraries that are not instrumented and synchronise in ways TSan cannot see. Races between our
// own threads are still reported.
// - Aravis and GLib hand each camera buffer between our thread and Aravis's stream thread through
//   g_async_queue and GLib's futex-based mutexes: ignore the memory accesses those libraries make
//   through TSan's interceptors (memcpy, memset, ...).
// - libzmq hands each message between the sending thread and its I/O thread through its own
//   lock-free pipes, and frees its allocations on the other thread: ignore reports with a libzmq
//   frame in a stack.
// TSan reads one __tsan_default_suppressions per program, so the list is one: every executable
// links daq::pool, which carries this file as an INTERFACE source (cmake/DaqSanitizers.cmake).
// Weak, so an application can supply its own.
#if defined(__SANITIZE_THREAD__)

extern "C" __attribute__((weak)) const char* __tsan_default_suppressions() {
  return "called_from_lib:libaravis-0.8.so\n"
         "called_from_lib:libglib-2.0.so\n"
         "called_from_lib:libgobject-2.0.so\n"
         "called_from_lib:libgio-2.0.so\n"
         "called_from_lib:libzmq.so.5\n"
         "race:libzmq.so.5\n";
}

#endif
