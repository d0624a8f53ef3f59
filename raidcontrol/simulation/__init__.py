"""The stage simulator: realistic stages, fleet tracks with known faults and infringements,
and their ground truth, for tests, benchmarks and demonstrations (see docs/simulator.md)."""
