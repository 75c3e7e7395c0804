"""The benchmark's reference apps, served next to the baked services."""
