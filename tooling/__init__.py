"""Tooling around the box office, not part of it: the local stack runner (`make run`,
`make test`), its process supervisor, and the benchmarks that drive a running stack."""
