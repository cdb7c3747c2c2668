//! The roster file `sync` reads: CSV with a header line, then one row per member.
//!
//! Columns: exactly one of `user_id`, `email` and `external_id` per row names the user,
//! `role` gives the role, `organization` (optional, an id or a slug) the organization for a
//! roster over many, and `public_metadata` and `private_metadata` (each optional, a JSON
//! object) the metadata. Every problem is reported as `ROSTER:LINE: …`, the line counting
//! from 1 as an editor does, so that it can be found and fixed.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use clerk_memberships::sync::{EntryRef, Roster, RosterEntry, RosterProblem, SyncError, UserKey};
use serde_json::Value;

use crate::fail::Failure;
use crate::output::quoted;

/// How many problems an error lists before it says how many more there are.
const MAX_SHOWN: usize = 20;

/// A column of the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    /// `organization`: the organization's id or slug, for a roster over many.
    Organization,
    /// `user_id`: a Clerk user id.
    UserId,
    /// `email`: an email address, matched without regard to case.
    Email,
    /// `external_id`: the id a user has in another system.
    ExternalId,
    /// `role`: the role the member should have.
    Role,
    /// `public_metadata`: a JSON object, or empty to leave it unmanaged.
    PublicMetadata,
    /// `private_metadata`: likewise.
    PrivateMetadata,
}

impl Column {
    /// Every column, in the order the help lists them.
    const ALL: [Column; 7] = [
        Column::UserId,
        Column::Email,
        Column::ExternalId,
        Column::Role,
        Column::Organization,
        Column::PublicMetadata,
        Column::PrivateMetadata,
    ];

    /// The columns that name the user; a row sets exactly one of them.
    const KEYS: [Column; 3] = [Column::UserId, Column::Email, Column::ExternalId];

    /// The column's name in the header.
    fn name(self) -> &'static str {
        match self {
            Column::Organization => "organization",
            Column::UserId => "user_id",
            Column::Email => "email",
            Column::ExternalId => "external_id",
            Column::Role => "role",
            Column::PublicMetadata => "public_metadata",
            Column::PrivateMetadata => "private_metadata",
        }
    }

    /// The column a header cell names: its name in any case.
    fn from_header(cell: &str) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|column| column.name().eq_ignore_ascii_case(cell))
    }
}

/// A roster read from a file: the entries, and the line each one came from.
#[derive(Debug)]
pub struct RosterFile {
    /// What messages call the file: the path as given, or `<stdin>`.
    name: String,
    /// The entries, in the file's order.
    roster: Roster,
    /// The line of each entry, by its index in the roster.
    lines: Vec<u64>,
    /// Whether the header has an `organization` column.
    organizations: bool,
}

impl RosterFile {
    /// The roster.
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// Whether the file has an `organization` column: each row names its organization.
    pub fn has_organizations(&self) -> bool {
        self.organizations
    }

    /// Whether some row sets public or private metadata.
    pub fn has_metadata(&self) -> bool {
        self.roster
            .iter()
            .any(|entry| entry.public_metadata().is_some() || entry.private_metadata().is_some())
    }

    /// The line the roster entry at `index` came from.
    pub fn line(&self, index: usize) -> Option<u64> {
        self.lines.get(index).copied()
    }

    /// Where an entry is: `ROSTER:LINE`, or the entry's index when it is not one of this
    /// file's entries (which cannot happen for the plans made from it).
    pub fn at(&self, entry: &EntryRef) -> String {
        match self.line(entry.index) {
            Some(line) => format!("{}:{line}", self.name),
            None => format!("{} entry {}", self.name, entry.index),
        }
    }

