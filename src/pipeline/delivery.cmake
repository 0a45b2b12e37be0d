# The "delivery" component: FrameProducer's one delivery loop (StreamingProducer), the frame
# ledger, the delivery metrics and the deprecated per-frame-allocating legacy path.
target_sources(daq_pipeline PRIVATE
  delivery.cpp
  delivery_loop.cpp
  ledger.cpp
  legacy_frames.cpp
  metrics.cpp
  pool_limit.cpp
)
