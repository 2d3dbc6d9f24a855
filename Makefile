# SPDX-License-Identifier: GPL-2.0
#
# mmapdemo: the two commands a user needs are
#	make demo	boot a VM with the module loaded and run the guided tour
#	make check	run every test on every kernel of the matrix
#	make bench	measure the strategies on every kernel of the matrix
# Everything else here is a step of those two.

KERNELS ?= 6.1 6.12 7
KERNEL ?= $(lastword $(KERNELS))
BUILD := $(CURDIR)/build
CACHE := $(CURDIR)/.cache
SOURCE_SERIES ?= 6.1
SRCTREE = $(CACHE)/src/$(SOURCE_SERIES)/linux-source-$(SOURCE_SERIES)

CC := gcc
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE
export CC USER_CFLAGS BUILD SRCTREE

.PHONY: all deps modules user unit install selftests initramfs check bench lint stress demo shell clean help

all: modules user selftests

help:
	@echo "make demo              the tour and the path of one address, in a VM per kernel"
	@echo "make check             build and run all tests on: $(KERNELS)"
	@echo "make bench             benchmarks on: $(KERNELS), into build/bench/"
	@echo "make shell [KERNEL=K]  interactive shell in a VM with the module loaded"
	@echo "make deps              install build tools, fetch kernels (idempotent)"
	@echo "make lint              checkpatch, sparse, clang-format, cppcheck"
	@echo "make unit              host unit tests of libmmapdemo and the CLI"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=]   library, header, CLI, man pages"
	@echo "make stress [DURATION=s] [KERNEL=K] [SEED=n]   the stress test alone, longer"
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

selftests: deps user
	@$(MAKE) -s --no-print-directory -C selftests

initramfs: modules user selftests
	@for k in $(KERNELS); do \
		scripts/mkinitramfs.sh $(BUILD)/$$k/initramfs.cpio.gz $(BUILD)/$$k/modules \
			$(STAGE) $(wildcard $(BUILD)/selftests/*) || exit 1; done

# check times its own steps (deps, build, lint, each VM), so it runs them.
check:
	@scripts/check.sh $(KERNELS)

# The benchmarks, in a VM with the memory they need; results in build/bench/.
bench: initramfs
	@scripts/bench.sh $(KERNELS)

lint: modules
	@scripts/lint.sh $(KERNELS)

# The stress test alone, for DURATION seconds in one VM of KERNEL, then the
# kernel-log gate over that VM's logs.  SEED repeats an earlier run.
DURATION ?= 60
stress:
	@$(MAKE) --no-print-directory initramfs KERNELS=$(KERNEL)
	@log=build/$(KERNEL)/vm/stress; st=0; \
	scripts/vm.sh -n stress -t $$(($(DURATION) + 900)) $(KERNEL) \
		'insmod $$LAB_MODULE && MMAPDEMO_STRESS_SECONDS=$(DURATION) $(if $(SEED),MMAPDEMO_STRESS_SEED=$(SEED)) stress_test' || st=$$?; \
	if scripts/klog-gate.sh $$log/console.log $$log/dmesg.log; then \
		echo "stress: kernel log clean"; \
	else \
		echo "stress: kernel-log gate FAILED (see $$log/dmesg.log)"; st=1; \
	fi; \
	if [ $$st = 0 ]; then echo "stress: passed"; else echo "stress: FAILED ($$st)"; exit 1; fi

# demo runs on each kernel of the matrix (KERNELS=6.1 for one): the tour,
# then the path of one address down to the PTE and the device page.
demo:
	@$(MAKE) --no-print-directory initramfs
	@for k in $(KERNELS); do echo "=== mmapdemo on $$k"; \
		scripts/vm.sh -n demo $$k 'insmod $$LAB_MODULE && mmapdemo tour && mmapdemo path --offset 0x1000 --write' || exit 1; done

# shell needs only one kernel: build just that one.
shell:
	@$(MAKE) --no-print-directory initramfs KERNELS=$(KERNEL)
	@scripts/vm.sh -s $(KERNEL)

clean:
	rm -rf $(BUILD)
