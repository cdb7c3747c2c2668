//! `clerk-memberships completions SHELL`: clap_complete's scripts, bash's repaired for a
//! program name with a hyphen in it.

use clap_complete::Shell;

/// The completion script for `shell`, completing `command` under the program name
/// `bin_name`, whole in memory: clap_complete panics on a write that fails, as one into a
/// closed pipe (`| head`) does, so the caller writes it out and handles the error.
pub fn script(shell: Shell, command: &mut clap::Command, bin_name: &str) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, command, bin_name, &mut script);
    if shell != Shell::Bash {
        return script;
    }
    // clap_complete writes its scripts from Rust strings, so this is UTF-8; bytes that were
    // not would be printed as they are.
    match String::from_utf8(script) {
        Ok(text) => bash_states_spelled_alike(&text, bin_name).into_bytes(),
        Err(error) => error.into_bytes(),
    }
}

/// The separator clap_complete's bash script puts between the parts of a state name (and
/// writes for a hyphen inside a subcommand's name).
const SUBCOMMAND_SEPARATOR: &str = "__subcmd__";

/// Repairs clap_complete's bash script for a `bin_name` with a hyphen, whose completion
/// otherwise stops after the first word (clap-rs/clap#6421, also #6386 and #6529; not fixed
/// in clap_complete 4.6.12, the latest release when this was written).
///
/// The script walks the words typed into a state name, then looks the state up in a `case`
/// to find what to offer. The walk starts from the program name with `-` spelled `__`
/// (`clerk__memberships__subcmd__list`), but the `case` arms spell that hyphen as the
/// subcommand separator (`clerk__subcmd__memberships__subcmd__list`), so no arm below the
/// program itself ever matched. This respells the arms as the walk spells the states; a
/// script that already spells them alike (a fixed clap_complete) is returned unchanged.
fn bash_states_spelled_alike(script: &str, bin_name: &str) -> String {
    if !bin_name.contains('-') {
        return script.to_owned();
    }
    let arm = format!(
        "{}{SUBCOMMAND_SEPARATOR}",
        bin_name.replace('-', SUBCOMMAND_SEPARATOR)
    );
    let state = format!("{}{SUBCOMMAND_SEPARATOR}", bin_name.replace('-', "__"));
    script
        .split_inclusive('\n')
        .map(|line| {
            let label = line.trim_start();
            match label.strip_prefix(arm.as_str()) {
                // An arm of the `case` on the state: `<state>)`, alone on its line.
                Some(rest) if rest.trim_end().ends_with(')') => {
                    let indent = &line[..line.len() - label.len()];
                    format!("{indent}{state}{rest}")
                }
                _ => line.to_owned(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A program with a hyphen in its name, a subcommand with one, and a nested one.
    fn my_app() -> clap::Command {
        use clap::{Arg, ArgAction, Command};
        Command::new("my-app")
            .subcommand(
                Command::new("set-role").arg(Arg::new("role").long("role").action(ArgAction::Set)),
            )
            .subcommand(
                Command::new("invitations")
                    .subcommand(Command::new("list").arg(Arg::new("status").long("status"))),
            )
    }

    fn bash(bin_name: &str) -> String {
        String::from_utf8(script(Shell::Bash, &mut my_app(), bin_name)).unwrap()
    }

    /// The states the script's walk over the words can reach (`cmd="…"`), and the arms of
    /// its `case` on the state.
    fn states_and_arms(script: &str) -> (Vec<String>, Vec<String>) {
        let states = script
            .lines()
            .filter_map(|line| line.trim().strip_prefix("cmd=\""))
            .map(|rest| rest.trim_end_matches('"'))
            .filter(|state| !state.is_empty())
            .map(str::to_owned)
            .collect();
        let (_, lookup) = script
            .split_once("case \"${cmd}\" in")
            .expect("the case on the state");
        let arms = lookup
            .lines()
            .filter(|line| line.starts_with("        ") && !line.starts_with("         "))
            .filter_map(|line| line.trim().strip_suffix(')'))
            .map(str::to_owned)
            .collect();
        (states, arms)
    }

    #[test]
    fn every_state_the_walk_reaches_has_an_arm() {
        for bin_name in ["my-app", "my-own-app", "myapp"] {
            let script = bash(bin_name);
            let (states, arms) = states_and_arms(&script);
            let program = bin_name.replace('-', "__");
            for deepest in ["set__subcmd__role", "invitations__subcmd__list"] {
                let state = format!("{program}__subcmd__{deepest}");
                assert!(states.contains(&state), "{bin_name}: {state} in {states:?}");
            }
            for state in &states {
                assert!(arms.contains(state), "{bin_name}: {state} in {arms:?}");
            }
        }
    }

    #[test]
    fn a_script_that_spells_its_states_alike_is_left_alone() {
        let script = bash("my-app");
        assert_eq!(bash_states_spelled_alike(&script, "my-app"), script);
        let unrepaired = String::from_utf8({
            let mut out = Vec::new();
            clap_complete::generate(Shell::Bash, &mut my_app(), "myapp", &mut out);
            out
        })
        .unwrap();
        assert_eq!(bash("myapp"), unrepaired);
    }

    #[test]
    fn other_shells_scripts_are_clap_completes() {
        for shell in [Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
            let mut expected = Vec::new();
            clap_complete::generate(shell, &mut my_app(), "my-app", &mut expected);
            assert_eq!(script(shell, &mut my_app(), "my-app"), expected, "{shell}");
        }
    }
}
