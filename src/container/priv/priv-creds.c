/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Credentials: the capability sets, the user switch, no_new_privs and the seccomp load. */

#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "priv.h"

static void cap_freep(cap_t *c) {
        if (*c)
                (void) cap_free(*c);
}

static void caps_set_mask(cap_t caps, cap_flag_t flag, uint64_t mask) {
        for (int cap = 0; cap < 64; cap++)
                if (mask & (UINT64_C(1) << cap)) {
                        cap_value_t v = cap;
                        (void) cap_set_flag(caps, flag, 1, &v, CAP_SET);
                }
}

int priv_capbset_limit(uint64_t keep) {
        for (unsigned long cap = 0;; cap++) {
                int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
                if (r < 0)
                        return 0; /* past the kernel's last capability */
                if (r > 0 && (cap >= 64 || !(keep & (UINT64_C(1) << cap))))
                        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                                return -errno;
        }
}

int priv_caps_limit(uint64_t keep) {
        _cleanup_(cap_freep) cap_t caps = NULL;
        int r;

        r = priv_capbset_limit(keep);
        if (r < 0 && r != -EPERM)
                return r;
        for (unsigned long cap = 0; cap < 64; cap++)
                if (!(keep & (UINT64_C(1) << cap)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        caps = cap_get_proc();
        if (!caps)
                return -errno;
        for (int cap = 0; cap < (int) cap_max_bits() && cap < 64; cap++)
                if (!(keep & (UINT64_C(1) << cap))) {
                        cap_value_t v = cap;
                        (void) cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
                        (void) cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_CLEAR);
                        (void) cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_CLEAR);
                }
        return RET_NERRNO(cap_set_proc(caps));
}

int priv_caps_set_inheritable(uint64_t inheritable) {
        _cleanup_(cap_freep) cap_t caps = NULL;

        /* Nothing leaks into the payload through the ambient or inheritable sets (CVE-2022-29162). */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return -errno;
        caps = cap_get_proc();
        if (!caps)
                return -errno;
        if (cap_clear_flag(caps, CAP_INHERITABLE) < 0)
                return -errno;
        caps_set_mask(caps, CAP_INHERITABLE, inheritable);
        return RET_NERRNO(cap_set_proc(caps));
}

int priv_caps_set_exact(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
        _cleanup_(cap_freep) cap_t caps = NULL;

        /* The kernel refuses effective bits outside permitted, and permitted bits it does not already have. */
        if ((effective & ~permitted) != 0)
                return -EINVAL;
        caps = cap_init();
        if (!caps)
                return -errno;
        caps_set_mask(caps, CAP_PERMITTED, permitted);
        caps_set_mask(caps, CAP_EFFECTIVE, effective);
        caps_set_mask(caps, CAP_INHERITABLE, inheritable);
        return RET_NERRNO(cap_set_proc(caps));
}

int priv_ambient_raise(uint64_t ambient) {
        for (int cap = 0; cap < 64; cap++)
                if ((ambient & (UINT64_C(1) << cap)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) cap, 0, 0) < 0)
                        return -errno;
        return 0;
}

int priv_caps_raise_ambient(uint64_t ambient) {
        int r;

        if (ambient == 0)
                return 0;
        r = priv_caps_set_exact(ambient, ambient, ambient);
        if (r < 0)
                return r;
        return priv_ambient_raise(ambient);
}

int priv_set_keepcaps(bool b) {
        return RET_NERRNO(prctl(PR_SET_KEEPCAPS, (unsigned long) b, 0, 0, 0));
}

int priv_switch_user(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups) {
        if (uid == (uid_t) -1 || gid == (gid_t) -1 || (n_groups > 0 && !groups))
                return -EINVAL;
        if (setgroups(n_groups, groups) < 0)
                return -errno;
        if (setresgid(gid, gid, gid) < 0)
                return -errno;
        return RET_NERRNO(setresuid(uid, uid, uid));
}

int priv_switch_ids(uid_t uid, gid_t gid) {
        if (uid == (uid_t) -1 || gid == (gid_t) -1)
                return -EINVAL;
        if (setresgid(gid, gid, gid) < 0)
                return -errno;
        return RET_NERRNO(setresuid(uid, uid, uid));
}

int priv_set_no_new_privs(void) {
        return RET_NERRNO(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
}

int priv_seccomp_load(const struct sock_fprog *prog, unsigned flags) {
        long r;

        if (!prog || prog->len == 0)
                return -EINVAL;
        /* Only the flags a profile may ask for: never NEW_LISTENER (an fd nobody would read) or anything else
         * that changes what the filter means. */
        if ((flags & ~(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW)) != 0)
                return -EINVAL;
        /* The caller holds CAP_SYS_ADMIN or has set no_new_privs; we never set it here (NoNewPrivileges=
         * does). With TSYNC the kernel returns the ID of a thread it could not synchronize: we are
         * single-threaded, but never let such a positive value pass for success. */
        if (flags == 0)
                return RET_NERRNO(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0));
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
        if (r < 0)
                return -errno;
        return r == 0 ? 0 : -EBUSY;
}

int priv_set_fsids(uid_t uid, gid_t gid) {
        /* setfsuid() and setfsgid() report nothing but the previous value: ask again to know. */
        (void) setfsgid(gid);
        (void) setfsuid(uid);
        if ((uid_t) setfsuid((uid_t) -1) != uid || (gid_t) setfsgid((gid_t) -1) != gid)
                return -EPERM;
        return 0;
}

static int caps_get(cap_flag_t flag, uint64_t *ret) {
        _cleanup_(cap_freep) cap_t caps = NULL;
        uint64_t mask = 0;

        caps = cap_get_proc();
        if (!caps)
                return -errno;
        for (int cap = 0; cap < 64; cap++) {
                cap_flag_value_t v = CAP_CLEAR;

                if (cap_get_flag(caps, cap, flag, &v) >= 0 && v == CAP_SET)
                        mask |= UINT64_C(1) << cap;
        }
        *ret = mask;
        return 0;
}

static int caps_set_effective(uint64_t effective) {
        _cleanup_(cap_freep) cap_t caps = NULL;

        caps = cap_get_proc();
        if (!caps)
                return -errno;
        if (cap_clear_flag(caps, CAP_EFFECTIVE) < 0)
                return -errno;
        caps_set_mask(caps, CAP_EFFECTIVE, effective);
        return RET_NERRNO(cap_set_proc(caps));
}

int priv_fsids_push(uid_t uid, gid_t gid, PrivFsids *ret_saved) {
        PrivFsids saved = { .pushed = true };
        uint64_t permitted;
        int r;

        if (!ret_saved || uid == (uid_t) -1 || gid == (gid_t) -1)
                return -EINVAL;
        saved.uid = setfsuid((uid_t) -1);
        saved.gid = setfsgid((gid_t) -1);
        r = caps_get(CAP_EFFECTIVE, &saved.effective);
        if (r >= 0)
                r = caps_get(CAP_PERMITTED, &permitted);
        if (r < 0)
                return r;
        r = priv_set_fsids(uid, gid);
        if (r >= 0)
                r = caps_set_effective(permitted);
        if (r < 0) {
                (void) priv_set_fsids(saved.uid, saved.gid);
                (void) caps_set_effective(saved.effective);
                return r;
        }
        *ret_saved = saved;
        return 0;
}

void priv_fsids_pop(PrivFsids *saved) {
        if (!saved || !saved->pushed)
                return;
        (void) priv_set_fsids(saved->uid, saved->gid);
        (void) caps_set_effective(saved->effective);
        saved->pushed = false;
}
