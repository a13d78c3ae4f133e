"""Bundled own-words sample corpus (package data)."""
