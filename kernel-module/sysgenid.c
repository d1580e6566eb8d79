// SPDX-License-Identifier: GPL-2.0
/*
 * System Generation ID driver (/dev/sysgenid)
 *
 * Keeps one system-wide unsigned 32-bit generation counter, 0 at load, that
 * changes every time the system generation changes: on a VM restore or
 * clone (through the kernel's VM-fork notification, where the kernel has
 * one: see sysgenid_backend) or when a privileged overseer asks for it with
 * SYSGENID_TRIGGER_GEN_UPDATE.
 *
 * Every open file of /dev/sysgenid is a watcher with its own state: the
 * generation it acknowledged last, whether it is outdated (the counter moved
 * since), and whether it is tracked (counted by SYSGENID_WAIT_WATCHERS).
 * The counter is also exposed read-only through a one-page mmap whose first
 * four bytes follow it, for syscall-free checks in hot paths.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/personality.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "sysgenid.h"

/* Per open file state. */
struct sysgenid_watcher {
	struct list_head node;	/* on sysgenid_watchers */
	bool tracked;		/* counted by SYSGENID_WAIT_WATCHERS */
	bool outdated;		/* the counter moved since the last acknowledge */
	/* a timed WAIT_WATCHERS to resume after a restart: see below */
	struct pid *wait_pid;	/* the thread that will restart it, or NULL */
	unsigned long wait_timeout_ms;	/* the argument it was called with */
	u64 wait_deadline;	/* in jiffies_64 */
};

/*
 * Locking rules.
 *
 * sysgenid_lock, a mutex, protects the counter (sysgenid_gen and the copy in
 * sysgenid_page), the watcher list, the two counts, and the fields of every
 * struct sysgenid_watcher. Every path that takes it runs in process context:
 * file operations and sysgenid_vmfork_work. The VM-fork notifier itself
 * never takes it, so it only queues that work item. The kernel's chain is a
 * blocking one, run from the ACPI notify handler (process context) when the
 * vmgenid driver is bound through ACPI; bound through the device tree (6.10
 * and later), that driver runs it from its hard-IRQ handler, where the
 * chain's own rwsem may already sleep: nothing of ours adds to that. Nothing
 * sleeps while holding the lock, and it nests inside no other lock of this
 * driver.
 *
 * Waiters never hold the lock while they sleep. Readers and pollers sleep
 * on sysgenid_change_wq, SYSGENID_WAIT_WATCHERS callers on sysgenid_ack_wq,
 * through wait_event_*(), whose condition is re-checked after every wake-up
 * and reads the fields it needs with READ_ONCE(); writers change those
 * fields with WRITE_ONCE() under the lock. A bump, the only change that can
 * outdate a file, wakes both queues. An acknowledge, untrack or close that
 * brings the outdated count to zero, the only other change that can end a
 * wait, wakes sysgenid_ack_wq. So no wake-up is lost, and an acknowledge
 * does not run the poll callback of every other open file (which would cost
 * O(n) per acknowledge, O(n^2) per change). The sysfs attributes read the
 * values lock-free with READ_ONCE().
 *
 * The mapped page and the outdated flags: a bump stores the page first and
 * then sets every outdated flag with smp_store_release(); poll reads the
 * flag with smp_load_acquire(). So a process that sees its fd readable and
 * then loads the page sees the new counter, on weakly ordered CPUs too.
 *
 * A timed WAIT_WATCHERS and signals: a signal ends the wait with
 * -ERESTARTSYS, and the kernel calls the ioctl again with the same argument
 * after a SA_RESTART handler (or the freezer, SIGSTOP/SIGCONT, ptrace). For
 * the timeout to survive that, the wait keeps its absolute deadline in the
 * file's wait_* fields (under sysgenid_lock) before it returns -ERESTARTSYS,
 * with a reference to the calling thread's struct pid (so a new thread can
 * never reuse the key), and the next WAIT_WATCHERS on that file by the same
 * thread with the same timeout resumes that deadline instead of starting a
 * new one. Any other return of WAIT_WATCHERS, and any other call the thread
 * makes on the file that reaches this driver (read, write, another of our
 * ioctls), drops it; close drops it. Poll, mmap and the ioctls the VFS
 * answers itself (FIONBIO, FIOCLEX, ...) do not: an overseer polls its fd
 * after EINTR to tell a change from a signal, then calls again. The
 * deadline is in 64-bit jiffies (32-bit jiffies would wrap a stale one into
 * the future after 2^31 of them), and a call never waits longer than its
 * own timeout whatever was kept. A thread that execs keeps its struct pid
 * if it was the leader (a non-leader takes the leader's): a deadline kept
 * before the exec carries over if the file survives it.
 * One deadline per file: a second thread restarting a timed wait on the
 * same file replaces the first one's, whose restart then gets the whole
 * timeout again (the old behaviour). Not -ERESTART_RESTARTBLOCK, as
 * nanosleep and poll use: the kernel turns that into EINTR whenever a
 * handler runs, SA_RESTART or not, which would make every SA_RESTART
 * handler visible to the caller; and its restart function would live in
 * module text, which rmmod could free when a handler closes the last fd.
 * Only a thread that got EINTR itself (a handler without SA_RESTART) and
 * calls WAIT_WATCHERS again on the same file with the same timeout, nothing
 * else on that file in between, cannot be told from a restart: it too
 * continues the old deadline.
 */
