// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's speed, measured once at boot by the lab's /init: how many
 * times longer than on the reference machine a fixed piece of work takes
 * that goes through the kernel's mm as the tests do (forks, page faults on
 * fresh mappings, munmap, system calls), the median of three runs.  It
 * prints that factor, at least 1, with two decimals; /init exports it as
 * MMAPDEMO_SLOWDOWN, and the tests multiply their time limits by it
 * (mmapdemo_util.h).
 *
 * The reference, REF_NS, is about the fastest this work ran on Debian's
 * 6.12 under TCG on the lab's 2-core host (five times the work took 476
 * ms at best in 12 runs on a busy host, load average 8; their median was
 * 2.7 times that).  The work is small, so that the measurement costs a
 * fraction of a second on a fast guest: 5 s at a slowdown of 20.  A debug kernel
 * (KASAN, lockdep) or a busy host makes the same work slower, and the
 * limits grow with it; a faster machine keeps the limits as written.
 *
 * Usage: lab_speed [-v]   (-v: also the three times measured, on stderr)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REF_NS		90000000LL	/* see above */
#define FORKS		10
#define MAPS		100
#define MAP_PAGES	16
#define SYSCALLS	4000

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One round of the work; its time in ns, or -1. */
static long long work(void)
{
	long page = sysconf(_SC_PAGESIZE);
	long long start = now_ns();
	int i, j, status;
	char *p;
	pid_t pid;

	for (i = 0; i < FORKS; i++) {
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid)
			return -1;
	}
	for (i = 0; i < MAPS; i++) {
		p = mmap(NULL, MAP_PAGES * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		for (j = 0; j < MAP_PAGES; j++)
			p[j * page] = (char)j;
		munmap(p, MAP_PAGES * page);
	}
	for (i = 0; i < SYSCALLS; i++)
		getppid();
	return now_ns() - start;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long long t[3];
	double f;
	int i;

	for (i = 0; i < 3; i++) {
		t[i] = work();
		if (t[i] < 0) {
			perror("lab_speed");
			return 1;
		}
	}
	if (argc > 1 && !strcmp(argv[1], "-v"))
		fprintf(stderr, "lab_speed: %lld %lld %lld ms, reference %lld ms\n",
			t[0] / 1000000, t[1] / 1000000, t[2] / 1000000,
			REF_NS / 1000000);
	qsort(t, 3, sizeof(t[0]), cmp);
	f = (double)t[1] / REF_NS;
	printf("%.2f\n", f < 1 ? 1.0 : f);
	return 0;
}