    /// The usage failure for problems `plan` found with the roster, each named by its line.
    pub fn problems_failure(&self, problems: &[RosterProblem]) -> Failure {
        let mut messages = Vec::new();
        for problem in problems {
            match problem {
                RosterProblem::SameUser { user_id, entries } => {
                    let Some((first, rest)) = entries.split_first() else {
                        continue;
                    };
                    for entry in rest {
                        messages.push(format!(
                            "{}: {} is the same user ({}) as {} on {}: list each person once",
                            self.at(entry),
                            entry.key,
                            quoted(user_id),
                            first.key,
                            self.at(first),
                        ));
                    }
                }
                RosterProblem::UnknownRole { entry, role, known } => {
                    messages.push(format!(
                        "{}: the role \"{}\" is not a role of the instance (its roles: {})",
                        self.at(entry),
                        quoted(role),
                        known
                            .iter()
                            .map(|k| quoted(k))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ));
                }
                RosterProblem::UnknownOrganization {
                    organization,
                    entries,
                } => {
                    for entry in entries {
                        messages.push(format!(
                            "{}: no organization has the id or slug \"{}\"",
                            self.at(entry),
                            quoted(organization),
                        ));
                    }
                }
                RosterProblem::DuplicateKey { entry, first } => messages.push(format!(
                    "{}: {} is listed for this organization already, on {}",
                    self.at(entry),
                    entry.key,
                    self.at(first),
                )),
                other => messages.push(format!("{}: {other}", self.name)),
            }
        }
        problems_failure(messages)
    }
}

/// Reads the roster at `path`, or stdin for `-`.
///
/// # Errors
///
/// A usage failure when the file cannot be read, or listing every problem found in it, each
/// as `ROSTER:LINE: …`.
pub fn read(path: &Path) -> Result<RosterFile, Failure> {
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::usage(format!("cannot read the roster from stdin: {e}")))?;
        ("<stdin>".to_owned(), bytes)
    } else {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::usage(format!("cannot read the roster {name}: {e}")))?;
        (name, bytes)
    };
    parse(&name, &bytes).map_err(problems_failure)
}

/// One usage failure listing `messages`, one a line, at most [`MAX_SHOWN`] of them.
fn problems_failure(messages: Vec<String>) -> Failure {
    let more = messages.len().saturating_sub(MAX_SHOWN);
    let mut text = messages
        .into_iter()
        .take(MAX_SHOWN)
        .collect::<Vec<_>>()
        .join("\n");
    if more > 0 {
        let s = if more == 1 { "" } else { "s" };
        text.push_str(&format!("\n… and {more} more problem{s}"));
    }
    Failure::usage(text)
}

/// The columns a header names, by position.
struct Header {
    /// The column of each cell, in order.
    columns: Vec<Column>,
    /// The position of each column the header has.
    position: HashMap<Column, usize>,
}

impl Header {
    /// The header in `cells` (on `line` of the file `name`).
    fn parse(name: &str, line: u64, cells: &[String]) -> Result<Header, Vec<String>> {
        if let [only] = cells
            && let Some(separator) = [(';', "semicolons"), ('\t', "tabs")]
                .into_iter()
                .find_map(|(c, word)| only.contains(c).then_some(word))
        {
            return Err(vec![format!(
                "{name}:{line}: the header is one cell, \"{}\": the file looks separated by \
                 {separator}; save it with commas (CSV)",
                quoted(only)
            )]);
        }
        let mut problems = Vec::new();
        let mut columns = Vec::new();
        let mut position = HashMap::new();
        let mut unknown = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            match Column::from_header(cell) {
                Some(column) => {
                    if position.insert(column, i).is_some() {
                        problems.push(format!(
                            "{name}:{line}: the column {} appears twice",
                            column.name()
                        ));
                    }
                    columns.push(column);
                }
                None if cell.is_empty() => unknown.push(format!("an unnamed column ({})", i + 1)),
                None => unknown.push(format!("\"{}\"", quoted(cell))),
            }
        }
        if !unknown.is_empty() {
            let s = if unknown.len() == 1 { "" } else { "s" };
            problems.push(format!(
                "{name}:{line}: unknown column{s} {}: the columns are {}",
                unknown.join(", "),
                Column::ALL.map(Column::name).join(", ")
            ));
        }
        if !position.contains_key(&Column::Role) {
            problems.push(format!("{name}:{line}: no role column"));
        }
        if !Column::KEYS.iter().any(|key| position.contains_key(key)) {
            problems.push(format!(
                "{name}:{line}: no user_id, email or external_id column: each row names its \
                 user by one of them"
            ));
        }
        if problems.is_empty() {
            Ok(Header { columns, position })
        } else {
            Err(problems)
        }
    }

    /// The cell of `column` in `cells`, when the header has that column.
    fn cell<'a>(&self, cells: &'a [String], column: Column) -> Option<&'a str> {
        self.position
            .get(&column)
            .and_then(|&i| cells.get(i))
            .map(String::as_str)
    }
}

