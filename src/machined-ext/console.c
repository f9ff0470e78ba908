/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A machine's console: the pty (or pipe) the payload writes to, the journal and ring buffer its output goes
 * to, and at most one attached client. The daemon is the only reader of the pty master; clients get one end
 * of a socketpair, so a client that attaches, stalls or goes away never affects the payload. */

#include <assert.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

#include "console.h"
#include "console-journal.h"
#include "fd-util.h"
#include "util.h"
#include "log.h"

#define CONSOLE_LOG_MAX (64U * 1024U)   /* the ring buffer */
#define CONSOLE_READ_MAX 4096U          /* one read() from the master or a client */
#define CONSOLE_DRAIN_READS_MAX 4096U   /* console_drain(): at most 16 MiB */

struct Console {
        sd_event *event;
        char *name;
        ConsoleMode mode;

        int master_fd;                  /* the pty master, or the read end of the pipe: ours */
        int child_fd;                   /* the pty slave, or the write end of the pipe: the child's, until
                                         * console_started() */
        char *tty_path;                 /* the pty slave's host path; NULL in pipe mode */
        sd_event_source *event_source;
        bool ended;                     /* the pipe read EOF, or reading failed: nothing more will come */
        bool hung_up;                   /* no pty slave open: the master is watched edge-triggered */
        sd_event_source *hangup_event_source;   /* adopted consoles, while hung up: gone after 10 s */

        int client_fd;                  /* our end of the attached client's socketpair */
        sd_event_source *client_event_source;

        /* Allocated on the first output only: an idle machine costs just this struct. */
        uint8_t *log;                   /* CONSOLE_LOG_MAX bytes */
        size_t log_head;                /* where the next byte goes */
        bool log_full;                  /* wrapped at least once: everything from log_head on is valid */

        ConsoleJournal *journal;        /* the lines sent to the journal */

        /* Adopted from the fd store (console_adopt()): ended after 10 s without a slave. */
        bool adopted;
        unsigned hangups;
        ConsoleEndedHandler on_ended;
        void *on_ended_userdata;

        char *unit;                     /* the unit the journal lines name */
};

static void console_detach(Console *c) {
        assert(c);

        if (c->client_fd < 0)
                return;
        log_debug("Console client of machine '%s' detached.", c->name);
        c->client_event_source = sd_event_source_disable_unref(c->client_event_source);
        c->client_fd = safe_close(c->client_fd);
}

static int console_alloc_buffers(Console *c) {
        if (!c->log) {
                c->log = malloc(CONSOLE_LOG_MAX);
                if (!c->log)
                        return -ENOMEM;
        }
        if (!c->journal)
                return console_journal_new(c->event, c->name, c->unit, &c->journal);
        return 0;
}

static void console_log_append(Console *c, const uint8_t *p, size_t n) {
        while (n > 0) {
                size_t k = CONSOLE_LOG_MAX - c->log_head;

                if (k > n)
                        k = n;
                memcpy(c->log + c->log_head, p, k);
                c->log_head += k;
                if (c->log_head == CONSOLE_LOG_MAX) {
                        c->log_head = 0;
                        c->log_full = true;
                }
                p += k;
                n -= k;
        }
}

/* Raw bytes to the attached client, if any. Never blocks: what the client's socket has no room for is lost
 * for that client (the journal and the ring buffer still have it). */
