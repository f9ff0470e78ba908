/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* StartMachineFromBundle and OCIBundle=: the bundle is the caller's path, and it may be on a file system that
 * does not answer (a dead NFS server, a FUSE server that hangs). A helper process does every access to it -- the
 * stat() of the directory, the read of config.json (at most OCI_SPEC_SIZE_MAX bytes), the realpath() and the
 * stat() of its root -- and hands the text back in a memfd of the daemon's; the parser that builds the machine
 * stays in the daemon. The daemon watches the helper through its pidfd from the event loop, answers the start
 * after BUNDLE_READ_USEC at the latest (org.machinedext1.Timeout) and reaps the killed helper whenever it exits:
 * nothing waits for it synchronously. */

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus-api.h"
#include "fd-util.h"
#include "libmount-dl.h"
#include "log.h"
#include "machine-dbus.h"
#include "manager-dbus.h"
#include "machine.h"
#include "manager.h"
#include "oci-spec.h"
#include "held-calls.h"
#include "priv/priv.h"
#include "util.h"

/* Below the D-Bus default call timeout of 25 s, as BindMount's. */
#define BUNDLE_READ_USEC (20 * USEC_PER_SEC)
/* The longest message or root path the helper passes back. */
#define BUNDLE_READ_STRING_MAX (64U * 1024U)

typedef struct BundleRead {
        Manager *manager;
        struct BundleRead *next;
        sd_bus_message *message;        /* the start, until answered */
        char *name;
        char *unit;                     /* the call's arguments */
        char *start_bundle;
        char *bundle;                   /* the directory read */
        int pidfd;
        int memfd;                      /* the helper's result */
        int go_fd;                      /* the helper starts once this is written to (or exits when closed) */
        sd_event_source *child_event_source;
        sd_event_source *timer_event_source;
        sd_bus_message **queued_calls;  /* waits for NAME that came after the start: run once it is answered */
        size_t n_queued_calls;
} BundleRead;

/* What the helper writes at the start of the memfd; the three strings follow, in this order. */
typedef struct BundleReadHeader {
        int32_t stage;
        int32_t error;
        uint32_t text_size;
        uint32_t message_size;
        uint32_t root_size;
} BundleReadHeader;

void bundle_data_done(BundleData *d) {
        if (!d)
                return;
        free(d->bundle);
        free(d->message);
        free(d->text);
        free(d->root);
        *d = (BundleData) {};
}

/* Reads BUNDLE in this process: the helper's work. Returns 0 (*ret filled, its stage says what failed) or
 * -ENOMEM. */
