/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "link-remover.h"
#include "macro.h"
#include "netlink.h"
#include "strv.h"

typedef struct LinkJob {
        struct LinkJob *next;
        char **names;
        int *ifindexes;                 /* NULL, or one per name (0: by its name) */
        link_remover_done_t done;       /* NULL: cancelled */
        void *userdata;
        int result;
} LinkJob;

struct LinkRemover {
        sd_event_source *event_source;  /* the eventfd: jobs are done */
        int event_fd;
        Rtnl *nl;                       /* used by the thread only, once it runs */

        pthread_t thread;
        bool thread_started;
        /* Everything below is under lock. */
        pthread_mutex_t lock;
        pthread_cond_t wake;
        LinkJob *queue, *queue_last;    /* to do, in order */
        LinkJob *current;               /* the thread's */
        LinkJob *finished, *finished_last;
        bool stop;
};

static LinkJob *link_job_free(LinkJob *j) {
        if (!j)
                return NULL;
        strv_free(j->names);
        free(j->ifindexes);
        return mfree(j);
}

static void append(LinkJob **first, LinkJob **last, LinkJob *j) {
        j->next = NULL;
        if (*last)
                (*last)->next = j;
        else
                *first = j;
        *last = j;
}

/* The thread: no malloc, no logging, no sd-event; only netlink, the lock and the eventfd. */
static void *link_remover_thread(void *userdata) {
        LinkRemover *lr = userdata;

        pthread_mutex_lock(&lr->lock);
        for (;;) {
                LinkJob *j;
                int result = 0;

                while (!lr->queue && !lr->stop)
                        pthread_cond_wait(&lr->wake, &lr->lock);
                if (lr->stop)
                        break;
                j = lr->current = lr->queue;
                lr->queue = j->next;
                if (!lr->queue)
                        lr->queue_last = NULL;
                pthread_mutex_unlock(&lr->lock);

                for (size_t i = 0; j->names && j->names[i]; i++) {
                        int r = rtnl_link_delete_name(lr->nl, j->names[i], j->ifindexes ? j->ifindexes[i] : 0);
                        if (r < 0 && result == 0)
                                result = r;
                }

                pthread_mutex_lock(&lr->lock);
                j->result = result;
                lr->current = NULL;
                append(&lr->finished, &lr->finished_last, j);
                (void) eventfd_write(lr->event_fd, 1);
        }
        pthread_mutex_unlock(&lr->lock);
        return NULL;
}

static int on_jobs_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        LinkRemover *lr = userdata;
        eventfd_t v;

        (void) eventfd_read(fd, &v);
        /* One at a time, each taken under the lock: a callback may cancel the jobs of others. */
        for (;;) {
                LinkJob *j;

                pthread_mutex_lock(&lr->lock);
                j = lr->finished;
                if (j) {
                        lr->finished = j->next;
                        if (!lr->finished)
                                lr->finished_last = NULL;
                }
                pthread_mutex_unlock(&lr->lock);
                if (!j)
                        return 0;
                if (j->done)
                        j->done(j->userdata, j->result);
                link_job_free(j);
        }
}

int link_remover_new(sd_event *event, LinkRemover **ret) {
        LinkRemover *lr;
        int r;

        lr = new0(LinkRemover, 1);
        if (!lr)
                return -ENOMEM;
        lr->event_fd = -EBADF;
        pthread_mutex_init(&lr->lock, NULL);
        pthread_cond_init(&lr->wake, NULL);

        r = rtnl_open(&lr->nl);
        if (r < 0)
                goto fail;
        lr->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (lr->event_fd < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(event, &lr->event_source, lr->event_fd, EPOLLIN, on_jobs_done, lr);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_description(lr->event_source, "link-remover");
        *ret = lr;
        return 0;
fail:
        link_remover_free(lr);
        return r;
}

static void free_list(LinkJob *j) {
        while (j) {
                LinkJob *next = j->next;
                link_job_free(j);
                j = next;
        }
}

LinkRemover *link_remover_free(LinkRemover *lr) {
        if (!lr)
                return NULL;
        if (lr->thread_started) {
                pthread_mutex_lock(&lr->lock);
                lr->stop = true;
                pthread_cond_signal(&lr->wake);
                pthread_mutex_unlock(&lr->lock);
                (void) pthread_join(lr->thread, NULL);
        }
        free_list(lr->queue);
        free_list(lr->finished);
        sd_event_source_disable_unref(lr->event_source);
        safe_close(lr->event_fd);
        rtnl_close(lr->nl);
        pthread_cond_destroy(&lr->wake);
        pthread_mutex_destroy(&lr->lock);
        return mfree(lr);
}

int link_remover_submit(LinkRemover *lr, char **names, int *ifindexes, link_remover_done_t done,
                        void *userdata) {
        LinkJob *j;
        int r;

        if (!lr || !done)
                return -EINVAL;
        j = new0(LinkJob, 1);
        if (!j)
                return -ENOMEM;
        *j = (LinkJob) { .names = names, .ifindexes = ifindexes, .done = done, .userdata = userdata };

        if (!lr->thread_started) {
                r = -pthread_create(&lr->thread, NULL, link_remover_thread, lr);
                if (r < 0) {
                        j->names = NULL;
                        j->ifindexes = NULL;
                        link_job_free(j);
                        return r;
                }
                lr->thread_started = true;
        }

        pthread_mutex_lock(&lr->lock);
        append(&lr->queue, &lr->queue_last, j);
        pthread_cond_signal(&lr->wake);
        pthread_mutex_unlock(&lr->lock);
        return 0;
}

void link_remover_cancel(LinkRemover *lr, void *userdata) {
        if (!lr)
                return;
        pthread_mutex_lock(&lr->lock);
        for (LinkJob **p = &lr->queue, *prev = NULL; *p;) {
                LinkJob *j = *p;
                if (j->userdata == userdata) {
                        *p = j->next;
                        if (lr->queue_last == j)
                                lr->queue_last = prev;
                        link_job_free(j);
                } else {
                        prev = j;
                        p = &j->next;
                }
        }
        if (lr->current && lr->current->userdata == userdata)
                lr->current->done = NULL;
        for (LinkJob *j = lr->finished; j; j = j->next)
                if (j->userdata == userdata)
                        j->done = NULL;
        pthread_mutex_unlock(&lr->lock);
}