static DEFINE_MUTEX(sysgenid_lock);
static LIST_HEAD(sysgenid_watchers);
static DECLARE_WAIT_QUEUE_HEAD(sysgenid_change_wq);	/* read, poll */
static DECLARE_WAIT_QUEUE_HEAD(sysgenid_ack_wq);	/* WAIT_WATCHERS */
static u32 sysgenid_gen;
static unsigned int sysgenid_tracked;	/* tracked watchers */
static unsigned int sysgenid_outdated;	/* tracked and outdated watchers */
static u32 *sysgenid_page;		/* zeroed page shared by every mmap */
static const char *sysgenid_backend = "none";	/* what moves it on a VM fork */

/*
 * The next generation: max(min_gen, cur + 1), compared as unsigned 32-bit
 * values, with cur + 1 wrapping from 0xffffffff to 0. The counter always
 * changes: the one case where that max() would return cur itself (cur and
 * min_gen both 0xffffffff) wraps to 0 instead.
 */
static u32 sysgenid_next_gen(u32 cur, u32 min_gen)
{
	u32 next = cur + 1;

	if (min_gen > next && min_gen != cur)
		return min_gen;
	return next;
}

/* Move the counter and outdate every watcher. Returns the new generation. */
static u32 sysgenid_bump(u32 min_gen)
{
	struct sysgenid_watcher *w;
	u32 gen;

	mutex_lock(&sysgenid_lock);
	gen = sysgenid_next_gen(sysgenid_gen, min_gen);
	WRITE_ONCE(sysgenid_gen, gen);
	WRITE_ONCE(*sysgenid_page, gen);
	list_for_each_entry(w, &sysgenid_watchers, node)
		smp_store_release(&w->outdated, true);	/* after the page */
	WRITE_ONCE(sysgenid_outdated, sysgenid_tracked);
	mutex_unlock(&sysgenid_lock);

	wake_up_interruptible_all(&sysgenid_change_wq);
	wake_up_interruptible_all(&sysgenid_ack_wq);
	return gen;
}

/*
 * Called with sysgenid_lock held: one tracked watcher fewer is outdated.
 * Returns true if that was the last one, so WAIT_WATCHERS callers must wake.
 */
static bool sysgenid_outdated_dec_locked(void)
{
	WRITE_ONCE(sysgenid_outdated, sysgenid_outdated - 1);
	return sysgenid_outdated == 0;
}

/* Called with sysgenid_lock held. Returns true if a waiter should wake. */
static bool sysgenid_untrack_locked(struct sysgenid_watcher *w)
{
	if (!w->tracked)
		return false;
	w->tracked = false;
	WRITE_ONCE(sysgenid_tracked, sysgenid_tracked - 1);
	if (!w->outdated)
		return false;
	return sysgenid_outdated_dec_locked();
}

static int sysgenid_open(struct inode *inode, struct file *file)
{
	struct sysgenid_watcher *w;

	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;

	mutex_lock(&sysgenid_lock);
	list_add(&w->node, &sysgenid_watchers);
	mutex_unlock(&sysgenid_lock);

	file->private_data = w;
	return stream_open(inode, file);
}

static int sysgenid_release(struct inode *inode, struct file *file)
{
	struct sysgenid_watcher *w = file->private_data;
	bool wake;

	mutex_lock(&sysgenid_lock);
	list_del(&w->node);
	wake = sysgenid_untrack_locked(w);
	mutex_unlock(&sysgenid_lock);

	if (wake)
		wake_up_interruptible_all(&sysgenid_ack_wq);
	put_pid(w->wait_pid);
	kfree(w);
	return 0;
}

