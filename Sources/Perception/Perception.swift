// The Perception target is reserved for issue 6 (perception loop): no code yet.
// Its place in the module map is in docs/architecture.md.
