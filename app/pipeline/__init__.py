"""Qt-free pipeline: slots, workers and (later) the controller the GUI wraps."""