/*
 * Take the kept deadline of a timed WAIT_WATCHERS off @w if it belongs to
 * the calling thread; returns it in @deadline, for @timeout_ms only.
 */
static bool sysgenid_take_deadline(struct sysgenid_watcher *w,
				   unsigned long timeout_ms, u64 *deadline)
{
	struct pid *pid = NULL;
	bool resume = false;

	if (READ_ONCE(w->wait_pid) != task_pid(current))
		return false;	/* only this thread sets it to its own pid */
	mutex_lock(&sysgenid_lock);
	if (w->wait_pid == task_pid(current)) {
		pid = w->wait_pid;
		WRITE_ONCE(w->wait_pid, NULL);
		resume = w->wait_timeout_ms == timeout_ms;
		*deadline = w->wait_deadline;
	}
	mutex_unlock(&sysgenid_lock);
	put_pid(pid);
	return resume;
}

/* Any other call by the thread that kept a deadline on @w drops it. */
static void sysgenid_forget_deadline(struct sysgenid_watcher *w)
{
	u64 unused;

	sysgenid_take_deadline(w, 0, &unused);
}

/* Wait until @w is outdated; then give the current generation in @gen. */
static int sysgenid_wait_outdated(struct sysgenid_watcher *w, bool nonblock,
				  u32 *gen)
{
	for (;;) {
		mutex_lock(&sysgenid_lock);
		if (w->outdated) {
			*gen = sysgenid_gen;
			mutex_unlock(&sysgenid_lock);
			return 0;
		}
		mutex_unlock(&sysgenid_lock);

		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(sysgenid_change_wq,
					     READ_ONCE(w->outdated)))
			return -ERESTARTSYS;
	}
}

static ssize_t sysgenid_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct sysgenid_watcher *w = file->private_data;
	u32 gen;
	int ret;

	sysgenid_forget_deadline(w);
	if (count == 0)
		return 0;
	if (count < sizeof(gen))
		return -EINVAL;

	ret = sysgenid_wait_outdated(w, file->f_flags & O_NONBLOCK, &gen);
	if (ret)
		return ret;
	if (copy_to_user(buf, &gen, sizeof(gen)))
		return -EFAULT;
	return sizeof(gen);
}

static ssize_t sysgenid_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct sysgenid_watcher *w = file->private_data;
	bool wake = false;
	ssize_t ret = sizeof(u32);
	u32 gen;

	sysgenid_forget_deadline(w);
	if (count != sizeof(gen))
		return -ENOBUFS;
	if (copy_from_user(&gen, buf, sizeof(gen)))
		return -EFAULT;

	mutex_lock(&sysgenid_lock);
	if (gen != sysgenid_gen) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (w->outdated) {
		WRITE_ONCE(w->outdated, false);
		if (w->tracked)
			wake = sysgenid_outdated_dec_locked();
	}
out_unlock:
	mutex_unlock(&sysgenid_lock);

	if (wake)
		wake_up_interruptible_all(&sysgenid_ack_wq);
	return ret;
}

