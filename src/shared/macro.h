/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((__cleanup__(f)))
#define _unused_ __attribute__((__unused__))
#define _printf_(a, b) __attribute__((__format__(printf, a, b)))
#define _noreturn_ __attribute__((__noreturn__))
#define _pure_ __attribute__((__pure__))
#define _const_ __attribute__((__const__))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))

#define TAKE_PTR(p)                             \
        ({                                      \
                typeof(p) _t_ = (p);            \
                (p) = NULL;                     \
                _t_;                            \
        })

#define TAKE_FD(fd)                             \
        ({                                      \
                int _t_ = (fd);                 \
                (fd) = -EBADF;                  \
                _t_;                            \
        })

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define new0(t, n) ((t *) calloc((n) ?: 1, sizeof(t)))
#define new(t, n) ((t *) malloc(sizeof(t) * ((n) ?: 1)))

#define ASSERT_PTR(p)                           \
        ({                                      \
                typeof(p) _p_ = (p);            \
                assert(_p_);                    \
                _p_;                            \
        })

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

static inline bool isempty(const char *s) {
        return !s || !s[0];
}

static inline const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

/* Returns NULL, for use as "x = mfree(x);" */
static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closep(int *fd) {
        safe_close(*fd);
}

static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}

static inline void close_pairp(int (*p)[2]) {
        safe_close((*p)[0]);
        safe_close((*p)[1]);
}

/* Frees a NULL-terminated array of strings. Returns NULL. */
static inline char **strv_free(char **l) {
        if (l)
                for (char **i = l; *i; i++)
                        free(*i);
        free(l);
        return NULL;
}

static inline void strv_freep(char ***l) {
        strv_free(*l);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_strv_free_ _cleanup_(strv_freep)
#define _cleanup_close_pair_ _cleanup_(close_pairp)

/* Negative errno helpers */
#define RET_NERRNO(expr)                        \
        ({                                      \
                long _r_ = (long) (expr);       \
                _r_ < 0 ? -errno : (int) _r_;   \
        })

static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

#define USEC_PER_SEC ((uint64_t) 1000000ULL)
#define USEC_PER_MSEC ((uint64_t) 1000ULL)
#define NSEC_PER_USEC ((uint64_t) 1000ULL)

#define IN_SET(x, first, ...)                                                   \
        ({                                                                      \
                typeof(x) _x_ = (x);                                            \
                const typeof(x) _set_[] = { first, __VA_ARGS__ };               \
                bool _found_ = false;                                           \
                for (size_t _k_ = 0; _k_ < ELEMENTSOF(_set_); _k_++)            \
                        if (_set_[_k_] == _x_) {                                \
                                _found_ = true;                                 \
                                break;                                          \
                        }                                                       \
                _found_;                                                        \
        })
