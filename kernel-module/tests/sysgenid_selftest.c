// SPDX-License-Identifier: GPL-2.0
/*
 * Functional self-test of /dev/sysgenid, one TAP line per behaviour of the
 * interface. Runs as root with the module loaded; it does not depend on the
 * counter's starting value. Each test runs in its own process (sgtest.h), so
 * a failing test's fds and helper threads cannot disturb the next.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "sgtest.h"

#define DELAY_MS	300	/* helper threads act after this */
#define WATCHDOG_MS	10000	/* an "infinite" wait that hangs fails */

static int ctl_fd = -1;		/* untracked fd used to trigger */
static long PAGE;		/* sysconf(_SC_PAGESIZE), set in main() */
static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void arm_ms(long ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm(void)
{
	arm_ms(0);
}

/* ---- helper threads that act on the device after a delay ---- */

enum later_op { LATER_TRIGGER, LATER_ACK, LATER_CLOSE, LATER_UNTRACK };

struct later {
	enum later_op op;
	int fd;
	int ret;
	int err;
};

#define MAX_THREADS	4

static struct later laters[MAX_THREADS];
static pthread_t test_threads[MAX_THREADS];
static int n_threads;

static void *later_main(void *arg)
{
	struct later *l = arg;
	uint32_t gen;

	usleep(DELAY_MS * 1000);
	switch (l->op) {
	case LATER_TRIGGER:
		l->ret = sg_trigger_fd(ctl_fd, 0);
		break;
	case LATER_ACK:
		l->ret = sg_read(l->fd, &gen) == 4 &&
			 sg_write(l->fd, gen) == 4 ? 0 : -1;
		break;
	case LATER_CLOSE:
		l->ret = close(l->fd);
		break;
	case LATER_UNTRACK:
		l->ret = sg_track(l->fd, 0);
		break;
	}
	l->err = errno;
	return NULL;
}

/* Start a helper; SIGALRM stays with the main thread. */
static int later(enum later_op op, int fd)
{
	sigset_t block, old;
	struct later *l;
	int ret;

	if (n_threads == MAX_THREADS)
		return -1;
	l = &laters[n_threads];
	*l = (struct later){ .op = op, .fd = fd };
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	ret = pthread_create(&test_threads[n_threads], NULL, later_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -1;
	n_threads++;
	return 0;
}

static int join_laters(void)
{
	int i, bad = 0;

	for (i = 0; i < n_threads; i++) {
		pthread_join(test_threads[i], NULL);
		if (laters[i].ret) {
			diag("helper %d (op %d) failed: %s", i, laters[i].op,
			     strerror(laters[i].err));
			bad = 1;
		}
	}
	n_threads = 0;
	return bad;
}

/* ---- small helpers ---- */

static int trigger(uint32_t min)
{
	return sg_trigger_fd(ctl_fd, min);
}

/* Trigger and check that the counter took the value the rule gives. */
static int trigger_expect(unsigned long arg, uint32_t *out)
{
	uint32_t before = sg_gen(), want, after;

	want = sg_next_gen(before, (uint32_t)arg);
	if (sg_trigger_fd(ctl_fd, arg)) {
		diag("TRIGGER(0x%lx) at 0x%x: %s", arg, before, strerror(errno));
		return -1;
	}
	after = sg_gen();
	if (after != want) {
		diag("TRIGGER(0x%lx) at 0x%x gave 0x%x, want 0x%x", arg,
		     before, after, want);
		return -1;
	}
	if (out)
		*out = after;
	return 0;
}

/* Bring the counter to exactly target (at most three triggers). */
static int go_to(uint32_t target)
{
	int i;

	for (i = 0; i < 4; i++) {
		uint32_t cur = sg_gen();

		if (cur == target)
			return 0;
		if (trigger(target > cur ? target : UINT32_MAX))
			return -1;
	}
	diag("cannot bring the counter to 0x%x", target);
	return -1;
}

static int is_eagain(ssize_t r)
{
	return r == -1 && errno == EAGAIN;
}

static long long outdated(void)
{
	return sg_sysfs("outdated_watchers");
}

static long long tracked(void)
{
	return sg_sysfs("tracked_watchers");
}

/* ---- the fixture: every test, in its own process, starts from here ---- */

FIXTURE(device) {
	int ctl;		/* untracked fd used to trigger (helpers: ctl_fd) */
};

FIXTURE_SETUP(device)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	self->ctl = ctl_fd = open(SG_DEV, O_RDWR);
	return self->ctl < 0 ? TEST_FAIL : TEST_PASS;
}

/* Helper threads are joined (and their failures reported) before the process ends. */
FIXTURE_TEARDOWN(device)
{
	disarm();
	join_laters();
	if (self->ctl >= 0)
		close(self->ctl);
}

/* ---- tests ---- */

TEST_F(device, t_open_remembers,
       "open: a new fd remembers the current generation")
{
	uint32_t g0, g1, v;
	struct stat st;
	int a, b;

	CHECK(stat(SG_DEV, &st) == 0 && S_ISCHR(st.st_mode) &&
	      major(st.st_rdev) == 10, "not a misc char device");
	g0 = sg_gen();
	a = open(SG_DEV, O_RDONLY | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(is_eagain(sg_read(a, &v)), "new fd must be up to date");
	CHECK(trigger_expect(0, &g1) == 0, "trigger");
	b = open(SG_DEV, O_RDONLY | O_NONBLOCK);
	CHECK(b >= 0, "open");
	CHECK(is_eagain(sg_read(b, &v)), "fd opened after the bump is current");
	CHECK(sg_read(a, &v) == 4 && v == g1, "old fd sees %u (from %u)", g1, g0);
	return TEST_PASS;
}

TEST_F(device, t_read_small,
       "read: buffer under 4 bytes fails with EINVAL")
{
	char buf[4];
	int a, b, n;

	a = open(SG_DEV, O_RDONLY);		/* blocking, up to date */
	b = open(SG_DEV, O_RDONLY | O_NONBLOCK);
	CHECK(a >= 0 && b >= 0, "open");
	arm_ms(WATCHDOG_MS);
	for (n = 1; n < 4; n++)
		CHECK(read(a, buf, n) == -1 && errno == EINVAL, "read(%d)", n);
	disarm();
	CHECK(trigger(0) == 0, "trigger");
	for (n = 1; n < 4; n++)
		CHECK(read(b, buf, n) == -1 && errno == EINVAL,
		      "outdated read(%d)", n);
	return TEST_PASS;
}

TEST_F(device, t_read_zero,
       "read: 0 bytes returns 0")
{
	char buf[4];
	int a;

	a = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0, "open");
	arm_ms(WATCHDOG_MS);
	CHECK(read(a, buf, 0) == 0, "0-byte read on an up-to-date fd");
	disarm();
	CHECK(trigger(0) == 0, "trigger");
	CHECK(read(a, buf, 0) == 0, "0-byte read on an outdated fd");
	return TEST_PASS;
}

TEST_F(device, t_read_nonblock,
       "read: up to date with O_NONBLOCK fails with EAGAIN")
{
	uint32_t v;
	int a;

	a = open(SG_DEV, O_RDONLY | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(is_eagain(sg_read(a, &v)), "first read");
	CHECK(is_eagain(sg_read(a, &v)), "second read");
	return TEST_PASS;
}

TEST_F(device, t_read_blocks,
       "read: blocks until a trigger from another thread")
{
	struct timespec t0;
	uint32_t v;
	ssize_t r;
	long ms;
	int a;

	a = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0, "open");
	CHECK(later(LATER_TRIGGER, -1) == 0, "thread");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	arm_ms(WATCHDOG_MS);
	r = sg_read(a, &v);
	disarm();
	ms = elapsed_ms(&t0);
	CHECK(r == 4, "blocking read returned %zd", r);
	CHECK(v == sg_gen(), "read %u, counter %u", v, sg_gen());
	CHECK(ms >= DELAY_MS / 2, "read returned after %ld ms only", ms);
	return TEST_PASS;
}

TEST_F(device, t_read_signal,
       "read: a signal interrupts it with EINTR")
{
	uint32_t v;
	ssize_t r;
	int a, before = alarms;

	a = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0, "open");
	arm_ms(DELAY_MS);
	r = sg_read(a, &v);
	disarm();
	CHECK(r == -1 && errno == EINTR, "read returned %zd", r);
	CHECK(alarms > before, "no SIGALRM seen");
	return TEST_PASS;
}