static void console_forward(Console *c, const uint8_t *p, size_t n) {
        ssize_t k;

        if (c->client_fd < 0)
                return;

        k = send(c->client_fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (k < 0) {
                if (IN_SET(errno, EAGAIN, EINTR, ENOBUFS)) {
                        log_debug("Console client of machine '%s' is too slow, dropped %zu bytes.", c->name, n);
                        return;
                }
                log_debug_errno(errno, "Failed to write to console client of machine '%s', detaching: %m",
                                c->name);
                console_detach(c);
        } else if ((size_t) k < n)
                log_debug("Console client of machine '%s' is too slow, dropped %zu bytes.", c->name,
                          n - (size_t) k);
}

static void console_output(Console *c, const uint8_t *p, size_t n) {
        int r;

        if (c->mode == CONSOLE_PASSIVE)
                return;                 /* drained, not logged */

        r = console_alloc_buffers(c);
        if (r < 0)
                log_debug_errno(r, "Failed to allocate console buffers of machine '%s', not logging: %m",
                                c->name);
        else {
                console_log_append(c, p, n);
                console_journal_write(c->journal, p, n);
        }

        console_forward(c, p, n);
}

/* The pipe's write end is closed everywhere: the payload is gone for good. Keeps the log. */
static void console_end(Console *c) {
        log_debug("Console of machine '%s' ended.", c->name);
        c->ended = true;
        (void) sd_event_source_set_enabled(c->event_source, SD_EVENT_OFF);
        c->hangup_event_source = sd_event_source_disable_unref(c->hangup_event_source);
        console_journal_flush(c->journal);
        console_detach(c);
        if (c->on_ended)
                c->on_ended(c, c->on_ended_userdata); /* may free c */
}

typedef enum ReadResult {
        READ_AGAIN,                     /* nothing more for now (EAGAIN) */
        READ_MORE,                      /* the bound was reached: there may be more */
        READ_HANGUP,                    /* a pty with no slave open: EIO */
        READ_EOF,                       /* the pipe's write end is closed everywhere */
        READ_ERROR,
} ReadResult;

/* Reads the master (or pipe) until it would block, has no slave, ends, or MAX_READS reads were done, and
 * passes what came on. Changes no state but the output's (and the hangup count): the callers decide what a
 * result means. */
static ReadResult console_read(Console *c, unsigned max_reads) {
        uint8_t buf[CONSOLE_READ_MAX];

        for (unsigned i = 0; i < max_reads; i++) {
                ssize_t n;

                n = read(c->master_fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return READ_AGAIN;
                        if (errno == EIO)
                                return READ_HANGUP;
                        log_debug_errno(errno, "Failed to read console of machine '%s': %m", c->name);
                        return READ_ERROR;
                }
                if (n == 0)
                        return READ_EOF;

                c->hangups = 0;         /* output: not gone */
                console_output(c, buf, (size_t) n);
        }
        return READ_MORE;
}

/* The slave is open again (a read returned data, or would block rather than fail with EIO). */
static void console_slave_back(Console *c) {
        int r;

        c->hangups = 0;
        if (!c->hung_up)
                return;
        c->hung_up = false;
        (void) sd_event_source_set_enabled(c->hangup_event_source, SD_EVENT_OFF);
        r = sd_event_source_set_io_events(c->event_source, EPOLLIN);
        if (r < 0)
                log_debug_errno(r, "Failed to watch console of machine '%s' again, ignoring: %m", c->name);
}

static int console_arm_hangup_timer(Console *c);

static int on_hangup_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Console *c = ASSERT_PTR(userdata);
        int r;

        /* Only adopted consoles get here: no machine tells us when that one is gone, so 10 s without a
         * slave (EIO every second) is gone. */
        switch (console_read(c, 16)) {
        case READ_HANGUP:
                if (++c->hangups > 10)
                        break;
                r = console_arm_hangup_timer(c);
                if (r < 0) {
                        log_debug_errno(r, "Failed to watch console of machine '%s', giving up on it: %m",
                                        c->name);
                        break;
                }
                return 0;
        case READ_AGAIN:
        case READ_MORE:
                console_slave_back(c);
                return 0;
        case READ_EOF:
        case READ_ERROR:
                break;
        }
        console_end(c); /* may free c */
        return 0;
}

static int console_arm_hangup_timer(Console *c) {
        uint64_t now;
        int r;

        r = sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;

        if (c->hangup_event_source) {
                r = sd_event_source_set_time(c->hangup_event_source, now + USEC_PER_SEC);
                if (r < 0)
                        return r;
                return sd_event_source_set_enabled(c->hangup_event_source, SD_EVENT_ONESHOT);
        }

        r = sd_event_add_time(c->event, &c->hangup_event_source, CLOCK_MONOTONIC, now + USEC_PER_SEC,
                              USEC_PER_SEC / 4, on_hangup_timer, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->hangup_event_source, "console-hangup");
        return 0;
}

