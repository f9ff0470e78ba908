/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "bus-api.h"
#include "settings.h"

/* A machine's console (Console= in the settings file):
 *   interactive  a pty: its slave is the container's /dev/console and the payload's stdin/stdout/stderr (and
 *                controlling terminal). One client at a time may attach (console_attach()) and type.
 *   read-only    the same pty, but input from clients is discarded: output only.
 *   passive      a pty is the container's /dev/console, the payload's stdio is /dev/null; its output is
 *                drained and dropped (so that nothing blocks on a full pty), not logged.
 *   pipe         no pty and no /dev/console; stdin is /dev/null, stdout and stderr go to a pipe.
 * In interactive, read-only and pipe mode every line of output goes to the journal (MESSAGE=, MACHINE=NAME,
 * SYSLOG_IDENTIFIER=NAME, OBJECT_SYSTEMD_UNIT=UNIT so that `journalctl -u UNIT` finds it, PRIORITY=6) and into a
 * 64 KiB ring buffer (console_get_log()), allocated lazily. The daemon is the only reader of the pty master or
 * pipe; an attached client gets its own socket end, never the master itself, so attaching or detaching
 * never disturbs the payload or the journal.
 *
 * Life cycle: console_new() before the container is spawned; the fds for the child come from
 * console_payload_fds(); after the spawn, console_started() closes the daemon's copies of the child's ends and
 * starts forwarding; console_free() when the machine is freed. All fds O_CLOEXEC. */

typedef struct Console Console;

/* Creates the console of machine NAME (UNIT for the journal field). Returns 0 or -errno. */
int console_new(sd_event *event, const char *name, const char *unit, ConsoleMode mode, Console **ret);
Console *console_free(Console *c);
static inline void console_freep(Console **c) {
        console_free(*c);
}

ConsoleMode console_mode(const Console *c);

/* The fds the container's init gets: stdin, stdout, stderr (-EBADF = /dev/null) and the one to bind onto
 * /dev/console (-EBADF = no /dev/console, pipe mode). They stay owned by the console. */
void console_payload_fds(const Console *c, int *ret_stdin, int *ret_stdout, int *ret_stderr, int *ret_console);

/* Whether the payload should get the pty as its controlling terminal (setsid + TIOCSCTTY). */
bool console_wants_controlling_tty(const Console *c);

/* Sets the pty's window size (OCI process.consoleSize). Returns 0, -EOPNOTSUPP without a pty, or -errno. */
int console_set_size(Console *c, unsigned rows, unsigned columns);

/* After the spawn: closes the daemon's copies of the child's ends, starts reading. Returns 0 or -errno. */
int console_started(Console *c);

/* Reads everything the payload wrote that is still buffered in the pty or pipe (also after a hangup, and
 * when no process has the slave open any more) into the journal and the ring buffer, and flushes a partial
 * last line. Call it when the payload has exited, before anyone is told; console_free() calls it too.
 * Accepts NULL. */
void console_drain(Console *c);

/* Attaches a client. Returns 0 and an fd (a SOCK_STREAM socket end, O_CLOEXEC, owned by the caller): what the
 * payload writes arrives on it; what the client writes to it reaches the payload (interactive only). Sets
 * *ret_tty to the pty's host path (or "" in pipe mode). -MX_ERR_CONSOLE_BUSY if a client is attached already
 * (until it closes its end), -MX_ERR_NO_CONSOLE in passive and pipe mode (nothing to attach to), else
 * -errno. */
int console_attach(Console *c, int *ret_fd, const char **ret_tty);

/* The fd the daemon reads (the pty master, or the pipe's read end), or -EBADF. It is handed to systemd's fd
 * store, so that the payload's console survives a crash or restart of the daemon: without a reader, writes
 * to a pty slave fail with EIO and to a pipe with SIGPIPE. */
int console_reader_fd(const Console *c);

typedef void (*ConsoleEndedHandler)(Console *c, void *userdata);

/* Takes FD, a reader fd of a machine of a previous instance of the daemon (from the fd store), and keeps
 * forwarding its output to the journal (as console_new() does, for machine NAME and its scope unit). A pty is
 * treated as read-only, a pipe as a pipe. Since nothing else tells when that machine is gone, the console
 * ends when the pipe reads EOF, or when the pty has had no slave open for 10 s; then ON_ENDED is called.
 * Returns 0 or -errno (FD is closed then). */
int console_adopt(sd_event *event, const char *name, int fd, ConsoleEndedHandler on_ended, void *userdata,
                  Console **ret);

const char *console_name(const Console *c);

/* An adopted console whose machine is known again (manager-adopt.c): it ends with its machine, not after a
 * hangup; MODE (from the machine's state) replaces the guess of console_adopt(), UNIT the journal's unit. */
void console_adopted_claim(Console *c, ConsoleMode mode, const char *unit);

/* Puts P (N bytes) into the ring buffer, as if the payload had written it: the output of a previous instance
 * of the daemon, from the journal. Returns 0 or -ENOMEM. */
int console_log_prefill(Console *c, const void *p, size_t n);

/* The last (up to) 64 KiB of output, oldest first. Returns 0 with *ret (allocated; NULL and 0 if there was
 * no output) and *ret_size, or -ENOMEM. */
int console_get_log(Console *c, void **ret, size_t *ret_size);