TEST_F(device, t_read_outdated_repeats,
       "read: outdated returns the current counter every time")
{
	uint32_t g, v, big[4];
	int a, b, i;

	a = open(SG_DEV, O_RDONLY | O_NONBLOCK);
	b = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0 && b >= 0, "open");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	for (i = 0; i < 3; i++)
		CHECK(sg_read(a, &v) == 4 && v == g, "read %d: %u != %u", i,
		      v, g);
	arm_ms(WATCHDOG_MS);
	CHECK(sg_read(b, &v) == 4 && v == g, "blocking fd returns at once");
	CHECK(read(b, big, sizeof(big)) == 4 && big[0] == g,
	      "larger buffer: 4 bytes");
	disarm();
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	CHECK(sg_read(a, &v) == 4 && v == g, "after a 2nd bump: %u", v);
	return TEST_PASS;
}

TEST_F(device, t_write_size,
       "write: not 4 bytes fails with ENOBUFS")
{
	char buf[8] = { 0 };
	uint32_t g, v;
	int a, i;
	const int sizes[] = { 1, 3, 5, 8 };

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	memcpy(buf, &g, sizeof(g));
	for (i = 0; i < 4; i++)
		CHECK(write(a, buf, sizes[i]) == -1 && errno == ENOBUFS,
		      "write(%d)", sizes[i]);
	CHECK(sg_read(a, &v) == 4 && v == g, "still outdated");
	return TEST_PASS;
}

TEST_F(device, t_write_stale,
       "write: a stale value fails with EINVAL")
{
	uint32_t g1, g2, v;
	int a;

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(trigger_expect(0, &g1) == 0, "trigger");
	CHECK(trigger_expect(0, &g2) == 0, "trigger");
	CHECK(sg_write(a, g1) == -1 && errno == EINVAL, "stale %u", g1);
	CHECK(sg_write(a, g2 + 1) == -1 && errno == EINVAL, "future %u", g2 + 1);
	CHECK(sg_read(a, &v) == 4 && v == g2, "still outdated, reads %u", g2);
	return TEST_PASS;
}

TEST_F(device, t_write_ack,
       "write: the current value acknowledges")
{
	uint32_t g, v;
	int a;

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	CHECK(sg_read(a, &v) == 4 && v == g, "read");
	CHECK(sg_write(a, g) == 4, "ack %u", g);
	CHECK(is_eagain(sg_read(a, &v)), "up to date after ack");
	CHECK(sg_write(a, g) == 4, "acking again is harmless");
	CHECK(is_eagain(sg_read(a, &v)), "still up to date");
	return TEST_PASS;
}

TEST_F(device, t_poll,
       "poll/epoll: readable while outdated, not after the ack")
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct pollfd p;
	uint32_t g;
	int a, ep, i;

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	ep = epoll_create1(0);
	CHECK(a >= 0 && ep >= 0, "open");
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) == 0, "epoll_ctl");
	p = (struct pollfd){ .fd = a, .events = POLLIN | POLLRDNORM };
	CHECK(poll(&p, 1, 0) == 0, "up to date: not readable");
	CHECK(epoll_wait(ep, &out, 1, 0) == 0, "epoll: not readable");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	for (i = 0; i < 2; i++) {
		CHECK(poll(&p, 1, 0) == 1 &&
		      p.revents == (POLLIN | POLLRDNORM), "revents 0x%x",
		      p.revents);
		CHECK(epoll_wait(ep, &out, 1, 0) == 1 &&
		      (out.events & EPOLLIN), "epoll level-triggered");
	}
	CHECK(sg_write(a, g) == 4, "ack");
	CHECK(poll(&p, 1, 0) == 0, "not readable after ack");
	CHECK(epoll_wait(ep, &out, 1, 0) == 0, "epoll: not after ack");
	close(ep);
	return TEST_PASS;
}

TEST_F(device, t_poll_wakes,
       "poll: a trigger wakes a blocked poll")
{
	struct timespec t0;
	struct pollfd p;
	long ms;
	int a, r;

	a = open(SG_DEV, O_RDONLY | O_NONBLOCK);
	CHECK(a >= 0, "open");
	p = (struct pollfd){ .fd = a, .events = POLLIN };
	CHECK(later(LATER_TRIGGER, -1) == 0, "thread");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = poll(&p, 1, WATCHDOG_MS);
	ms = elapsed_ms(&t0);
	CHECK(r == 1 && (p.revents & POLLIN), "poll %d revents 0x%x", r,
	      p.revents);
	CHECK(ms >= DELAY_MS / 2 && ms < WATCHDOG_MS, "woke after %ld ms", ms);
	return TEST_PASS;
}

