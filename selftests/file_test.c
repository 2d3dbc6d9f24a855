// SPDX-License-Identifier: GPL-2.0
/*
 * read(), write(), pread(), pwrite() and lseek() on /dev/mmapdemo: the "old
 * way" on the same device memory that the mappings show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

FIXTURE(file)
{
	int fd;
	off_t size;
};

FIXTURE_SETUP(file)
{
	self->fd = open(MMAPDEMO_DEV, O_RDWR);
	if (self->fd < 0)
		MMAPDEMO_SETUP_SKIP(MMAPDEMO_HINT);
	self->size = (off_t)mmapdemo_info(self->fd).size;
}

FIXTURE_TEARDOWN(file)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(file, seek_end_is_the_size)
{
	EXPECT_EQ(self->size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(self->size - 10, lseek(self->fd, -10, SEEK_END));
	EXPECT_EQ(5, lseek(self->fd, 5, SEEK_SET));
	EXPECT_EQ(8, lseek(self->fd, 3, SEEK_CUR));
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(file, write_then_read_back)
{
	char in[100], out[100];

	mmapdemo_fill(in, sizeof(in), 42);
	ASSERT_EQ(100, lseek(self->fd, 100, SEEK_SET));
	ASSERT_EQ((ssize_t)sizeof(in), write(self->fd, in, sizeof(in)));
	EXPECT_EQ(200, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ((ssize_t)sizeof(out), pread(self->fd, out, sizeof(out), 100));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	/* pread and pwrite leave the file position alone. */
	EXPECT_EQ(200, lseek(self->fd, 0, SEEK_CUR));
}

TEST_F(file, read_at_end_returns_zero)
{
	char buf[16];

	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), self->size));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), self->size + 4096));
	EXPECT_EQ(4, pread(self->fd, buf, sizeof(buf), self->size - 4));
}

TEST_F(file, write_past_end_is_cut_then_enospc)
{
	char buf[16] = "0123456789abcdef", back[16];

	EXPECT_EQ(4, pwrite(self->fd, buf, sizeof(buf), self->size - 4));
	ASSERT_EQ(4, pread(self->fd, back, 4, self->size - 4));
	EXPECT_EQ(0, memcmp(buf, back, 4));
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), self->size));
	EXPECT_EQ(ENOSPC, errno);
	/* An empty write anywhere is fine. */
	EXPECT_EQ(0, pwrite(self->fd, buf, 0, self->size));
}

TEST_F(file, bad_buffers_are_efault)
{
	/* volatile: the compiler must not see the NULL and complain. */
	void *volatile null = NULL;

	EXPECT_EQ(-1, pread(self->fd, null, 16, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, null, 16, 0));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(file, rdonly_file_cannot_write)
{
	int ro = open(MMAPDEMO_DEV, O_RDONLY);

	ASSERT_GE(ro, 0);
	EXPECT_EQ(-1, pwrite(ro, "x", 1, 0));
	EXPECT_EQ(EBADF, errno);
	close(ro);
}

TEST(device_node_is_root_only)
{
	struct stat st;

	if (stat(MMAPDEMO_DEV, &st))
		SKIP(return, MMAPDEMO_HINT);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 0777);
	EXPECT_EQ(0U, st.st_uid);
}

TEST(unprivileged_user_cannot_open)
{
	int status;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to drop to an unprivileged user");
	if (access(MMAPDEMO_DEV, F_OK))
		SKIP(return, MMAPDEMO_HINT);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (mmapdemo_become_nobody())
			_exit(2);
		_exit(open(MMAPDEMO_DEV, O_RDONLY) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

MMAPDEMO_HARNESS_MAIN
