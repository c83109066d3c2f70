// Specs for SimHAL arrive with issue 4 (SimHAL).
import Testing