TEST_F(device, t_tracking,
       "SET_WATCHER_TRACKING: on/off, idempotent, counted in sysfs")
{
	long long t0 = tracked(), o0 = outdated();
	int a;

	a = open(SG_DEV, O_RDWR);
	CHECK(a >= 0, "open");
	CHECK(sg_track(a, 1) == 0 && tracked() == t0 + 1, "track");
	CHECK(sg_track(a, 7) == 0 && tracked() == t0 + 1, "track twice");
	CHECK(outdated() == o0, "an up-to-date fd is not outdated");
	CHECK(sg_track(a, 0) == 0 && tracked() == t0, "untrack");
	CHECK(sg_track(a, 0) == 0 && tracked() == t0, "untrack twice");
	CHECK(sg_track(a, 1) == 0 && tracked() == t0 + 1, "track again");
	close(a);
	CHECK(tracked() == t0, "close drops the count");
	return TEST_PASS;
}

TEST_F(device, t_bump_outdates_all,
       "bump: every open fd is outdated, tracked ones counted")
{
	int fds[3], i;
	uint32_t g, v;

	for (i = 0; i < 3; i++) {
		fds[i] = open(SG_DEV, i ? O_RDONLY | O_NONBLOCK : O_RDWR | O_NONBLOCK);
		CHECK(fds[i] >= 0, "open");
	}
	CHECK(sg_track(fds[0], 1) == 0, "track");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	for (i = 0; i < 3; i++)
		CHECK(sg_read(fds[i], &v) == 4 && v == g, "fd %d", i);
	CHECK(outdated() == tracked(), "every tracked watcher is outdated");
	return TEST_PASS;
}

TEST_F(device, t_wait_none,
       "WAIT_WATCHERS: returns at once with no outdated watcher")
{
	struct timespec t0;
	int a, r;

	CHECK(outdated() == 0, "a tracked watcher is outdated already");
	a = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0, "open");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	arm_ms(WATCHDOG_MS);
	r = sg_wait(a, 0);
	disarm();
	CHECK(r == 0, "WAIT_WATCHERS(0) = %d", r);
	CHECK(sg_wait(a, 5000) == 0, "WAIT_WATCHERS(5000)");
	CHECK(elapsed_ms(&t0) < 2000, "took %ld ms", elapsed_ms(&t0));
	return TEST_PASS;
}

TEST_F(device, t_wait_timeout,
       "WAIT_WATCHERS: fails with ETIME on timeout")
{
	struct timespec t0;
	int a, b, r;
	long ms;

	a = open(SG_DEV, O_RDWR);
	CHECK(a >= 0 && sg_track(a, 1) == 0, "open + track");
	CHECK(trigger(0) == 0, "trigger");
	b = open(SG_DEV, O_RDONLY);
	CHECK(b >= 0, "open");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = sg_wait(b, DELAY_MS);
	ms = elapsed_ms(&t0);
	CHECK(r == -1 && errno == ETIME, "WAIT_WATCHERS = %d", r);
	CHECK(ms >= DELAY_MS - 20 && ms < WATCHDOG_MS, "after %ld ms", ms);
	return TEST_PASS;
}

/* A waiter blocked by one tracked outdated fd a, released by op on a. */
static int wait_released_by(enum later_op op)
{
	long long o0 = outdated();
	struct timespec t0;
	int a, b, r;
	long ms;

	a = open(SG_DEV, O_RDWR);
	CHECK(a >= 0 && sg_track(a, 1) == 0, "open + track");
	CHECK(trigger(0) == 0, "trigger");
	CHECK(outdated() == o0 + 1, "outdated count %lld", outdated());
	b = open(SG_DEV, O_RDONLY);
	CHECK(b >= 0, "open");
	CHECK(later(op, a) == 0, "thread");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	arm_ms(WATCHDOG_MS);
	r = sg_wait(b, 0);
	disarm();
	ms = elapsed_ms(&t0);
	CHECK(r == 0, "WAIT_WATCHERS = %d", r);
	CHECK(ms >= DELAY_MS / 2, "returned after %ld ms only", ms);
	CHECK(join_laters() == 0, "helper");
	CHECK(outdated() == o0, "outdated count back to %lld", o0);
	return TEST_PASS;
}

TEST_F(device, t_wait_released_by_ack,
       "WAIT_WATCHERS: released when the watcher acknowledges")
{
	return wait_released_by(LATER_ACK);
}

TEST_F(device, t_wait_released_by_close,
       "WAIT_WATCHERS: released when the outdated tracked fd closes")
{
	return wait_released_by(LATER_CLOSE);
}

TEST_F(device, t_wait_released_by_untrack,
       "WAIT_WATCHERS: released when the outdated fd stops tracking")
{
	return wait_released_by(LATER_UNTRACK);
}

TEST_F(device, t_wait_own_outdated,
       "WAIT_WATCHERS: EINTR when the caller's fd is outdated")
{
	struct timespec t0;
	int a, u;

	a = open(SG_DEV, O_RDWR);
	u = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0 && u >= 0 && sg_track(a, 1) == 0, "open + track");
	CHECK(trigger(0) == 0, "trigger");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(sg_wait(a, 5000) == -1 && errno == EINTR, "tracked, outdated");
	CHECK(sg_wait(u, 5000) == -1 && errno == EINTR, "untracked, outdated");
	CHECK(sg_wait(u, 0) == -1 && errno == EINTR, "no timeout");
	CHECK(elapsed_ms(&t0) < 2000, "took %ld ms", elapsed_ms(&t0));
	return TEST_PASS;
}

TEST_F(device, t_wait_becomes_outdated,
       "WAIT_WATCHERS: EINTR when the caller's fd becomes outdated")
{
	struct timespec t0;
	int x, b, r;
	long ms;

	x = open(SG_DEV, O_RDWR);
	CHECK(x >= 0 && sg_track(x, 1) == 0, "open + track");
	CHECK(trigger(0) == 0, "trigger");
	b = open(SG_DEV, O_RDONLY);
	CHECK(b >= 0, "open");
	CHECK(later(LATER_TRIGGER, -1) == 0, "thread");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = sg_wait(b, WATCHDOG_MS);
	ms = elapsed_ms(&t0);
	CHECK(r == -1 && errno == EINTR, "WAIT_WATCHERS = %d", r);
	CHECK(ms >= DELAY_MS / 2 && ms < WATCHDOG_MS - 1000, "after %ld ms", ms);
	return TEST_PASS;
}

