// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: map /dev/mmapdemo and show what happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mmapdemo.h>

static int demo(void)
{
	const char msg[] = "hello through a shared mapping";
	struct mmapdemo_info info;
	char back[sizeof(msg)];
	char *m;
	int fd;

	fd = open("/dev/mmapdemo", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "mmapdemo: cannot open /dev/mmapdemo: %s\n"
			"hint: load the module (insmod mmapdemo.ko) or try 'make shell'\n",
			strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, MMAPDEMO_IOC_INFO, &info)) {
		perror("mmapdemo: MMAPDEMO_IOC_INFO");
		return 1;
	}
	printf("device: %llu bytes, ABI %u, strategy %u\n",
	       (unsigned long long)info.size, info.abi_version, info.strategy);
	m = mmap(NULL, info.page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmapdemo: mmap");
		return 1;
	}
	printf("mmap(NULL, %u, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0) = %p\n",
	       info.page_size, (void *)m);
	memcpy(m, msg, sizeof(msg));
	printf("wrote \"%s\" through the mapping\n", msg);
	if (pread(fd, back, sizeof(back), 0) != (ssize_t)sizeof(back)) {
		perror("mmapdemo: pread");
		return 1;
	}
	printf("pread() of the device returns \"%s\": %s\n", back,
	       memcmp(back, msg, sizeof(msg)) ? "DIFFERENT" : "the same bytes");
	munmap(m, info.page_size);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "demo"))
		return demo();
	fprintf(stderr, "usage: mmapdemo demo\n");
	return 2;
}
