# Channel latency/throughput against moodycamel::BlockingConcurrentQueue (libconcurrentqueue-dev,
# header-only) and tbb::concurrent_bounded_queue (libtbb-dev), measured in the same run; the
# adapters are peers/peer_queues.hpp. Only the benchmarks link these peers, never the daq tool.
find_package(TBB REQUIRED)
find_path(DAQ_CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue/blockingconcurrentqueue.h REQUIRED)
daq_add_bench(channel_bench SOURCES channel_bench.cpp LIBS daq::pipeline TBB::tbb)
target_include_directories(channel_bench SYSTEM PRIVATE ${DAQ_CONCURRENTQUEUE_INCLUDE_DIR})