TEST_F(device, t_wait_signal,
       "WAIT_WATCHERS: a signal interrupts it with EINTR")
{
	int x, b, r, before = alarms;

	x = open(SG_DEV, O_RDWR);
	CHECK(x >= 0 && sg_track(x, 1) == 0, "open + track");
	CHECK(trigger(0) == 0, "trigger");
	b = open(SG_DEV, O_RDONLY);
	CHECK(b >= 0, "open");
	arm_ms(DELAY_MS);
	r = sg_wait(b, 0);
	disarm();
	CHECK(r == -1 && errno == EINTR, "WAIT_WATCHERS = %d", r);
	CHECK(alarms > before, "no SIGALRM seen");
	return TEST_PASS;
}

TEST_F(device, t_track_outdated_counts,
       "tracking an already outdated fd counts it at once")
{
	long long o0 = outdated(), t0 = tracked();
	uint32_t g;
	int a, b;

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	CHECK(outdated() == o0, "untracked: not counted");
	b = open(SG_DEV, O_RDONLY);
	CHECK(b >= 0 && sg_wait(b, 1000) == 0, "nothing to wait for");
	CHECK(sg_track(a, 1) == 0, "track");
	CHECK(tracked() == t0 + 1 && outdated() == o0 + 1,
	      "counted at once: tracked %lld outdated %lld", tracked(),
	      outdated());
	CHECK(sg_wait(b, 200) == -1 && errno == ETIME, "waiter must wait");
	CHECK(sg_write(a, g) == 4 && outdated() == o0, "ack");
	CHECK(sg_wait(b, 1000) == 0, "released");
	CHECK(sg_track(a, 0) == 0 && tracked() == t0, "untrack");
	return TEST_PASS;
}

/* Spec examples: current 5, min 8 gives 8; current 5, min 3 gives 6. */
TEST_F(device, t_trigger_min,
       "TRIGGER: new = max(min, current + 1)")
{
	uint32_t g, v;
	int a;

	a = open(SG_DEV, O_RDONLY | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(go_to(5) == 0 && sg_gen() == 5, "counter at 5");
	CHECK(trigger_expect(8, &g) == 0 && g == 8, "5, min 8 -> %u", g);
	CHECK(sg_read(a, &v) == 4 && v == 8, "fd sees %u", v);
	CHECK(go_to(5) == 0, "counter at 5");
	CHECK(trigger_expect(3, &g) == 0 && g == 6, "5, min 3 -> %u", g);
	CHECK(trigger_expect(6, &g) == 0 && g == 7, "6, min 6 -> %u", g);
	CHECK(trigger_expect(8, &g) == 0 && g == 8, "7, min 8 -> %u", g);
	CHECK(trigger_expect(0, &g) == 0 && g == 9, "8, min 0 -> %u", g);
	CHECK(sg_read(a, &v) == 4 && v == 9, "fd sees %u", v);
	return TEST_PASS;
}

TEST_F(device, t_trigger_wrap,
       "TRIGGER: min read as u32, counter always moves, wraps to 0")
{
	uint32_t g, v;
	int a;

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(go_to(0x7fffffff) == 0, "counter at 0x7fffffff");
	CHECK(sg_read(a, &v) == 4 && sg_write(a, v) == 4, "ack");
	CHECK(trigger_expect(0, &g) == 0 && g == 0x80000000u, "-> 0x%x", g);
	CHECK(sg_read(a, &v) == 4 && v == g && sg_write(a, v) == 4,
	      "fd sees 0x%x", v);
	CHECK(go_to(5) == 0, "counter at 5");
	CHECK(trigger_expect(0xffffffffUL, &g) == 0 && g == 0xffffffffu,
	      "min 0xffffffff is unsigned: -> 0x%x", g);
	CHECK(go_to(0xfffffffe) == 0, "counter at 0xfffffffe");
	CHECK(trigger_expect(0, &g) == 0 && g == 0xffffffffu, "-> 0x%x", g);
	CHECK(sg_read(a, &v) == 4 && sg_write(a, v) == 4, "ack");
	CHECK(trigger_expect(0, &g) == 0 && g == 0, "wraps to 0: 0x%x", g);
	CHECK(sg_read(a, &v) == 4 && v == 0 && sg_write(a, v) == 4,
	      "fd sees the wrap");
	CHECK(go_to(0xffffffff) == 0, "counter at 0xffffffff");
	CHECK(trigger_expect(0xffffffffUL, &g) == 0 && g == 0,
	      "0xffffffff, min 0xffffffff still moves: 0x%x", g);
	CHECK(go_to(0xffffffff) == 0, "counter at 0xffffffff");
	CHECK(trigger_expect(7, &g) == 0 && g == 7, "0xffffffff, min 7 -> %u", g);
	if (sizeof(unsigned long) == 8) {
		CHECK(go_to(5) == 0, "counter at 5");
		CHECK(trigger_expect((unsigned long)(1ULL << 32 | 10), &g) == 0
		      && g == 10, "min read as its low 32 bits: %u", g);
	}
	return TEST_PASS;
}

TEST_F(device, t_unknown_ioctl,
       "unknown ioctl fails with EINVAL")
{
	const unsigned long cmds[] = {
		_IO(SYSGENID_IOCTL, 0), _IO(SYSGENID_IOCTL, 4),
		_IO(SYSGENID_IOCTL, 0xff), _IO(0xE5, 1),
		_IOW(SYSGENID_IOCTL, 1, int), _IOR(SYSGENID_IOCTL, 3, int), 0,
	};
	uint32_t g = sg_gen();
	unsigned int i;
	int a;

	a = open(SG_DEV, O_RDWR);
	CHECK(a >= 0, "open");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		CHECK(ioctl(a, cmds[i], 0) == -1 && errno == EINVAL,
		      "cmd 0x%lx", cmds[i]);
	CHECK(sg_gen() == g, "counter moved");
	return TEST_PASS;
}

static int capset_only(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = { 0 };

	if (cap >= 0) {
		d[cap / 32].effective = 1u << (cap % 32);
		d[cap / 32].permitted = 1u << (cap % 32);
	}
	return syscall(SYS_capset, &h, d);
}

static int drop_to_nobody(int keep_caps)
{
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -1;
	return 0;
}

/* Run fn in a child process; its exit status is the result. */
static int in_child(int (*fn)(int fd))
{
	int status, fd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return TEST_FAIL;
	if (pid == 0) {
		fd = open(SG_DEV, O_RDWR);
		_exit(fd < 0 ? TEST_FAIL : fn(fd));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return TEST_FAIL;
	return WEXITSTATUS(status);
}

static int child_nobody(int fd)
{
	CHECK(drop_to_nobody(0) == 0, "setuid");
	CHECK(geteuid() == 65534, "euid");
	CHECK(sg_trigger_fd(fd, 0) == -1 && errno == EACCES, "TRIGGER");
	return TEST_PASS;
}

static int child_cap_only(int fd)
{
	CHECK(drop_to_nobody(1) == 0, "setuid");
	CHECK(capset_only(CAP_CHECKPOINT_RESTORE) == 0, "capset");
	CHECK(sg_trigger_fd(fd, 0) == 0, "TRIGGER with CAP_CHECKPOINT_RESTORE");
	CHECK(capset_only(CAP_SYS_ADMIN) == -1, "cannot regain a dropped cap");
	CHECK(capset_only(-1) == 0, "drop all");
	CHECK(sg_trigger_fd(fd, 0) == -1 && errno == EACCES, "TRIGGER, no cap");
	return TEST_PASS;
}

static int child_sys_admin_only(int fd)
{
	CHECK(drop_to_nobody(1) == 0, "setuid");
	CHECK(capset_only(CAP_SYS_ADMIN) == 0, "capset");
	CHECK(sg_trigger_fd(fd, 0) == 0, "TRIGGER with CAP_SYS_ADMIN");
	return TEST_PASS;
}

static int child_userns(int fd)
{
	char status[4096];
	int s, n;
	char *cap;

	if (unshare(CLONE_NEWUSER)) {
		printf("# unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return TEST_SKIP;
	}
	s = open("/proc/self/uid_map", O_WRONLY);
	CHECK(s >= 0 && write(s, "0 0 1", 5) == 5, "uid_map");
	close(s);
	CHECK(geteuid() == 0, "root in the new namespace");
	s = open("/proc/self/status", O_RDONLY);
	n = s < 0 ? -1 : read(s, status, sizeof(status) - 1);
	close(s);
	CHECK(n > 0, "read status");
	status[n] = '\0';
	cap = strstr(status, "CapEff:\t");
	CHECK(cap && strncmp(cap + 8, "0000000000000000", 16) != 0,
	      "full capabilities inside the namespace");
	CHECK(sg_trigger_fd(fd, 0) == -1 && errno == EACCES,
	      "TRIGGER from a user namespace");
	return TEST_PASS;
}

static int priv_test(int (*fn)(int fd), int moves)
{
	uint32_t g = sg_gen();
	int r;

	if (getuid() != 0)
		return TEST_SKIP;
	r = in_child(fn);
	if (r != TEST_PASS)
		return r;
	CHECK(sg_gen() == g + moves, "counter %u, want %u", sg_gen(), g + moves);
	return TEST_PASS;
}

TEST_F(device, t_trigger_nobody,
       "TRIGGER: uid 65534 without capabilities gets EACCES")
{
	return priv_test(child_nobody, 0);
}

TEST_F(device, t_trigger_cap_checkpoint_restore,
       "TRIGGER: CAP_CHECKPOINT_RESTORE alone is enough")
{
	return priv_test(child_cap_only, 1);
}

TEST_F(device, t_trigger_cap_sys_admin,
       "TRIGGER: CAP_SYS_ADMIN alone is enough")
{
	return priv_test(child_sys_admin_only, 1);
}

TEST_F(device, t_trigger_userns,
       "TRIGGER: root of a new user namespace gets EACCES")
{
	return priv_test(child_userns, 0);
}

TEST_F(device, t_mmap_ro,
       "mmap: read-only page shows the counter and follows it")
{
	volatile uint32_t *p, *q, *r;
	uint32_t g;
	int a, b;

	a = open(SG_DEV, O_RDONLY);
	b = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0 && b >= 0, "open");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a, 0);
	q = mmap(NULL, 4, PROT_READ, MAP_SHARED, b, 0);
	CHECK(p != MAP_FAILED && q != MAP_FAILED, "mmap");
	CHECK(*p == sg_gen() && *q == *p, "page holds %u, counter %u", *p,
	      sg_gen());
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	CHECK(*p == g && *q == g, "page follows the bump: %u", *p);
	close(a);
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	CHECK(*p == g, "mapping outlives its fd: %u", *p);
	r = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, b, 0);
	CHECK(r != MAP_FAILED, "read-only private mapping");
	CHECK(trigger_expect(0, &g) == 0 && *r == g, "it follows too");
	munmap((void *)p, PAGE);
	munmap((void *)q, PAGE);
	munmap((void *)r, PAGE);
	return TEST_PASS;
}