static __poll_t sysgenid_poll(struct file *file, poll_table *wait)
{
	struct sysgenid_watcher *w = file->private_data;

	poll_wait(file, &sysgenid_change_wq, wait);
	if (smp_load_acquire(&w->outdated))	/* before the page: see above */
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/*
 * Only a file that can acknowledge (opened for writing) may be tracked: a
 * tracked file that never acknowledges holds up every overseer's wait, so
 * tracking is as privileged as writing. Read-only users (an mmap in every
 * process, a poller) stay harmless.
 */
static int sysgenid_set_tracking(struct file *file, bool track)
{
	struct sysgenid_watcher *w = file->private_data;
	bool wake = false;

	if (track && !(file->f_mode & FMODE_WRITE))
		return -EBADF;

	mutex_lock(&sysgenid_lock);
	if (!track) {
		wake = sysgenid_untrack_locked(w);
	} else if (!w->tracked) {
		w->tracked = true;
		WRITE_ONCE(sysgenid_tracked, sysgenid_tracked + 1);
		if (w->outdated)
			WRITE_ONCE(sysgenid_outdated, sysgenid_outdated + 1);
	}
	mutex_unlock(&sysgenid_lock);

	if (wake)
		wake_up_interruptible_all(&sysgenid_ack_wq);
	return 0;
}

static bool sysgenid_waiters_done(struct sysgenid_watcher *w)
{
	return READ_ONCE(w->outdated) || READ_ONCE(sysgenid_outdated) == 0;
}

/*
 * Block until no tracked watcher is outdated. Fails with -EINTR when the
 * caller's own file is (or becomes) outdated, and with -ETIME when
 * @timeout_ms (0: none; cut to UINT_MAX ms and to MAX_JIFFY_OFFSET, as the
 * ABI document says) expires first. A signal restarts the call
 * (-ERESTARTSYS: the freezer, SIGSTOP/SIGCONT, ptrace and SA_RESTART
 * handlers are invisible; a handler without SA_RESTART sees EINTR, as for
 * any system call); the restarted wait keeps the deadline of the first call
 * (see the locking rules).
 */
static long sysgenid_wait_watchers(struct sysgenid_watcher *w,
				   unsigned long timeout_ms)
{
	u64 deadline, now;
	long ret;

	if (timeout_ms == 0) {
		sysgenid_forget_deadline(w);
		ret = wait_event_interruptible(sysgenid_ack_wq,
					       sysgenid_waiters_done(w));
	} else {
		/*
		 * At most MAX_JIFFY_OFFSET, which fits a long: msecs_to_jiffies()
		 * caps only from 2^31 ms, and on a 32-bit kernel at HZ=1000 a
		 * value just below that would reach MAX_SCHEDULE_TIMEOUT (no
		 * timeout at all) or sit above the cap of larger ones.
		 */
		unsigned long full = min_t(unsigned long,
			msecs_to_jiffies(min_t(unsigned long, timeout_ms, UINT_MAX)),
			MAX_JIFFY_OFFSET);
		long left = 0;	/* past the deadline: checks the condition once */

		now = get_jiffies_64();
		if (!sysgenid_take_deadline(w, timeout_ms, &deadline))
			deadline = now + full;
		/*
		 * 64-bit jiffies: a kept deadline compared with 32-bit
		 * jiffies would wrap after 2^31 of them (24.8 days at
		 * HZ=1000), turning a stale deadline into one ~25 days
		 * ahead. And never more than this call's own timeout,
		 * whatever the kept value says.
		 */
		if (time_before64(now, deadline))
			left = min_t(u64, deadline - now, full);
		ret = wait_event_interruptible_timeout(sysgenid_ack_wq,
			sysgenid_waiters_done(w), left);
		if (ret == 0)
			return -ETIME;
	}
	if (READ_ONCE(w->outdated))
		return -EINTR;
	if (ret < 0) {
		if (timeout_ms) {
			struct pid *old;

			mutex_lock(&sysgenid_lock);
			old = w->wait_pid;
			WRITE_ONCE(w->wait_pid, get_pid(task_pid(current)));
			w->wait_timeout_ms = timeout_ms;
			w->wait_deadline = deadline;
			mutex_unlock(&sysgenid_lock);
			put_pid(old);
		}
		return -ERESTARTSYS;
	}
	return 0;
}

/*
 * The counter is system-wide: only CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN
 * in the initial user namespace may move it, never a namespace's root.
 */
static bool sysgenid_may_trigger(void)
{
	return checkpoint_restore_ns_capable(&init_user_ns);
}

static long sysgenid_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct sysgenid_watcher *w = file->private_data;

	if (cmd != SYSGENID_WAIT_WATCHERS)
		sysgenid_forget_deadline(w);
	switch (cmd) {
	case SYSGENID_SET_WATCHER_TRACKING:
		return sysgenid_set_tracking(file, arg != 0);
	case SYSGENID_WAIT_WATCHERS:
		return sysgenid_wait_watchers(w, arg);
	case SYSGENID_TRIGGER_GEN_UPDATE:
		if (!sysgenid_may_trigger())
			return -EACCES;
		sysgenid_bump(lower_32_bits(arg));
		return 0;
	default:
		/* -EINVAL, not -ENOTTY: the error the existing ABI returns */
		return -EINVAL;
	}
}

static void sysgenid_vma_set_flags(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_EXEC | VM_MAYWRITE | VM_MAYEXEC);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_flags &= ~(VM_EXEC | VM_MAYWRITE | VM_MAYEXEC);
#endif
}

/*
 * Every fault of a mapping is served with the one shared page: the first,
 * and any after madvise(MADV_DONTNEED) or memory pressure dropped the PTE.
 */
