# The two commands of the quick start, and the ones around them.
#
#   make sim        run a simulated stow campaign on SimHAL with firmware-config/sim.yaml
#   make test       build everything and run every test (Swift tests, the Python peer tests, and
#                   the hardware-in-the-loop rig)
#   make hil        the hardware-in-the-loop rig alone: the GPIO and serial backends and stowctl
#                   against real kernel drivers in a qemu guest (docs/testing.md)
#   make install    install the controller as a systemd service (docs/deploy.md); DESTDIR, PREFIX honoured
#   make uninstall  remove what make install put there (an edited config and the journal stay)
#
# Reliability (docs/reliability.md):
#   make fault-matrix   every injectable fault in every stow state; prints the table, fails on a bad cell
#   make test-asan      the Swift tests under AddressSanitizer (own scratch path .build-asan)
#   make test-tsan      the Swift tests under ThreadSanitizer (own scratch path .build-tsan)
#   make fuzz           each libFuzzer target for FUZZ_SECONDS (Fuzz/, its own package)
#   make soak           stowctl sim --realtime for SOAK_SECONDS with perception and console traffic
#   make crash-test     scripts/journal-crash-test: 200 SIGKILLs of a journal writer, checked
#
# They first run scripts/bootstrap, which installs what is missing and is silent otherwise.

SWIFT ?= swift
CONFIG ?= firmware-config/sim.yaml
SWIFT_BUILD_FLAGS ?=
# The default campaign: about a minute of simulation on a release build.
STOWS ?= 200
SIM_JOURNAL ?= .build/make-sim-journal.sqlite

FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 600

.PHONY: sim test hil build check-config clean install uninstall fault-matrix test-asan test-tsan fuzz soak crash-test

# Where `make install` puts things. /usr/local by default: systemd, udev and sysusers all read
# their /usr/local/lib directories. A package build uses PREFIX=/usr DESTDIR=staging.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DOCDIR ?= $(PREFIX)/share/doc/stowctl
# A release build with the Swift runtime linked in, so the robot needs no Swift toolchain. The
# install test uses INSTALL_CONFIGURATION=debug STATIC_STDLIB= to reuse the test build.
INSTALL_CONFIGURATION ?= release
STATIC_STDLIB ?= --static-swift-stdlib
# Shipped configs: installed to $(SYSCONFDIR)/stowctl/NAME.yaml, never over an edited one.
INSTALL_CONFIGS = eoat.yaml:firmware-config/eoat-linux.yaml sim.yaml:firmware-config/sim.yaml
INSTALL_DOCS = docs/deploy.md docs/safety.md docs/console.md docs/journal.md

# A fresh journal each time, so `make sim` always runs the whole campaign (stowctl sim on its own
# resumes a campaign already in its journal).
sim:
	@scripts/bootstrap sim
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --product stowctl
	rm -f $(SIM_JOURNAL) $(SIM_JOURNAL)-wal $(SIM_JOURNAL)-shm
	$$($(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl sim --config $(CONFIG) --stows $(STOWS) \
		--journal $(SIM_JOURNAL) --html .build/make-sim-report.html

# The Swift tests include the fault matrix (Tests/SimulationTests/FaultMatrixTests) and the fuzz
# regressions; then a short soak and a short journal crash test on the debug stowctl.
CI_SOAK_SECONDS ?= 20
CI_CRASH_KILLS ?= 20

test:
	@scripts/bootstrap test
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build
	python3 -m pytest -q Tests/Peers
	scripts/hil/run $$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)
	$$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl sim --realtime --duration $(CI_SOAK_SECONDS) --config $(CONFIG)
	scripts/journal-crash-test --kills $(CI_CRASH_KILLS) --stowctl $$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl

# The guest runs stowctl and the test bundle of the same debug build as `make test`, so after
# `make test` this builds nothing new. The kernel and gpio-sim module are cached in .cache/hil.
hil:
	@scripts/bootstrap hil
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests
	scripts/hil/run $$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)

build:
	@scripts/bootstrap sim
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