static int bundle_read_sync(const char *bundle, BundleData *ret) {
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_free_ char *error = NULL;
        BundleData d = {};
        struct stat st;
        int r;

        errno = ENOTDIR; /* what a stat() that succeeds on a non-directory leaves */
        d.bundle = strdup(bundle);
        if (!d.bundle)
                return -ENOMEM;
        if (stat(bundle, &st) < 0 || !S_ISDIR(st.st_mode)) {
                d.stage = BUNDLE_READ_DIRECTORY;
                d.error = errno;
                goto done;
        }
        r = oci_spec_read(bundle, &d.text, &d.size, &d.message);
        if (r == -ENOMEM)
                goto oom;
        if (r < 0) {
                d.stage = BUNDLE_READ_CONFIG;
                d.error = -r;
                goto done;
        }
        /* Parsed here only to find the root; the daemon parses the text itself. A text that does not parse
         * has no root to look at: the daemon's parser says what is wrong with it. */
        if (oci_spec_parse(d.text, d.size, &spec, &error) < 0)
                goto done;
        error = mfree(error);
        r = oci_spec_resolve_root(spec, bundle, &d.message);
        if (r == -ENOMEM)
                goto oom;
        if (r < 0) {
                d.stage = BUNDLE_READ_CONFIG;
                d.error = -r;
                goto done;
        }
        d.root = strdup(spec->root_path);
        if (!d.root)
                goto oom;
        errno = ENOTDIR;
        if (stat(d.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
                d.stage = BUNDLE_READ_ROOT;
                d.error = errno;
        }
done:
        *ret = d;
        return 0;
oom:
        bundle_data_done(&d);
        return -ENOMEM;
}

/* In the helper: waits for the go, reads the bundle, writes the result to MEMFD, exits. */
static _noreturn_ void bundle_read_helper(const char *bundle, int memfd, int go_fd) {
        BundleData d = {};
        BundleReadHeader h;
        ssize_t n;
        char go;

        (void) priv_set_pdeathsig(SIGKILL);
        /* Nothing of the daemon's but the two fds: a helper a hung file system holds must not keep the daemon's
         * sockets, consoles or other helpers' fds open. */
        if (memfd > go_fd) {
                (void) close_range(3, (unsigned) go_fd - 1, 0);
                (void) close_range((unsigned) go_fd + 1, (unsigned) memfd - 1, 0);
                (void) close_range((unsigned) memfd + 1, ~0U, 0);
        } else {
                (void) close_range(3, (unsigned) memfd - 1, 0);
                (void) close_range((unsigned) memfd + 1, (unsigned) go_fd - 1, 0);
                (void) close_range((unsigned) go_fd + 1, ~0U, 0);
        }
        do
                n = read(go_fd, &go, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
                _exit(EXIT_FAILURE);

        if (bundle_read_sync(bundle, &d) < 0)
                _exit(EXIT_FAILURE);
        h = (BundleReadHeader) {
                .stage = (int32_t) d.stage,
                .error = d.error,
                .text_size = (uint32_t) d.size,
                .message_size = d.message ? (uint32_t) strnlen(d.message, BUNDLE_READ_STRING_MAX) : 0,
                .root_size = d.root ? (uint32_t) strnlen(d.root, BUNDLE_READ_STRING_MAX) : 0,
        };
        if (loop_write(memfd, &h, sizeof(h)) < 0 ||
            loop_write(memfd, d.text ?: "", h.text_size) < 0 ||
            loop_write(memfd, d.message ?: "", h.message_size) < 0 ||
            loop_write(memfd, d.root ?: "", h.root_size) < 0)
                _exit(EXIT_FAILURE);
        _exit(EXIT_SUCCESS);
}

/* A string of SIZE bytes at *OFFSET of FD (NULL if SIZE is 0). Returns 0 or -errno. */
static int read_string(int fd, off_t *offset, size_t size, char **ret) {
        _cleanup_free_ char *s = NULL;
        ssize_t n;

        if (size == 0) {
                *ret = NULL;
                return 0;
        }
        s = malloc(size + 1);
        if (!s)
                return -ENOMEM;
        n = pread(fd, s, size, *offset);
        if (n < 0)
                return -errno;
        if ((size_t) n != size)
                return -EBADMSG;
        s[size] = 0;
        *offset += (off_t) size;
        *ret = TAKE_PTR(s);
        return 0;
}

/* The helper's result in MEMFD. Returns 0 or -errno (-EBADMSG: no complete result). */
static int bundle_data_from_memfd(int memfd, const char *bundle, BundleData *ret) {
        BundleData d = {};
        BundleReadHeader h;
        off_t offset = sizeof(h);
        ssize_t n;
        int r;

        n = pread(memfd, &h, sizeof(h), 0);
        if (n < 0)
                return -errno;
        if ((size_t) n != sizeof(h) || h.stage < 0 || h.stage >= _BUNDLE_READ_STAGE_MAX || h.error < 0 ||
            h.text_size > OCI_SPEC_SIZE_MAX || h.message_size > BUNDLE_READ_STRING_MAX ||
            h.root_size > BUNDLE_READ_STRING_MAX)
                return -EBADMSG;
        d.stage = (BundleReadStage) h.stage;
        d.error = h.error;
        d.size = h.text_size;
        d.bundle = strdup(bundle);
        if (!d.bundle)
                return -ENOMEM;
        r = read_string(memfd, &offset, h.text_size, &d.text);
        if (r >= 0)
                r = read_string(memfd, &offset, h.message_size, &d.message);
        if (r >= 0)
                r = read_string(memfd, &offset, h.root_size, &d.root);
        if (r >= 0 && h.stage == BUNDLE_READ_DONE && !d.text && !(d.text = strdup("")))
                r = -ENOMEM;
        if (r < 0) {
                bundle_data_done(&d);
                return r;
        }
        *ret = d;
        return 0;
}

static void bundle_read_unlink(BundleRead *b) {
        for (BundleRead **p = b->manager ? &b->manager->bundle_reads : NULL; p && *p; p = &(*p)->next)
                if (*p == b) {
                        *p = b->next;
                        break;
                }
        b->next = NULL;
}

static BundleRead *bundle_read_free(BundleRead *b) {
        if (!b)
                return NULL;
        bundle_read_unlink(b);
        sd_event_source_disable_unref(b->child_event_source);
        sd_event_source_disable_unref(b->timer_event_source);
        /* Only when the daemon exits with the helper still there (its child watch reaps it otherwise). */
        if (b->pidfd >= 0)
                (void) pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0);
        safe_close(b->pidfd);
        safe_close(b->memfd);
        safe_close(b->go_fd);
        sd_bus_message_unref(b->message);
        for (size_t i = 0; i < b->n_queued_calls; i++)
                manager_release_call(b->manager, b->queued_calls[i]);
        free(b->queued_calls);
        free(b->name);
        free(b->unit);
        free(b->start_bundle);
        free(b->bundle);
        return mfree(b);
}

static void bundle_read_freep(BundleRead **b) {
        bundle_read_free(*b);
}

void manager_bundle_reads_free(Manager *m) {
        while (m->bundle_reads)
                bundle_read_free(m->bundle_reads);
}

bool manager_bundle_read_pending(Manager *m, const char *name) {
        for (BundleRead *b = m->bundle_reads; b; b = b->next)
                if (b->message && streq(b->name, name))
                        return true;
        return false;
}

int manager_bundle_read_queue(Manager *m, const char *name, sd_bus_message *message, sd_bus_error *error) {
        int r;

        for (BundleRead *b = m->bundle_reads; b; b = b->next)
                if (b->message && streq(b->name, name)) {
                        sd_bus_message **l = reallocarray(b->queued_calls, b->n_queued_calls + 1, sizeof(*l));

                        if (!l)
                                return -ENOMEM;
                        r = manager_hold_call(m, message, error);
                        if (r < 0) {
                                b->queued_calls = l;
                                return r;
                        }
                        b->queued_calls = l;
                        b->queued_calls[b->n_queued_calls++] = sd_bus_message_ref(message);
                        return 1;
                }
        return 0;
}

/* The start was answered (START_ERROR set if it failed): the calls queued behind it, in order. */
static void bundle_read_run_queued(BundleRead *b, sd_bus_error *start_error) {
        sd_bus_message **calls = TAKE_PTR(b->queued_calls);
        size_t n = b->n_queued_calls;

        b->n_queued_calls = 0;
        for (size_t i = 0; i < n; i++) {
                manager_dbus_run_queued_call(b->manager, calls[i], start_error);
                manager_release_call(b->manager, calls[i]);
        }
        free(calls);
}

static int on_bundle_read_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        BundleRead *b = ASSERT_PTR(userdata);
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *message = TAKE_PTR(b->message);
        _cleanup_(bundle_data_done) BundleData d = {};
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = -EIO;

        b->child_event_source = sd_event_source_disable_unref(b->child_event_source);
        b->pidfd = safe_close(b->pidfd);        /* reaped by sd-event */
        if (!message) {
                log_info("Machine %s: the abandoned reader of bundle %s has exited.", b->name, b->bundle);
                bundle_read_free(b);
                return 0;
        }

        if (si->si_code == CLD_EXITED && si->si_status == 0)
                r = bundle_data_from_memfd(b->memfd, b->bundle, &d);
        if (r < 0) {
                log_warning_errno(r, "Machine %s: reading bundle %s failed: %m", b->name, b->bundle);
                (void) sd_bus_error_setf(&error, BUS_ERROR_SETUP_FAILED,
                                         "Failed to read the OCI bundle %s of machine '%s'", b->bundle, b->name);
                (void) sd_bus_reply_method_error(message, &error);
        } else
                manager_start_machine_read(b->manager, message, b->name, b->unit, b->start_bundle, &d, &error);
        bundle_read_unlink(b);  /* the calls run now are no longer queued behind it */
        bundle_read_run_queued(b, &error);
        bundle_read_free(b);
        return 0;
}

