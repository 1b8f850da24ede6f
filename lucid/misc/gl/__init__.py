"""Lucid subpackage; import its modules explicitly."""
