#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-cli-docs.sh MACHINECTL-EXT MAN-PAGE BASH-COMPLETION ZSH-COMPLETION
#
# The commands and options "machinectl-ext --help" lists against machinectl-ext(1) (".TP" tags of its
# COMMANDS and OPTIONS sections), both ways, and against the bash and zsh completions (each must offer
# every one). Also checks that the man page has an EXIT STATUS section and the completions parse (bash -n,
# zsh -n if zsh is installed). Prints every problem; exit status 1 if there was one.
set -u
cli=$1 page=$2 bash_comp=$3 zsh_comp=$4
problems=0

problem() {
        echo "$*"
        problems=$((problems + 1))
}

help=$("$cli" --help) || { echo "$cli --help failed"; exit 2; }

# --help: "Commands:" lines "  verb ARGS   text"; "Options:" lines "  -x --long=ARG   text".
help_verbs=$(awk '/^Commands:/ { s = 1; next } /^[^ ]/ { s = 0 } s && /^  [a-z]/ { print $1 }' <<<"$help" | sort -u)
help_opts=$(awk '/^Options:/ { s = 1; next } /^[^ ]/ { s = 0 } s && /^ +-/ { sub(/^ +/, ""); sub(/  .*/, ""); print }' <<<"$help" |
            tr ' ' '\n' | sed 's/=.*//' | grep -E '^-' | sort -u)
[ -n "$help_verbs" ] && [ -n "$help_opts" ] || { echo "cannot read the commands and options from --help"; exit 2; }

# The man page: the tags (the line after .TP) of a section, unescaped.
man_tags() {    # SECTION
        awk -v sec="$1" '
                /^\.SH/ { s = ($0 ~ "^\\.SH \"?" sec "\"?$"); next }
                s && prev == ".TP" { print }
                { prev = $0 }' "$page" | sed 's/\\-/-/g; s/\\f[BIRP]//g; s/"//g; s/^\.[A-Z]* //'
}
man_verbs=$(man_tags COMMANDS | awk '{ print $1 }' | sort -u)
man_opts=$(man_tags OPTIONS | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | sed 's/^[ ,]*//' | sort -u)
[ -n "$man_verbs" ] && [ -n "$man_opts" ] || { echo "$page: no COMMANDS or OPTIONS section with .TP entries"; exit 2; }

for v in $help_verbs; do
        grep -qx -- "$v" <<<"$man_verbs" || problem "$page: command '$v' (in --help) is not described under COMMANDS"
done
for v in $man_verbs; do
        grep -qx -- "$v" <<<"$help_verbs" || problem "$page: command '$v' is described, but --help does not list it"
done
for o in $help_opts; do
        grep -qx -- "$o" <<<"$man_opts" || problem "$page: option '$o' (in --help) is not described under OPTIONS"
done
for o in $man_opts; do
        grep -qx -- "$o" <<<"$help_opts" || problem "$page: option '$o' is described, but --help does not list it"
done
grep -q '^\.SH "EXIT STATUS"' "$page" || problem "$page: no EXIT STATUS section"

for f in "$bash_comp" "$zsh_comp"; do
        for w in $help_verbs $help_opts; do
                grep -qE -- "(^|[^a-zA-Z-])$w([^a-zA-Z-]|$)" "$f" || problem "$f: does not offer '$w' (in --help)"
        done
done
bash -n "$bash_comp" || problem "$bash_comp: bash -n failed"
if command -v zsh >/dev/null; then
        zsh -n "$zsh_comp" || problem "$zsh_comp: zsh -n failed"
else
        echo "zsh not installed: not checking the syntax of $zsh_comp"
fi

if [ $problems = 0 ]; then
        echo "ok: $(wc -w <<<"$help_verbs") commands and $(wc -w <<<"$help_opts") options of --help are in $page and the completions"
        exit 0
fi
echo "$problems problems"
exit 1
