// ThreadSanitizer builds only: libzmq is not instrumented and hands each message between the
// sending thread and its I/O thread through its own lock-free pipes, which TSan cannot see. Every
// message buffer we fill and ZeroMQ then writes to the socket would be reported as a race inside
// libzmq, as would libzmq's own allocations freed on the other thread. These suppressions ignore
// reports with a libzmq frame in a stack; races between our own threads are still reported.
// Compiled into every executable that links daq::stream in a TSan build tree (an INTERFACE
// source, see CMakeLists.txt); weak, so an application can supply its own list.
#if defined(__SANITIZE_THREAD__)

extern "C" __attribute__((weak)) const char* __tsan_default_suppressions() {
  return "called_from_lib:libzmq.so.5\n"
         "race:libzmq.so.5\n";
}

#endif