static int on_bundle_read_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        BundleRead *b = ASSERT_PTR(userdata);
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *message = TAKE_PTR(b->message);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *msg = NULL;

        b->timer_event_source = sd_event_source_disable_unref(b->timer_event_source);
        log_warning("Machine %s: reading bundle %s did not finish within %llu s (does its file system not "
                    "answer?); killing the reader.", b->name, b->bundle,
                    (unsigned long long) (BUNDLE_READ_USEC / USEC_PER_SEC));
        if (asprintf(&msg, "Timed out after %llu s reading the OCI bundle %s of machine '%s' (its file system "
                     "does not answer); the start was abandoned",
                     (unsigned long long) (BUNDLE_READ_USEC / USEC_PER_SEC), b->bundle, b->name) < 0)
                msg = NULL;
        (void) bus_error_from_machine(&error, -MX_ERR_TIMEOUT, b->name, msg);
        (void) sd_bus_reply_method_error(message, &error);
        bundle_read_run_queued(b, &error);
        /* A helper waiting in the kernel dies only once the file system answers (or its connection is aborted):
         * its child watch reaps it then. */
        (void) pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0);
        return 0;
}

int manager_read_bundle(Manager *m, sd_bus_message *message, const char *name, const char *unit,
                        const char *start_bundle, const char *bundle) {
        _cleanup_(bundle_read_freep) BundleRead *b = NULL;
        int go[2];
        long pid;
        int r;

        b = new0(BundleRead, 1);
        if (!b)
                return -ENOMEM;
        *b = (BundleRead) { .pidfd = -EBADF, .memfd = -EBADF, .go_fd = -EBADF };
        b->name = strdup(name);
        b->bundle = strdup(bundle);
        if (!b->name || !b->bundle || (unit && !(b->unit = strdup(unit))) ||
            (start_bundle && !(b->start_bundle = strdup(start_bundle))))
                return -ENOMEM;

        /* The daemon's own memory: reading it back cannot hang. */
        b->memfd = memfd_create("machined-ext-bundle", MFD_CLOEXEC);
        if (b->memfd < 0)
                return -errno;
        if (pipe2(go, O_CLOEXEC) < 0)
                return -errno;
        b->go_fd = go[1];

        /* The helper parses config.json, which may take libmount (linux.rootfsPropagation): loaded here, never
         * in a child (libmount-dl.h). If it cannot be, the helper reports the option it could not parse. */
        (void) dlopen_libmount();
        pid = priv_clone_pidfd(0, &b->pidfd);
        if (pid < 0) {
                safe_close(go[0]);
                return (int) pid;
        }
        if (pid == 0)
                bundle_read_helper(bundle, b->memfd, go[0]);
        safe_close(go[0]);

        r = sd_event_add_child_pidfd(m->event, &b->child_event_source, b->pidfd, WEXITED, on_bundle_read_exit, b);
        if (r >= 0) {
                (void) sd_event_source_set_description(b->child_event_source, "machine-bundle-reader");
                r = sd_event_add_time_relative(m->event, &b->timer_event_source, CLOCK_MONOTONIC,
                                               BUNDLE_READ_USEC, 0, on_bundle_read_timeout, b);
        }
        if (r >= 0) {
                (void) sd_event_source_set_description(b->timer_event_source, "machine-bundle-reader-timeout");
                r = loop_write(b->go_fd, "G", 1);
        }
        if (r < 0) {
                /* Not released, it waits in read() and has not touched the bundle: it exits at once. */
                b->child_event_source = sd_event_source_disable_unref(b->child_event_source);
                b->go_fd = safe_close(b->go_fd);
                (void) pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, b->pidfd, &(siginfo_t) {}, WEXITED);
                b->pidfd = safe_close(b->pidfd);
                return r;
        }
        b->go_fd = safe_close(b->go_fd);

        b->message = sd_bus_message_ref(message);
        b->manager = m;
        b->next = m->bundle_reads;
        m->bundle_reads = TAKE_PTR(b);
        return 0;
}
