/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's side of private networks: when to call what of src/network/ (docs/network.md, "For the
 * daemon"). The library does the work and never logs above debug; this file decides, maps its errors to
 * the bus's, and logs. */
#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>

#include "link-remover.h"
#include "log.h"
#include "machine-internal.h"
#include "machine-network.h"
#include "machine-state.h"
#include "network.h"
#include "strv.h"

/* PIDFD_GET_NET_NAMESPACE (Linux 6.11+): not in the kernel headers of every build host yet. */

/* The [Network] keys, for finding the line a message of the library is about ("Bridge=br0: ..."). */
static const char *const network_keys[] = {
        "Private", "VirtualEthernet", "VirtualEthernetExtra", "Interface", "MACVLAN", "IPVLAN", "Bridge", "Zone",
        "Port", NULL,
};

/* MSG (about a [Network] key if it begins with "KEY=") as "FILE:LINE: MSG" (the line of that key), "FILE: MSG"
 * if the line is not known, or MSG alone for a machine without a settings file. Returns 0 or -ENOMEM. */
static int locate_message(const Machine *m, const char *msg, char **ret) {
        const char *eq = strchr(msg, '=');
        unsigned line = 0;
        int r;

        if (!m->settings || !m->settings_path) {
                *ret = strdup(msg);
                return *ret ? 0 : -ENOMEM;
        }
        for (const char *const *k = network_keys; eq && *k && line == 0; k++)
                if (strlen(*k) == (size_t) (eq - msg) && strneq(msg, *k, strlen(*k)))
                        line = settings_item_line(m->settings, "Network", *k);
        r = line > 0 ? asprintf(ret, "%s:%u: %s", m->settings_path, line, msg)
                     : asprintf(ret, "%s: %s", m->settings_path, msg);
        if (r < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int machine_network_load(Machine *m, char **ret_error) {
        _cleanup_free_ char *msg = NULL;
        int r;

        network_config_done(&m->network_config);
        m->network_config = (NetworkConfig) {};

        /* A bundle: exactly the namespaces its config.json names. A new one gets what a machine without a
         * settings file gets; the host's, or one joined by path, is nobody's to wire up here. */
        if (m->oci)
                return m->oci->config.private_network ? network_config_from_settings(NULL, &m->network_config, NULL)
                                                      : 0;

        /* [Network] keys of an untrusted file never got here (settings_parse() ignored them, as nspawn does):
         * such a machine gets the default, never the host's network. */
        r = network_config_from_settings(m->settings, &m->network_config, &msg);
        if (r == -EINVAL) {
                r = locate_message(m, msg ?: "invalid [Network] section", ret_error);
                return r < 0 ? r : -MX_ERR_INVALID_SETTINGS;
        }
        return r;
}

int machine_network_setup(Machine *m, int netns_fd, char **ret_error) {
        _cleanup_free_ char *msg = NULL;
        _cleanup_close_ int netns = -EBADF;
        int r;

        network_state_done(&m->network);
        if (!m->network_config.private_network)
                return 0;

        /* The spawner's fd when it made the namespace apart from the clone (PrivateUsers=): the leader joins
         * it only once it runs, so until then its own namespace is still the host's. */
        if (netns_fd >= 0)
                netns = RET_NERRNO(fcntl(netns_fd, F_DUPFD_CLOEXEC, 3));
        else
                netns = machine_leader_namespace_fd(m, MACHINE_NAMESPACE_NET);
        if (netns == -ESRCH)
                /* The init is gone already (its set-up failed): its exit, and its report, say why. */
                return -ESRCH;
        if (netns < 0) {
                if (asprintf(ret_error, "Failed to open the network namespace of machine '%s': %s", m->name,
                             strerror(-netns)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }

        r = network_setup(m->name, &m->network_config, netns, &m->network, &msg);
        if (IN_SET(r, -ENODEV, -EMEDIUMTYPE, -EADDRINUSE, -EEXIST)) {
                /* What the settings ask for cannot be had on this host: their error, with file:line. */
                r = locate_message(m, msg ?: strerror(-r), ret_error);
                return r < 0 ? r : -MX_ERR_INVALID_SETTINGS;
        }
        if (r < 0) {
                if (asprintf(ret_error, "Failed to set up the network of machine '%s': %s", m->name,
                             msg ?: strerror(-r)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }
        log_debug("Machine %s: network set up (veth %s, zone bridge %s, %zu Port= forwards).", m->name,
                  strna(m->network.veth), strna(m->network.zone_bridge), m->network.n_ports);
        return 0;
}

void machine_network_teardown(Machine *m) {
        int r;

        if (!m->network.machine || m->network_removing)
                return;
        r = network_teardown(&m->network);
        if (r < 0)
                log_warning_errno(r, "Failed to remove the network of machine %s, ignoring: %m", m->name);
        network_state_done(&m->network);
}

static void on_links_removed(void *userdata, int result) {
        Machine *m = userdata;

        m->network_removing = false;
        if (result < 0)
                log_warning_errno(result, "Failed to remove the network of machine %s, ignoring: %m", m->name);
        else
                log_debug("Machine %s: its links are removed.", m->name);
        network_state_done(&m->network);
        machine_state_update(m);
        machine_maybe_finalize(m);
}

void machine_network_teardown_async(Machine *m) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ int *ifindexes = NULL;
        int r;

        if (!m->network.machine || m->network_removing)
                return;
        /* A zone bridge goes when its last port does, which a start of another machine in the zone could
         * race with; Port= forwards are nftables work: both stay here, as before. */
        if (m->network.zone_bridge || m->network.n_ports > 0 || (!m->network.veth && m->network.n_veth_extra == 0)) {
                machine_network_teardown(m);
                return;
        }

        r = m->manager->link_remover ? 0 : -EOPNOTSUPP;         /* made at start-up, or not at all */
        /* Each link by its index: once the payload's network namespace is gone, so is our link, and the
         * name may be another's. ifindexes[k] goes with names[k]. */
        ifindexes = new0(int, 1 + m->network.n_veth_extra);
        if (r >= 0 && !ifindexes)
                r = -ENOMEM;
        if (r >= 0 && m->network.veth) {
                ifindexes[strv_length(names)] = m->network.veth_ifindex;
                r = strv_extend(&names, m->network.veth);
        }
        for (size_t i = 0; r >= 0 && i < m->network.n_veth_extra; i++) {
                ifindexes[strv_length(names)] = m->network.veth_extra[i].ifindex;
                r = strv_extend(&names, m->network.veth_extra[i].host);
        }
        if (r >= 0)
                r = link_remover_submit(m->manager->link_remover, names, ifindexes, on_links_removed, m);
        if (r < 0) {
                log_debug_errno(r, "Machine %s: cannot remove its links off the event loop, removing them now: %m",
                                m->name);
                machine_network_teardown(m);
                return;
        }
        TAKE_PTR(names);
        TAKE_PTR(ifindexes);
        m->network_removing = true;
}

int machine_network_record(Machine *m, char **ret) {
        if (!m->network.machine) {
                *ret = NULL;
                return 0;
        }
        return network_state_to_string(&m->network, ret);
}

int machine_network_adopt(Machine *m, const char *text) {
        NetworkState s = {};
        int r;

        r = network_state_from_string(text, &s);
        if (r < 0)
                return r;
        if (!streq_ptr(s.machine, m->name)) {
                network_state_done(&s);
                return -EINVAL;
        }
        network_state_done(&m->network);
        m->network = s;
        return 0;
}

int machine_network_ifindexes(Machine *m, int **ret) {
        if (!m->network.machine) {
                *ret = NULL;
                return 0;
        }
        return network_state_ifindexes(&m->network, ret);
}

void manager_network_teardown_record(const char *name, const char *text) {
        NetworkState s = {};
        int r;

        r = network_state_from_string(text, &s);
        if (r >= 0 && !streq_ptr(s.machine, name))
                r = -EINVAL;
        if (r < 0) {
                log_warning_errno(r, "Machine %s: its recorded network cannot be read, not removing it: %m", name);
                network_state_done(&s);
                return;
        }
        r = network_teardown(&s);
        if (r < 0)
                log_warning_errno(r, "Failed to remove the network of machine %s, ignoring: %m", name);
        else
                log_debug("Machine %s: its network is removed.", name);
        network_state_done(&s);
}

/* Points the machine's Port= forwards at its current addresses. */
static void machine_network_refresh(Machine *m) {
        _cleanup_close_ int netns = -EBADF;
        int r;

        if (m->network.n_ports == 0 || m->exited)
                return;
        netns = machine_leader_namespace_fd(m, MACHINE_NAMESPACE_NET);
        if (netns < 0) {
                log_debug_errno(netns, "Machine %s: cannot open its network namespace, ignoring: %m", m->name);
                return;
        }
        r = network_refresh_ports(&m->network, netns);
        if (r < 0)
                log_warning_errno(r, "Failed to point the Port= forwards of machine %s at its address, ignoring: %m",
                                  m->name);
        else if (r > 0)
                log_debug("Machine %s: Port= forwards point at its new address.", m->name);
}

static void manager_network_refresh(Manager *manager) {
        Machine *m;

        HASHMAP_FOREACH(m, manager->machines)
                machine_network_refresh(m);
}

void manager_network_sweep(Manager *manager) {
        _cleanup_strv_free_ char **running = NULL;
        Machine *m;
        int r;

        HASHMAP_FOREACH(m, manager->machines)
                if (!m->exited && strv_extend(&running, m->name) < 0) {
                        log_oom();
                        return;
                }
        r = network_sweep(running);
        if (r < 0)
                log_warning_errno(r, "Failed to remove the Port= claims of machines that are gone, ignoring: %m");
        else if (r > 0)
                log_info("Removed %i Port= claims of machines that are gone.", r);

        /* The adopted ones may have a new address since the previous instance saw them. */
        manager_network_refresh(manager);
}

static int on_address_change(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *manager = ASSERT_PTR(userdata);
        int r;

        r = rtnl_address_monitor_drain(fd);
        if (r == 0)
                return 0;
        if (r < 0 && r != -ENOBUFS) {
                log_debug_errno(r, "Failed to read address changes, ignoring: %m");
                return 0;
        }
        /* A container's address changed (or events were lost): cheap for the machines where nothing did. */
        manager_network_refresh(manager);
        return 0;
}

int manager_watch_addresses(Manager *manager) {
        int fd, r;

        fd = rtnl_address_monitor_open();
        if (fd < 0)
                return fd;
        r = sd_event_add_io(manager->event, &manager->address_event_source, fd, EPOLLIN, on_address_change,
                            manager);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        (void) sd_event_source_set_io_fd_own(manager->address_event_source, true);
        (void) sd_event_source_set_description(manager->address_event_source, "address-monitor");
        return 0;
}