/* No process has the pty slave open right now. That is the case when the container is gone, but also for a
 * moment when its init closes and reopens /dev/console, or calls vhangup() on it (systemd does both). The
 * master then polls POLLHUP until the slave is back, which level-triggered would be a busy loop: watch it
 * edge-triggered instead, so that we wake up once per change, i.e. the moment the payload writes again.
 * When the payload exits, console_drain() reads what is left. The log is kept; an attached client stays
 * attached. Returns 0 or -errno. */
static int console_hangup(Console *c) {
        int r;

        console_journal_flush(c->journal);

        if (c->hung_up)
                return 0;

        r = sd_event_source_set_io_events(c->event_source, EPOLLIN | EPOLLET);
        if (r < 0)
                return r;
        c->hung_up = true;

        if (c->adopted)
                return console_arm_hangup_timer(c);
        return 0;
}

static int on_master(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Console *c = ASSERT_PTR(userdata);
        int r;

        /* Bounded: a payload that writes without pause must not starve the rest of the daemon. Level-
         * triggered, the source stays ready and is dispatched again on the next iteration; edge-triggered
         * (after a hangup) data means the slave is back, and console_slave_back() makes it level-triggered
         * again, which reports what is left. */
        switch (console_read(c, 16)) {
        case READ_AGAIN:
        case READ_MORE:
                console_slave_back(c);
                return 0;
        case READ_HANGUP:
                r = console_hangup(c);
                if (r >= 0)
                        return 0;
                log_debug_errno(r, "Failed to wait for console of machine '%s' to come back, giving up on it: %m",
                                c->name);
                break;
        case READ_EOF:
        case READ_ERROR:
                break;
        }
        console_end(c); /* may free c */
        return 0;
}

void console_drain(Console *c) {
        if (!c || c->ended || c->master_fd < 0 || !c->event_source)
                return;

        /* Bounded, for a writer outside the container that never stops: the kernel buffers at most 64 KiB
         * in a pty and a few MiB in a pipe. */
        (void) console_read(c, CONSOLE_DRAIN_READS_MAX);
        console_journal_flush(c->journal);
}

static int on_client(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Console *c = ASSERT_PTR(userdata);
        uint8_t buf[CONSOLE_READ_MAX];
        ssize_t n, k;

        n = read(fd, buf, sizeof(buf));
        if (n < 0) {
                if (IN_SET(errno, EAGAIN, EINTR))
                        return 0;
                log_debug_errno(errno, "Failed to read from console client of machine '%s': %m", c->name);
                console_detach(c);
                return 0;
        }
        if (n == 0) {
                console_detach(c);
                return 0;
        }

        if (c->mode != CONSOLE_INTERACTIVE || c->ended)
                return 0;               /* read-only: discarded */

        /* Nonblocking: if the payload does not read its terminal, keystrokes are lost rather than the
         * daemon blocked. */
        k = write(c->master_fd, buf, (size_t) n);
        if (k < 0)
                log_debug_errno(errno, "Failed to write to console of machine '%s', dropped %zd bytes: %m",
                                c->name, n);
        else if (k < n)
                log_debug("Console of machine '%s' is full, dropped %zd bytes of input.", c->name, n - k);
        return 0;
}

static int console_open_pty(Console *c) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        struct winsize ws = { .ws_row = 24, .ws_col = 80 };
        char path[64];
        int r;

        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (master < 0)
                return -errno;
        if (grantpt(master) < 0 || unlockpt(master) < 0)
                return negative_errno();
        r = ptsname_r(master, path, sizeof(path));
        if (r != 0)
                return -r;

        /* A fresh pty's termios is what a payload expects of a terminal (ICANON, ECHO, ONLCR): keep it. */
        slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                return -errno;

        c->tty_path = strdup(path);
        if (!c->tty_path)
                return -ENOMEM;
        c->master_fd = fd_move_high(TAKE_FD(master));
        c->child_fd = TAKE_FD(slave);
        return 0;
}

static int console_open_pipe(Console *c) {
        _cleanup_close_pair_ int p[2] = { -EBADF, -EBADF };
        int r;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        r = fd_nonblock(p[0]);
        if (r < 0)
                return r;

        c->master_fd = fd_move_high(TAKE_FD(p[0]));
        c->child_fd = TAKE_FD(p[1]);
        return 0;
}

static int console_fill_fields(Console *c, const char *name, const char *unit);

