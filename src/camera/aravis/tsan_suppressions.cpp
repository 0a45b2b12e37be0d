// ThreadSanitizer builds only: Aravis and GLib are not instrumented, and GLib synchronises with
// its own futex-based mutexes and queues, which TSan cannot see. Every buffer handed between our
// thread and Aravis's stream thread through g_async_queue would be reported as a race inside
// libaravis/libglib. These suppressions ignore memory accesses that those libraries make through
// TSan's interceptors (memcpy, memset, ...); races in our own code are still reported.
// Compiled into every executable that links daq::camera_aravis in a TSan build tree (an
// INTERFACE source, see CMakeLists.txt); weak, so an application can supply its own list.
#if defined(__SANITIZE_THREAD__)

extern "C" __attribute__((weak)) const char* __tsan_default_suppressions() {
  return "called_from_lib:libaravis-0.8.so\n"
         "called_from_lib:libglib-2.0.so\n"
         "called_from_lib:libgobject-2.0.so\n"
         "called_from_lib:libgio-2.0.so\n";
}

#endif
