// SPDX-License-Identifier: GPL-2.0
/*
 * Stress test of /dev/sysgenid: usage: sysgenid_stress [threads] [seconds]
 * (default 8 and 10).
 *
 * Worker threads interleave open, tracking on/off, read, acknowledge, poll,
 * WAIT_WATCHERS, trigger and close on fds of their own, and check every
 * result that is deterministic under concurrency. Beside them, a blocking
 * reader (tracked) and an overseer (quiet phase, trigger, then
 * WAIT_WATCHERS) run the protocol as real programs would. At the end every
 * remaining fd is acknowledged and closed and the counts must be back to
 * where they started, with the counter moved by exactly the number of
 * triggers that succeeded.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "sgtest.h"

#define MAX_WORKER_FDS	8
#define MAX_ERR_LINES	20

static atomic_int stop;			/* workers and reader */
static atomic_int stop_overseer;		/* set first: it needs the workers */
static atomic_int quiet;		/* workers do not trigger */
static atomic_uint triggers;		/* successful triggers, all min 0 */
static atomic_int errors;
static atomic_long ops;
static volatile const uint32_t *page;	/* the shared read-only mapping */

struct worker {
	pthread_t tid;
	unsigned int seed;
	int fds[MAX_WORKER_FDS];
	int nfds;
	uint32_t last_page;		/* last counter seen in the page */
	uint32_t last_sysfs;		/* last counter seen in sysfs */
};

static void fail(const char *what, int err)
{
	if (atomic_fetch_add(&errors, 1) < MAX_ERR_LINES)
		diag("unexpected: %s (errno %d: %s)", what, err, strerror(err));
}

/* The counter only moves forward by one per trigger: no step back. */
static void check_forward(uint32_t *last, uint32_t now)
{
	if ((uint32_t)(now - *last) >= 0x80000000u)
		fail("counter went backwards", 0);
	*last = now;
}

static int trigger_counted(int fd)
{
	if (sg_trigger_fd(fd, 0))
		return -1;
	atomic_fetch_add(&triggers, 1);
	return 0;
}

static int pick(struct worker *w)
{
	return w->nfds ? w->fds[rand_r(&w->seed) % w->nfds] : -1;
}

