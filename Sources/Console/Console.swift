// Console: see docs/architecture.md.