static vm_fault_t sysgenid_vm_fault(struct vm_fault *vmf)
{
	struct page *page = virt_to_page(sysgenid_page);

	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct sysgenid_vm_ops = {
	.fault = sysgenid_vm_fault,
};

/*
 * One read-only page at offset 0 whose first four bytes are the counter and
 * whose other bytes are zero. MAP_SHARED and MAP_PRIVATE mappings alike see
 * the live page: it can never be written, so never copied. A bump is visible
 * to every mapping on the first read of the page after sysgenid_bump()
 * stored it; a reader can of course see the old value just before a bump
 * that is still on its way.
 *
 * A process with the READ_IMPLIES_EXEC personality (a 32-bit ELF without
 * PT_GNU_STACK, setarch -X) gets VM_EXEC added to every readable mapping
 * before we see it, indistinguishable from its own PROT_EXEC. The page is
 * data, never code, so for such a process the mapping is made without
 * VM_EXEC (PROT_READ works, PROT_EXEC silently does not execute) rather
 * than refused; for every other process PROT_EXEC stays EPERM.
 */
static int sysgenid_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma_pages(vma) != 1)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if ((vma->vm_flags & VM_EXEC) &&
	    !(current->personality & READ_IMPLIES_EXEC))
		return -EPERM;

	sysgenid_vma_set_flags(vma);
	vma->vm_ops = &sysgenid_vm_ops;
	return 0;
}

static const struct file_operations sysgenid_fops = {
	.owner		= THIS_MODULE,
	.open		= sysgenid_open,
	.release	= sysgenid_release,
	.read		= sysgenid_read,
	.write		= sysgenid_write,
	.poll		= sysgenid_poll,
	.unlocked_ioctl	= sysgenid_ioctl,
	.compat_ioctl	= sysgenid_ioctl,	/* arguments are plain integers */
	.mmap		= sysgenid_mmap,
};

static ssize_t generation_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sysgenid_gen));
}
static DEVICE_ATTR_RO(generation);

static ssize_t tracked_watchers_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sysgenid_tracked));
}
static DEVICE_ATTR_RO(tracked_watchers);

static ssize_t outdated_watchers_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sysgenid_outdated));
}
static DEVICE_ATTR_RO(outdated_watchers);

static ssize_t backend_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", sysgenid_backend);
}
static DEVICE_ATTR_RO(backend);

static struct attribute *sysgenid_attrs[] = {
	&dev_attr_generation.attr,
	&dev_attr_backend.attr,
	&dev_attr_tracked_watchers.attr,
	&dev_attr_outdated_watchers.attr,
	NULL
};
ATTRIBUTE_GROUPS(sysgenid);

static struct miscdevice sysgenid_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "sysgenid",
	.fops	= &sysgenid_fops,
	.groups	= sysgenid_groups,
};

/*
 * Hardware backend: the kernel's VM-fork notification, where the kernel has
 * it (the Kbuild probe finds register_random_vmfork_notifier(), 5.18 and
 * later) and is built with its vmgenid driver (CONFIG_VMGENID: without it the
 * registration is a no-op and nothing would ever call us). The kernel's
 * driver owns the VM Generation ID device; on a new id it mixes the id into
 * the RNG, reseeds the CRNG, and then runs the notifier chain (in process
 * or, bound through the device tree, hard-IRQ context: see the locking
 * rules), so the notifier only queues the
 * bump; back-to-back notifications before it runs give one bump, after the
 * last of them, which is all a clone needs (its counter moves away from the
 * value in the snapshot). Elsewhere there is no backend and only an overseer
 * moves the counter; then init warns when a VM generation device exists.
 */
#if defined(SYSGENID_HAVE_VMFORK) && IS_ENABLED(CONFIG_VMGENID)
#define SYSGENID_HW_BACKEND "vmfork"
#define SYSGENID_HW_BACKEND_VMFORK

static void sysgenid_vmfork_bump(struct work_struct *work)
{
	/* bump first: a rate-limited printk does not evaluate its arguments */
	u32 gen = sysgenid_bump(0);

	pr_info_ratelimited("VM fork notified, generation now %u\n", gen);
}
static DECLARE_WORK(sysgenid_vmfork_work, sysgenid_vmfork_bump);

static int sysgenid_vmfork_notify(struct notifier_block *nb,
				  unsigned long action, void *data)
{
#ifdef SYSGENID_TEST_BROKEN
	/* the defect of issue 13, for the detector check only: sleeps in hard IRQ */
	sysgenid_vmfork_bump(NULL);
#else
	schedule_work(&sysgenid_vmfork_work);
#endif
	return NOTIFY_DONE;
}