static void op_open(struct worker *w)
{
	int fd;

	if (w->nfds == MAX_WORKER_FDS)
		return;
	fd = open(SG_DEV, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return fail("open", errno);
	w->fds[w->nfds++] = fd;
}

static void op_close(struct worker *w)
{
	int i;

	if (!w->nfds)
		return;
	i = rand_r(&w->seed) % w->nfds;
	if (close(w->fds[i]))
		fail("close", errno);
	w->fds[i] = w->fds[--w->nfds];
}

/* Read and acknowledge; the only acceptable failure is "moved again". */
static void op_read_ack(int fd)
{
	uint32_t v;

	if (sg_read(fd, &v) != 4) {
		if (errno != EAGAIN)
			fail("read", errno);
		return;
	}
	if (sg_write(fd, v) == 4)
		return;
	if (errno != EINVAL)
		return fail("write", errno);
	if (*page == v)
		fail("ack refused but the counter did not move", EINVAL);
}

/* Nobody else acks our fds: readable now means a read returns 4 bytes. */
static void op_poll(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint32_t v;
	int r;

	r = poll(&p, 1, 1);
	if (r < 0)
		return fail("poll", errno);
	if (r == 1 && !(p.revents & POLLIN))
		return fail("poll revents", 0);
	if (r == 1 && sg_read(fd, &v) != 4)
		fail("readable fd gave no generation", errno);
}

/* An fd that is outdated before the call must get EINTR. */
static void op_wait(struct worker *w, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int was_outdated, r;

	was_outdated = poll(&p, 1, 0) == 1;
	r = sg_wait(fd, 1 + rand_r(&w->seed) % 5);
	if (r == 0 && was_outdated)
		return fail("WAIT_WATCHERS ignored the caller's outdated fd", 0);
	if (r && errno != ETIME && errno != EINTR)
		fail("WAIT_WATCHERS", errno);
	if (r && errno == ETIME && was_outdated)
		fail("WAIT_WATCHERS: ETIME, not EINTR, for an outdated fd", 0);
}

static void op_misuse(int fd)
{
	uint32_t v[2] = { 0 };

	if (read(fd, v, 3) != -1 || errno != EINVAL)
		fail("3-byte read", errno);
	if (write(fd, v, 8) != -1 || errno != ENOBUFS)
		fail("8-byte write", errno);
	if (ioctl(fd, _IO(SYSGENID_IOCTL, 9), 0) != -1 || errno != EINVAL)
		fail("unknown ioctl", errno);
}

static void worker_step(struct worker *w)
{
	int r = rand_r(&w->seed) % 100, fd = pick(w);

	if (r < 10 || fd < 0)
		return op_open(w);
	if (r < 18)
		return op_close(w);
	if (r < 28) {
		if (sg_track(fd, rand_r(&w->seed) % 3))
			fail("tracking", errno);
		return;
	}
	if (r < 55)
		return op_read_ack(fd);
	if (r < 65)
		return op_poll(fd);
	if (r < 70) {
		if (atomic_load(&quiet))
			return op_read_ack(fd);
		if (trigger_counted(fd))
			fail("trigger", errno);
		return;
	}
	if (r < 75)
		return op_wait(w, fd);
	if (r < 80)
		return op_misuse(fd);
	if (r < 90) {
		long long g = sg_sysfs("generation");

		if (g < 0)
			return fail("sysfs generation", 0);
		return check_forward(&w->last_sysfs, (uint32_t)g);
	}
	check_forward(&w->last_page, *page);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->last_page = *page;
	w->last_sysfs = (uint32_t)sg_sysfs("generation");
	while (!atomic_load(&stop)) {
		worker_step(w);
		atomic_fetch_add(&ops, 1);
	}
	return NULL;
}

/* A blocking reader: read, ack, repeat; the final trigger wakes it. */
static atomic_long reader_wakeups;

static void *reader_main(void *arg)
{
	int fd = open(SG_DEV, O_RDWR);
	uint32_t v;

	(void)arg;
	if (fd < 0 || sg_track(fd, 1)) {
		fail("reader open", errno);
		return NULL;
	}
	while (!atomic_load(&stop)) {
		if (sg_read(fd, &v) != 4) {
			fail("blocking read", errno);
			break;
		}
		atomic_fetch_add(&reader_wakeups, 1);
		if (sg_write(fd, v) != 4 && errno != EINVAL)
			fail("reader ack", errno);
	}
	close(fd);
	return NULL;
}

/*
 * An overseer: every 100 ms it stops the workers' triggers (they keep
 * reading and acknowledging), triggers once, and waits for the tracked
 * watchers. They all acknowledge soon, so the wait must succeed: ETIME
 * would mean a lost wake-up or an outdated count that leaked. EINTR is
 * allowed: a worker's trigger still in flight outdates the overseer's fd.
 */
#define OVERSEER_TIMEOUT_MS	5000

static atomic_long overseer_waits_ok;

static void overseer_round(int fd)
{
	uint32_t v;

	atomic_store(&quiet, 1);
	usleep(10000);
	if (trigger_counted(fd))
		fail("overseer trigger", errno);
	if (sg_read(fd, &v) == 4)
		sg_write(fd, v);
	if (sg_wait(fd, OVERSEER_TIMEOUT_MS) == 0)
		atomic_fetch_add(&overseer_waits_ok, 1);
	else if (errno != EINTR)
		fail("overseer WAIT_WATCHERS in a quiet phase", errno);
	atomic_store(&quiet, 0);
}

static void *overseer_main(void *arg)
{
	int fd = open(SG_DEV, O_RDWR);

	(void)arg;
	if (fd < 0) {
		fail("overseer open", errno);
		return NULL;
	}
	while (!atomic_load(&stop_overseer)) {
		usleep(100000);
		overseer_round(fd);
	}
	close(fd);
	return NULL;
}

static int join_within(pthread_t t, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return pthread_timedjoin_np(t, NULL, &ts);
}

static int ack_all(struct worker *ws, int n)
{
	uint32_t v;
	int i, j, fd;

	for (i = 0; i < n; i++) {
		for (j = 0; j < ws[i].nfds; j++) {
			fd = ws[i].fds[j];
			if (sg_read(fd, &v) == 4 && sg_write(fd, v) != 4)
				return -1;
		}
	}
	return 0;
}

static void close_all(struct worker *ws, int n)
{
	int i;

	for (i = 0; i < n; i++)
		while (ws[i].nfds)
			close(ws[i].fds[--ws[i].nfds]);
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 8;
	int seconds = argc > 2 ? atoi(argv[2]) : 10;
	long long t0, o0, t1, o1;
	pthread_t reader, overseer;
	uint32_t g0, g1, v;
	struct worker *ws;
	struct timespec ts;
	int ctl, i, r, n_open = 0, n_tracked_left;

	tap_plan(8);
	if (nthreads < 1 || seconds < 1) {
		printf("Bail out! usage: %s [threads] [seconds]\n", argv[0]);
		return 2;
	}
	ctl = open(SG_DEV, O_RDWR);
	page = ctl < 0 ? MAP_FAILED :
	       mmap(NULL, 4096, PROT_READ, MAP_SHARED, ctl, 0);
	if (page == MAP_FAILED) {
		printf("Bail out! %s: %s\n", SG_DEV, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	t0 = sg_sysfs("tracked_watchers");
	o0 = sg_sysfs("outdated_watchers");
	g0 = sg_gen();
	diag("%d worker threads, %d s, generation %u, tracked %lld, outdated %lld",
	     nthreads, seconds, g0, t0, o0);

	ws = calloc(nthreads, sizeof(*ws));
	for (i = 0; i < nthreads; i++) {
		ws[i].seed = 0x5eed + i;
		pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);
	}
	pthread_create(&reader, NULL, reader_main, NULL);
	pthread_create(&overseer, NULL, overseer_main, NULL);

	sleep(seconds);
	atomic_store(&stop_overseer, 1);
	pthread_join(overseer, NULL);
	atomic_store(&stop, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(ws[i].tid, NULL);
	/* the reader may sleep in read(): one more bump must wake it */
	r = trigger_counted(ctl);
	r = r ? -1 : join_within(reader, 10);
	diag("%ld operations, %u triggers, %ld blocking-read wake-ups, %ld overseer waits completed",
	     atomic_load(&ops),
	     atomic_load(&triggers), atomic_load(&reader_wakeups),
	     atomic_load(&overseer_waits_ok));

	tap_result(atomic_load(&errors) ? TEST_FAIL : TEST_PASS,
		   "workers saw only the results the interface allows", NULL);
	tap_result(r == 0 && atomic_load(&reader_wakeups) > 0 ? TEST_PASS :
		   TEST_FAIL, "blocking reader woken by the final bump", NULL);
	tap_result(atomic_load(&overseer_waits_ok) > 0 ? TEST_PASS : TEST_FAIL,
		   "overseer: WAIT_WATCHERS completes once watchers ack", NULL);

	g1 = sg_gen();
	if (g1 - g0 != atomic_load(&triggers))
		diag("counter moved by %u, %u triggers", g1 - g0,
		     atomic_load(&triggers));
	tap_result(g1 - g0 == atomic_load(&triggers) ? TEST_PASS : TEST_FAIL,
		   "counter moved by exactly the number of triggers", NULL);

	tap_result(*page == g1 && sg_read(ctl, &v) == 4 && v == g1 ?
		   TEST_PASS : TEST_FAIL,
		   "mmap page, read() and sysfs agree", NULL);

	/* After a bump every tracked watcher is outdated. */
	for (i = 0; i < nthreads; i++)
		n_open += ws[i].nfds;
	trigger_counted(ctl);
	n_tracked_left = (int)(sg_sysfs("tracked_watchers") - t0);
	o1 = sg_sysfs("outdated_watchers");
	diag("%d fds left open, %d of them tracked", n_open, n_tracked_left);
	tap_result(o1 - o0 == n_tracked_left ? TEST_PASS : TEST_FAIL,
		   "after a bump every tracked watcher is outdated", NULL);

	/* Acknowledge everything: the overseer must not wait at all. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = ack_all(ws, nthreads);
	if (sg_read(ctl, &v) == 4)
		sg_write(ctl, v);
	o1 = sg_sysfs("outdated_watchers");
	r = r ? r : sg_wait(ctl, 2000);
	if (r || o1 != o0)
		diag("ack_all/wait %d (errno %d), outdated %lld", r, errno, o1);
	tap_result(r == 0 && o1 == o0 && elapsed_ms(&ts) < 1500 ? TEST_PASS :
		   TEST_FAIL,
		   "all acknowledged: WAIT_WATCHERS returns at once", NULL);

	close_all(ws, nthreads);
	t1 = sg_sysfs("tracked_watchers");
	o1 = sg_sysfs("outdated_watchers");
	if (t1 != t0 || o1 != o0)
		diag("tracked %lld, outdated %lld after closing all", t1, o1);
	tap_result(t1 == t0 && o1 == o0 ? TEST_PASS : TEST_FAIL,
		   "all closed: sysfs counts back to the start", NULL);

	munmap((void *)page, 4096);
	close(ctl);
	free(ws);
	return tap_finish();
}
