// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded fuzzer of /dev/sysgenid: usage: sysgenid_fuzz [seed] [seconds] [processes] [threads]
 * (defaults: a seed from the clock, 20 s, 2 processes, 3 threads each). The seed is printed
 * first: the same seed gives the same choices (not the same interleaving).
 *
 * Every thread of every process runs random calls on an fd table of its own: open (read-only,
 * write-only, read-write, with or without O_NONBLOCK), close, dup, read and write of random
 * sizes and values, poll, epoll, every ioctl (and unknown ones) with random arguments (huge
 * timeouts, min_gen that wraps), mmap with random protections, flags, sizes and offsets,
 * mprotect, madvise(MADV_DONTNEED), loads of the mapped page, munmap, and fork (a child that
 * runs a few calls on the inherited fds and exits). A SIGALRM every few milliseconds, with a
 * handler without SA_RESTART, interrupts blocking calls at random moments. Checked: nothing
 * crashes (a load of a page that was mapped never faults), a writable or executable mapping is
 * always refused, a read-only fd can never be tracked, a read returns the counter or fails,
 * and at the end, with every process gone, the sysfs counts are back to where they started.
 * A "# calls in S s: total=N(R/s) open=N(R/s) ..." line gives the calls made per kind.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "sgtest.h"

#define MAX_FDS		16
#define MAX_MAPS	4
#define MAX_ERR_LINES	20

enum op { OP_OPEN, OP_CLOSE, OP_DUP, OP_READ, OP_WRITE, OP_IOCTL, OP_POLL, OP_MMAP, OP_MAP_USE,
	   OP_FORK, OP_KINDS };
static const char *const op_names[OP_KINDS] = {
	"open", "close", "dup", "read", "write", "ioctl", "poll", "mmap", "map-use", "fork",
};
/* what fuzz_steps() picks, open aside: reads, writes and ioctls twice as often */
static const enum op op_pick[] = {
	OP_CLOSE, OP_DUP, OP_READ, OP_READ, OP_WRITE, OP_WRITE, OP_IOCTL, OP_IOCTL, OP_POLL, OP_MMAP,
	OP_MAP_USE, OP_FORK,
};

static atomic_int errors;
static atomic_long ops;
static atomic_long *calls;		/* per kind, shared by every process (MAP_SHARED) */
static time_t deadline;
static long page_size;

struct fuzzer {
	unsigned int seed;
	int fds[MAX_FDS];
	int modes[MAX_FDS];		/* open flags of fds[i] */
	int nfds;
	void *maps[MAX_MAPS];
	size_t lens[MAX_MAPS];
	int prots[MAX_MAPS];
	int nmaps;
	int ep;
};

static void fail(const char *what, long v, int err)
{
	if (atomic_fetch_add(&errors, 1) < MAX_ERR_LINES)
		diag("pid %d: unexpected: %s (%ld, errno %d: %s)", getpid(), what, v, err,
		     strerror(err));
}

static void on_alarm(int sig)
{
	(void)sig;
}

static unsigned int rnd(struct fuzzer *f, unsigned int n)
{
	return n ? (unsigned int)rand_r(&f->seed) % n : 0;
}

/* A random ioctl or timeout argument: small, huge, or one that wraps 32 bits. */
static unsigned long rnd_arg(struct fuzzer *f)
{
	static const unsigned long edge[] = {
		0, 1, 2, 50, 0x7fffffffUL, 0x80000000UL, 0xfffffffeUL, 0xffffffffUL,
		(unsigned long)-1L, (unsigned long)-2L,
	};

	return rnd(f, 2) ? edge[rnd(f, ARRAY_SIZE(edge))] : (unsigned long)rand_r(&f->seed);
}

static void op_open(struct fuzzer *f)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	int mode = modes[rnd(f, 3)] | (rnd(f, 4) ? O_NONBLOCK : 0), fd;

	if (f->nfds == MAX_FDS)
		return;
	fd = open(SG_DEV, mode | O_CLOEXEC);
	if (fd < 0) {
		if (errno != EINTR && errno != EMFILE)
			fail("open", mode, errno);
		return;
	}
	f->modes[f->nfds] = mode;
	f->fds[f->nfds++] = fd;
}

static void op_close(struct fuzzer *f, int i)
{
	close(f->fds[i]);
	f->fds[i] = f->fds[--f->nfds];
	f->modes[i] = f->modes[f->nfds];
}

