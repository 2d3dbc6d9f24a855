# SPDX-License-Identifier: GPL-2.0
#
# mmapdemo: the two commands a user needs are
#	make demo	boot a VM with the module loaded and run the guided tour
#			(on the newest kernel; KERNELS="6.1 6.12" for several)
#	make check	run every test on every kernel of the matrix
#	make bench	measure the strategies on Debian's kernels of the matrix
# Everything else here is a step of those two.

# 6.12-rt is Debian's PREEMPT_RT flavour; 6.12-debug and 7-debug are built
# here with the kernel's checkers (scripts/build-debug-kernel.sh, cached
# machine-wide), 7-debug also with fault injection; 7 is the newest 7.x of
# trixie-backports, built in a trixie root; arm64-7 is Debian's arm64 build
# of the same 7.x, in an aarch64 VM (Documentation/lab.rst, "arm64
# kernels").  The newest x86-64 kernel comes last: make demo and the
# accelerator's probe use it.
KERNELS ?= 6.1 6.12 6.12-rt 6.12-debug 7-debug arm64-7 7
# The newest of Debian's stock x86-64 kernels, for the targets that take one.
KERNEL ?= $(lastword $(filter-out %-rt %-debug arm64-%,$(KERNELS)))
BUILD := $(CURDIR)/build
CACHE := $(CURDIR)/.cache
SOURCE_SERIES ?= 6.1
SRCTREE = $(CACHE)/src/$(SOURCE_SERIES)/linux-source-$(SOURCE_SERIES)

CC := gcc
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE
export CC USER_CFLAGS BUILD SRCTREE

.PHONY: user-arm64 selftests-arm64
.PHONY: all deps modules user unit install deb dkms-install selftests initramfs check bench lint stress soak fuzz repeat demo shell htmldocs transcheck names paths clean help

all: modules user selftests

help:
	@echo "make demo [KERNELS=..] the tour and the path of one address, in a VM of $(lastword $(KERNELS))"
	@echo "make check             build and run all tests on: $(KERNELS)"
	@echo "make bench             benchmarks on: $(BENCH_KERNELS), into build/bench/"
	@echo "make shell [KERNEL=K]  interactive shell in a VM with the module loaded"
	@echo "make htmldocs          the HTML documentation, with the path picture of a real run on KERNEL"
	@echo "make transcheck        fail if a translation's original changed since it was translated"
	@echo "make paths [KERNELS=]  record each path's calls in a VM of each kernel, into Documentation/paths/"
	@echo "make names [KERNELS=]  no text names a function its kernel lacks: the docs, and the CLI in a VM of each kernel"
	@echo "make deps              install build tools, fetch kernels (idempotent)"
	@echo "make lint              checkpatch, sparse, clang-format, cppcheck"
	@echo "make unit              host unit tests of libmmapdemo and the CLI"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=]   library, header, CLI, man pages"
	@echo "make deb               the Debian packages (DKMS module, library, -dev, CLI) + lintian"
	@echo "make dkms-install      the module's source into /usr/src, then dkms install"
	@echo "make stress [DURATION=s] [KERNEL=K] [SEED=n]   the stress test alone, longer, RAM, BAR and DMA"
	@echo "make fuzz [ITERATIONS=n] [KERNEL=K] [SEED=n]   the ioctl fuzzer, a million calls"
	@echo "make soak [DURATION=s] [KERNEL=K] [SEED=n]     stress and the sequence fuzzer side by side"
	@echo "make repeat [RUNS=n] [KERNEL=K] [TESTS=...]   race and stress tests RUNS times in one VM"
	@echo "make modules|user|selftests|initramfs   single steps"

# deps is cheap when everything is there, so the top-level targets always
# run it rather than trusting a stamp file that a fresh machine lacks.
deps:
	@scripts/deps.sh $(KERNELS)

modules: deps
	@for k in $(KERNELS); do scripts/build-module.sh $$k kmod mmapdemo.ko || exit 1; \
		scripts/build-module.sh $$k selftests/modules gate_warn.ko || exit 1; done

# The library and CLI, installed into a staging tree that the initramfs
# copies, so that every VM run also exercises "make install".
STAGE := $(BUILD)/user/stage
user:
	@$(MAKE) -s --no-print-directory -C user
	@rm -rf $(STAGE)
	@$(MAKE) -s --no-print-directory -C user install DESTDIR=$(STAGE) \
		PREFIX=/usr >/dev/null

