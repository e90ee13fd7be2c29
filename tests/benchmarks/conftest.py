"""The benchmarks are scripts, run by hand; pytest never collects them."""

collect_ignore_glob = ["bench_*.py"]
