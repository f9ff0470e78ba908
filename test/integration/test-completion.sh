#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The bash and zsh completions of machinectl-ext as installed by meson: verbs, options, running machines from
# the daemon, startable machines from the image directory and the settings search path.

set -u
. "$(dirname "$0")/lib.sh"

BASH_COMPLETION=/usr/share/bash-completion/completions/machinectl-ext

# complete WORD...: the completions bash offers for the command line "WORD... <TAB>" (the last WORD is the
# one being completed; give "" to complete a new word), one a line, sorted.
complete_line() {
        (
                . "$BASH_COMPLETION" || exit 1
                COMP_WORDS=("$@")
                COMP_CWORD=$(($# - 1))
                COMP_LINE="$*"
                COMP_POINT=${#COMP_LINE}
                COMPREPLY=()
                _machinectl_ext machinectl-ext "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                printf '%s\n' "${COMPREPLY[@]}" | sort
        )
}

has_line() {    # TEXT LINE
        grep -qxF -- "$2" <<<"$1"
}

test_installed() {
        [ -f "$BASH_COMPLETION" ] || t_fail "$BASH_COMPLETION is not installed"
        bash -n "$BASH_COMPLETION" || t_fail "$BASH_COMPLETION does not parse"
        out=$(bash -c ". $BASH_COMPLETION && complete -p machinectl-ext")
        assert_eq "complete -F _machinectl_ext machinectl-ext" "$out" "the completion's registration"
        [ -f /usr/share/zsh/site-functions/_machinectl-ext ] || t_fail "the zsh completion is not installed"
}

test_verbs() {
        local got
        got=$(complete_line machinectl-ext st)
        assert_eq "$(printf 'start\nstatus\nstop')" "$got" "completions of 'st'"
        got=$(complete_line machinectl-ext "")
        assert_eq "$(printf 'bind\nconsole\nexec\nkill\nlist\nshell\nshow\nstart\nstatus\nstop')" "$got" "all verbs"
        got=$(complete_line machinectl-ext --no-legend -s TERM k)
        assert_eq kill "$got" "verb after options"
}

test_options() {
        local got
        got=$(complete_line machinectl-ext --no-l)
        assert_eq --no-legend "$got" "completions of '--no-l'"
        got=$(complete_line machinectl-ext kill --kill-whom "")
        assert_eq "$(printf 'all\nleader')" "$got" "--kill-whom values"
        got=$(complete_line machinectl-ext kill --kill-whom = l)
        assert_eq leader "$got" "--kill-whom=l"
        got=$(complete_line machinectl-ext kill -s TER)
        assert_eq TERM "$got" "signal names"
        got=$(complete_line machinectl-ext kill --signal = SIGTER)
        assert_eq SIGTERM "$got" "signal names with SIG"
}

test_machines() {
        local n=mxt-comp-run idle=mxt-comp-idle only=mxt-comp-settings got
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $n
        mx_root $idle
        t_track $only
        mkdir -p /etc/systemd/nspawn
        printf '[Exec]\nBoot=no\n' >/etc/systemd/nspawn/$only.nspawn
        trap 'rm -f /etc/systemd/nspawn/$only.nspawn' EXIT

        got=$(complete_line machinectl-ext stop "")
        echo "stop: $got"
        has_line "$got" $n || t_fail "'stop <TAB>' does not offer the running machine $n: $got"
        has_line "$got" $idle && t_fail "'stop <TAB>' offers $idle, which is not running"
        got=$(complete_line machinectl-ext status mxt-comp-r)
        assert_eq $n "$got" "'status mxt-comp-r<TAB>'"
        got=$(complete_line machinectl-ext bind $n "")
        has_line "$got" $n && t_fail "'bind NAME <TAB>' offers machines, not files"
        got=$(complete_line machinectl-ext bind "")
        has_line "$got" $n || t_fail "'bind <TAB>' does not offer $n: $got"

        got=$(complete_line machinectl-ext start mxt-comp-)
        echo "start: $got"
        has_line "$got" $idle || t_fail "'start <TAB>' does not offer the image $idle: $got"
        has_line "$got" $only || t_fail "'start <TAB>' does not offer $only (settings file only): $got"
        has_line "$got" $n || t_fail "'start <TAB>' does not offer $n (image and settings file): $got"
        assert_eq 1 "$(grep -cxF $n <<<"$got")" "$n offered once"
}

# zsh: an interactive zsh with compinit under tmux (a real terminal), TAB pressed on a command line.
ZSH_COMPLETION_DIR=/usr/share/zsh/site-functions
TMUX_SOCK=mxt-comp-$$

tm() {
        tmux -L "$TMUX_SOCK" "$@"
}

zpane() {
        tm capture-pane -p -J -t z 2>/dev/null
}

zpane_has() {   # ERE
        zpane | grep -qE -- "$1"
}

# zsh_tab LINE: clears the command line, types LINE and TAB.
zsh_tab() {
        tm send-keys -t z C-u "$1" Tab
}

zsh_session() {
        command -v zsh >/dev/null || skip "zsh not installed"
        command -v tmux >/dev/null || skip "tmux not installed"
        mkdir -p "$T_TMP/zdot"
        cat >"$T_TMP/zdot/.zshrc" <<ZSHRC
PS1='zsh> '
fpath=($ZSH_COMPLETION_DIR \$fpath)
autoload -Uz compinit && compinit -u -d "$T_TMP/zdot/zcompdump"
ZSHRC
        tm new-session -d -s z -x 150 -y 40 "env ZDOTDIR=$T_TMP/zdot zsh -d -i" || t_fail "tmux new-session failed"
        wait_until 10 zpane_has '^zsh> ' || t_fail "no zsh prompt: $(zpane | tail -3)"
}

test_zsh() {
        local n=mxt-comp-zrun only=mxt-comp-zset
        [ -f $ZSH_COMPLETION_DIR/_machinectl-ext ] || t_fail "the zsh completion is not installed"
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $n
        t_track $only
        mkdir -p /run/machined-ext
        printf '[Exec]\nBoot=no\n' >/run/machined-ext/$only.nspawn
        trap 'tm kill-server 2>/dev/null; rm -f /run/machined-ext/$only.nspawn' EXIT
        zsh_session

        zsh_tab 'machinectl-ext st'
        wait_until 10 zpane_has '^status +-- ' || t_fail "'st<TAB>' listed no commands: $(zpane | tail -5)"
        { zpane_has '^start +-- ' && zpane_has '^stop +-- '; } || t_fail "'st<TAB>': $(zpane | tail -5)"
        zpane_has '^show ' && t_fail "'st<TAB>' offers show"

        zsh_tab 'machinectl-ext stop mxt-comp-zr'
        wait_until 10 zpane_has "^zsh> machinectl-ext stop $n( |\$)" ||
                t_fail "'stop mxt-comp-zr<TAB>' did not complete to $n: $(zpane | tail -3)"
        zsh_tab 'machinectl-ext start mxt-comp-zs'
        wait_until 10 zpane_has "^zsh> machinectl-ext start $only( |\$)" ||
                t_fail "'start mxt-comp-zs<TAB>' did not complete to $only: $(zpane | tail -3)"
        zsh_tab 'machinectl-ext --kill-w'
        wait_until 10 zpane_has '^zsh> machinectl-ext --kill-whom=' ||
                t_fail "'--kill-w<TAB>' did not complete: $(zpane | tail -3)"
        zsh_tab 'machinectl-ext kill -s SIGTER'
        wait_until 10 zpane_has '^zsh> machinectl-ext kill -s SIGTERM' ||
                t_fail "'-s SIGTER<TAB>' did not complete: $(zpane | tail -3)"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test completion-installed test_installed
run_test completion-verbs test_verbs
run_test completion-options test_options
run_test completion-machines test_machines
run_test completion-zsh test_zsh

t_summary
