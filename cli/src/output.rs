//! How memberships are printed: `--format table|json|jsonl|csv`.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

use clap::{Args, ValueEnum};
use clerk_memberships::OrganizationMembership;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::timefmt;

/// `--format` and `--csv-raw`, for the commands that print one membership or invitation, and
/// `invitations list`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format [default: table on a terminal, jsonl otherwise].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// With --format csv: no `'` before a cell starting with =, +, -, @, tab or CR, for
    /// programs that read the CSV. By default it is added, so that a spreadsheet shows such a
    /// cell instead of running it as a formula. Control characters stay escaped.
    #[arg(long)]
    pub csv_raw: bool,
}

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people; control characters and bidirectional marks are shown
    /// escaped (\u{202e}).
    Table,
    /// JSON: one object, or for a list an array with one object per line.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header: user_id,identifier,role,created_at,public_metadata for memberships,
    /// id,email_address,role,status,created_at,expires_at,public_metadata for invitations. A
    /// cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
    /// gets a leading `'`, unless --csv-raw; control characters and bidirectional marks are
    /// escaped (\u{202e}).
    Csv,
}

impl Format {
    /// The format asked for, or the default: a table on a terminal, JSON lines otherwise.
    pub fn or_default(format: Option<Format>) -> Format {
        format.unwrap_or_else(|| {
            if io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Jsonl
            }
        })
    }
}

/// The table's columns, and the widths a streaming (`--all`) table cuts them to.
const COLUMNS: [(&str, usize); 4] = [
    ("USER_ID", 32),
    ("IDENTIFIER", 36),
    ("ROLE", 20),
    ("CREATED_AT", 24),
];

/// The CSV header.
const CSV_HEADER: [&str; 5] = [
    "user_id",
    "identifier",
    "role",
    "created_at",
    "public_metadata",
];

/// Writes memberships one at a time in a format. A measured table waits for [`finish`]
/// to size its columns; every other format (and the fixed-width table) writes each row as
/// it comes, so a long listing streams.
///
/// [`finish`]: Self::finish
pub struct MembershipWriter<W: Write> {
    kind: Kind<W>,
    rows: usize,
    /// CSV cells as they are, without the formula guard (`--csv-raw`).
    csv_raw: bool,
}

enum Kind<W: Write> {
    /// Columns as wide as their widest cell, written at the end.
    MeasuredTable(W, Vec<[String; 4]>),
    /// Columns of fixed widths, cells cut to fit, written as they come.
    FixedTable(W),
    Json(W),
    Jsonl(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> MembershipWriter<W> {
    /// A writer in `format`; `streaming` chooses the fixed-width table, `csv_raw` leaves CSV
    /// cells without the formula guard (see [`csv_cell`]).
    ///
    /// # Errors
    ///
    /// Writing a header failed.
    pub fn new(mut out: W, format: Format, streaming: bool, csv_raw: bool) -> io::Result<Self> {
        let kind = match format {
            Format::Table if streaming => {
                let header = COLUMNS.map(|(name, _)| name.to_owned());
                write_fixed_row(&mut out, &header)?;
                Kind::FixedTable(out)
            }
            Format::Table => Kind::MeasuredTable(out, Vec::new()),
            Format::Json => {
                out.write_all(b"[")?;
                Kind::Json(out)
            }
            Format::Jsonl => Kind::Jsonl(out),
            Format::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                csv.write_record(CSV_HEADER).map_err(csv_io)?;
                Kind::Csv(Box::new(csv))
            }
        };
        Ok(MembershipWriter {
            kind,
            rows: 0,
            csv_raw,
        })
    }

    /// Writes one membership.
    ///
    /// # Errors
    ///
    /// Writing failed.
    pub fn write(&mut self, membership: &OrganizationMembership) -> io::Result<()> {
        let first = self.rows == 0;
        self.rows += 1;
        match &mut self.kind {
            Kind::MeasuredTable(_, rows) => rows.push(table_cells(membership)),
            Kind::FixedTable(out) => write_fixed_row(out, &table_cells(membership))?,
            Kind::Json(out) => {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                write_json(&mut *out, membership)?;
            }
            Kind::Jsonl(out) => {
                write_json(&mut *out, membership)?;
                out.write_all(b"\n")?;
            }
            Kind::Csv(csv) => {
                let mut metadata = Vec::new();
                write_json(&mut metadata, &membership.public_metadata)?;
                let metadata = String::from_utf8_lossy(&metadata);
                let created_at = timefmt::timestamp(membership.created_at);
                let raw = self.csv_raw;
                csv.write_record([
                    csv_cell(membership.user_id().unwrap_or(""), raw).as_bytes(),
                    csv_cell(membership.identifier().unwrap_or(""), raw).as_bytes(),
                    csv_cell(&membership.role, raw).as_bytes(),
                    csv_cell(&created_at, raw).as_bytes(),
                    csv_cell(&metadata, raw).as_bytes(),
                ])
                .map_err(csv_io)?;
            }
        }
        Ok(())
    }

    /// Flushes what was written so far (after each page of a streaming listing).
    ///
    /// # Errors
    ///
    /// Writing failed.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.kind {
            Kind::MeasuredTable(out, _)
            | Kind::FixedTable(out)
            | Kind::Json(out)
            | Kind::Jsonl(out) => out.flush(),
            Kind::Csv(csv) => csv.flush(),
        }
    }

    /// Writes what a format keeps for the end (a measured table, JSON's closing bracket) and
    /// flushes.
    ///
    /// # Errors
    ///
    /// Writing failed.
    pub fn finish(mut self) -> io::Result<()> {
        match &mut self.kind {
            Kind::MeasuredTable(out, rows) => write_measured_table(out, rows)?,
            Kind::Json(out) if self.rows == 0 => out.write_all(b"]\n")?,
            Kind::Json(out) => out.write_all(b"\n]\n")?,
            Kind::FixedTable(_) | Kind::Jsonl(_) | Kind::Csv(_) => {}
        }
        self.flush()
    }
}

