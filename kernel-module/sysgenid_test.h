/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only hooks of sysgenid.c, compiled in only with `make SYSGENID_TEST=1`
 * (never in a shipped module). They let the self-tests drive paths that a
 * guest cannot reach on its own:
 *
 *   /sys/module/sysgenid/parameters/vmfork_from_hardirq
 *	write N: call the VM-fork notifier N times from hard-IRQ context (an
 *	hrtimer in HRTIMER_MODE_REL_HARD), as the kernel's vmgenid driver does
 *	when bound through the device tree; each call must bump the counter
 *	once (the last may coalesce with earlier ones) and, on a debug kernel,
 *	must not splat "sleeping function called from invalid context".
 *	Writable only between init and exit: a value given at insmod gets
 *	ENODEV (the load fails), as does a write during module exit.
 *   no_backend (load-time parameter)
 *	act as on a kernel without VM-fork notification: backend "none", and
 *	the warning when a VM Generation ID device exists.
 *   exit_delay_ms (load-time parameter)
 *	sleep this long in module exit after the timer is cancelled, while
 *	vmfork_from_hardirq is still writable: the window in which a write
 *	must be refused (it would start the timer again).
 *   fail_init (load-time parameter)
 *	init fails (-EIO) at its last step before the device is registered,
 *	after the backend was registered: it logs "test: init fails once 1 is
 *	written to fail_init_now" and waits for that write (at most 60 s), so a
 *	check can look for /dev/sysgenid while init is still running, and for
 *	anything left behind after the failed insmod.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/moduleparam.h>

static bool no_backend;
module_param(no_backend, bool, 0444);
MODULE_PARM_DESC(no_backend, "test only: register no hardware backend");

static unsigned int exit_delay_ms;
module_param(exit_delay_ms, uint, 0444);
MODULE_PARM_DESC(exit_delay_ms, "test only: sleep in module exit after cancelling the timer");

static bool sysgenid_test_no_backend(void)
{
	return no_backend;
}

static bool fail_init;
module_param(fail_init, bool, 0444);
MODULE_PARM_DESC(fail_init, "test only: init fails at its last step before the device");

static DECLARE_COMPLETION(sysgenid_test_fail_now);

static int sysgenid_test_set_fail_now(const char *val,
				      const struct kernel_param *kp)
{
	complete(&sysgenid_test_fail_now);
	return 0;
}

static const struct kernel_param_ops sysgenid_test_fail_now_ops = {
	.set = sysgenid_test_set_fail_now,
};
module_param_cb(fail_init_now, &sysgenid_test_fail_now_ops, NULL, 0200);
MODULE_PARM_DESC(fail_init_now, "test only: write 1 to let a fail_init init fail");

static int sysgenid_test_init_last(void)
{
	if (!fail_init)
		return 0;
	pr_info("test: init fails once 1 is written to fail_init_now\n");
	if (!wait_for_completion_timeout(&sysgenid_test_fail_now, 60 * HZ))
		pr_info("test: fail_init_now not written in 60 s\n");
	return -EIO;
}

#ifdef SYSGENID_HW_BACKEND_VMFORK
/*
 * Shots 10 ms apart: far enough for the bump's work item to run between two
 * of them most of the time (1 ms apart, a debug kernel under TCG merged up to
 * two thirds of them), so hardirq.sh can require more bumps than a
 * rate-limited printk would allow (10 in 5 s): a bump must never depend on
 * the log's rate limit.
 */
#define SYSGENID_TEST_SHOT_MS 10
static struct hrtimer sysgenid_test_timer;
static atomic_t sysgenid_test_shots = ATOMIC_INIT(0);
/*
 * The parameter's set op can run while the timer is not usable, at both
 * ends of the module's life. Before init: a value given at insmod
 * (vmfork_from_hardirq=N) is applied by the module loader's parse_args()
 * before sysgenid_init() runs, when the timer is still all zeroes. After
 * exit: exit cancels the timer before the sysfs file is gone (that happens
 * later, in the module loader), and a write in between would start it
 * again, into freed module memory. So "going" starts true, init clears it
 * under the lock once the timer is set up, exit sets it again under the
 * lock, and the handler starts the timer only under that lock, not going:
 * a write outside that span gets -ENODEV (at insmod, the load fails).
 */
static DEFINE_SPINLOCK(sysgenid_test_lock);
static bool sysgenid_test_going = true;

static enum hrtimer_restart sysgenid_test_fire(struct hrtimer *t)
{
	sysgenid_vmfork_nb.notifier_call(&sysgenid_vmfork_nb, 0, NULL);
	if (atomic_dec_return(&sysgenid_test_shots) <= 0)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ms_to_ktime(SYSGENID_TEST_SHOT_MS));
	return HRTIMER_RESTART;
}

static int sysgenid_test_set_hardirq(const char *val,
				     const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	if (ret)
		return ret;
	if (n == 0 || n > 1000)
		return -EINVAL;
	spin_lock(&sysgenid_test_lock);
	if (sysgenid_test_going)
		ret = -ENODEV;
	else if (atomic_cmpxchg(&sysgenid_test_shots, 0, n) != 0)
		ret = -EBUSY;
	else
		hrtimer_start(&sysgenid_test_timer,
			      ms_to_ktime(SYSGENID_TEST_SHOT_MS),
			      HRTIMER_MODE_REL_HARD);
	spin_unlock(&sysgenid_test_lock);
	return ret;
}

static const struct kernel_param_ops sysgenid_test_hardirq_ops = {
	.set = sysgenid_test_set_hardirq,
	.get = param_get_int,
};
module_param_cb(vmfork_from_hardirq, &sysgenid_test_hardirq_ops,
		&sysgenid_test_shots.counter, 0600);
MODULE_PARM_DESC(vmfork_from_hardirq,
		 "test only: write N to run the VM-fork notifier N times in hard IRQ");

static int sysgenid_test_init(void)
{
	hrtimer_init(&sysgenid_test_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_HARD);
	sysgenid_test_timer.function = sysgenid_test_fire;
	spin_lock(&sysgenid_test_lock);
	sysgenid_test_going = false;
	spin_unlock(&sysgenid_test_lock);
	return 0;
}

static void sysgenid_test_exit(void)
{
	spin_lock(&sysgenid_test_lock);
	sysgenid_test_going = true;
	spin_unlock(&sysgenid_test_lock);
	hrtimer_cancel(&sysgenid_test_timer);
	if (exit_delay_ms)
		msleep(exit_delay_ms);
}
#else
static int sysgenid_test_init(void) { return 0; }
static void sysgenid_test_exit(void) { }
#endif
