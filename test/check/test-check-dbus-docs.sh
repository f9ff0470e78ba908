#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-dbus-docs on a small API in fixtures/: passes on the consistent set, and for each kind of drift
# (made with sed on a copy) fails naming it. Usage: test-check-dbus-docs.sh CHECKER FIXTURES-DIR
set -u
checker=$1 fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

run() {
        "$checker" --bus-name org.example1 --markdown "$tmp/api.md" --man "$tmp/api.5" \
                --policy "$tmp/policy.conf" "$tmp/manager.xml" "$tmp/thing.xml"
}

# case NAME FILE SED-SCRIPT EXPECTED-LINE-ERE: after SED-SCRIPT on FILE, the check fails with a line
# matching EXPECTED-LINE-ERE.
case_() {
        local name=$1 file=$2 script=$3 want=$4 out rc
        cp "$fixtures"/* "$tmp"/
        sed -i -e "$script" "$tmp/$file"
        cmp -s "$fixtures/$file" "$tmp/$file" && { echo "FAIL $name: the sed script changed nothing"; failed=1; return; }
        out=$(run 2>&1)
        rc=$?
        if [ $rc = 1 ] && grep -qE -- "$want" <<<"$out"; then
                echo "ok $name"
        else
                echo "FAIL $name: exit status $rc, expected 1 and a line matching '$want':"
                sed 's/^/    | /' <<<"$out"
                failed=1
        fi
}

cp "$fixtures"/* "$tmp"/
if out=$(run 2>&1) && grep -q '^ok: ' <<<"$out"; then
        echo "ok consistent: $out"
else
        echo "FAIL consistent: the fixtures should pass:"
        sed 's/^/    | /' <<<"$out"
        failed=1
fi

case_ md-missing-method api.md '/`ListThings`/d' \
        "api.md: the daemon's method org.example1.Manager.ListThings is not described"
case_ md-missing-standard api.md '/Properties.Get`/d' \
        "api.md: the daemon's method org.freedesktop.DBus.Properties.Get is not described"
case_ md-extra-property api.md 's/^| `Since` | t |/| `Since`, `Until` | t |/' \
        "api.md:[0-9]+: property org.example1.Thing.Until is described, but the daemon has no such property"
case_ md-bad-signature api.md 's/`s name → o path`/`s name, b force → o path`/' \
        'method org.example1.Manager.StartThing: described as "sb" → "o", the daemon.s is "s" → "o"'
case_ md-bad-type api.md 's/^| `Since` | t |/| `Since` | u |/' \
        'property org.example1.Thing.Since: described as "u", the daemon.s is "t"'
case_ md-no-access api.md 's/| `→ ()` | root |/| `→ ()` | admins |/' \
        'access must be "root", "polkit" or "everyone", not "admins"'
case_ man-missing-property api.5 '/readonly t Since/d' \
        "api.5: the daemon's property org.example1.Thing.Since is not described"
case_ man-missing-signal api.5 '/ThingNew(s name,/,/o path);/d' \
        "api.5: the daemon's signal org.example1.Manager.ThingNew is not described"
case_ man-extra-method api.5 's/^      Stop();/      Stop();\n      Reset(in  b hard);/' \
        "api.5:[0-9]+: method org.example1.Thing.Reset is described, but the daemon has no such method"
case_ man-bad-args api.5 's/out o path);/out s path);/' \
        'method org.example1.Manager.StartThing: described as "s" → "s", the daemon.s is "s" → "o"'
case_ man-access-wrong api.5 's/^\.B StartThing$/.B Frob/; s/^\.BR ListThings ,$/.BR ListThings ,\n.B StartThing/' \
        'api.5:[0-9]+: StartThing is listed as for everyone, but .*api.md:[0-9]+ says root'
case_ man-access-missing api.5 '/^\.BR Stop \.$/d' \
        'api.5: org.example1.Thing.Stop is in none of "Only root may call", "Root, or a caller polkit authorizes, may call" and "Everyone may call"'
case_ man-access-unknown api.5 's/^\.B StartThing$/.B StartThing\n.B StartEverything/' \
        'api.5:[0-9]+: StartEverything is listed as root-only, but the daemon has no such method'
case_ daemon-new-method thing.xml 's|<method name="Stop">|<method name="Pause"/><method name="Stop">|' \
        "api.md: the daemon's method org.example1.Thing.Pause is not described"
case_ daemon-new-property thing.xml 's|<property name="Since"|<property name="Warnings" type="as" access="read"/><property name="Since"|' \
        "api.5: the daemon's property org.example1.Thing.Warnings is not described"
case_ policy-opens-root-method policy.conf 's|send_member="ListThings"|send_member="StartThing"|' \
        "policy.conf: org.example1.Manager.StartThing is root-only .*, but unprivileged callers may send it"
case_ policy-closes-everyone-method policy.conf 's|send_member="ListThings"|send_member="ListAll"|' \
        "policy.conf: org.example1.Manager.ListThings is for everyone .*, but unprivileged callers may not send it"
case_ polkit-method-closed api.md 's/| `StartThing` | `s name → o path` | root |/| `StartThing` | `s name → o path` | polkit |/' \
        "policy.conf: org.example1.Manager.StartThing is for polkit to decide .*, but unprivileged callers may not send it"
case_ polkit-method-man api.md 's/| `StartThing` | `s name → o path` | root |/| `StartThing` | `s name → o path` | polkit |/' \
        "api.5:[0-9]+: StartThing is listed as root-only, but .*api.md:[0-9]+ says polkit"
case_ policy-order policy.conf '/send_member="Set"/d' \
        "policy.conf: org.freedesktop.DBus.Properties.Set is root-only"
case_ policy-whole-destination policy.conf 's|<deny send_destination="org.example1"/>|<allow send_destination="org.example1"/>|' \
        "org.example1.Thing.Stop is root-only .*, but unprivileged callers may send it"
case_ policy-unknown-attribute policy.conf 's|send_member="ListThings"|send_member="ListThings" send_path="/org/example1"|' \
        "this check does not evaluate send_path"
case_ policy-other-user policy.conf 's|<policy context="default">|<policy group="wheel"><allow send_destination="org.example1"/></policy><policy context="default">|' \
        "<policy group=wheel>: cannot tell whether it applies to unprivileged callers"

exit $failed
