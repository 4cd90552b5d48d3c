"""An archive of reports as time series: tidy data, the timeline, the store of parsed reports."""