int console_new(sd_event *event, const char *name, const char *unit, ConsoleMode mode, Console **ret) {
        _cleanup_(console_freep) Console *c = NULL;
        int r;

        assert(event);
        assert(name);
        assert(unit);
        assert(mode >= 0 && mode < _CONSOLE_MODE_MAX);
        assert(ret);

        c = new0(Console, 1);
        if (!c)
                return -ENOMEM;
        *c = (Console) {
                .event = sd_event_ref(event),
                .mode = mode,
                .master_fd = -EBADF,
                .child_fd = -EBADF,
                .client_fd = -EBADF,
        };

        r = console_fill_fields(c, name, unit);
        if (r < 0)
                return r;

        if (mode == CONSOLE_PIPE)
                r = console_open_pipe(c);
        else
                r = console_open_pty(c);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}

/* Flushes a partial last line to the journal, closes every fd and frees. Returns NULL. */
Console *console_free(Console *c) {
        if (!c)
                return NULL;

        console_drain(c);
        console_journal_flush(c->journal);

        console_detach(c);
        sd_event_source_disable_unref(c->event_source);
        sd_event_source_disable_unref(c->hangup_event_source);
        safe_close(c->master_fd);
        safe_close(c->child_fd);
        sd_event_unref(c->event);

        free(c->tty_path);
        free(c->log);
        console_journal_free(c->journal);
        free(c->name);
        free(c->unit);
        return mfree(c);
}

static int console_fill_fields(Console *c, const char *name, const char *unit) {
        c->name = strdup(name);
        if (!c->name)
                return -ENOMEM;
        c->unit = strdup(unit);
        if (!c->unit)
                return -ENOMEM;
        return 0;
}

int console_adopt(sd_event *event, const char *name, int fd, ConsoleEndedHandler on_ended, void *userdata,
                  Console **ret) {
        _cleanup_(console_freep) Console *c = NULL;
        _cleanup_free_ char *unit = NULL;
        struct stat st;
        int r;

        assert(event);
        assert(name);
        assert(ret);

        c = new0(Console, 1);
        if (!c) {
                safe_close(fd);
                return -ENOMEM;
        }
        *c = (Console) {
                .event = sd_event_ref(event),
                .master_fd = fd,
                .child_fd = -EBADF,
                .client_fd = -EBADF,
                .adopted = true,
                .on_ended = on_ended,
                .on_ended_userdata = userdata,
        };

        if (fstat(fd, &st) < 0)
                return -errno;
        c->mode = S_ISFIFO(st.st_mode) ? CONSOLE_PIPE : CONSOLE_READ_ONLY;

        unit = machine_scope_name(name);
        if (!unit)
                return -ENOMEM;
        r = console_fill_fields(c, name, unit);
        if (r < 0)
                return r;
        r = fd_nonblock(fd);
        if (r < 0)
                return r;

        r = sd_event_add_io(c->event, &c->event_source, c->master_fd, EPOLLIN, on_master, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->event_source, "console-adopted");

        *ret = TAKE_PTR(c);
        return 0;
}

int console_reader_fd(const Console *c) {
        return c ? c->master_fd : -EBADF;
}

const char *console_name(const Console *c) {
        return c->name;
}

/* Returns the console's mode. */
ConsoleMode console_mode(const Console *c) {
        assert(c);
        return c->mode;
}

void console_payload_fds(const Console *c, int *ret_stdin, int *ret_stdout, int *ret_stderr, int *ret_console) {
        assert(c);
        assert(ret_stdin);
        assert(ret_stdout);
        assert(ret_stderr);
        assert(ret_console);

        switch (c->mode) {

        case CONSOLE_INTERACTIVE:
        case CONSOLE_READ_ONLY:
                *ret_stdin = *ret_stdout = *ret_stderr = *ret_console = c->child_fd;
                break;

        case CONSOLE_PASSIVE:
                *ret_stdin = *ret_stdout = *ret_stderr = -EBADF;
                *ret_console = c->child_fd;
                break;

        case CONSOLE_PIPE:
                *ret_stdin = -EBADF;
                *ret_stdout = *ret_stderr = c->child_fd;
                *ret_console = -EBADF;
                break;

        default:
                assert(!"Unknown console mode");
        }
}

