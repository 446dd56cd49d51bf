"""Adapters that turn files on disk into evidence facts, build release assets, verify them."""
