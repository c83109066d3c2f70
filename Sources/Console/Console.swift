// The Console target is reserved for issue 8 (serial console): no code yet.
// Its place in the module map is in docs/architecture.md.
