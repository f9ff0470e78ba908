/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console without a container: the test plays the payload on the pty slave (or pipe) and the client on
 * the socket console_attach() returns. Lines go to the real journal (MACHINE=test-console-PID) if there is
 * one; that is harmless and few lines are written. */

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include "console.h"
#include "console-journal.h"
#include "util.h"
#include "test-assert.h"

static char name[64];

/* Runs the loop until FD has something to read (or for about a second if FD < 0), reads it into BUF. Returns
 * the number of bytes read, 0 on EOF, -1 if nothing came. */
static ssize_t run_and_read(sd_event *e, int fd, char *buf, size_t size) {
        for (int i = 0; i < 50; i++) {
                ASSERT(sd_event_run(e, 20 * 1000) >= 0);
                if (fd < 0)
                        continue;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 0) > 0) {
                        ssize_t n = read(fd, buf, size);
                        ASSERT(n >= 0);
                        return n;
                }
        }
        return -1;
}

static void check_log(Console *c, const char *expected) {
        void *p = NULL;
        size_t n = 0;

        ASSERT_EQ(console_get_log(c, &p, &n), 0);
        ASSERT_EQ(n, strlen(expected));
        ASSERT(n == 0 ? p == NULL : memcmp(p, expected, n) == 0);
        free(p);
}

/* Starts a console, returns the payload's end (a copy that the test owns). */
static Console *start(sd_event *e, ConsoleMode mode, int *ret_payload) {
        Console *c = NULL;
        int in, out, err, cons;

        ASSERT_EQ(console_new(e, name, "machine-test.scope", mode, &c), 0);
        ASSERT_EQ(console_mode(c), mode);
        console_payload_fds(c, &in, &out, &err, &cons);
        *ret_payload = fcntl(out >= 0 ? out : cons, F_DUPFD_CLOEXEC, 3);
        ASSERT(*ret_payload >= 0);
        ASSERT_EQ(console_started(c), 0);
        return c;
}

static void test_interactive(sd_event *e) {
        Console *c;
        const char *tty;
        char buf[256];
        int slave, client, client2, in, out, err, cons;
        ssize_t n;

        c = start(e, CONSOLE_INTERACTIVE, &slave);
        ASSERT(console_wants_controlling_tty(c));
        console_payload_fds(c, &in, &out, &err, &cons);
        ASSERT(in < 0 && out < 0 && err < 0 && cons < 0);       /* closed by console_started() */
        check_log(c, "");

        ASSERT_EQ(console_attach(c, &client, &tty), 0);
        ASSERT(startswith(tty, "/dev/pts/"));
        ASSERT_EQ(console_attach(c, &client2, &tty), -MX_ERR_CONSOLE_BUSY);

        /* payload → journal, log, client; the pty turns \n into \r\n */
        ASSERT_EQ(write(slave, "hello\n", 6), 6);
        n = run_and_read(e, client, buf, sizeof(buf));
        ASSERT_EQ(n, 7);
        ASSERT(memcmp(buf, "hello\r\n", 7) == 0);
        check_log(c, "hello\r\n");

        /* client → payload (and the echo back to the client) */
        ASSERT_EQ(fcntl(slave, F_SETFL, O_NONBLOCK), 0);
        ASSERT_EQ(write(client, "abc\n", 4), 4);
        n = run_and_read(e, slave, buf, sizeof(buf));
        ASSERT_EQ(n, 4);
        ASSERT(memcmp(buf, "abc\n", 4) == 0);
        n = run_and_read(e, client, buf, sizeof(buf));
        ASSERT(n > 0);
        ASSERT(memcmp(buf, "abc", 3) == 0);

        /* detach, attach again */
        close(client);
        (void) run_and_read(e, -1, NULL, 0);
        ASSERT_EQ(console_attach(c, &client, &tty), 0);
        ASSERT_EQ(write(slave, "again\n", 6), 6);
        n = run_and_read(e, client, buf, sizeof(buf));
        ASSERT_EQ(n, 7);
        ASSERT(memcmp(buf, "again\r\n", 7) == 0);

        /* The payload closes the slave: the log stays, the client stays attached. */
        close(slave);
        (void) run_and_read(e, -1, NULL, 0);
        check_log(c, "hello\r\nabc\r\nagain\r\n");
        ASSERT_EQ(console_attach(c, &client2, &tty), -MX_ERR_CONSOLE_BUSY);

        console_free(c);
        /* Freeing the console ends the client's session. */
        ASSERT_EQ(read(client, buf, sizeof(buf)), 0);
        close(client);
}

