"""Lucid subpackage: pretty SVG drawings of a model's graph; import its modules explicitly."""