TEST_F(device, t_mmap_write,
       "mmap: a writable or executable mapping fails with EPERM")
{
	static const struct { int prot, flags; } bad[] = {
		{ PROT_READ | PROT_WRITE, MAP_SHARED }, { PROT_WRITE, MAP_SHARED },
		{ PROT_READ | PROT_WRITE, MAP_PRIVATE },
		{ PROT_READ | PROT_EXEC, MAP_SHARED }, { PROT_READ | PROT_EXEC, MAP_PRIVATE },
	};
	unsigned int i;
	void *p;
	int a;

	a = open(SG_DEV, O_RDWR);
	CHECK(a >= 0, "open");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = mmap(NULL, PAGE, bad[i].prot, bad[i].flags, a, 0);
		CHECK(p == MAP_FAILED && errno == EPERM, "prot 0x%x flags 0x%x",
		      bad[i].prot, bad[i].flags);
	}
	return TEST_PASS;
}

TEST_F(device, t_mmap_access,
       "mmap: the fd's access mode comes first: the kernel's EACCES, then ours")
{
	int r, w;
	void *p;

	r = open(SG_DEV, O_RDONLY);
	w = open(SG_DEV, O_WRONLY);
	CHECK(r >= 0 && w >= 0, "open");
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, r, 0);
	CHECK(p == MAP_FAILED && errno == EACCES,
	      "shared writable mapping of an O_RDONLY fd: EACCES (errno %d)",
	      errno);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, w, 0);
	CHECK(p == MAP_FAILED && errno == EACCES,
	      "any mapping of an O_WRONLY fd: EACCES (errno %d)", errno);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, r, 0);
	CHECK(p == MAP_FAILED && errno == EPERM,
	      "private writable mapping of an O_RDONLY fd reaches the driver: EPERM (errno %d)",
	      errno);
	return TEST_PASS;
}