static void test_read_only(sd_event *e) {
        Console *c;
        const char *tty;
        char buf[256];
        int slave, client;
        ssize_t n;

        c = start(e, CONSOLE_READ_ONLY, &slave);
        ASSERT(console_wants_controlling_tty(c));
        ASSERT_EQ(fcntl(slave, F_SETFL, O_NONBLOCK), 0);
        ASSERT_EQ(console_attach(c, &client, &tty), 0);

        ASSERT_EQ(write(client, "typed\n", 6), 6);
        ASSERT_EQ(run_and_read(e, slave, buf, sizeof(buf)), -1);      /* nothing reaches the payload */

        ASSERT_EQ(write(slave, "out\n", 4), 4);
        n = run_and_read(e, client, buf, sizeof(buf));
        ASSERT_EQ(n, 5);
        check_log(c, "out\r\n");

        close(client);
        close(slave);
        console_free(c);
}

static void test_wrap(sd_event *e) {
        static char all[70 * 1024];
        Console *c;
        int slave;
        size_t done = 0;
        void *p;
        size_t n;

        /* No newlines: no ONLCR translation, and only a few (2 KiB) journal lines. */
        for (size_t i = 0; i < sizeof(all); i++)
                all[i] = (char) ('a' + (i * 7 + i / 1000) % 26);

        c = start(e, CONSOLE_READ_ONLY, &slave);
        ASSERT_EQ(fcntl(slave, F_SETFL, O_NONBLOCK), 0);
        for (int i = 0; done < sizeof(all) && i < 10000; i++) {
                ssize_t k = write(slave, all + done, sizeof(all) - done);
                if (k > 0)
                        done += (size_t) k;
                else
                        ASSERT(errno == EAGAIN);
                ASSERT(sd_event_run(e, 10 * 1000) >= 0);
        }
        ASSERT_EQ(done, sizeof(all));
        (void) run_and_read(e, -1, NULL, 0);

        ASSERT_EQ(console_get_log(c, &p, &n), 0);
        ASSERT_EQ(n, 64 * 1024);
        ASSERT(memcmp(p, all + sizeof(all) - n, n) == 0);
        free(p);

        close(slave);
        console_free(c);
}

static void test_passive(sd_event *e) {
        Console *c;
        const char *tty;
        int slave, client, in, out, err, cons;

        ASSERT_EQ(console_new(e, name, "machine-test.scope", CONSOLE_PASSIVE, &c), 0);
        ASSERT(!console_wants_controlling_tty(c));
        console_payload_fds(c, &in, &out, &err, &cons);
        ASSERT(in < 0 && out < 0 && err < 0 && cons >= 0);
        slave = fcntl(cons, F_DUPFD_CLOEXEC, 3);
        ASSERT(slave >= 0);
        ASSERT_EQ(console_started(c), 0);
        ASSERT_EQ(console_attach(c, &client, &tty), -MX_ERR_NO_CONSOLE);

        ASSERT_EQ(write(slave, "dropped\n", 8), 8);
        (void) run_and_read(e, -1, NULL, 0);
        check_log(c, "");

        close(slave);
        console_free(c);
}

static void test_pipe(sd_event *e) {
        Console *c;
        const char *tty;
        int w, client, in, out, err, cons;

        ASSERT_EQ(console_new(e, name, "machine-test.scope", CONSOLE_PIPE, &c), 0);
        ASSERT(!console_wants_controlling_tty(c));
        console_payload_fds(c, &in, &out, &err, &cons);
        ASSERT(in < 0 && out >= 0 && err == out && cons < 0);
        ASSERT(fcntl(out, F_GETFD) & FD_CLOEXEC);
        w = fcntl(out, F_DUPFD_CLOEXEC, 3);
        ASSERT(w >= 0);
        ASSERT_EQ(console_started(c), 0);
        ASSERT_EQ(console_attach(c, &client, &tty), -MX_ERR_NO_CONSOLE);

        ASSERT_EQ(write(w, "one\ntwo", 7), 7);
        close(w);                       /* EOF: the partial last line is flushed too */
        (void) run_and_read(e, -1, NULL, 0);
        check_log(c, "one\ntwo");

        console_free(c);
}

/* The payload closes its console and opens it again (systemd's init does, and calls vhangup()): what it
 * writes afterwards is read at once, not a second later, without a busy loop meanwhile; and what it writes
 * just before it is gone is read by console_drain(). */
