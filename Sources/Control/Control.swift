// Control: see docs/architecture.md.
