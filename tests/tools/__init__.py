"""Test helpers for gongshi (not part of the installed package)."""