/// Prints one membership (the answer of `get`, `add`, `set-role`, `metadata`, `remove`):
/// JSON as one indented object, the other formats as a one-row listing; `csv_raw` as for
/// [`MembershipWriter::new`].
///
/// # Errors
///
/// Writing failed.
pub fn print_membership(
    format: Format,
    csv_raw: bool,
    membership: &OrganizationMembership,
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if format == Format::Json {
        write_json_pretty(&mut out, membership)?;
        out.write_all(b"\n")?;
        return out.flush();
    }
    let mut writer = MembershipWriter::new(out, format, false, csv_raw)?;
    writer.write(membership)?;
    writer.finish()
}

/// The table's cells for a membership, with control characters escaped.
fn table_cells(membership: &OrganizationMembership) -> [String; 4] {
    [
        printable(membership.user_id().unwrap_or("-")),
        printable(membership.identifier().unwrap_or("-")),
        printable(&membership.role),
        timefmt::timestamp(membership.created_at),
    ]
}

/// Whether `c` is an invisible mark that reorders the text around it on display: the
/// bidirectional embeddings and overrides (U+202A to U+202E), isolates (U+2066 to U+2069) and
/// the left-to-right, right-to-left and Arabic letter marks (U+200E, U+200F, U+061C). A value
/// holding one can show as another value (`user_1\u{202e}nimda` reads `user_1admin`).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

/// Whether `c` must not reach a terminal or a spreadsheet as it is: a control character
/// (escape sequences, newlines) or a bidirectional mark ([`is_bidi_control`]).
fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// `text` safe to print on a terminal: control characters (escape sequences, newlines) and
/// bidirectional marks are shown escaped (`\n`, `\u{1b}`, `\u{202e}`) instead of acted on.
pub fn printable(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if needs_escape(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `text` for a message: [`printable`], and cut after [`QUOTED_CHARS`] characters with `…`,
/// so that a value of any size (a 10 MB roster cell) makes a short line.
pub fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", printable(text.get(..end).unwrap_or(text))),
        None => printable(text),
    }
}

/// How many characters of a value [`quoted`] shows.
pub const QUOTED_CHARS: usize = 80;

/// A CSV cell: control characters and bidirectional marks escaped as [`printable`] escapes
/// them; and unless `raw`, a cell that a spreadsheet would run as a formula (one starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's CSV injection rule) with a
/// `'` before it, which spreadsheets read as "text" and do not show.
pub fn csv_cell(text: &str, raw: bool) -> Cow<'_, str> {
    let formula = !raw && text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let escaped = if text.chars().any(needs_escape) {
        Cow::Owned(printable(text))
    } else {
        Cow::Borrowed(text)
    };
    if formula {
        Cow::Owned(format!("'{escaped}"))
    } else {
        escaped
    }
}

/// Writes `value` as compact JSON, with bidirectional marks escaped (see [`SafeFormatter`]).
///
/// # Errors
///
/// Writing failed, or `value` cannot be serialized.
pub fn write_json<T: Serialize + ?Sized>(out: impl Write, value: &T) -> io::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(out, SafeFormatter(CompactFormatter));
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// Writes `value` as indented JSON, with bidirectional marks escaped (see [`SafeFormatter`]).
///
/// # Errors
///
/// Writing failed, or `value` cannot be serialized.
pub fn write_json_pretty<T: Serialize + ?Sized>(out: impl Write, value: &T) -> io::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(out, SafeFormatter(PrettyFormatter::new()));
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// A JSON formatter (compact or pretty) that writes the bidirectional marks of strings as
/// `\u202e`-style escapes. serde_json escapes only what JSON requires (quotes, backslashes,
/// control characters) and writes these raw, where a terminal or an editor would act on
/// them; escaped, the JSON still reads back to the same strings.
struct SafeFormatter<F>(F);

impl<F: Formatter> Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_bidi_control(c) {
                writer.write_all(fragment.get(start..at).unwrap_or("").as_bytes())?;
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(fragment.get(start..).unwrap_or("").as_bytes())
    }

    // The layout is the inner formatter's: these are the methods the pretty one changes.

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

/// `text` cut to `width` columns of a terminal, the last one an ellipsis when something was
/// cut. Wide characters (CJK, most emoji) take two columns.
fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        cut.push(c);
        used += w;
    }
    cut.push('…');
    cut
}