/// The roster in `bytes`, read from the file called `name`.
///
/// # Errors
///
/// Every problem found, each as `NAME:LINE: …` (or `NAME: …` for the file as a whole).
pub fn parse(name: &str, bytes: &[u8]) -> Result<RosterFile, Vec<String>> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(vec![format!(
            "{name}: the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)"
        )]);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);

    let mut header: Option<Header> = None;
    let mut file = RosterFile {
        name: name.to_owned(),
        roster: Roster::new(),
        lines: Vec::new(),
        organizations: false,
    };
    let mut problems = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::new(bytes);
    loop {
        let before = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                let line = lines.line_at(before);
                problems.push(format!("{name}:{line}: {error}"));
                break;
            }
        }
        let line = lines.line_at(record.position().map_or(before, csv::Position::byte));
        if record.iter().all(<[u8]>::is_empty) {
            continue; // a blank line, or one of empty cells
        }
        let cells = match text_cells(&record) {
            Ok(cells) => cells,
            Err(column) if header.is_none() => {
                return Err(vec![format!(
                    "{name}:{line}: the header's cell {} is not valid UTF-8",
                    column + 1
                )]);
            }
            Err(column) => {
                let what = match header.as_ref().and_then(|h| h.columns.get(column)) {
                    Some(known) => format!("the {} cell", known.name()),
                    None => format!("cell {}", column + 1),
                };
                problems.push(format!("{name}:{line}: {what} is not valid UTF-8"));
                continue;
            }
        };
        let Some(header) = &header else {
            match Header::parse(name, line, &cells) {
                Ok(parsed) => {
                    file.organizations = parsed.position.contains_key(&Column::Organization);
                    header = Some(parsed);
                }
                // Without the columns, no row can be read.
                Err(found) => return Err(found),
            }
            continue;
        };
        if cells.len() != header.columns.len() {
            let s = if cells.len() == 1 { "" } else { "s" };
            problems.push(format!(
                "{name}:{line}: {} cell{s}, the header has {}",
                cells.len(),
                header.columns.len()
            ));
            continue;
        }
        match entry_of(header, &cells) {
            Ok(entry) => match file.roster.push(entry) {
                Ok(()) => file.lines.push(line),
                Err(error) => problems.extend(
                    refusals(&file, &error)
                        .into_iter()
                        .map(|problem| format!("{name}:{line}: {problem}")),
                ),
            },
            Err(found) => problems.extend(
                found
                    .into_iter()
                    .map(|problem| format!("{name}:{line}: {problem}")),
            ),
        }
    }
    if header.is_none() && problems.is_empty() {
        problems.push(format!(
            "{name}: the roster is empty: it needs a header line, e.g. `email,role`"
        ));
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(problems)
    }
}

/// Which line a byte offset is on, for offsets that only move forward. The reader's own
/// line numbers count from where it started looking for a record, before the blank lines it
/// skips, and only `\n` as a line break; editors also count a lone `\r`.
struct LineCounter<'a> {
    /// The whole input.
    bytes: &'a [u8],
    /// How far the bytes have been counted.
    offset: usize,
    /// The line at `offset`, from 1.
    line: u64,
}

impl<'a> LineCounter<'a> {
    /// A counter at the start of `bytes`.
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `offset` that is not a line break: where a
    /// record that the reader began looking for at `offset` starts.
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        while self.offset < start {
            let byte = self.bytes.get(self.offset).copied();
            let next = self.bytes.get(self.offset + 1).copied();
            match (byte, next) {
                (Some(b'\n'), _) => self.line += 1,
                (Some(b'\r'), Some(b'\n')) => {}
                (Some(b'\r'), _) => self.line += 1,
                _ => {}
            }
            self.offset += 1;
        }
        self.line
    }
}

