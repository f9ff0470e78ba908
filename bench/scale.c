/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-scale: the scale scenario's D-Bus client. Pipelines calls on org.machinedext1 with a bounded number
 * in flight and times them with CLOCK_MONOTONIC. Output is "key=value" lines, for bench/inbed.py.
 *
 *   bench-scale start PREFIX N INFLIGHT    StartMachine PREFIX-0000 .. PREFIX-(N-1)
 *   bench-scale stop PREFIX N INFLIGHT     StopMachine on the same names
 *   bench-scale query PREFIX N REPS        REPS x ListMachines, then REPS x GetMachine (names spread over N)
 *
 * start/stop print total_s, rate, ok, failed, call latency p50/p90/max (ms) and the first few errors.
 * query prints list_p50_ms, list_p90_ms, list_entries, list_running, get_p50_ms, get_p90_ms, get_failed.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

#define BUS_NAME "org.machinedext1"
#define BUS_PATH "/org/machinedext1"
#define BUS_IFACE "org.machinedext1.Manager"
#define CALL_TIMEOUT_USEC (300ULL * 1000000ULL)
#define MAX_ERRORS_SHOWN 5

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, size_t n, double p) {
        size_t i;
        if (n == 0)
                return 0;
        i = (size_t) (p / 100.0 * n + 0.999999);
        if (i < 1)
                i = 1;
        if (i > n)
                i = n;
        return v[i - 1];
}

typedef struct Call {
        double t0, ms;
        int done, failed;
        char *error;
} Call;

typedef struct State {
        Call *calls;
        size_t in_flight, done, ok, failed;
} State;

typedef struct Slot {
        State *st;
        size_t idx;
} Slot;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Slot *s = userdata;
        Call *c = &s->st->calls[s->idx];
        const sd_bus_error *e;

        (void) ret_error;
        c->ms = now_ms() - c->t0;
        c->done = 1;
        e = sd_bus_message_get_error(m);
        if (e) {
                c->failed = 1;
                if (asprintf(&c->error, "%s: %s", e->name, e->message ? e->message : "") < 0)
                        c->error = NULL;
                s->st->failed++;
        } else
                s->st->ok++;
        s->st->in_flight--;
        s->st->done++;
        free(s);
        return 1;
}

static int run_pipelined(sd_bus *bus, const char *method, const char *prefix, size_t n, size_t inflight) {
        State st = {};
        size_t next = 0;
        double t0, total, *lat;
        size_t nlat = 0, shown = 0;
        int r;

        st.calls = calloc(n, sizeof(Call));
        lat = calloc(n ? n : 1, sizeof(double));
        if (!st.calls || !lat)
                return -ENOMEM;

        t0 = now_ms();
        while (st.done < n) {
                while (next < n && st.in_flight < inflight) {
                        char name[128];
                        Slot *s = malloc(sizeof(Slot));
                        if (!s)
                                return -ENOMEM;
                        *s = (Slot) { .st = &st, .idx = next };
                        snprintf(name, sizeof(name), "%s-%04zu", prefix, next);
                        st.calls[next].t0 = now_ms();
                        r = sd_bus_call_method_async(bus, NULL, BUS_NAME, BUS_PATH, BUS_IFACE, method, on_reply, s,
                                                     "s", name);
                        if (r < 0) {
                                fprintf(stderr, "bench-scale: %s %s: %s\n", method, name, strerror(-r));
                                return r;
                        }
                        st.in_flight++;
                        next++;
                }
                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        fprintf(stderr, "bench-scale: bus: %s\n", strerror(-r));
                        return r;
                }
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR) {
                        fprintf(stderr, "bench-scale: wait: %s\n", strerror(-r));
                        return r;
                }
        }
        total = now_ms() - t0;

        for (size_t i = 0; i < n; i++)
                if (!st.calls[i].failed)
                        lat[nlat++] = st.calls[i].ms;
        qsort(lat, nlat, sizeof(double), cmp_double);

        printf("total_s=%.4f\n", total / 1e3);
        printf("rate=%.2f\n", total > 0 ? st.ok / (total / 1e3) : 0);
        printf("ok=%zu\nfailed=%zu\n", st.ok, st.failed);
        printf("call_p50_ms=%.3f\ncall_p90_ms=%.3f\ncall_max_ms=%.3f\n", pct(lat, nlat, 50), pct(lat, nlat, 90),
               nlat ? lat[nlat - 1] : 0);
        for (size_t i = 0; i < n && shown < MAX_ERRORS_SHOWN; i++)
                if (st.calls[i].failed) {
                        printf("error=%s-%04zu: %s\n", prefix, i, st.calls[i].error ? st.calls[i].error : "?");
                        shown++;
                }
        return 0;
}

