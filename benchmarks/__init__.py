"""Benchmarks of scalar-autograd side by side with micrograd 0.1.0 (and PyTorch).

``python -m benchmarks`` runs every case in one process, engines in alternating turns,
and writes ``benchmarks/RESULTS.md``. See ``benchmarks/README.md`` for the method.
"""
