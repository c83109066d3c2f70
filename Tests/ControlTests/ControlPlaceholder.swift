// Specs for Control arrive with issue 5 and 7 (control runtime, stow state machine).
import Testing
