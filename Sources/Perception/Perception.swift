// Perception: see docs/architecture.md.
