"""The template's HTTP benchmark: the baked service under wrk, next to two reference apps."""
