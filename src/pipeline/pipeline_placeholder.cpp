// Replaced by the pipeline sources as they land.
