//! Shell completion scripts (`--completions SHELL`): the flags, operation
//! IDs for OP and `--describe`, collection names for `--list`, regions
//! for `--cloud`, and (bash, fish) file names after `@` in ARGS.
//!
//! clap_complete writes the scripts; the values come from the operation
//! table and are attached to the arguments only here, so parsing and
//! `--help` stay as they are. For bash a wrapper function runs before
//! clap's: it completes `@FILE` and offers nothing but `@` files and
//! flags once OP is given.

use super::args::{Args, Shell};
use clap::builder::PossibleValuesParser;
use clap::{Command, CommandFactory};
use falcon_harness::catalog;

const BIN: &str = "falcon-harness";

/// The command with the table's values attached to its arguments.
fn command(ids: &[&'static str]) -> Command {
    let values = |v: Vec<&'static str>| PossibleValuesParser::new(v);
    Args::command()
        .mut_arg("op", |a| a.value_parser(values(ids.to_vec())))
        .mut_arg("describe", |a| a.value_parser(values(ids.to_vec())))
        .mut_arg("list", |a| {
            a.value_parser(values(catalog::collections().collect()))
        })
        .mut_arg("cloud", |a| {
            a.value_parser(values(falcon_harness::Cloud::names().collect()))
        })
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let ids: Vec<&'static str> = catalog::operations().map(|o| o.id()).collect();
    let mut cmd = command(&ids);
    let mut buf: Vec<u8> = Vec::new();
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(generator, &mut cmd, BIN, &mut buf);
    let mut out = String::from_utf8_lossy(&buf).into_owned();
    match shell {
        Shell::Bash => out.push_str(&bash_wrapper(&cmd)),
        Shell::Fish => {
            // fish's generator does not complete positional values.
            out.push_str(&format!(
                "complete -c {BIN} -n '__fish_is_first_arg' -f -a '{}'\n",
                ids.join(" ")
            ));
            out.push_str(&format!(
                "complete -c {BIN} -n 'string match -q -- \"@*\" (commandline -ct)' -f \
                 -a '(string replace -r -- \"^\" \"@\" (__fish_complete_path \
                 (string sub -s 2 -- (commandline -ct))))'\n"
            ));
        }
        Shell::Zsh => {}
    }
    out
}

/// The flags that take a value, as a bash `case` pattern.
fn value_flags(cmd: &Command) -> String {
    let mut flags = Vec::new();
    for a in cmd.get_arguments() {
        if a.is_positional() || !a.get_action().takes_values() {
            continue;
        }
        flags.extend(a.get_long().map(|l| format!("--{l}")));
        flags.extend(a.get_short().map(|s| format!("-{s}")));
    }
    flags.join("|")
}

/// The bash function that wraps clap's `_falcon-harness` and takes over
/// its registration.
fn bash_wrapper(cmd: &Command) -> String {
    let clap_fn = format!("_{}", BIN.replace('-', "__"));
    let flags = value_flags(cmd);
    format!(
        r#"
# Wraps the function above: `@` completes file names (ARGS from a file);
# once OP is given, a word that is not a flag completes nothing else.
_falcon_harness_complete() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="" word i op=""
    [[ $COMP_CWORD -gt 0 ]] && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    if [[ "$cur" == @* ]]; then
        local IFS=$'\n' f
        COMPREPLY=()
        for f in $(compgen -f -- "${{cur#@}}"); do
            [[ -d "$f" ]] && f="$f/"
            COMPREPLY+=("@$f")
        done
        if [[ ${{#COMPREPLY[@]}} -eq 1 && "${{COMPREPLY[0]}}" == */ ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        case "$word" in
            {flags}) ((i++)) ;;
            -*) ;;
            *) op="$word"; break ;;
        esac
    done
    case "$prev" in
        {flags}) ;;
        *)
            if [[ -n "$op" && "$cur" != -* ]]; then
                COMPREPLY=()
                compopt +o default +o bashdefault 2>/dev/null
                return 0
            fi
            ;;
    esac
    {clap_fn} "$@"
}}
complete -F _falcon_harness_complete -o bashdefault -o default {BIN}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_offers_operation_ids_and_collections() {
        for (shell, option) in [
            (Shell::Bash, "--dry-run"),
            (Shell::Zsh, "--dry-run"),
            (Shell::Fish, "-l dry-run"),
        ] {
            let s = script(shell);
            for word in ["QueryIncidents", "CaseDownloadAttachment", "message_center"] {
                assert!(s.contains(word), "{shell:?} script lacks {word}");
            }
            assert!(s.contains(option), "{shell:?} script lacks options");
        }
    }

    #[test]
    fn fish_completes_the_first_argument_describe_and_files_after_at() {
        let s = script(Shell::Fish);
        let line = s
            .lines()
            .find(|l| l.contains("__fish_is_first_arg"))
            .unwrap();
        assert!(line.contains(" QueryIncidents "));
        // --describe's values: a multi-line list after `-l describe`
        let at = s.find("-l describe").unwrap();
        let end = s[at..].find("\ncomplete ").map_or(s.len(), |e| at + e);
        assert!(s[at..end].contains("QueryIncidents\\t"));
        assert!(s.contains("__fish_complete_path"));
    }

    #[test]
    fn every_shell_offers_the_cloud_names() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let s = script(shell);
            for name in falcon_harness::Cloud::names() {
                assert!(s.contains(name), "{shell:?} script lacks cloud {name}");
            }
        }
    }

    #[test]
    fn zsh_offers_ids_for_the_first_positional() {
        let s = script(Shell::Zsh);
        let line = s.lines().find(|l| l.contains("::op")).unwrap();
        assert!(
            line.contains(" QueryIncidents "),
            "{}",
            &line[..200.min(line.len())]
        );
    }
}
