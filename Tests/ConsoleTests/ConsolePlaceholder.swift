// Specs for Console arrive with issue 8 (serial console).
import Testing
