// SPDX-License-Identifier: GPL-2.0
/*
 * A check of the harness itself (sgtest.h), run on the host by `kernel-module/vm/run selftest`:
 * a test that crashes and one that hangs fail on their own, and an fd, a thread and a process
 * started by one test (the hanging one, and one that passes) do not reach the next. Needs no device. Expected result: "3 passed, 2 failed"; the host
 * compares the whole TAP output with that.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>

#include "sgtest.h"

#define LEAKED_FD	100

static int spawned[2];			/* a pipe: the pids of the processes tests leave behind */

/* A process that runs until killed; its pid goes to the pipe for t_clean. */
static int spawn(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid > 0 && write(spawned[1], &pid, sizeof(pid)) == sizeof(pid);
}

/* Gone: no such process, or a zombie waiting for init (it was killed). */
static int gone(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state == 'Z';
}

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
	CHECK(spawn(), "fork");
	sleep(3600);
	return TEST_PASS;
}

TEST_F(plain, t_leak, "a test may leak an fd and a running thread")
{
	pthread_t t;

	CHECK(dup2(open("/dev/null", O_RDONLY), LEAKED_FD) == LEAKED_FD, "open");
	CHECK(pthread_create(&t, NULL, forever, NULL) == 0, "thread");
	CHECK(spawn(), "fork");
	CHECK(threads() == 2, "%d threads", threads());
	return TEST_PASS;
}

TEST_F(plain, t_clean, "the next test starts without them")
{
	struct timespec start;
	pid_t pid;
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (read(spawned[0], &pid, sizeof(pid)) == sizeof(pid)) {
		n++;
		while (!gone(pid) && elapsed_ms(&start) < 500)
			usleep(1000);
		CHECK(gone(pid), "process %d left by a test still runs", (int)pid);
	}
	CHECK(n == 2, "%d processes were started (want 2)", n);
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
	if (pipe2(spawned, O_NONBLOCK))
		return 1;
	return sg_run_tests();
}
