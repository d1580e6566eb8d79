/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test harness of the driver's C tests, and the /dev/sysgenid helpers they share.
 *
 * Tests are written against a fixture, kselftest-style (our own small implementation):
 *
 *	FIXTURE(device) { int ctl; };
 *	FIXTURE_SETUP(device) { self->ctl = open(...); return self->ctl < 0 ? TEST_FAIL : TEST_PASS; }
 *	FIXTURE_TEARDOWN(device) { close(self->ctl); }
 *	TEST_F(device, t_name, "one sentence that says what the interface does") { CHECK(...); return TEST_PASS; }
 *	int main(void) { return sg_run_tests(); }
 *
 * sg_run_tests() runs every TEST_F in the order of the source, each in its own forked
 * process: setup, the test (if setup passed), teardown; the process's exit status is the
 * result, so a crash, a leaked fd, a helper thread left running or a signal handler cannot
 * reach the next test. A test still running after SGVM_TEST_TIMEOUT_S seconds (environment,
 * default 30) is killed and fails. Output: "TAP version 13", "1..N", one "ok"/"not ok" line
 * per test, "# ..." diagnostics, and a closing "N passed, N failed" (", N skipped").
 */
#ifndef SGTEST_H
#define SGTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../sysgenid.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SG_DEV		"/dev/sysgenid"
#define SG_SYSFS	"/sys/class/misc/sysgenid/"

enum { TEST_PASS = 0, TEST_FAIL = 1, TEST_SKIP = 2 };

static int tap_count, tap_passed, tap_failed, tap_skipped;

static inline void tap_plan(int n)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", n);
}

static inline void tap_result(int result, const char *desc, const char *why)
{
	tap_count++;
	switch (result) {
	case TEST_PASS:
		tap_passed++;
		printf("ok %d - %s\n", tap_count, desc);
		break;
	case TEST_SKIP:
		tap_skipped++;
		printf("ok %d - %s # SKIP %s\n", tap_count, desc,
		       why ? why : "");
		break;
	default:
		tap_failed++;
		printf("not ok %d - %s\n", tap_count, desc);
		break;
	}
}

static inline int tap_finish(void)
{
	printf("%d passed, %d failed", tap_passed, tap_failed);
	if (tap_skipped)
		printf(", %d skipped", tap_skipped);
	printf("\n");
	return tap_failed ? 1 : 0;
}

/* "# ..." diagnostic line */
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Fail the current test (return TEST_FAIL) when cond is false. */
#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		int e_ = errno;						\
		printf("# %s:%d: check failed: %s: ", __func__,		\
		       __LINE__, #cond);				\
		printf(__VA_ARGS__);					\
		printf(" (errno %d: %s)\n", e_, strerror(e_));		\
		return TEST_FAIL;					\
	}								\
} while (0)

static inline long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* ---- the runner: fixtures, one forked process per test, a timeout ---- */

struct sg_test {
	const char *name;
	int line;
	size_t size;				/* of the fixture's data */
	int (*setup)(void *self);
	void (*teardown)(void *self);
	int (*fn)(void *self);
	struct sg_test *next;
};

static struct sg_test *sg_tests __attribute__((unused));

#define FIXTURE(f) struct f
#define FIXTURE_SETUP(f)						\
	static int f##_setup(struct f *self __attribute__((unused)));	\
	static int f##_setup_any(void *self) { return f##_setup(self); }	\
	static int f##_setup(struct f *self __attribute__((unused)))
#define FIXTURE_TEARDOWN(f)						\
	static void f##_teardown(struct f *self __attribute__((unused)));	\
	static void f##_teardown_any(void *self) { f##_teardown(self); }	\
	static void f##_teardown(struct f *self __attribute__((unused)))
