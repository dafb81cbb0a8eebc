"""textsynth's benchmarks and studies, run from the repository root as ``python -m eval.<name>``."""
