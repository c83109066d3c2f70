// SimHAL: see docs/architecture.md.
