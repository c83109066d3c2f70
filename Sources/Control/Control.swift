// The Control target is reserved for issue 5 and 7 (control runtime, stow state machine): no code yet.
// Its place in the module map is in docs/architecture.md.
