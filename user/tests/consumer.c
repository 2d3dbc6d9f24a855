// SPDX-License-Identifier: GPL-2.0
/*
 * A program that uses libmmapdemo the way an outside project would: only
 * the installed header and what pkg-config says.  scripts/install-test.sh
 * builds it against a "make install" tree, shared and static.
 */
#include <stdio.h>
#include <string.h>

#include <mmapdemo.h>

int main(void)
{
	struct mmapdemo_vma vma;
	int local = 0;

	/* A library call that needs no device: find our own stack's VMA. */
	if (mmapdemo_smaps_read(&local, &vma) || strcmp(vma.path, "[stack]"))
		return 1;
	printf("libmmapdemo %s, ABI %d, strategy %s\n", mmapdemo_version(),
	       MMAPDEMO_ABI_VERSION,
	       mmapdemo_strategy_name(MMAPDEMO_STRATEGY_INSERT));
	return 0;
}
