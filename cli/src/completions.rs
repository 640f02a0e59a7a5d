//! Shell completion scripts (`--completions SHELL`) that complete the
//! options, operation IDs for OP and `--describe`, and the cloud names
//! (from the endpoint table) for `--cloud`.

use super::args::{Args, Shell};
use clap::builder::PossibleValuesParser;
use clap::CommandFactory;
use falcon_harness::catalog;

const BIN: &str = "falcon-harness";

/// The completion script for `shell`.
///
/// The operation IDs are attached as possible values of OP and
/// `--describe` only here, so parsing and `--help` stay as they are; fish's
/// generator does not complete positional values, so for fish a line
/// completing the first argument is added.
pub fn script(shell: Shell) -> String {
    let ids: Vec<&'static str> = catalog::operations().map(|o| o.id()).collect();
    let mut cmd = Args::command()
        .mut_arg("op", |a| {
            a.value_parser(PossibleValuesParser::new(ids.iter().copied()))
        })
        .mut_arg("describe", |a| {
            a.value_parser(PossibleValuesParser::new(ids.iter().copied()))
        })
        .mut_arg("cloud", |a| {
            a.value_parser(PossibleValuesParser::new(falcon_harness::Cloud::names()))
        });
    let mut buf: Vec<u8> = Vec::new();
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(generator, &mut cmd, BIN, &mut buf);
    let mut out = String::from_utf8_lossy(&buf).into_owned();
    if shell == Shell::Fish {
        out.push_str(&format!(
            "complete -c {BIN} -n '__fish_is_first_arg' -f -a '{}'\n",
            ids.join(" ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_offers_operation_ids() {
        for (shell, option) in [
            (Shell::Bash, "--dry-run"),
            (Shell::Zsh, "--dry-run"),
            (Shell::Fish, "-l dry-run"),
        ] {
            let s = script(shell);
            for id in ["QueryIncidents", "CaseDownloadAttachment", "CrowdScore"] {
                assert!(s.contains(id), "{shell:?} script lacks {id}");
            }
            assert!(s.contains(option), "{shell:?} script lacks options");
        }
    }

    #[test]
    fn fish_completes_the_first_argument_and_describe_with_ids() {
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
