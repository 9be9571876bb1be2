"""Qt item models over numpy/pandas columns (and the Qt-free column store they read)."""
