/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dump-settings-keys: prints the settings key table (settings_items()), one key a line:
 *   SECTION KEY TRUST STATE
 * TRUST is "any" or "privileged"; STATE is "applied", "not-applied" (parsed and stored only) or
 * "not-supported" (known from systemd.nspawn(5), not parsed yet). Read by check-man-settings.sh. */

#include <stdio.h>

#include "settings.h"

int main(void) {
        for (const SettingsItem *i = settings_items(); i->section; i++) {
                const char *trust, *state;

                switch (i->trust) {
                case TRUST_ANY:
                        trust = "any";
                        break;
                case TRUST_PRIVILEGED:
                        trust = "privileged";
                        break;
                default:
                        fprintf(stderr, "%s.%s: no valid trust class\n", i->section, i->key);
                        return 1;
                }
                state = !i->parse ? "not-supported" : i->applied ? "applied" : "not-applied";
                printf("%s %s %s %s\n", i->section, i->key, trust, state);
        }
        return 0;
}
