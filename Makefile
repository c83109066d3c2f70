# The two commands of the quick start, and the ones around them.
#
#   make sim    run a simulated stow campaign on SimHAL with firmware-config/sim.yaml
#   make test   build everything and run every test (Swift tests and the Python peer tests)
#
# Both first run scripts/bootstrap, which installs what is missing and is silent otherwise.

SWIFT ?= swift
CONFIG ?= firmware-config/sim.yaml
SWIFT_BUILD_FLAGS ?=
# The default campaign: about a minute of simulation on a release build.
STOWS ?= 200
SIM_JOURNAL ?= .build/make-sim-journal.sqlite

.PHONY: sim test build check-config clean

# A fresh journal each time, so `make sim` always runs the whole campaign (stowctl sim on its own
# resumes a campaign already in its journal).
sim:
	@scripts/bootstrap sim
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --product stowctl
	rm -f $(SIM_JOURNAL) $(SIM_JOURNAL)-wal $(SIM_JOURNAL)-shm
	$$($(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl sim --config $(CONFIG) --stows $(STOWS) \
		--journal $(SIM_JOURNAL) --html .build/make-sim-report.html

test:
	@scripts/bootstrap test
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build
	python3 -m pytest -q Tests/Peers

build:
	@scripts/bootstrap sim
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

check-config:
	@scripts/bootstrap sim
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product stowctl
	$$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl check-config firmware-config/*.yaml

clean:
	rm -rf .build
