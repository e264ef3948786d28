"""Shared look: the Playground's palette, value formatting and axes."""
