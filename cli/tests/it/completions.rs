//! `completions bash`, run by bash: the script is sourced in a `bash --norc --noprofile`, and
//! the function it registers for `clerk-memberships` is called as bash's programmable
//! completion calls it, after words typed up to the cursor.
//!
//! Needs `bash` on the PATH; without it the test says so and passes, unless the `CI`
//! environment variable is set, which makes a missing bash a failure.

use std::io::ErrorKind;
use std::process::Command;

use crate::support::{bare_cli, run};

/// Defines `complete_words WORD…`: sets COMP_WORDS to the words (the last one the word under
/// the cursor, at the end of the line), COMP_CWORD, COMP_LINE and COMP_POINT, calls the
/// function `complete -p clerk-memberships` names with the command, the current word and the
/// previous one, and prints COMPREPLY on one line. The script to source is `$1`.
const DRIVER: &str = r#"
source "$1" || exit 1
spec=$(complete -p clerk-memberships) || exit 1
[[ $spec =~ -F\ ([^ ]+) ]] || { echo "no function in: $spec" >&2; exit 1; }
function=${BASH_REMATCH[1]}
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
    echo "${COMPREPLY[*]}"
}
"#;

/// The completions bash offers after each line of words (the last word the one being
/// completed, empty after a space), in order, as bash runs them.
fn bash_completes(lines: &[&[&str]]) -> Option<Vec<Vec<String>>> {
    let (code, script, stderr) = run(bare_cli().args(["completions", "bash"]));
    assert_eq!(code, 0, "{stderr}");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("clerk-memberships.bash");
    std::fs::write(&path, script).unwrap();

    let mut driver = DRIVER.to_owned();
    for words in lines {
        driver.push_str("complete_words");
        for word in *words {
            driver.push_str(&format!(" '{word}'"));
        }
        driver.push('\n');
    }
    // No BASH_ENV or other settings of the user's: only the script and the driver.
    let output = Command::new("bash")
        .env_clear()
        .args(["--norc", "--noprofile", "-c", &driver, "bash"])
        .arg(&path)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => {
            crate::support::skip_without("bash");
            return None;
        }
        Err(error) => panic!("bash: {error}"),
    };
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bash: {}\n{stderr}", output.status);
    let replies: Vec<Vec<String>> = stdout
        .lines()
        .map(|line| line.split_whitespace().map(str::to_owned).collect())
        .collect();
    assert_eq!(replies.len(), lines.len(), "{stdout}\n{stderr}");
    Some(replies)
}

#[test]
fn bash_completes_subcommands_their_options_and_values() {
    let cases: &[(&[&str], &[&str])] = &[
        // The first word: this worked before the state names were spelled alike.
        (
            &["clerk-memberships", ""],
            &["list", "invitations", "set-role", "sync"],
        ),
        (
            &["clerk-memberships", "list", "--format", ""],
            &["table", "json", "jsonl", "csv"],
        ),
        (&["clerk-memberships", "sync", "--me"], &["--metadata"]),
        (
            &["clerk-memberships", "invitations", ""],
            &["list", "revoke"],
        ),
        (
            &["clerk-memberships", "invitations", "list", "--st"],
            &["--status"],
        ),
        // A subcommand with a hyphen in its name.
        (&["clerk-memberships", "set-role", "--ro"], &["--role"]),
        (
            &["clerk-memberships", "help", "invitations", ""],
            &["list", "revoke"],
        ),
    ];
    let lines: Vec<&[&str]> = cases.iter().map(|(words, _)| *words).collect();
    let Some(replies) = bash_completes(&lines) else {
        return;
    };
    for ((words, expected), reply) in cases.iter().zip(&replies) {
        for word in *expected {
            assert!(
                reply.iter().any(|offered| offered == word),
                "`{}` offers {reply:?}, without {word}",
                words.join(" ")
            );
        }
    }
    // Exactly the values, and only the options that start so.
    assert_eq!(replies[1], ["table", "json", "jsonl", "csv"]);
    assert_eq!(replies[2], ["--metadata"]);
    assert_eq!(replies[4], ["--status"]);
}