# Host unit tests of the library and CLI: no kernel needed.
unit: user
	@$(MAKE) -s --no-print-directory -C user unit

install:
	@$(MAKE) --no-print-directory -C user install

# The four Debian packages, into build/deb/, checked by lintian.
deb: deps
	@scripts/make-deb.sh $(BUILD)/deb

# The module through DKMS straight from this tree, rebuilt by DKMS at every
# kernel update (needs root and the running kernel's headers).
dkms-install:
	@src=$$(scripts/dkms-src.sh /) && dkms add "$$src" && \
		dkms install mmapdemo/$${src##*mmapdemo-}

selftests: deps user
	@$(MAKE) -s --no-print-directory -C selftests

# arm64 (the kernels named arm64-*): the library, the CLI and the tests
# cross-built once for all of them in the trixie-arm64 build root
# (scripts/buildroot.sh), against its arm64 libraries, into build/arm64/;
# the 32-bit tests for AArch32 with the armhf compiler.
ARM64_KERNELS := $(filter arm64-%,$(KERNELS))
ARM64_BUILD := $(BUILD)/arm64
ARM64_STAGE := $(ARM64_BUILD)/user/stage

initramfs: modules user selftests $(if $(ARM64_KERNELS),user-arm64 selftests-arm64)
	@for k in $(filter-out $(ARM64_KERNELS),$(KERNELS)); do \
		scripts/mkinitramfs.sh -D $(CACHE)/kernels/$$k/disk-modules \
			$(BUILD)/$$k/initramfs.cpio.gz $(BUILD)/$$k/modules \
			$(STAGE) $(wildcard $(BUILD)/selftests/*) || exit 1; done
	@for k in $(ARM64_KERNELS); do \
		scripts/mkinitramfs.sh -D $(CACHE)/kernels/$$k/disk-modules \
			-b "$$(sed -n 's/^BUSYBOX=//p' $(CACHE)/kernels/$$k/kernel.env)" \
			-L "$$(scripts/buildroot.sh path trixie-arm64)" \
			$(BUILD)/$$k/initramfs.cpio.gz $(BUILD)/$$k/modules \
			$(ARM64_STAGE) $(wildcard $(ARM64_BUILD)/selftests/*) || exit 1; done

ARM64_MAKE := scripts/buildroot.sh run trixie-arm64 $(MAKE) -s --no-print-directory \
	BUILD=$(ARM64_BUILD) SRCTREE=$(SRCTREE) CC=aarch64-linux-gnu-gcc-14 \
	PKG_CONFIG='env PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config'
user-arm64: deps
	@$(ARM64_MAKE) -C user lib cli
	@rm -rf $(ARM64_STAGE)
	@$(ARM64_MAKE) -C user install DESTDIR=$(ARM64_STAGE) PREFIX=/usr >/dev/null

selftests-arm64: deps user-arm64
	@$(ARM64_MAKE) -C selftests CC32=arm-linux-gnueabihf-gcc-14 M32=

# check times its own steps (deps, build, lint, each VM), so it runs them.
check:
	@scripts/check.sh $(KERNELS)

# The benchmarks, in a VM with the memory they need; results in build/bench/.
# By default on Debian's x86-64 kernels of the matrix, not on the debug
# kernels: their checkers make one bench VM take several times as long, and
# their figures are the checkers' (Documentation/performance.rst, "The
# run"); nor on arm64, where no make bench has been run yet.
# KERNELS given on the command line is taken as it is.
BENCH_KERNELS = $(if $(filter command line environment,$(origin KERNELS)),$(KERNELS),$(filter-out %-debug arm64-%,$(KERNELS)))
bench:
	@$(MAKE) --no-print-directory initramfs KERNELS="$(BENCH_KERNELS)"
	@scripts/bench.sh $(BENCH_KERNELS)

lint: modules
	@scripts/lint.sh $(KERNELS)

# The long runs, each in one VM of KERNEL with the devices its tests need
# (an ivshmem BAR, an edu), then the kernel-log gate (scripts/longrun.sh):
#	stress	stress_test, DURATION seconds on RAM, then as long on the BAR
#		with revocation, then on edu's DMA device with revocation;
#		SEED repeats an earlier run
#	fuzz	fuzz_test's ioctl fuzzer, ITERATIONS calls on RAM, on the BAR and
#		on edu's DMA device (with ITERATIONS / 500 transfers)
#	soak	the stress (DURATION in all) and, beside it, seqfuzz_test
DURATION ?= 60
ITERATIONS ?= 1000000
stress soak:
	@$(MAKE) --no-print-directory initramfs KERNELS=$(KERNEL)
	@scripts/longrun.sh $@ $(KERNEL) $(DURATION) $(SEED)

fuzz:
	@$(MAKE) --no-print-directory initramfs KERNELS=$(KERNEL)
	@scripts/longrun.sh fuzz $(KERNEL) $(ITERATIONS) $(SEED)

# The flake rate: TESTS (default: the race and stress tests) RUNS times in
# a row in one VM, each run's result and the seed of a failure, then the
# kernel-log gate (scripts/longrun.sh repeat); CASES narrows the tests to
# the cases it names.
RUNS ?= 20
repeat:
	@$(MAKE) --no-print-directory initramfs KERNELS=$(KERNEL)
	@TESTS="$(TESTS)" CASES="$(CASES)" scripts/longrun.sh repeat $(KERNEL) $(RUNS) $(SEED)

# demo runs on the newest kernel of the matrix, unless KERNELS is given
# (make demo KERNELS="6.1 6.12"): then on each, the first in full and the
# others as a diff against it (scripts/demo.sh).
DEMO_KERNELS = $(if $(filter default file,$(origin KERNELS)),$(lastword $(KERNELS)),$(KERNELS))
demo:
	@$(MAKE) --no-print-directory initramfs KERNELS="$(DEMO_KERNELS)"
	@scripts/demo.sh $(DEMO_KERNELS)

# shell needs only one kernel: build just that one.
shell:
	@$(MAKE) --no-print-directory initramfs KERNELS=$(KERNEL)
	@scripts/vm.sh -s -D 64M $(KERNEL)

# The HTML documentation in build/docs/html: Sphinx with warnings as errors.
# The picture of the path of one address is drawn by Graphviz from a real
# run of "mmapdemo path --dot" in a VM of $(KERNEL), into a copy of
# Documentation/, so that no generated file lands in the tree.  abi.rst's
# kernel-doc directive needs the kernel's extension and script in SRCTREE.
DOCS := $(BUILD)/docs
htmldocs:
	@$(MAKE) --no-print-directory initramfs KERNELS=$(KERNEL)
	@command -v sphinx-build >/dev/null && command -v dot >/dev/null || \
		apt-get install -y -q python3-sphinx graphviz >/dev/null
	@rm -rf $(DOCS) && mkdir -p $(DOCS)/src/images/generated
	@cp -r Documentation/. $(DOCS)/src/
	@scripts/vm.sh -n htmldocs $(KERNEL) 'insmod $$LAB_MODULE && mmapdemo path --offset 0x1000 --write --dot /tmp/path.dot >/dev/null && cat /tmp/path.dot' >$(DOCS)/path.dot
	@dot -Tsvg $(DOCS)/path.dot -o $(DOCS)/src/images/generated/path.svg
	@MMAPDEMO_TOP=$(CURDIR) sphinx-build -W -q -b html $(DOCS)/src $(DOCS)/html
	@echo "htmldocs: $(DOCS)/html/index.html (path picture from $(KERNEL))"

# The translations under Documentation/translations/ record the blob id of
# the original they follow; this fails when an original has moved on.
transcheck:
	@Documentation/translations/check.sh

# Every function the documents and the CLI's output name exists in the
# kernel they say it of (scripts/names-test.sh).
names: initramfs
	@scripts/names-test.sh --docs
	@for k in $(KERNELS); do scripts/names-test.sh $$k || exit 1; done

# The calls of every path of a device mapping, traced in a VM of each
# kernel, into Documentation/paths/ (generated, committed): what htmldocs
# renders and what mmapdemo path shows when it cannot trace
# (scripts/paths.sh).  Slow under TCG: a few minutes a kernel.
paths: initramfs
	@scripts/paths.sh $(KERNELS)

clean:
	rm -rf $(BUILD)