static void test_hangup(sd_event *e) {
        Console *c;
        const char *tty;
        char path[64];
        int slave, client;
        usec_t t0, t1;

        c = start(e, CONSOLE_READ_ONLY, &slave);
        ASSERT_EQ(console_attach(c, &client, &tty), 0);
        snprintf(path, sizeof(path), "%s", tty);
        ASSERT_EQ(write(slave, "one\n", 4), 4);
        close(slave);

        /* No slave: the loop idles (each run waits out its 20 ms), it does not spin. */
        t0 = now(CLOCK_MONOTONIC);
        for (int i = 0; i < 10; i++)
                ASSERT(sd_event_run(e, 20 * 1000) >= 0);
        t1 = now(CLOCK_MONOTONIC);
        ASSERT(t1 - t0 >= 150 * USEC_PER_MSEC);
        check_log(c, "one\r\n");

        /* Back: read within 100 ms. */
        slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        ASSERT(slave >= 0);
        ASSERT_EQ(write(slave, "two\n", 4), 4);
        t0 = now(CLOCK_MONOTONIC);
        for (int i = 0; i < 5; i++)
                ASSERT(sd_event_run(e, 20 * 1000) >= 0);
        check_log(c, "one\r\ntwo\r\n");
        ASSERT(now(CLOCK_MONOTONIC) - t0 < 500 * USEC_PER_MSEC);

        /* Gone again, back, a last line and gone for good before the loop ran: console_drain() gets it. */
        close(slave);
        ASSERT(sd_event_run(e, 20 * 1000) >= 0);
        slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        ASSERT(slave >= 0);
        ASSERT_EQ(write(slave, "three\nfour", 10), 10);
        close(slave);
        console_drain(c);
        check_log(c, "one\r\ntwo\r\nthree\r\nfour");

        close(client);
        console_free(c);
}

/* The journal's rate limit: a flood is cut at CONSOLE_LINES_BURST per window, and once the shared budget is
 * used up by floods, a quiet machine still gets its first CONSOLE_LINES_QUIET lines through. */
static void test_line_ratelimit(void) {
        RateLimit shared = RATELIMIT_INIT(CONSOLE_LINES_INTERVAL, CONSOLE_LINES_SHARED);
        ConsoleRateLimit a = { .own = RATELIMIT_INIT(CONSOLE_LINES_INTERVAL, CONSOLE_LINES_BURST) };
        ConsoleRateLimit b = a, c = a, quiet = a;
        usec_t t = 1000 * USEC_PER_SEC;
        unsigned n = 0;

        for (unsigned i = 0; i < 100000; i++)
                n += console_line_allowed(&a, &shared, t);
        ASSERT_EQ(n, CONSOLE_LINES_BURST);
        ASSERT_EQ(a.suppressed, 100000 - CONSOLE_LINES_BURST);

        /* A second flood, the same; a third one gets its quiet share and the rest of the shared budget. */
        n = 0;
        for (unsigned i = 0; i < 100000; i++)
                n += console_line_allowed(&b, &shared, t + 1);
        ASSERT_EQ(n, CONSOLE_LINES_BURST);
        n = 0;
        for (unsigned i = 0; i < 100000; i++)
                n += console_line_allowed(&c, &shared, t + 1);
        ASSERT_EQ(n, CONSOLE_LINES_QUIET + CONSOLE_LINES_SHARED - 2 * (CONSOLE_LINES_BURST - CONSOLE_LINES_QUIET));

        /* A third machine: its quiet share only. */
        n = 0;
        for (unsigned i = 0; i < 1000; i++)
                n += console_line_allowed(&quiet, &shared, t + 2);
        ASSERT_EQ(n, CONSOLE_LINES_QUIET);
        ASSERT_EQ(quiet.suppressed, 1000 - CONSOLE_LINES_QUIET);

        /* The next window: all of them again. */
        t += CONSOLE_LINES_INTERVAL + 3;
        ASSERT(console_line_allowed(&a, &shared, t));
        ASSERT(console_line_allowed(&quiet, &shared, t));
}

int main(void) {
        sd_event *e = NULL;

        snprintf(name, sizeof(name), "test-console-%d", (int) getpid());
        ASSERT(sd_event_new(&e) >= 0);

        test_interactive(e);
        test_read_only(e);
        test_wrap(e);
        test_passive(e);
        test_pipe(e);
        test_hangup(e);
        test_line_ratelimit();

        sd_event_unref(e);

        return 0;
}