TEST_F(device, t_mprotect,
       "mmap: mprotect cannot make the mapping writable or executable")
{
	volatile uint32_t *p;
	int a;

	a = open(SG_DEV, O_RDWR);
	CHECK(a >= 0, "open");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a, 0);
	CHECK(p != MAP_FAILED, "mmap");
	CHECK(mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE) == -1,
	      "mprotect(PROT_WRITE) must fail");
	CHECK(mprotect((void *)p, PAGE, PROT_READ | PROT_EXEC) == -1,
	      "mprotect(PROT_EXEC) must fail");
	CHECK(*p == sg_gen(), "still readable");
	munmap((void *)p, PAGE);
	return TEST_PASS;
}

TEST_F(device, t_mmap_bounds,
       "mmap: offset or size beyond one page fails with EINVAL")
{
	void *p;
	int a;

	a = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0, "open");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a, PAGE);
	CHECK(p == MAP_FAILED && errno == EINVAL, "offset one page");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a, 100 * PAGE);
	CHECK(p == MAP_FAILED && errno == EINVAL, "offset 100 pages");
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, a, 0);
	CHECK(p == MAP_FAILED && errno == EINVAL, "two pages");
	return TEST_PASS;
}

TEST_F(device, t_sysfs,
       "sysfs: generation, tracked_watchers, outdated_watchers")
{
	static const char *const names[] = {
		"generation", "tracked_watchers", "outdated_watchers",
	};
	long long t0 = tracked(), o0 = outdated();
	char path[128];
	struct stat st;
	unsigned int i;
	uint32_t g, v;
	int a, b;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), SG_SYSFS "%s", names[i]);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0444,
		      "%s mode 0%o", path, st.st_mode & 0777);
		CHECK(open(path, O_WRONLY) == -1, "%s is read-only", path);
		CHECK(sg_sysfs(names[i]) >= 0, "%s format", path);
	}
	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	b = open(SG_DEV, O_WRONLY | O_NONBLOCK);
	CHECK(a >= 0 && b >= 0, "open");
	CHECK(sg_track(a, 1) == 0 && sg_track(b, 1) == 0, "track");
	CHECK(tracked() == t0 + 2 && outdated() == o0, "two tracked");
	CHECK(trigger(0) == 0, "trigger");
	CHECK(sg_read(a, &v) == 4 && (g = sg_gen()) == v, "generation %u", v);
	CHECK(outdated() == o0 + 2, "two outdated: %lld", outdated());
	close(b);
	CHECK(tracked() == t0 + 1 && outdated() == o0 + 1, "one left");
	CHECK(sg_track(a, 0) == 0, "untrack");
	CHECK(tracked() == t0 && outdated() == o0, "back to start");
	return TEST_PASS;
}

/* ---- review of issue 13: permissions, restarts, the mapping, bad pointers ---- */

TEST_F(device, t_track_needs_write,
       "SET_WATCHER_TRACKING: an fd opened read-only cannot be tracked (EBADF)")
{
	long long t0 = tracked(), o0 = outdated();
	int r, w, c;

	r = open(SG_DEV, O_RDONLY);
	w = open(SG_DEV, O_WRONLY);
	CHECK(r >= 0 && w >= 0, "open");
	CHECK(sg_track(r, 1) == -1 && errno == EBADF, "track O_RDONLY");
	CHECK(tracked() == t0, "not counted: %lld", tracked());
	CHECK(sg_track(r, 0) == 0, "untracking a read-only fd is harmless");
	CHECK(trigger(0) == 0, "trigger");
	c = open(SG_DEV, O_RDONLY);
	CHECK(c >= 0 && outdated() == o0 && sg_wait(c, 1000) == 0,
	      "the outdated read-only fd holds up no waiter");
	CHECK(sg_track(w, 1) == 0 && tracked() == t0 + 1, "track O_WRONLY");
	CHECK(sg_wait(c, 100) == -1 && errno == ETIME, "which holds up a waiter");
	return TEST_PASS;
}

/* A child blocked in WAIT_WATCHERS(timeout_ms) on its own up-to-date fd; exit 0 for 0, 1 for ETIME,
 * 2 for EINTR, 3 otherwise. sa_flags < 0: no SIGALRM handler; else one with those flags and an alarm
 * after DELAY_MS. */
static pid_t wait_child(unsigned long timeout_ms, int sa_flags)
{
	pid_t pid;
	int b, r;

	fflush(stdout);
	pid = fork();
	if (pid)
		return pid;
	if (sa_flags >= 0) {
		struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = sa_flags };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		arm_ms(DELAY_MS);
	}
	b = open(SG_DEV, O_RDONLY);
	r = b < 0 ? -1 : sg_wait(b, timeout_ms);
	_exit(r == 0 ? 0 : errno == ETIME ? 1 : errno == EINTR ? 2 : 3);
}

static int child_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* /proc/PID/stat's state letter: 'S' sleeping, 'T' stopped, ... */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

static int wait_state(pid_t pid, char want)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (proc_state(pid) != want)
		if (elapsed_ms(&t0) > WATCHDOG_MS)
			return -1;
		else
			usleep(10000);
	return 0;
}

TEST_F(device, t_wait_sigstop,
       "WAIT_WATCHERS: SIGSTOP and SIGCONT do not end it; it returns 0 once the watcher acks")
{
	uint32_t g;
	pid_t pid;
	int a;

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	CHECK(a >= 0 && sg_track(a, 1) == 0, "open + track");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	pid = wait_child(0, -1);
	CHECK(pid > 0, "fork");
	CHECK(wait_state(pid, 'S') == 0, "child blocked");
	CHECK(kill(pid, SIGSTOP) == 0 && wait_state(pid, 'T') == 0, "stopped");
	CHECK(kill(pid, SIGCONT) == 0 && wait_state(pid, 'S') == 0,
	      "continued and blocked again (state %c)", proc_state(pid));
	CHECK(sg_write(a, g) == 4, "ack");
	CHECK(child_exit(pid) == 0, "WAIT_WATCHERS returned 0 after the ack");
	return TEST_PASS;
}

TEST_F(device, t_wait_sa_restart,
       "WAIT_WATCHERS: a signal whose handler has SA_RESTART restarts it (here: ETIME, not EINTR)")
{
	pid_t pid;
	int a;

	a = open(SG_DEV, O_RDWR);
	CHECK(a >= 0 && sg_track(a, 1) == 0, "open + track");
	CHECK(trigger(0) == 0, "trigger");
	pid = wait_child(3 * DELAY_MS, SA_RESTART);
	CHECK(pid > 0, "fork");
	CHECK(child_exit(pid) == 1, "child's WAIT_WATCHERS ended with ETIME");
	return TEST_PASS;
}

