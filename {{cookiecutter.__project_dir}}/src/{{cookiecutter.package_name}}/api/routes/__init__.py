"""One router per resource; each owns its path prefix and tag."""
