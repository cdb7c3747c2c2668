//! How memberships are printed: `--format table|json|jsonl|csv`.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use clerk_memberships::OrganizationMembership;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::timefmt;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON: one object, or for `list` an array with one membership per line.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header: user_id,identifier,role,created_at,public_metadata.
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
    /// A writer in `format`; `streaming` chooses the fixed-width table.
    ///
    /// # Errors
    ///
    /// Writing a header failed.
    pub fn new(mut out: W, format: Format, streaming: bool) -> io::Result<Self> {
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
        Ok(MembershipWriter { kind, rows: 0 })
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
                serde_json::to_writer(&mut *out, membership)?;
            }
            Kind::Jsonl(out) => {
                serde_json::to_writer(&mut *out, membership)?;
                out.write_all(b"\n")?;
            }
            Kind::Csv(csv) => {
                let metadata = serde_json::to_string(&membership.public_metadata)?;
                let created_at = timefmt::timestamp(membership.created_at);
                csv.write_record([
                    membership.user_id().unwrap_or(""),
                    membership.identifier().unwrap_or(""),
                    &membership.role,
                    &created_at,
                    &metadata,
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
/// JSON as one indented object, the other formats as a one-row listing.
///
/// # Errors
///
/// Writing failed.
pub fn print_membership(format: Format, membership: &OrganizationMembership) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, membership)?;
        out.write_all(b"\n")?;
        return out.flush();
    }
    let mut writer = MembershipWriter::new(out, format, false)?;
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

/// `text` safe to print on a terminal: control characters (escape sequences, newlines) are
/// shown escaped instead of acted on.
pub fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
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
}