static void op_dup(struct fuzzer *f, int i)
{
	int fd;

	if (f->nfds == MAX_FDS)
		return;
	fd = fcntl(f->fds[i], F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return;
	f->modes[f->nfds] = f->modes[i];
	f->fds[f->nfds++] = fd;
}

static void op_read(struct fuzzer *f, int i)
{
	uint32_t buf[4];
	size_t n = rnd(f, sizeof(buf) + 1);
	ssize_t r = read(f->fds[i], buf, n);

	if ((f->modes[i] & O_ACCMODE) == O_WRONLY) {
		if (r >= 0)
			fail("read on a write-only fd", r, 0);
	} else if (r > 0 && (r != 4 || n < 4)) {
		fail("read size", r, 0);
	}
}

static void op_write(struct fuzzer *f, int i)
{
	uint32_t buf[2] = { rnd(f, 2) ? sg_gen() : (uint32_t)rnd_arg(f), 0 };
	ssize_t r = write(f->fds[i], buf, rnd(f, 4) ? 4 : rnd(f, 9));

	if (r >= 0 && (f->modes[i] & O_ACCMODE) == O_RDONLY)
		fail("write on a read-only fd", r, 0);
}

static void op_ioctl(struct fuzzer *f, int i)
{
	unsigned long cmd = rnd(f, 8) ? _IO(SYSGENID_IOCTL, 1 + rnd(f, 3)) : rnd_arg(f);
	unsigned long arg = rnd_arg(f);
	int r;

	if (cmd == SYSGENID_WAIT_WATCHERS && rnd(f, 2))
		arg = rnd(f, 50);		/* mostly short waits */
	r = ioctl(f->fds[i], cmd, arg);
	if (cmd == SYSGENID_SET_WATCHER_TRACKING && arg &&
	    (f->modes[i] & O_ACCMODE) == O_RDONLY && !(r == -1 && errno == EBADF))
		fail("tracking a read-only fd", r, errno);
}

static void op_poll(struct fuzzer *f, int i)
{
	struct pollfd p = { .fd = f->fds[i], .events = POLLIN };
	struct epoll_event ev = { .events = EPOLLIN }, out[4];

	if (rnd(f, 2)) {
		poll(&p, 1, rnd(f, 3));
		return;
	}
	epoll_ctl(f->ep, rnd(f, 2) ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, f->fds[i], &ev);
	epoll_wait(f->ep, out, 4, rnd(f, 3));
}

static void op_mmap(struct fuzzer *f, int i)
{
	static const int prots[] = {
		PROT_READ, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_NONE,
	};
	int prot = prots[rnd(f, ARRAY_SIZE(prots))];
	size_t len = rnd(f, 8) ? (size_t)page_size : 1 + rnd(f, 3 * page_size);
	off_t off = rnd(f, 8) ? 0 : (off_t)page_size * rnd(f, 3);
	void *p;

	if (f->nmaps == MAX_MAPS)
		return;
	p = mmap(NULL, len, prot, rnd(f, 4) ? MAP_SHARED : MAP_PRIVATE, f->fds[i], off);
	if (p == MAP_FAILED)
		return;
	if (prot & (PROT_WRITE | PROT_EXEC))
		fail("a writable or executable mapping was accepted", prot, 0);
	f->maps[f->nmaps] = p;
	f->prots[f->nmaps] = prot;
	f->lens[f->nmaps++] = len;
}

static void op_map_use(struct fuzzer *f)
{
	int k = rnd(f, f->nmaps);
	volatile uint32_t *p = f->maps[k];

	switch (rnd(f, 4)) {
	case 0:
		if (mprotect(f->maps[k], f->lens[k], rnd(f, 2) ? PROT_READ | PROT_WRITE :
			     PROT_READ | PROT_EXEC) == 0)
			fail("mprotect made the page writable or executable", 0, 0);
		break;
	case 1:
		madvise(f->maps[k], f->lens[k], MADV_DONTNEED);
		break;
	case 2:
		munmap(f->maps[k], f->lens[k]);
		f->maps[k] = f->maps[--f->nmaps];
		f->lens[k] = f->lens[f->nmaps];
		f->prots[k] = f->prots[f->nmaps];
		break;
	default:
		if (f->prots[k] & PROT_READ)
			(void)*p;	/* a readable mapping always loads */
	}
}

static void fuzz_steps(struct fuzzer *f, long steps);
static void arm_alarms(unsigned int seed);

static void op_fork(struct fuzzer *f)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		f->seed ^= (unsigned int)getpid();
		arm_alarms(f->seed);	/* timers are not inherited */
		fuzz_steps(f, 50);
		_exit(0);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void fuzz_steps(struct fuzzer *f, long steps)
{
	enum op k;
	long n;
	int i;

	for (n = 0; steps < 0 ? time(NULL) < deadline : n < steps; n++) {
		k = f->nfds == 0 || rnd(f, 16) == 0 ? OP_OPEN : op_pick[rnd(f, ARRAY_SIZE(op_pick))];
		if ((k == OP_MAP_USE && !f->nmaps) || (k == OP_FORK && (steps >= 0 || rnd(f, 20))))
			continue;
		atomic_fetch_add(&ops, 1);
		atomic_fetch_add(&calls[k], 1);
		i = rnd(f, f->nfds);
		switch (k) {
		case OP_OPEN: op_open(f); break;
		case OP_CLOSE: op_close(f, i); break;
		case OP_DUP: op_dup(f, i); break;
		case OP_READ: op_read(f, i); break;
		case OP_WRITE: op_write(f, i); break;
		case OP_IOCTL: op_ioctl(f, i); break;
		case OP_POLL: op_poll(f, i); break;
		case OP_MMAP: op_mmap(f, i); break;
		case OP_MAP_USE: op_map_use(f); break;
		default: op_fork(f); break;
		}
	}
}

static void *thread_main(void *arg)
{
	struct fuzzer *f = arg;

	f->ep = epoll_create1(EPOLL_CLOEXEC);
	fuzz_steps(f, -1);
	while (f->nfds)
		op_close(f, 0);
	while (f->nmaps) {
		f->nmaps--;
		munmap(f->maps[f->nmaps], f->lens[f->nmaps]);
	}
	close(f->ep);
	return NULL;
}

/* SIGALRM every 1-4 ms, with a handler without SA_RESTART. */
static void arm_alarms(unsigned int seed)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 1000 + seed % 3000 }, { 0, 1000 } };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* One fuzzing process: its threads, interrupted at random moments by SIGALRM. */
static int process_main(unsigned int seed, int threads)
{
	struct fuzzer *fs = calloc(threads, sizeof(*fs));
	pthread_t *tids = calloc(threads, sizeof(*tids));
	sigset_t alrm;
	int t;

	arm_alarms(seed);
	for (t = 0; t < threads; t++) {
		fs[t].seed = seed * 7919u + (unsigned int)t;
		pthread_create(&tids[t], NULL, thread_main, &fs[t]);
	}
	/* the signals go to the fuzzing threads, not to this one waiting in join */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	for (t = 0; t < threads; t++)
		pthread_join(tids[t], NULL);
	diag("process seed %u: %ld calls, %d unexpected", seed, atomic_load(&ops),
	     atomic_load(&errors));
	return atomic_load(&errors) ? 1 : 0;
}

