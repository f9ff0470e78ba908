/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libnftables, loaded with dlopen() for each use (Port=) and unloaded after it, as systemd loads its optional
 * libraries: a daemon whose machines forward no port does not keep it, nor libnftnl, libgmp, libjansson and
 * libxtables that it pulls in, mapped (about 1.2 MB of the daemon's RSS, issue #17). */

#include <stdint.h>

#include <nftables/libnftables.h>

typedef struct NftLib {
        struct nft_ctx *(*ctx_new)(uint32_t flags);
        void (*ctx_free)(struct nft_ctx *ctx);
        void (*ctx_output_set_flags)(struct nft_ctx *ctx, unsigned int flags);
        int (*ctx_buffer_output)(struct nft_ctx *ctx);
        const char *(*ctx_get_output_buffer)(struct nft_ctx *ctx);
        int (*ctx_buffer_error)(struct nft_ctx *ctx);
        const char *(*ctx_get_error_buffer)(struct nft_ctx *ctx);
        int (*run_cmd_from_buffer)(struct nft_ctx *nft, const char *buf);
} NftLib;

/* The entry points, valid while a reference is held (all NULL otherwise). */
extern NftLib nft_lib;

/* Takes a reference on the library, loading it on the first. Returns 1 (a reference, for nft_lib_unrefp()),
 * or -EOPNOTSUPP if it cannot be loaded (with dlerror()'s text in *ret_error if that is not NULL). Not
 * thread-safe: the daemon's event loop only. */
int nft_lib_ref(char **ret_error);
/* Drops the reference *REF holds (if it is 1); the last one unloads the library. */
void nft_lib_unrefp(int *ref);