static int run_query(sd_bus *bus, const char *prefix, size_t n, size_t reps) {
        double *lat = calloc(reps ? reps : 1, sizeof(double));
        size_t entries = 0, running = 0, get_failed = 0;
        int r;

        if (!lat)
                return -ENOMEM;

        for (size_t i = 0; i < reps; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                double t0 = now_ms();

                r = sd_bus_call_method(bus, BUS_NAME, BUS_PATH, BUS_IFACE, "ListMachines", &error, &reply, NULL);
                lat[i] = now_ms() - t0;
                if (r < 0) {
                        fprintf(stderr, "bench-scale: ListMachines: %s\n", error.message ? error.message : strerror(-r));
                        return r;
                }
                if (i == reps - 1) {
                        const char *name, *state, *unit, *path;
                        uint32_t leader;

                        r = sd_bus_message_enter_container(reply, 'a', "(ssuso)");
                        if (r < 0)
                                return r;
                        while ((r = sd_bus_message_read(reply, "(ssuso)", &name, &state, &leader, &unit, &path)) > 0) {
                                if (strncmp(name, prefix, strlen(prefix)) != 0)
                                        continue;
                                entries++;
                                if (strcmp(state, "running") == 0)
                                        running++;
                        }
                        if (r < 0)
                                return r;
                }
                sd_bus_message_unref(reply);
                sd_bus_error_free(&error);
        }
        qsort(lat, reps, sizeof(double), cmp_double);
        printf("list_p50_ms=%.3f\nlist_p90_ms=%.3f\nlist_entries=%zu\nlist_running=%zu\n", pct(lat, reps, 50),
               pct(lat, reps, 90), entries, running);

        for (size_t i = 0; i < reps; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                char name[128];
                double t0;

                snprintf(name, sizeof(name), "%s-%04zu", prefix, n ? (i * 7919) % n : 0);
                t0 = now_ms();
                r = sd_bus_call_method(bus, BUS_NAME, BUS_PATH, BUS_IFACE, "GetMachine", &error, &reply, "s", name);
                lat[i] = now_ms() - t0;
                if (r < 0)
                        get_failed++;
                sd_bus_message_unref(reply);
                sd_bus_error_free(&error);
        }
        qsort(lat, reps, sizeof(double), cmp_double);
        printf("get_p50_ms=%.3f\nget_p90_ms=%.3f\nget_failed=%zu\n", pct(lat, reps, 50), pct(lat, reps, 90),
               get_failed);
        free(lat);
        return 0;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        size_t n, k;
        int r;

        if (argc != 5) {
                fprintf(stderr, "usage: bench-scale start|stop|query PREFIX N INFLIGHT|REPS\n");
                return 2;
        }
        n = strtoul(argv[3], NULL, 10);
        k = strtoul(argv[4], NULL, 10);
        if (k == 0)
                k = 1;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "bench-scale: cannot connect to the system bus: %s\n", strerror(-r));
                return 1;
        }
        (void) sd_bus_set_method_call_timeout(bus, CALL_TIMEOUT_USEC);

        if (strcmp(argv[1], "start") == 0)
                r = run_pipelined(bus, "StartMachine", argv[2], n, k);
        else if (strcmp(argv[1], "stop") == 0)
                r = run_pipelined(bus, "StopMachine", argv[2], n, k);
        else if (strcmp(argv[1], "query") == 0)
                r = run_query(bus, argv[2], n, k);
        else {
                fprintf(stderr, "bench-scale: unknown command %s\n", argv[1]);
                r = -EINVAL;
        }
        fflush(stdout);
        sd_bus_flush_close_unref(bus);
        return r < 0 ? 1 : 0;
}
