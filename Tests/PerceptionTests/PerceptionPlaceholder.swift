// Specs for Perception arrive with issue 6 (perception loop).
import Testing
