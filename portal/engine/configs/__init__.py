"""Configurations shipped with the engine (demo.yaml), read with importlib.resources."""