/*
 * A periodic signal with an SA_RESTART handler: a profiler's SIGPROF, a JVM's or a runtime's
 * timer signal, a SIGSTOP/SIGCONT cycle of a freezer. The timeout is what bounds an overseer's
 * wait for a watcher that never acknowledges (docs/sysgenid-abi.md), so signals must not reset
 * it: the wait must end with ETIME about timeout_ms after it began, while the signals still come.
 */
static volatile sig_atomic_t ticks;
#define TICK_MS		50
#define TICKS_MAX	160	/* 8 s of signals, then the handler stops the timer */

static void on_tick(int sig)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	(void)sig;
	if (++ticks >= TICKS_MAX)
		setitimer(ITIMER_REAL, &off, NULL);
}

TEST_F(device, t_wait_timeout_periodic_signal,
       "WAIT_WATCHERS: periodic SA_RESTART signals do not make the timeout endless")
{
	struct sigaction sa = { .sa_handler = on_tick, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, TICK_MS * 1000 }, { 0, TICK_MS * 1000 } };
	struct timespec t0;
	int a, b, r, e, n;
	long ms;

	a = open(SG_DEV, O_RDWR);
	CHECK(a >= 0 && sg_track(a, 1) == 0, "open + track");
	CHECK(trigger(0) == 0, "trigger");	/* a: tracked, outdated, never acks */
	b = open(SG_DEV, O_RDONLY);
	CHECK(b >= 0, "open");
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = sg_wait(b, DELAY_MS);
	e = errno;
	ms = elapsed_ms(&t0);
	n = ticks;
	disarm();
	errno = e;
	CHECK(r == -1 && e == ETIME, "WAIT_WATCHERS(%d) = %d", DELAY_MS, r);
	CHECK(n < TICKS_MAX,
	      "WAIT_WATCHERS(%d ms) returned only after %ld ms, once the %d signals (every %d ms) "
	      "had stopped: each signal restarted the whole timeout", DELAY_MS, ms, n, TICK_MS);
	return TEST_PASS;
}

TEST_F(device, t_wait_huge_timeout,
       "WAIT_WATCHERS: a huge timeout waits like no timeout (no overflow to an instant ETIME)")
{
	const unsigned long huge[] = { ULONG_MAX, ULONG_MAX / 2 + 1, UINT_MAX,
				       UINT_MAX / 2 + 1, 86400000UL };
	struct timespec t0;
	unsigned int i;
	uint32_t g;
	int a, b, r;

	b = open(SG_DEV, O_RDONLY);
	CHECK(b >= 0, "open");
	for (i = 0; i < ARRAY_SIZE(huge); i++)
		CHECK(sg_wait(b, huge[i]) == 0, "nothing to wait for, 0x%lx", huge[i]);
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		a = open(SG_DEV, O_RDWR);
		CHECK(a >= 0 && sg_track(a, 1) == 0, "open + track");
		CHECK(trigger_expect(0, &g) == 0, "trigger");
		close(b);
		b = open(SG_DEV, O_RDONLY);
		CHECK(b >= 0 && later(LATER_ACK, a) == 0, "helper");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		arm_ms(WATCHDOG_MS);
		r = sg_wait(b, huge[i]);
		disarm();
		CHECK(r == 0, "WAIT_WATCHERS(0x%lx) = %d (%s) after %ld ms",
		      huge[i], r, strerror(errno), elapsed_ms(&t0));
		CHECK(join_laters() == 0, "helper");
		close(a);
	}
	return TEST_PASS;
}

/* A read-only mapping of the page through a new fd opened with mode; MAP_FAILED on failure. */
static void *map_page(int mode, int flags)
{
	int fd = open(SG_DEV, mode);

	return fd < 0 ? MAP_FAILED : mmap(NULL, PAGE, PROT_READ, flags, fd, 0);
}

TEST_F(device, t_mmap_dontneed,
       "mmap: after madvise(MADV_DONTNEED) a load sees the counter again (no SIGBUS)")
{
	volatile uint32_t *p = map_page(O_RDONLY, MAP_SHARED);
	uint32_t g;

	CHECK(p != MAP_FAILED, "mmap");
	CHECK(*p == sg_gen(), "first load");
	CHECK(madvise((void *)p, PAGE, MADV_DONTNEED) == 0, "madvise");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	CHECK(*p == g, "load after MADV_DONTNEED: %u, want %u", *p, g);
	munmap((void *)p, PAGE);
	return TEST_PASS;
}

/* The "rwxp" field of /proc/self/maps for the mapping at @addr, in @perms. */
static int map_perms(const volatile void *addr, char perms[5])
{
	unsigned long start, end;
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 &&
		    start == (unsigned long)addr) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * A process with the READ_IMPLIES_EXEC personality (set by the kernel for a 32-bit ELF without
 * PT_GNU_STACK, or by `setarch -X`) asks for PROT_READ; the kernel turns that into
 * PROT_READ|PROT_EXEC before the driver sees it. The page is never executable, but such a
 * process (a legacy program linking a PRNG library that maps the counter) must still be able to
 * map it read-only: refusing it sends the library to its slow path.
 */
TEST_F(device, t_mmap_read_implies_exec,
       "mmap: PROT_READ works in a process with the READ_IMPLIES_EXEC personality")
{
	volatile uint32_t *p;
	char perms[5] = "?";
	int a;

	CHECK(personality(PER_LINUX | READ_IMPLIES_EXEC) != -1, "personality");
	CHECK(personality(0xffffffff) & READ_IMPLIES_EXEC, "READ_IMPLIES_EXEC set");
	a = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0, "open");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a, 0);
	CHECK(p != MAP_FAILED, "mmap(PROT_READ) under READ_IMPLIES_EXEC");
	CHECK(*p == sg_gen(), "load");
	CHECK(map_perms(p, perms) == 0 && perms[2] == '-',
	      "the mapping must not be executable (maps: %s)", perms);
	CHECK(mprotect((void *)p, PAGE, PROT_READ | PROT_EXEC) == -1,
	      "mprotect(PROT_EXEC) must still fail");
	munmap((void *)p, PAGE);
	return TEST_PASS;
}

TEST_F(device, t_mmap_tail_zero,
       "mmap: every byte of the page after the 4-byte counter is zero")
{
	const unsigned char *p;
	long i;

	CHECK(trigger(0xfffffff0u) == 0, "a counter with no zero byte");
	p = map_page(O_RDONLY, MAP_SHARED);
	CHECK(p != MAP_FAILED, "mmap");
	for (i = 4; i < PAGE; i++)
		CHECK(p[i] == 0, "byte %ld is 0x%x", i, p[i]);
	munmap((void *)p, PAGE);
	return TEST_PASS;
}