fn write_fixed_row(out: &mut impl Write, cells: &[String; 4]) -> io::Result<()> {
    let widths = COLUMNS.map(|(_, width)| width);
    let cells = [0, 1, 2, 3].map(|i| cut(&cells[i], widths[i]));
    write_row(out, &cells, &widths)
}

fn write_measured_table(out: &mut impl Write, rows: &[[String; 4]]) -> io::Result<()> {
    let header = COLUMNS.map(|(name, _)| name.to_owned());
    let mut widths = header.each_ref().map(|cell| cell.width());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    write_row(out, &header, &widths)?;
    for row in rows {
        write_row(out, row, &widths)?;
    }
    Ok(())
}

/// One table line: cells padded to their widths, two spaces apart, the last one unpadded.
fn write_row(out: &mut impl Write, cells: &[String; 4], widths: &[usize; 4]) -> io::Result<()> {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if i + 1 == cells.len() {
            line.push_str(cell);
        } else {
            let pad = width.saturating_sub(cell.width());
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', pad + 2));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// `Ok` for a write the reader stopped early (a closed pipe, as under `| head`): for
/// commands whose exit code says more than the output, such as `sync`'s 3 and 5.
pub fn unless_closed(written: io::Result<()>) -> io::Result<()> {
    match written {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A CSV error as the I/O error beneath it when there is one, so that a closed pipe is seen
/// as one.
fn csv_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned_by_terminal_width() {
        let mut out = Vec::new();
        let rows = [
            [
                "user_1".to_owned(),
                "山田@例え.jp".to_owned(),
                "org:member".to_owned(),
                "t".to_owned(),
            ],
            [
                "user_2".to_owned(),
                "ann@acme.com".to_owned(),
                "org:admin".to_owned(),
                "t".to_owned(),
            ],
        ];
        write_measured_table(&mut out, &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        let role_column: Vec<usize> = text
            .lines()
            .map(|line| line[..line.find("ROLE").or(line.find("org:")).unwrap()].width())
            .collect();
        assert_eq!(role_column, [23, 23, 23], "{text}");
    }

    #[test]
    fn cells_are_cut_with_an_ellipsis_and_control_characters_escaped() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abcd", 4), "abcd");
        // Two columns per character: three fit in 7 with the ellipsis.
        assert_eq!(cut("山田太郎花子", 7), "山田太…");
        assert_eq!(cut("山田", 4), "山田");
        assert_eq!(printable("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
    }

    #[test]
    fn bidirectional_marks_are_escaped_like_control_characters() {
        assert_eq!(
            printable("user_1\u{202e}nimda\u{2066}\u{200f}\u{061c}"),
            "user_1\\u{202e}nimda\\u{2066}\\u{200f}\\u{61c}"
        );
        assert_eq!(printable("山田 ünïcode"), "山田 ünïcode");
        for c in ['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200e}'] {
            assert!(is_bidi_control(c), "{c:?}");
        }
        for c in ['\u{2029}', '\u{2065}', '\u{206a}', '\u{200d}', 'a'] {
            assert!(!is_bidi_control(c), "{c:?}");
        }
    }

    #[test]
    fn quoted_values_are_cut_after_80_characters() {
        assert_eq!(quoted("short\n"), "short\\n");
        let long = "é".repeat(10_000);
        assert_eq!(quoted(&long), format!("{}…", "é".repeat(80)));
        assert_eq!(quoted(&"x".repeat(80)), "x".repeat(80));
    }

    #[test]
    fn csv_cells_that_spreadsheets_would_run_get_an_apostrophe() {
        for (cell, safe) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\\t=1"),
            ("\r=1", "'\\r=1"),
            ("a=1", "a=1"),
            ("", ""),
            ("ann\u{202e}@x.com", "ann\\u{202e}@x.com"),
        ] {
            assert_eq!(csv_cell(cell, false), safe, "{cell:?}");
        }
        assert_eq!(csv_cell("=1+1", true), "=1+1");
        assert_eq!(csv_cell("\t=1\u{202e}", true), "\\t=1\\u{202e}");
    }

    #[test]
    fn json_escapes_bidirectional_marks_and_reads_back_the_same() {
        let value = serde_json::json!({
            "k\u{202e}": ["a\u{202e}b\u{2066}c\u{200f}", "plain \"q\" \\ \n 山田"],
        });
        for pretty in [false, true] {
            let mut out = Vec::new();
            if pretty {
                write_json_pretty(&mut out, &value).unwrap();
            } else {
                write_json(&mut out, &value).unwrap();
            }
            let text = String::from_utf8(out).unwrap();
            assert!(!text.chars().any(is_bidi_control), "{text}");
            assert!(text.contains(r"a\u202eb\u2066c\u200f"), "{text}");
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&text).unwrap(),
                value
            );
            let serde = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            let unescaped = text
                .replace(r"\u202e", "\u{202e}")
                .replace(r"\u2066", "\u{2066}")
                .replace(r"\u200f", "\u{200f}");
            assert_eq!(unescaped, serde, "the layout is serde_json's");
        }
    }
}