#define TEST_F(f, id, desc)						\
	static int id(struct f *self __attribute__((unused)));		\
	static int id##_any(void *self) { return id(self); }		\
	static struct sg_test id##_test = {				\
		desc, __LINE__, sizeof(struct f), f##_setup_any,	\
		f##_teardown_any, id##_any, NULL };			\
	__attribute__((constructor)) static void id##_register(void)	\
	{ id##_test.next = sg_tests; sg_tests = &id##_test; }		\
	static int id(struct f *self __attribute__((unused)))

/* One test in a child process: its result, TEST_FAIL on a crash or a timeout. */
static inline int sg_run_one(const struct sg_test *t, int timeout_s)
{
	struct timespec start;
	int status, r;
	void *self;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		diag("fork: %s", strerror(errno));
		return TEST_FAIL;
	}
	if (pid == 0) {
		self = calloc(1, t->size ? t->size : 1);
		r = self ? t->setup(self) : TEST_FAIL;
		if (r == TEST_PASS)
			r = t->fn(self);
		else
			diag("setup failed");
		if (self)
			t->teardown(self);
		fflush(stdout);
		_exit(r);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
		if (elapsed_ms(&start) > timeout_s * 1000L) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			diag("timeout: killed after %d s", timeout_s);
			return TEST_FAIL;
		}
		usleep(10 * 1000);
	}
	if (r != pid)
		return TEST_FAIL;
	if (WIFSIGNALED(status)) {
		diag("killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
		return TEST_FAIL;
	}
	r = WEXITSTATUS(status);
	return r == TEST_PASS || r == TEST_SKIP ? r : TEST_FAIL;
}

static inline int sg_run_tests(void)
{
	const char *env = getenv("SGVM_TEST_TIMEOUT_S");
	int timeout_s = env && atoi(env) > 0 ? atoi(env) : 30;
	struct sg_test *t, *first;
	int n = 0, line = 0, r;

	for (t = sg_tests; t; t = t->next)
		n++;
	tap_plan(n);
	while (n--) {				/* in the order of the source */
		first = NULL;
		for (t = sg_tests; t; t = t->next)
			if (t->line > line && (!first || t->line < first->line))
				first = t;
		line = first->line;
		r = sg_run_one(first, timeout_s);
		tap_result(r, first->name, r == TEST_SKIP ? "see the diagnostics" : NULL);
	}
	return tap_finish();
}


/*
 * A sysfs attribute of the device: one decimal number and a newline.
 * Returns the number, or -1 (with a diagnostic) on error or bad format.
 */
static inline long long sg_sysfs(const char *name)
{
	char path[128], buf[64];
	unsigned long long v;
	ssize_t n;
	char *end;
	int fd;

	snprintf(path, sizeof(path), SG_SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		diag("open %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 2 || buf[n - 1] != '\n') {
		diag("%s: bad content", path);
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end != buf + n - 1 || buf[0] < '0' || buf[0] > '9' ||
	    v > UINT32_MAX) {
		diag("%s: bad number '%s'", path, buf);
		return -1;
	}
	return (long long)v;
}

static inline uint32_t sg_gen(void)
{
	return (uint32_t)sg_sysfs("generation");
}

/* The driver's rule: max(min, cur + 1) unsigned, and never cur itself. */
static inline uint32_t sg_next_gen(uint32_t cur, uint32_t min)
{
	uint32_t next = cur + 1;

	return (min > next && min != cur) ? min : next;
}

static inline int sg_trigger_fd(int fd, unsigned long min)
{
	return ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, min);
}

static inline int sg_track(int fd, unsigned long on)
{
	return ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, on);
}

static inline int sg_wait(int fd, unsigned long timeout_ms)
{
	return ioctl(fd, SYSGENID_WAIT_WATCHERS, timeout_ms);
}

static inline ssize_t sg_read(int fd, uint32_t *gen)
{
	return read(fd, gen, sizeof(*gen));
}

static inline ssize_t sg_write(int fd, uint32_t gen)
{
	return write(fd, &gen, sizeof(gen));
}

#endif /* SGTEST_H */