int console_set_size(Console *c, unsigned rows, unsigned columns) {
        struct winsize w = { .ws_row = rows, .ws_col = columns };

        assert(c);
        if (c->mode == CONSOLE_PIPE || c->master_fd < 0)
                return -EOPNOTSUPP;
        return ioctl(c->master_fd, TIOCSWINSZ, &w) < 0 ? -errno : 0;
}

/* Returns true in interactive and read-only mode, where the pty is the payload's stdio. */
bool console_wants_controlling_tty(const Console *c) {
        assert(c);
        return IN_SET(c->mode, CONSOLE_INTERACTIVE, CONSOLE_READ_ONLY);
}

int console_started(Console *c) {
        int r;

        assert(c);

        if (c->event_source)
                return 0;

        /* Once the child's copies are the only ones, the master reads EIO (the pipe EOF) when it is gone. */
        c->child_fd = safe_close(c->child_fd);

        r = sd_event_add_io(c->event, &c->event_source, c->master_fd, EPOLLIN, on_master, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->event_source, "console");
        return 0;
}

int console_attach(Console *c, int *ret_fd, const char **ret_tty) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        int r;

        assert(c);
        assert(ret_fd);
        assert(ret_tty);

        if (IN_SET(c->mode, CONSOLE_PASSIVE, CONSOLE_PIPE))
                return -MX_ERR_NO_CONSOLE;
        if (c->client_fd >= 0)
                return -MX_ERR_CONSOLE_BUSY;

        /* The client's end stays blocking: O_NONBLOCK belongs to the open file description, which the
         * client shares once it got the fd over the bus. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        r = fd_nonblock(pair[0]);
        if (r < 0)
                return r;
        /* In read-only mode the client may still write: it is read and discarded (on_client()). A
         * half-close would make clients see EPIPE, which some take as the end of the session. */

        if (c->ended) {
                /* Nothing will ever come: the client gets EOF at once. */
                *ret_fd = TAKE_FD(pair[1]);
                *ret_tty = strempty(c->tty_path);
                return 0;
        }

        r = sd_event_add_io(c->event, &c->client_event_source, pair[0], EPOLLIN, on_client, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->client_event_source, "console-client");

        c->client_fd = TAKE_FD(pair[0]);
        log_debug("Console client of machine '%s' attached.", c->name);

        *ret_fd = TAKE_FD(pair[1]);
        *ret_tty = strempty(c->tty_path);
        return 0;
}

int console_get_log(Console *c, void **ret, size_t *ret_size) {
        uint8_t *p;
        size_t n;

        assert(c);
        assert(ret);
        assert(ret_size);

        n = c->log_full ? CONSOLE_LOG_MAX : c->log_head;
        if (!c->log || n == 0) {
                *ret = NULL;
                *ret_size = 0;
                return 0;
        }

        p = malloc(n);
        if (!p)
                return -ENOMEM;
        if (c->log_full) {
                memcpy(p, c->log + c->log_head, CONSOLE_LOG_MAX - c->log_head);
                memcpy(p + CONSOLE_LOG_MAX - c->log_head, c->log, c->log_head);
        } else
                memcpy(p, c->log, n);

        *ret = p;
        *ret_size = n;
        return 0;
}

void console_adopted_claim(Console *c, ConsoleMode mode, const char *unit) {
        _cleanup_free_ char *field = NULL;

        if (!c)
                return;
        /* A pty stays a pty and a pipe a pipe, whatever the settings say now. */
        if (c->mode != CONSOLE_PIPE && mode != CONSOLE_PIPE)
                c->mode = mode;
        c->adopted = false;
        c->on_ended = NULL;
        c->on_ended_userdata = NULL;
        c->hangups = 0;
        c->hangup_event_source = sd_event_source_disable_unref(c->hangup_event_source);
        if (unit && (field = strdup(unit))) {
                free(c->unit);
                c->unit = TAKE_PTR(field);
                if (c->journal)
                        (void) console_journal_set_unit(c->journal, unit);
        }
}

int console_log_prefill(Console *c, const void *p, size_t n) {
        int r;

        if (!c || n == 0)
                return 0;
        r = console_alloc_buffers(c);
        if (r < 0)
                return r;
        console_log_append(c, p, n);
        return 0;
}
