// SPDX-License-Identifier: GPL-2.0
/*
 * The proof from the host that a BAR mapping is the device's memory: the
 * ivshmem-plain device's BAR 2 is a file on the host (scripts/vm.sh -d
 * ivshmem=FILE).  Before boot the host writes a pattern into it
 * (bar_proof_test --host-fill FILE); in the guest this program reads the
 * pattern through a remap, a fault and a defio mapping and writes a
 * pattern of its own through each, the defio one flushed by msync(); after
 * the VM exits the host checks them (bar_proof_test --host-check FILE,
 * TAP): a flush of deferred I/O reached the device, not only the kernel's
 * view of it.  scripts/bar-proof.sh runs the
 * host's side.  Runs first in the VM, before other tests write the BAR.
 */
#include <stdio.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define PROOF_MAGIC "MMAPDEMO-HOST-PROOF\n"
#define PROOF_SIZE (4UL << 20)
#define PROOF_LEN (256UL << 10)
#define HOST_OFF (1UL << 20)	/* the host's pattern, read by the guest */
#define REMAP_OFF (2UL << 20)	/* written by the guest through remap */
#define FAULT_OFF (3UL << 20)	/* written by the guest through fault */
#define DEFIO_OFF (7UL << 19)	/* through defio's shadow, then msync() */
#define HOST_SEED 0x51
#define REMAP_SEED 0x52
#define FAULT_SEED 0x53
#define DEFIO_SEED 0x54

FIXTURE(proof)
{
	int fd;
	char path[64];
};

FIXTURE_VARIANT(proof)
{
	__u32 strategy;
	unsigned long off;
	unsigned int seed;
};

FIXTURE_VARIANT_ADD(proof, remap)
{
	.strategy = MMAPDEMO_STRATEGY_REMAP,
	.off = REMAP_OFF,
	.seed = REMAP_SEED,
};

FIXTURE_VARIANT_ADD(proof, fault)
{
	.strategy = MMAPDEMO_STRATEGY_FAULT,
	.off = FAULT_OFF,
	.seed = FAULT_SEED,
};

FIXTURE_VARIANT_ADD(proof, defio)
{
	.strategy = MMAPDEMO_STRATEGY_DEFIO,
	.off = DEFIO_OFF,
	.seed = DEFIO_SEED,
};

FIXTURE_SETUP(proof)
{
	char magic[sizeof(PROOF_MAGIC)] = "";

	self->fd = -1;
	if (mmapdemo_find_bar(MMAPDEMO_IVSHMEM_VENDOR, MMAPDEMO_IVSHMEM_DEVICE,
			      self->path, sizeof(self->path), NULL, 0))
		MMAPDEMO_SETUP_SKIP(MMAPDEMO_BAR_HINT("ivshmem-plain"));
	mmapdemo_dev = self->path;
	/* The eager variant maps by fault where remap cannot map a BAR. */
	if (variant->strategy == MMAPDEMO_STRATEGY_REMAP &&
	    mmapdemo_remap_why(self->path)) {
		TH_LOG("%s: fault in its place", MMAPDEMO_NO_BAR_REMAP);
		self->fd = mmapdemo_open_strategy(O_RDWR,
						  MMAPDEMO_STRATEGY_FAULT);
	} else {
		self->fd = mmapdemo_open_strategy(O_RDWR, variant->strategy);
	}
	ASSERT_LE(0, self->fd);
	ASSERT_LE(PROOF_SIZE, mmapdemo_info(self->fd).size);
	/* read() goes through the kernel's mapping, not the user's. */
	ASSERT_EQ((ssize_t)sizeof(magic) - 1,
		  pread(self->fd, magic, sizeof(magic) - 1, 0));
	if (strcmp(magic, PROOF_MAGIC)) {
		close(self->fd);
		self->fd = -1;
		MMAPDEMO_SETUP_SKIP("the host did not prepare this BAR (scripts/bar-proof.sh)");
	}
}

FIXTURE_TEARDOWN(proof)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * The host's pattern is what the mapping shows; the guest's pattern
 * written through the mapping is left for the host to check.
 */
TEST_F(proof, host_pattern_in_guest_and_guest_pattern_to_host)
{
	char *m, *buf;
	long bad;

	m = mmap(NULL, PROOF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 0);
	ASSERT_NE(MAP_FAILED, m);
	bad = mmapdemo_check(m + HOST_OFF, PROOF_LEN, HOST_SEED);
	EXPECT_EQ(-1, bad) TH_LOG("host pattern broken at +%ld", bad);
	buf = malloc(PROOF_LEN);
	ASSERT_NE(NULL, buf);
	mmapdemo_fill(buf, PROOF_LEN, variant->seed);
	memcpy(m + variant->off, buf, PROOF_LEN);
	/*
	 * defio writes the shadow, which reaches the BAR by a flush: this
	 * one (defio_test shows that nothing reaches it before).
	 */
	if (variant->strategy == MMAPDEMO_STRATEGY_DEFIO)
		ASSERT_EQ(0, msync(m + variant->off, PROOF_LEN, MS_SYNC));
	/* And read back through the kernel's own mapping of the BAR. */
	memset(buf, 0, PROOF_LEN);
	ASSERT_EQ((ssize_t)PROOF_LEN,
		  pread(self->fd, buf, PROOF_LEN, variant->off));
	EXPECT_EQ(-1, mmapdemo_check(buf, PROOF_LEN, variant->seed));
	free(buf);
	ASSERT_EQ(0, munmap(m, PROOF_SIZE));
}

/* The host's side: fill the file before boot, check it after. */
static int host_fill(const char *file)
{
	char *buf = calloc(1, PROOF_SIZE);
	FILE *f = fopen(file, "w");
	size_t n;

	if (!buf || !f)
		return 2;
	memcpy(buf, PROOF_MAGIC, strlen(PROOF_MAGIC));
	mmapdemo_fill(buf + HOST_OFF, PROOF_LEN, HOST_SEED);
	n = fwrite(buf, 1, PROOF_SIZE, f);
	free(buf);
	return fclose(f) || n != PROOF_SIZE ? 2 : 0;
}

static int host_check(const char *file)
{
	static const struct {
		const char *name;
		unsigned long off;
		unsigned int seed;
	} checks[] = {
		{ "guest's write through remap (fault before 6.16) reached the host file",
		  REMAP_OFF, REMAP_SEED },
		{ "guest's write through fault reached the host file",
		  FAULT_OFF, FAULT_SEED },
		{ "guest's write through defio, flushed by msync, reached the host file",
		  DEFIO_OFF, DEFIO_SEED },
	};
	char *buf = malloc(PROOF_LEN);
	int fd = open(file, O_RDONLY), fails = 0;
	unsigned int i;
	long bad;

	printf("TAP version 13\n1..%zu\n", sizeof(checks) / sizeof(checks[0]));
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		bad = -2;
		if (buf && fd >= 0 &&
		    pread(fd, buf, PROOF_LEN, checks[i].off) ==
			    (ssize_t)PROOF_LEN)
			bad = mmapdemo_check(buf, PROOF_LEN, checks[i].seed);
		if (bad != -1) {
			printf("# %s: pattern broken at +%ld\n", file, bad);
			fails++;
		}
		printf("%sok %u %s\n", bad == -1 ? "" : "not ", i + 1,
		       checks[i].name);
	}
	free(buf);
	if (fd >= 0)
		close(fd);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--host-fill"))
		return host_fill(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--host-check"))
		return host_check(argv[2]);
	return test_harness_run(argc, argv);
}