check-config:
	@scripts/bootstrap sim
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product stowctl
	$$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl check-config firmware-config/*.yaml

fault-matrix:
	@scripts/bootstrap sim
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product stowctl
	$$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl fault-matrix --config $(CONFIG)

# Sanitizer builds live beside the normal one, so switching never rebuilds .build.
test-asan:
	@scripts/bootstrap test
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Support/lsan-suppressions.txt \
		$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build --sanitize=address --scratch-path .build-asan

test-tsan:
	@scripts/bootstrap test
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build --sanitize=thread --scratch-path .build-tsan

fuzz:
	@scripts/bootstrap sim
	scripts/fuzz --seconds $(FUZZ_SECONDS)

soak:
	@scripts/bootstrap sim
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --product stowctl
	$$($(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl sim --realtime --duration $(SOAK_SECONDS) --config $(CONFIG)

crash-test:
	@scripts/bootstrap sim
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product stowctl
	scripts/journal-crash-test --kills 200 --stowctl $$($(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz Fuzz/.build

# The binary, configs, systemd unit, udev rules, sysusers file and docs. With no DESTDIR it also
# creates the user, reloads udev and systemd (each when present), and says what to do next.
install:
	@scripts/bootstrap sim
	$(SWIFT) build -c $(INSTALL_CONFIGURATION) $(STATIC_STDLIB) $(SWIFT_BUILD_FLAGS) --product stowctl
	install -d -m 0755 "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(SYSCONFDIR)/stowctl" "$(DESTDIR)$(UNITDIR)" \
		"$(DESTDIR)$(UDEVRULESDIR)" "$(DESTDIR)$(SYSUSERSDIR)" "$(DESTDIR)$(DOCDIR)"
	install -m 0755 "$$($(SWIFT) build -c $(INSTALL_CONFIGURATION) $(STATIC_STDLIB) $(SWIFT_BUILD_FLAGS) --show-bin-path)/stowctl" \
		"$(DESTDIR)$(BINDIR)/stowctl"
	@for pair in $(INSTALL_CONFIGS); do \
		name=$${pair%%:*}; source=$${pair#*:}; target="$(DESTDIR)$(SYSCONFDIR)/stowctl/$$name"; \
		if [ -e "$$target" ] && ! cmp -s "$$source" "$$target"; then \
			install -m 0644 "$$source" "$$target.new"; \
			echo "install: kept your edited $$target; the shipped one is $$target.new"; \
		else \
			install -m 0644 "$$source" "$$target"; \
		fi; \
	done
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		deploy/stowctl.service.in > "$(DESTDIR)$(UNITDIR)/stowctl.service"
	chmod 0644 "$(DESTDIR)$(UNITDIR)/stowctl.service"
	install -m 0644 deploy/60-stowctl.rules "$(DESTDIR)$(UDEVRULESDIR)/60-stowctl.rules"
	install -m 0644 deploy/stowctl.sysusers "$(DESTDIR)$(SYSUSERSDIR)/stowctl.conf"
	install -m 0644 $(INSTALL_DOCS) "$(DESTDIR)$(DOCDIR)/"
	install -m 0644 firmware-config/README.md "$(DESTDIR)$(DOCDIR)/firmware-config.md"
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then systemd-sysusers "$(SYSUSERSDIR)/stowctl.conf"; fi; \
		if [ -d /run/udev ] && command -v udevadm >/dev/null; then udevadm control --reload-rules && udevadm trigger; fi; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		echo "installed. Next: edit $(SYSCONFDIR)/stowctl/eoat.yaml, run stowctl doctor --config $(SYSCONFDIR)/stowctl/eoat.yaml,"; \
		echo "then the first power-up checklist in $(DOCDIR)/deploy.md before systemctl enable --now stowctl"; \
	fi

# Removes what install put there. An edited config and the journal in /var/lib/stowctl stay;
# the user and group stay too (files may still belong to them).
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && systemctl is-enabled --quiet stowctl 2>/dev/null; then \
		systemctl disable --now stowctl; fi
	rm -f "$(DESTDIR)$(BINDIR)/stowctl" "$(DESTDIR)$(UNITDIR)/stowctl.service" \
		"$(DESTDIR)$(UDEVRULESDIR)/60-stowctl.rules" "$(DESTDIR)$(SYSUSERSDIR)/stowctl.conf"
	for doc in $(notdir $(INSTALL_DOCS)) firmware-config.md; do rm -f "$(DESTDIR)$(DOCDIR)/$$doc"; done
	@rmdir "$(DESTDIR)$(DOCDIR)" 2>/dev/null || true
	@for pair in $(INSTALL_CONFIGS); do \
		name=$${pair%%:*}; source=$${pair#*:}; target="$(DESTDIR)$(SYSCONFDIR)/stowctl/$$name"; \
		rm -f "$$target.new"; \
		if [ -e "$$target" ] && cmp -s "$$source" "$$target"; then rm -f "$$target"; \
		elif [ -e "$$target" ]; then echo "uninstall: kept your edited $$target"; fi; \
	done
	@rmdir "$(DESTDIR)$(SYSCONFDIR)/stowctl" 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ]; then \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		echo "uninstalled; kept: user and group stow, /var/lib/stowctl (the journal)"; \
	fi
