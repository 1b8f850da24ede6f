"""Stand-ins that let the original Lucid 0.3.10 (TensorFlow 1) run on this machine's TF2.

Used only by ``benchmarks/lucid_compare.py``, inside the process that runs Lucid 0.3.10 from
its own virtualenv; nothing here is imported by the port.
"""
