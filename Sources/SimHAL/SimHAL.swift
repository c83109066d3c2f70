// The SimHAL target is reserved for issue 4 (SimHAL): no code yet.
// Its place in the module map is in docs/architecture.md.
