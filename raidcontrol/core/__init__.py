"""Pure domain core: no file, network or database access happens below this package."""