static struct notifier_block sysgenid_vmfork_nb = {
	.notifier_call = sysgenid_vmfork_notify,
};

static int sysgenid_hw_register(void)
{
	return register_random_vmfork_notifier(&sysgenid_vmfork_nb);
}

static void sysgenid_hw_unregister(void)
{
	unregister_random_vmfork_notifier(&sysgenid_vmfork_nb);
	cancel_work_sync(&sysgenid_vmfork_work);
}
#else
#define SYSGENID_HW_BACKEND NULL

static int sysgenid_hw_register(void)
{
	return 0;
}

static void sysgenid_hw_unregister(void)
{
}
#endif

#ifdef SYSGENID_TEST
#include "sysgenid_test.h"
#else
static bool sysgenid_test_no_backend(void) { return false; }
static int sysgenid_test_init_last(void) { return 0; }
static int sysgenid_test_init(void) { return 0; }
static void sysgenid_test_exit(void) { }
#endif

#if IS_ENABLED(CONFIG_ACPI)
#include <linux/acpi.h>

static acpi_status sysgenid_found_vmgenid(acpi_handle handle, u32 level,
					  void *found, void **ret)
{
	*(bool *)found = true;
	return AE_CTRL_TERMINATE;
}

/* Is there a VM Generation ID device (ACPI id or compatible id)? */
static bool sysgenid_vmgenid_present(void)
{
	bool found = false;

	acpi_get_devices("VM_GEN_COUNTER", sysgenid_found_vmgenid, &found, NULL);
	if (!found)
		acpi_get_devices("VMGENCTR", sysgenid_found_vmgenid, &found,
				 NULL);
	return found;
}
#else
static bool sysgenid_vmgenid_present(void)
{
	return false;
}
#endif

static int sysgenid_hw_init(void)
{
	int ret;

	if (SYSGENID_HW_BACKEND && !sysgenid_test_no_backend()) {
		ret = sysgenid_hw_register();
		if (ret) {
			pr_err("cannot register the VM-fork notifier: %d\n", ret);
			return ret;
		}
		sysgenid_backend = SYSGENID_HW_BACKEND;
		return 0;
	}
	if (sysgenid_vmgenid_present())
		pr_warn("a VM Generation ID device exists but this kernel gives the module no VM-fork notification (needs 5.18+ with CONFIG_VMGENID): restores will NOT move the counter; an overseer must trigger it\n");
	else
		pr_info("no VM-fork notification (needs 5.18+ with CONFIG_VMGENID): restores will not move the counter; only an overseer's TRIGGER does\n");
	return 0;
}

static void sysgenid_hw_exit(void)
{
	if (strcmp(sysgenid_backend, "none"))
		sysgenid_hw_unregister();
}

/* The device node appears last, once nothing can fail any more. */
static int __init sysgenid_init(void)
{
	int ret;

	sysgenid_page = (u32 *)get_zeroed_page(GFP_KERNEL);
	if (!sysgenid_page)
		return -ENOMEM;

	ret = sysgenid_test_init();
	if (ret)
		goto err_free_page;

	ret = sysgenid_hw_init();
	if (ret)
		goto err_test_exit;

	/* a test build can make init fail here (fail_init), as late as it can */
	ret = sysgenid_test_init_last();
	if (ret)
		goto err_hw_exit;

	ret = misc_register(&sysgenid_misc);
	if (ret)
		goto err_hw_exit;

	pr_info("loaded, /dev/%s generation %u, backend %s\n",
		sysgenid_misc.name, sysgenid_gen, sysgenid_backend);
	return 0;

err_hw_exit:
	sysgenid_test_exit();
	sysgenid_hw_exit();
	goto err_free_page;
err_test_exit:
	sysgenid_test_exit();
err_free_page:
	free_page((unsigned long)sysgenid_page);
	return ret;
}

/*
 * The test hook's timer goes first: it calls the notifier, which could queue
 * the work item again after sysgenid_hw_exit() cancelled it.
 */
static void __exit sysgenid_exit(void)
{
	misc_deregister(&sysgenid_misc);
	sysgenid_test_exit();
	sysgenid_hw_exit();
	free_page((unsigned long)sysgenid_page);
}

module_init(sysgenid_init);
module_exit(sysgenid_exit);

MODULE_DESCRIPTION("System Generation ID driver (/dev/sysgenid)");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