/* One line: calls per kind and per second of the whole run (children of fork included). */
static void report_calls(const struct timespec *t0)
{
	struct timespec t1;
	char line[512];
	double s;
	long total = 0;
	int k, n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
	for (k = 0; k < OP_KINDS; k++) {
		total += atomic_load(&calls[k]);
		n += snprintf(line + n, sizeof(line) - n, " %s=%ld(%.0f/s)", op_names[k],
			      atomic_load(&calls[k]), atomic_load(&calls[k]) / s);
	}
	diag("calls in %.1f s: total=%ld(%.0f/s)%s", s, total, total / s, line);
}

int main(int argc, char **argv)
{
	unsigned int seed = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : (unsigned int)time(NULL);
	int seconds = argc > 2 ? atoi(argv[2]) : 20;
	int procs = argc > 3 ? atoi(argv[3]) : 2;
	int threads = argc > 4 ? atoi(argv[4]) : 3;
	long long t0 = sg_sysfs("tracked_watchers"), o0 = sg_sysfs("outdated_watchers");
	int p, status, bad = 0, ctl;
	struct timespec t_start;
	pid_t pids[64];

	if (procs < 1 || procs > 64 || threads < 1 || seconds < 1 || t0 < 0 || o0 < 0) {
		printf("Bail out! usage: sysgenid_fuzz [seed] [seconds] [processes 1-64] [threads]\n");
		return 1;
	}
	page_size = sysconf(_SC_PAGESIZE);
	calls = mmap(NULL, sizeof(*calls) * OP_KINDS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (calls == MAP_FAILED) {
		printf("Bail out! mmap of the shared counts: %s\n", strerror(errno));
		return 1;
	}
	tap_plan(3);
	diag("seed %u: sysgenid_fuzz %u %d %d %d to repeat", seed, seed, seconds, procs, threads);
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	deadline = time(NULL) + seconds;
	fflush(stdout);
	for (p = 0; p < procs; p++) {
		pids[p] = fork();
		if (pids[p] == 0)
			_exit(process_main(seed + (unsigned int)p, threads));
	}
	/* keep the counter moving, so that no blocking read outlives the deadline */
	ctl = open(SG_DEV, O_RDONLY);
	for (p = 0; p < procs; p++) {
		while (waitpid(pids[p], &status, WNOHANG) == 0) {
			if (time(NULL) >= deadline)
				sg_trigger_fd(ctl, 0);
			usleep(20000);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			diag("process %d: %s %d", p, WIFEXITED(status) ? "exit" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			bad = 1;
		}
	}
	close(ctl);
	report_calls(&t_start);
	tap_result(bad ? TEST_FAIL : TEST_PASS,
		   "every fuzzing process exited normally: no crash, no unexpected result", NULL);
	tap_result(sg_sysfs("tracked_watchers") == t0 ? TEST_PASS : TEST_FAIL,
		   "tracked_watchers back to its start value", NULL);
	tap_result(sg_sysfs("outdated_watchers") == o0 ? TEST_PASS : TEST_FAIL,
		   "outdated_watchers back to its start value", NULL);
	return tap_finish();
}
