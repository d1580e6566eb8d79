// SPDX-License-Identifier: GPL-2.0
/*
 * A check of the harness itself (sgtest.h), run on the host by `kernel-module/vm/run selftest`:
 * a test that crashes and one that hangs fail on their own, and an fd and a thread leaked by one
 * test do not reach the next. Needs no device. Expected result: "3 passed, 2 failed"; the host
 * compares the whole TAP output with that.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>

#include "sgtest.h"

#define LEAKED_FD	100

static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void *forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

FIXTURE(plain) {
	int unused;
};

FIXTURE_SETUP(plain)
{
	return TEST_PASS;
}

FIXTURE_TEARDOWN(plain)
{
}

TEST_F(plain, t_crash, "a test killed by SIGSEGV fails (expected: not ok)")
{
	raise(SIGSEGV);
	return TEST_PASS;
}

TEST_F(plain, t_hang, "a test that hangs is killed at the timeout and fails (expected: not ok)")
{
	sleep(3600);
	return TEST_PASS;
}

TEST_F(plain, t_leak, "a test may leak an fd and a running thread")
{
	pthread_t t;

	CHECK(dup2(open("/dev/null", O_RDONLY), LEAKED_FD) == LEAKED_FD, "open");
	CHECK(pthread_create(&t, NULL, forever, NULL) == 0, "thread");
	CHECK(threads() == 2, "%d threads", threads());
	return TEST_PASS;
}

TEST_F(plain, t_clean, "the next test starts without them")
{
	CHECK(fcntl(LEAKED_FD, F_GETFD) == -1 && errno == EBADF, "fd %d still open", LEAKED_FD);
	CHECK(threads() == 1, "%d threads", threads());
	return TEST_PASS;
}

TEST_F(plain, t_pass, "a passing test after all that passes")
{
	return TEST_PASS;
}

int main(void)
{
	return sg_run_tests();
}
