# Layer-0 benchmarks: Pool<T>, BufferPool, Bytes against same-run baselines.
daq_add_bench(pool_bench SOURCES pool_bench.cpp LIBS daq::pool)
