"""Checks that read outputs back the way their readers will."""