TEST_F(device, t_mmap_private,
       "mmap: MAP_PRIVATE follows the counter and mprotect(PROT_WRITE) on it fails")
{
	volatile uint32_t *p = map_page(O_RDWR, MAP_PRIVATE);
	uint32_t g;

	CHECK(p != MAP_FAILED, "mmap");
	CHECK(mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE) == -1,
	      "mprotect(PROT_WRITE) of a private mapping must fail");
	CHECK(trigger_expect(0, &g) == 0 && *p == g, "follows: %u", *p);
	munmap((void *)p, PAGE);
	return TEST_PASS;
}

TEST_F(device, t_mmap_proc_mem,
       "mmap: a write through /proc/self/mem into the page fails and changes nothing")
{
	const uint32_t evil = 0xdeadbeef;
	volatile uint32_t *p, *q;
	uint32_t g = sg_gen();
	int a, m, i;
	const int flags[] = { MAP_SHARED, MAP_PRIVATE };

	a = open(SG_DEV, O_RDONLY);
	m = open("/proc/self/mem", O_RDWR);
	CHECK(a >= 0 && m >= 0, "open");
	q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a, 0);
	CHECK(q != MAP_FAILED, "mmap");
	for (i = 0; i < 2; i++) {
		p = mmap(NULL, PAGE, PROT_READ, flags[i], a, 0);
		CHECK(p != MAP_FAILED, "mmap");
		CHECK(*p == g, "mapped");
		CHECK(pwrite(m, &evil, 4, (off_t)(uintptr_t)p) == -1,
		      "pwrite to the %s mapping must fail",
		      i ? "private" : "shared");
		CHECK(*p == g && *q == g && sg_gen() == g,
		      "page %x, other mapping %x, counter %x", *p, *q, sg_gen());
		munmap((void *)p, PAGE);
	}
	return TEST_PASS;
}

TEST_F(device, t_fork_shares,
       "fork: the child shares the mapping and the open file's state (ack, tracking)")
{
	long long t0 = tracked(), o0 = outdated();
	volatile uint32_t *p;
	uint32_t g, v;
	pid_t pid;
	int a;

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	CHECK(a >= 0 && sg_track(a, 1) == 0, "open + track");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a, 0);
	CHECK(p != MAP_FAILED, "mmap");
	CHECK(trigger_expect(0, &g) == 0 && outdated() == o0 + 1, "trigger");
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		/* the child: sees the page, acks on the inherited fd, bumps once more */
		if (*p != g || sg_read(a, &v) != 4 || v != g || sg_write(a, g) != 4)
			_exit(1);
		if (sg_trigger_fd(ctl_fd, 0) || *p != g + 1)
			_exit(2);
		_exit(0);
	}
	CHECK(child_exit(pid) == 0, "child saw and acked the shared state");
	CHECK(*p == g + 1, "the parent's mapping sees the child's bump: %u", *p);
	CHECK(sg_read(a, &v) == 4 && v == g + 1, "one file: outdated by the child's bump");
	CHECK(sg_write(a, g + 1) == 4 && is_eagain(sg_read(a, &v)), "ack");
	CHECK(tracked() == t0 + 1 && outdated() == o0,
	      "one tracked watcher, not two (tracked %lld)", tracked());
	munmap((void *)p, PAGE);
	return TEST_PASS;
}

TEST_F(device, t_efault,
       "read and write: a bad user pointer fails with EFAULT and changes nothing")
{
	void *bad[] = { NULL, (void *)1, (void *)-4096L };
	uint32_t g, v;
	unsigned int i;
	int a;

	a = open(SG_DEV, O_RDWR | O_NONBLOCK);
	CHECK(a >= 0, "open");
	CHECK(trigger_expect(0, &g) == 0, "trigger");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(read(a, bad[i], 4) == -1 && errno == EFAULT, "read into %p", bad[i]);
		CHECK(write(a, bad[i], 4) == -1 && errno == EFAULT, "write from %p", bad[i]);
	}
	CHECK(sg_read(a, &v) == 4 && v == g, "still outdated");
	CHECK(sg_write(a, g) == 4 && is_eagain(sg_read(a, &v)), "ack");
	return TEST_PASS;
}

TEST_F(device, t_rmmod_refused,
       "rmmod: refused while an fd or only a mapping is open")
{
	void *p;
	int a;

	if (getuid() != 0)
		return TEST_SKIP;
	a = open(SG_DEV, O_RDONLY);
	CHECK(a >= 0, "open");
	CHECK(syscall(SYS_delete_module, "sysgenid", O_NONBLOCK) == -1 &&
	      errno == EWOULDBLOCK,
	      "delete_module with an fd open must fail with EWOULDBLOCK (%s)", strerror(errno));
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a, 0);
	CHECK(p != MAP_FAILED, "mmap");
	close(a);
	close(self->ctl);
	self->ctl = -1;
	CHECK(syscall(SYS_delete_module, "sysgenid", O_NONBLOCK) == -1 &&
	      errno == EWOULDBLOCK,
	      "delete_module with a mapping open must fail with EWOULDBLOCK (%s)",
	      strerror(errno));
	CHECK(access(SG_DEV, F_OK) == 0 && sg_sysfs("generation") >= 0,
	      "the device is still there");
	munmap(p, PAGE);
	return TEST_PASS;
}

static int sysfs_string(const char *name, char *buf, size_t len)
{
	char path[128];
	int fd, n;

	snprintf(path, sizeof(path), SG_SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, len - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

TEST_F(device, t_sysfs_backend,
       "sysfs: backend names what moves the counter on a VM fork (SGVM_EXPECT_BACKEND)")
{
	const char *want = getenv("SGVM_EXPECT_BACKEND");
	char got[32];
	struct stat st;

	CHECK(stat(SG_SYSFS "backend", &st) == 0 && (st.st_mode & 0777) == 0444,
	      "backend attribute, mode 0444");
	CHECK(sysfs_string("backend", got, sizeof(got)) == 0, "read");
	CHECK(!strcmp(got, "vmfork") || !strcmp(got, "none"), "backend '%s'", got);
	CHECK(!want || !*want || !strcmp(got, want), "backend '%s', want '%s'", got, want);
	return TEST_PASS;
}


int main(void)
{
	if (access(SG_DEV, R_OK | W_OK) || sg_sysfs("generation") < 0) {
		printf("Bail out! %s or its sysfs view missing: %s\n", SG_DEV,
		       strerror(errno));
		return 1;
	}
	PAGE = sysconf(_SC_PAGESIZE);
	diag("generation at start: %u, page size %ld", sg_gen(), PAGE);
	return sg_run_tests();
}