/// The record's cells as text, or the position of the first cell that is not UTF-8.
fn text_cells(record: &csv::ByteRecord) -> Result<Vec<String>, usize> {
    record
        .iter()
        .enumerate()
        .map(|(i, cell)| std::str::from_utf8(cell).map(str::to_owned).map_err(|_| i))
        .collect()
}

/// The entry a row describes, or what is wrong with it (without its line).
fn entry_of(header: &Header, cells: &[String]) -> Result<RosterEntry, Vec<String>> {
    let mut problems = Vec::new();
    let keys: Vec<(Column, &str)> = Column::KEYS
        .into_iter()
        .filter_map(|column| {
            header
                .cell(cells, column)
                .filter(|value| !value.is_empty())
                .map(|value| (column, value))
        })
        .collect();
    let key = match keys.as_slice() {
        [(column, value)] => Some(match column {
            Column::UserId => UserKey::user_id(*value),
            Column::Email => UserKey::email(*value),
            _ => UserKey::external_id(*value),
        }),
        [] => {
            problems.push(
                "no user_id, email or external_id: name the user by exactly one of them".to_owned(),
            );
            None
        }
        several => {
            let names: Vec<&str> = several.iter().map(|(column, _)| column.name()).collect();
            problems.push(format!(
                "{} are set: name the user by exactly one of them",
                names.join(" and ")
            ));
            None
        }
    };
    if let Some(key) = &key
        && let Some(problem) = key.problem()
    {
        problems.push(format!("{key}: {problem}"));
    }
    let role = header.cell(cells, Column::Role).unwrap_or("");
    if role.is_empty() {
        problems.push("the role is empty".to_owned());
    }
    let organization = header.cell(cells, Column::Organization);
    if organization.is_some_and(str::is_empty) {
        problems.push("the organization is empty".to_owned());
    }
    let public = metadata(header, cells, Column::PublicMetadata, &mut problems);
    let private = metadata(header, cells, Column::PrivateMetadata, &mut problems);
    match key {
        Some(key) if problems.is_empty() => Ok(RosterEntry::new(key, role)
            .set_organization(organization.map(str::to_owned))
            .set_public_metadata(public)
            .set_private_metadata(private)),
        _ => Err(problems),
    }
}

/// The JSON object in a metadata cell; `None` when the cell is empty or absent (the
/// metadata is then not managed). A problem is added when it is not a JSON object.
fn metadata(
    header: &Header,
    cells: &[String],
    column: Column,
    problems: &mut Vec<String>,
) -> Option<Value> {
    let text = header.cell(cells, column).filter(|text| !text.is_empty())?;
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Some(value),
        Ok(_) => {
            problems.push(format!("{} is not a JSON object", column.name()));
            None
        }
        Err(error) => {
            problems.push(format!("{} is not valid JSON: {error}", column.name()));
            None
        }
    }
}

