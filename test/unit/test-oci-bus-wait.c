/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* oci_bus_wait() of machined-ext-oci: an answer that is already on the socket when the wait begins is
 * processed and the wait returns, instead of sleeping in poll() until its timeout (the lost wake-up that made
 * `run` and `delete` take 30 s more whenever systemd-machined or systemd answered before the wait). Over a
 * socketpair, one end an sd-bus server in this process: no bus daemon needed. */

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "oci-cli.h"
#include "runtime.h"
#include "test-assert.h"

/* What runtime-systemd.c uses of oci-cli.c. */
const char *arg_root = "/run/machined-ext-oci";
const char *arg_log_path = NULL;
bool arg_log_json = false;
bool arg_debug = false;
CgroupManager arg_cgroup_manager = CGROUP_MANAGER_SYSTEMD;

int oci_log(int level, int error, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
        return error > 0 ? -error : error;
}

static int answered;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        answered++;
        return 0;
}

static int on_ping(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Ping", "", "", on_ping, 0),
        SD_BUS_VTABLE_END
};

static usec_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;
}

/* Runs both ends until the client's handshake is done. */
static void handshake(sd_bus *client, sd_bus *server) {
        for (int i = 0; i < 1000; i++) {
                int r = sd_bus_is_ready(client);

                ASSERT(r >= 0);
                if (r > 0)
                        return;
                while (sd_bus_process(client, NULL) > 0)
                        ;
                while (sd_bus_process(server, NULL) > 0)
                        ;
                (void) sd_bus_wait(client, 1000);
        }
        ASSERT(!"handshake did not finish");
}

int main(void) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        sd_bus *server = NULL;
        OciBus b = {};
        sd_id128_t id;
        int pair[2];
        usec_t t;
        int r;

        ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        ASSERT(sd_id128_randomize(&id) >= 0);

        ASSERT(sd_bus_new(&server) >= 0);
        ASSERT(sd_bus_set_fd(server, pair[0], pair[0]) >= 0);
        ASSERT(sd_bus_set_server(server, 1, id) >= 0);
        ASSERT(sd_bus_add_object_vtable(server, NULL, "/test", "org.test.Test", vtable, NULL) >= 0);
        ASSERT(sd_bus_start(server) >= 0);

        ASSERT(sd_bus_new(&b.machined) >= 0);
        ASSERT(sd_bus_set_fd(b.machined, pair[1], pair[1]) >= 0);
        ASSERT(sd_bus_start(b.machined) >= 0);
        handshake(b.machined, server);

        /* The call goes out, and its answer is on the client's socket before the wait begins. */
        r = sd_bus_call_method_async(b.machined, &slot, NULL, "/test", "org.test.Test", "Ping", on_reply, NULL, "");
        ASSERT(r >= 0);
        while (sd_bus_process(b.machined, NULL) > 0) /* writes the call out */
                ;
        for (int i = 0; i < 1000 && sd_bus_process(server, NULL) >= 0; i++) {
                struct pollfd p = { .fd = pair[1], .events = POLLIN };

                if (poll(&p, 1, 10) > 0)
                        break;
        }
        ASSERT(answered == 0);

        /* One wait: it runs the callback and returns at once, not after the 5 s of its timeout. */
        t = now_usec();
        r = oci_bus_wait(&b, -EBADF, 5 * USEC_PER_SEC);
        t = now_usec() - t;
        ASSERT_EQ(r, 0);
        ASSERT_EQ(answered, 1);
        if (t >= 2 * USEC_PER_SEC) {
                fprintf(stderr, "oci_bus_wait() slept %llu ms with the answer already processed\n",
                        (unsigned long long) (t / USEC_PER_MSEC));
                abort();
        }

        /* Nothing more to come: now it does wait, for as long as it was told. */
        t = now_usec();
        r = oci_bus_wait(&b, -EBADF, 200 * USEC_PER_MSEC);
        t = now_usec() - t;
        ASSERT_EQ(r, 0);
        ASSERT(t >= 150 * USEC_PER_MSEC);

        /* An fd that is readable: 1. */
        {
                int fds[2];

                ASSERT(pipe2(fds, O_CLOEXEC) == 0);
                ASSERT(write(fds[1], "x", 1) == 1);
                ASSERT_EQ(oci_bus_wait(&b, fds[0], 5 * USEC_PER_SEC), 1);
                close(fds[0]);
                close(fds[1]);
        }

        slot = sd_bus_slot_unref(slot);
        oci_bus_done(&b);
        sd_bus_flush_close_unref(server);
        printf("ok\n");
        return 0;
}
