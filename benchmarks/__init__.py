"""LabelDAO's benchmarks: gas side by side with anchor contracts, scaling
with the number of participants, and throughput. `make bench` runs every
`benchmarks/bench_*.py` module and writes `benchmarks/results.md`."""