/// Why the roster refused an entry, in words that name lines rather than entry indexes.
fn refusals(file: &RosterFile, error: &SyncError) -> Vec<String> {
    let SyncError::InvalidRoster { problems } = error else {
        return vec![error.to_string()];
    };
    problems
        .iter()
        .map(|problem| match problem {
            RosterProblem::DuplicateKey { entry, first } => match file.line(first.index) {
                Some(line) => format!("{} is already on line {line}", entry.key),
                None => format!("{} is listed twice", entry.key),
            },
            RosterProblem::EmptyRole { .. } => "the role is empty".to_owned(),
            // The library's words (and its limit), without the entry they name: the line
            // says which entry it is.
            RosterProblem::RoleTooLong { entry, .. } => {
                let words = problem.to_string();
                match words.strip_prefix(&format!("{entry}: ")) {
                    Some(rest) => rest.to_owned(),
                    None => words,
                }
            }
            RosterProblem::InvalidMetadata { field, rule, .. } => format!("{field} {rule}"),
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_separated_by_semicolons_or_tabs_is_named_so() {
        assert_eq!(
            problems(b"email;role\nann@acme.com;org:admin\n"),
            [
                "r.csv:1: the header is one cell, \"email;role\": the file looks separated by \
              semicolons; save it with commas (CSV)"
            ]
        );
        assert_eq!(
            problems(b"email\trole\n"),
            [
                "r.csv:1: the header is one cell, \"email\\trole\": the file looks separated by \
              tabs; save it with commas (CSV)"
            ]
        );
    }

    /// The roster in `text`, which must have no problem.
    fn parsed(text: &str) -> RosterFile {
        match parse("r.csv", text.as_bytes()) {
            Ok(file) => file,
            Err(problems) => panic!("{problems:?}"),
        }
    }

    /// The problems of `text`, which must have some.
    fn problems(text: &[u8]) -> Vec<String> {
        match parse("r.csv", text) {
            Ok(file) => panic!("parsed: {file:?}"),
            Err(problems) => problems,
        }
    }

    #[test]
    fn rows_name_users_by_one_key_and_keep_their_lines() {
        let file = parsed(
            "\u{feff}Email,user_id,external_id,role,public_metadata\n\
             \n\
             ann@acme.com,,,org:admin,\n\
             ,user_bob,,org:member,\"{\"\"team\"\":\"\"ops\"\"}\"\n\
             , , ,  \n\
             ,,hr-cara , org:member ,\n",
        );
        let roster = file.roster();
        assert_eq!(roster.len(), 3);
        let keys: Vec<&UserKey> = roster.iter().map(RosterEntry::key).collect();
        assert_eq!(
            keys,
            [
                &UserKey::email("ann@acme.com"),
                &UserKey::user_id("user_bob"),
                &UserKey::external_id("hr-cara"),
            ]
        );
        assert_eq!(roster.get(2).map(RosterEntry::role), Some("org:member"));
        assert_eq!(
            roster
                .get(1)
                .and_then(RosterEntry::public_metadata)
                .map(|m| m["team"].clone()),
            Some(Value::from("ops"))
        );
        assert_eq!(
            (file.line(0), file.line(1), file.line(2)),
            (Some(3), Some(4), Some(6))
        );
        assert!(file.has_metadata());
    }

    #[test]
    fn a_header_only_is_an_empty_roster_and_an_empty_file_is_refused() {
        assert!(parsed("email,role\n").roster().is_empty());
        assert_eq!(
            problems(b"\n\n"),
            ["r.csv: the roster is empty: it needs a header line, e.g. `email,role`"]
        );
    }

    #[test]
    fn an_organization_column_names_each_rows_organization_and_must_not_be_empty() {
        let file = parsed(
            "organization,email,role\n\
             acme,ann@acme.com,org:admin\n\
             org_2globex,ann@acme.com,org:member\n",
        );
        assert!(file.has_organizations());
        let orgs: Vec<Option<&str>> = file.roster().iter().map(|e| e.organization()).collect();
        assert_eq!(orgs, [Some("acme"), Some("org_2globex")]);
        assert!(!parsed("email,role\nann@acme.com,org:admin\n").has_organizations());
        assert_eq!(
            problems(b"organization,email,role\n,ann@acme.com,org:admin\n"),
            ["r.csv:2: the organization is empty"]
        );
        assert_eq!(
            problems(b"organization,email,role\nacme,ann@acme.com,org:admin\nacme,ANN@acme.com,org:member\n").len(),
            1,
            "the same person twice in one organization"
        );
    }

    #[test]
    fn header_problems_are_named() {
        assert_eq!(
            problems(b"email,role,team,\n"),
            [
                "r.csv:1: unknown columns \"team\", an unnamed column (4): the columns are \
                 user_id, email, external_id, role, organization, public_metadata, \
                 private_metadata"
            ]
        );
        assert_eq!(
            problems(b"email,email\n"),
            [
                "r.csv:1: the column email appears twice",
                "r.csv:1: no role column"
            ]
        );
        assert_eq!(
            problems(b"role\n"),
            [
                "r.csv:1: no user_id, email or external_id column: each row names its user by one of them"
            ]
        );
    }

    #[test]
    fn every_row_problem_is_named_by_its_line() {
        let found = problems(
            b"email,user_id,role,private_metadata\n\
              ,,org:member,\n\
              a@x.com,user_1,org:member,\n\
              b@x.com,,,\n\
              c@x.com,,org:member,{nope\n\
              d@x.com,,org:member,[1]\n\
              e@x.com,,org:member\n\
              f@x.com,,org:member,\n\
              F@X.com,,org:admin,\n\
              g@\xff.com,,org:member,\n",
        );
        assert_eq!(found.len(), 8, "{found:#?}");
        assert_eq!(
            found[0],
            "r.csv:2: no user_id, email or external_id: name the user by exactly one of them"
        );
        assert_eq!(
            found[1],
            "r.csv:3: user_id and email are set: name the user by exactly one of them"
        );
        assert_eq!(found[2], "r.csv:4: the role is empty");
        assert!(
            found[3].starts_with("r.csv:5: private_metadata is not valid JSON: "),
            "{}",
            found[3]
        );
        assert_eq!(found[4], "r.csv:6: private_metadata is not a JSON object");
        assert_eq!(found[5], "r.csv:7: 3 cells, the header has 4");
        assert_eq!(
            found[6],
            "r.csv:9: email address \"F@X.com\" is already on line 8"
        );
        assert_eq!(found[7], "r.csv:10: the email cell is not valid UTF-8");
    }

    #[test]
    fn quoted_cells_spanning_lines_are_named_by_their_first_line() {
        let found = problems(b"email,role\n\"a\nb@x.com\",\n");
        assert_eq!(
            found,
            [
                "r.csv:2: email address \"a\\nb@x.com\": is not an email address (it has a \
                 control character)",
                "r.csv:2: the role is empty"
            ]
        );
    }

    #[test]
    fn problems_quote_at_most_80_characters_of_a_cell() {
        let huge = "x".repeat(10 * 1024 * 1024);
        let cut = format!("{}…", "x".repeat(80));
        let mut file = format!("email,role,{huge}\n").into_bytes();
        assert_eq!(
            problems(&file),
            [format!(
                "r.csv:1: unknown column \"{cut}\": the columns are user_id, email, \
                 external_id, role, organization, public_metadata, private_metadata"
            )]
        );
        file = format!("email;role{huge}\n").into_bytes();
        let found = problems(&file);
        assert!(
            found[0].contains(&format!("\"email;role{}…\"", "x".repeat(70))),
            "{found:?}"
        );
        file = format!(
            "email,user_id,external_id,role\n\
             {huge}@x.com,,,org:member\n\
             ,u{huge},,org:member\n\
             ,,{huge},org:member\n\
             a@x.com,,,{huge}\n"
        )
        .into_bytes();
        assert_eq!(
            problems(&file),
            [
                format!(
                    "r.csv:2: email address \"{cut}\": must be at most 1024 bytes, got 10485766"
                ),
                format!(
                    "r.csv:3: user id \"u{}…\": must be at most 256 bytes, got 10485761",
                    "x".repeat(79)
                ),
                format!("r.csv:4: external id \"{cut}\": must be at most 1024 bytes, got 10485760"),
                "r.csv:5: the role must be at most 1024 bytes, got 10485760".to_owned(),
            ]
        );
    }

    #[test]
    fn lines_count_blank_lines_and_every_kind_of_line_break() {
        let found = problems(b"email,role\r\n\r\n\r\na@x.com,\rb@x.com,\n\nc@x.com,");
        assert_eq!(
            found,
            [
                "r.csv:4: the role is empty",
                "r.csv:5: the role is empty",
                "r.csv:7: the role is empty"
            ]
        );
    }

    #[test]
    fn utf16_is_refused_with_advice() {
        assert_eq!(
            problems(b"\xFF\xFEe\0m\0"),
            ["r.csv: the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)"]
        );
    }

    #[test]
    fn no_input_panics() {
        // A fixed pseudo-random walk over bytes that matter to CSV, JSON and UTF-8.
        let alphabet: &[u8] =
            b"user_id,email,external_id,role,public_metadata\"{}[]:\n\r \xEF\xBB\xBF\xFF\xC3a@.";
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..2_000 {
            let mut input = Vec::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 120) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                input.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = parse("r.csv", &input);
            let mut with_header = b"email,role,public_metadata\n".to_vec();
            with_header.extend_from_slice(&input);
            let _ = parse("r.csv", &with_header);
        }
    }
}
