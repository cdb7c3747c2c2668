//! How memberships and invitations are printed: `--format table|json|jsonl|csv`, one writer
//! for every listing ([`Listing`]) and every single item ([`print_one`]), over the columns a
//! [`Row`] gives.

use std::borrow::Cow;
use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};
use std::marker::PhantomData;

use clap::{Args, ValueEnum};
use clerk_memberships::{Error, Page};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::fail::Failure;
use crate::progress::Meter;

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

/// One item of a listing as the formats print it: the table's and the CSV's columns, and
/// the item itself for JSON and JSON lines. The writer escapes every table and CSV cell
/// (see [`printable`] and [`csv_cell`]): an implementation gives the text as it is.
pub trait Row: Serialize {
    /// The table's header.
    const COLUMNS: &'static [&'static str];
    /// The width of each column when the table streams (`--all`): longer cells are cut with
    /// `…`. One per [`COLUMNS`](Self::COLUMNS) entry, which the writer checks as it compiles.
    const STREAMING_WIDTHS: &'static [usize];
    /// The CSV header.
    const CSV_HEADER: &'static [&'static str];

    /// The table's cells, one per [`COLUMNS`](Self::COLUMNS) entry.
    fn table_cells(&self) -> Vec<String>;

    /// The CSV record, one cell per [`CSV_HEADER`](Self::CSV_HEADER) entry.
    ///
    /// # Errors
    ///
    /// A cell could not be made (see [`json_text`]).
    fn csv_record(&self) -> io::Result<Vec<String>>;
}

/// How a table sizes its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableLayout {
    /// Each column as wide as its widest cell: the rows wait for the end of the listing.
    Measured,
    /// Columns of these widths (one per column), longer cells cut with `…`: each row is
    /// written as it comes, so a long listing streams.
    Fixed(&'static [usize]),
}

/// Writes the rows of a listing one at a time in a format. A measured table waits for
/// [`finish`] to size its columns; every other format (and the fixed-width table) writes
/// each row as it comes, so a long listing streams.
///
/// [`finish`]: Self::finish
struct RowWriter<W: Write, R> {
    kind: Kind<W>,
    rows: usize,
    /// CSV cells as they are, without the formula guard (`--csv-raw`).
    csv_raw: bool,
    row: PhantomData<fn(&R)>,
}

enum Kind<W: Write> {
    /// Columns as wide as their widest cell, written at the end.
    MeasuredTable(W, Vec<Vec<String>>),
    /// Columns of fixed widths, cells cut to fit, written as they come.
    FixedTable(W, &'static [usize]),
    Json(W),
    Jsonl(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write, R: Row> RowWriter<W, R> {
    /// A writer in `format`; `table` chooses the table's layout, `csv_raw` leaves CSV cells
    /// without the formula guard (see [`csv_cell`]).
    ///
    /// # Errors
    ///
    /// Writing a header failed.
    fn new(mut out: W, format: Format, table: TableLayout, csv_raw: bool) -> io::Result<Self> {
        // Fails the build, not a run, for a row type whose widths do not match its columns.
        const {
            assert!(
                R::STREAMING_WIDTHS.len() == R::COLUMNS.len(),
                "a width per column"
            )
        };
        let kind = match (format, table) {
            (Format::Table, TableLayout::Fixed(widths)) => {
                write_fixed_row(&mut out, R::COLUMNS, widths)?;
                Kind::FixedTable(out, widths)
            }
            (Format::Table, TableLayout::Measured) => Kind::MeasuredTable(out, Vec::new()),
            (Format::Json, _) => {
                out.write_all(b"[")?;
                Kind::Json(out)
            }
            (Format::Jsonl, _) => Kind::Jsonl(out),
            (Format::Csv, _) => {
                let mut csv = csv::Writer::from_writer(out);
                csv.write_record(R::CSV_HEADER).map_err(csv_io)?;
                Kind::Csv(Box::new(csv))
            }
        };
        Ok(RowWriter {
            kind,
            rows: 0,
            csv_raw,
            row: PhantomData,
        })
    }

    /// Writes one row.
    ///
    /// # Errors
    ///
    /// Writing failed.
    fn write(&mut self, row: &R) -> io::Result<()> {
        let first = self.rows == 0;
        self.rows += 1;
        match &mut self.kind {
            Kind::MeasuredTable(_, rows) => rows.push(printable_cells(row)),
            Kind::FixedTable(out, widths) => write_fixed_row(out, &printable_cells(row), widths)?,
            Kind::Json(out) => {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                write_json(&mut *out, row)?;
            }
            Kind::Jsonl(out) => {
                write_json(&mut *out, row)?;
                out.write_all(b"\n")?;
            }
            Kind::Csv(csv) => {
                let raw = self.csv_raw;
                let record = row.csv_record()?;
                csv.write_record(record.iter().map(|cell| csv_cell(cell, raw).into_owned()))
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
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.kind {
            Kind::MeasuredTable(out, _)
            | Kind::FixedTable(out, _)
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
    fn finish(mut self) -> io::Result<()> {
        match &mut self.kind {
            Kind::MeasuredTable(out, rows) => write_measured_table(out, R::COLUMNS, rows)?,
            Kind::Json(out) if self.rows == 0 => out.write_all(b"]\n")?,
            Kind::Json(out) => out.write_all(b"\n]\n")?,
            Kind::FixedTable(..) | Kind::Jsonl(_) | Kind::Csv(_) => {}
        }
        self.flush()
    }
}

/// A listing on stdout, written page by page as the pages arrive. Nothing is written before
/// the first page (or [`finish`](Self::finish) for a listing without one), so a listing
/// whose first call fails leaves stdout empty; each page is flushed once written.
pub struct Listing<R: Row> {
    format: Format,
    table: TableLayout,
    csv_raw: bool,
    writer: Option<RowWriter<BufWriter<StdoutLock<'static>>, R>>,
}

impl<R: Row> Listing<R> {
    /// A listing in `format`; `csv_raw` leaves CSV cells without the formula guard (see
    /// [`csv_cell`]). A `streaming` listing (`--all`) writes its table in the row type's
    /// [`STREAMING_WIDTHS`](Row::STREAMING_WIDTHS), row by row as each page arrives; otherwise
    /// the table measures its columns and waits for [`finish`](Self::finish).
    pub fn new(format: Format, streaming: bool, csv_raw: bool) -> Self {
        Listing {
            format,
            table: if streaming {
                TableLayout::Fixed(R::STREAMING_WIDTHS)
            } else {
                TableLayout::Measured
            },
            csv_raw,
            writer: None,
        }
    }

    /// The writer, started on first use (see [`start`](Self::start)).
    fn writer(&mut self) -> io::Result<&mut RowWriter<BufWriter<StdoutLock<'static>>, R>> {
        let writer = match self.writer.take() {
            Some(writer) => writer,
            None => self.start()?,
        };
        Ok(self.writer.insert(writer))
    }

    /// A writer on stdout, which writes what the format starts with (a header, `[`).
    fn start(&self) -> io::Result<RowWriter<BufWriter<StdoutLock<'static>>, R>> {
        RowWriter::new(
            BufWriter::new(io::stdout().lock()),
            self.format,
            self.table,
            self.csv_raw,
        )
    }

    /// Writes every page of `pages` as it arrives (`--all`), counting the rows on a progress
    /// meter of `what` (`"members"`), until the last page or the first error.
    ///
    /// # Errors
    ///
    /// A page could not be read, or writing failed: the pages before stay written.
    pub fn write_pages(
        &mut self,
        pages: impl Iterator<Item = Result<Page<R>, Error>>,
        quiet: bool,
        what: &'static str,
    ) -> Result<(), Failure> {
        let meter = Meter::list(quiet, what);
        let listed = pages.into_iter().try_for_each(|page| {
            let page = page?;
            meter.suspend(|| self.write_page(&page.data))?;
            meter.add_done(page.data.len() as u64);
            Ok::<(), Failure>(())
        });
        meter.finish();
        listed
    }

    /// Writes one page's rows and flushes them.
    ///
    /// # Errors
    ///
    /// Writing failed.
    pub fn write_page(&mut self, rows: &[R]) -> io::Result<()> {
        let writer = self.writer()?;
        for row in rows {
            writer.write(row)?;
        }
        writer.flush()
    }

    /// Ends the listing: what a format keeps for the end, and for a listing without a page
    /// (`pages()` yields none for an empty one) still the header or the empty array.
    ///
    /// # Errors
    ///
    /// Writing failed.
    pub fn finish(self) -> io::Result<()> {
        match self.writer {
            Some(writer) => writer.finish(),
            None => self.start()?.finish(),
        }
    }
}

/// Prints one item (the answer of `get`, `add`, `invite`, `invitations revoke`, …): JSON as
/// one indented object, the other formats as a one-row listing; `csv_raw` as for
/// [`Listing::new`].
///
/// # Errors
///
/// Writing failed.
pub fn print_one<R: Row>(format: Format, csv_raw: bool, row: &R) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if format == Format::Json {
        write_json_pretty(&mut out, row)?;
        out.write_all(b"\n")?;
        return out.flush();
    }
    let mut writer = RowWriter::new(out, format, TableLayout::Measured, csv_raw)?;
    writer.write(row)?;
    writer.finish()
}

/// A row's table cells, with control characters and bidirectional marks escaped.
fn printable_cells<R: Row>(row: &R) -> Vec<String> {
    row.table_cells()
        .iter()
        .map(|cell| printable(cell))
        .collect()
}

/// `value` as compact JSON text (as [`write_json`] writes it), for a CSV cell.
///
/// # Errors
///
/// `value` cannot be serialized.
pub fn json_text<T: Serialize + ?Sized>(value: &T) -> io::Result<String> {
    let mut text = Vec::new();
    write_json(&mut text, value)?;
    Ok(String::from_utf8_lossy(&text).into_owned())
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
/// bidirectional marks are shown escaped (`\n`, `\u{1b}`, `\u{202e}`) instead of acted on,
/// and a backslash as `\\`, so that text holding the six characters `\u{202e}` never looks
/// like a real mark escaped.
pub fn printable(text: &str) -> String {
    escaped(text, |c| needs_escape(c) || c == '\\')
}

/// `text` with each character `escape` picks written as Rust writes it in a literal.
fn escaped(text: &str, escape: impl Fn(char) -> bool) -> String {
    if !text.chars().any(&escape) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if escape(c) {
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
/// them (backslashes not: CSV is read by programs, and a metadata cell's JSON keeps its
/// escapes); and unless `raw`, a cell that a spreadsheet would run as a formula (one starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's CSV injection rule) with a
/// `'` before it, which spreadsheets read as "text" and do not show.
pub fn csv_cell(text: &str, raw: bool) -> Cow<'_, str> {
    let formula = !raw && text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // Backslashes stay as they are: a metadata cell is JSON, whose escapes must survive.
    let cell = if text.chars().any(needs_escape) {
        Cow::Owned(escaped(text, needs_escape))
    } else {
        Cow::Borrowed(text)
    };
    if formula {
        Cow::Owned(format!("'{cell}"))
    } else {
        cell
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

/// One row of a fixed-width table: each cell cut to its column's width (`widths`, one per
/// cell).
fn write_fixed_row(
    out: &mut impl Write,
    cells: &[impl AsRef<str>],
    widths: &[usize],
) -> io::Result<()> {
    let cells: Vec<String> = cells
        .iter()
        .zip(widths)
        .map(|(cell, &width)| cut(cell.as_ref(), width))
        .collect();
    write_row(out, &cells, widths)
}

/// A table whose columns are as wide as their widest cell, the header's included.
fn write_measured_table(
    out: &mut impl Write,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    write_row(out, header, &widths)?;
    for row in rows {
        write_row(out, row, &widths)?;
    }
    Ok(())
}

/// One table line: cells padded to their widths, two spaces apart, the last one unpadded.
fn write_row(out: &mut impl Write, cells: &[impl AsRef<str>], widths: &[usize]) -> io::Result<()> {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        let cell = cell.as_ref();
        line.push_str(cell);
        if i + 1 < cells.len() {
            let pad = width.saturating_sub(cell.width());
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
            ["user_1", "山田@例え.jp", "org:member", "t"]
                .map(str::to_owned)
                .to_vec(),
            ["user_2", "ann@acme.com", "org:admin", "t"]
                .map(str::to_owned)
                .to_vec(),
        ];
        write_measured_table(
            &mut out,
            &["USER_ID", "IDENTIFIER", "ROLE", "CREATED_AT"],
            &rows,
        )
        .unwrap();
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
    fn a_literal_escape_never_looks_like_an_escaped_mark() {
        let real = printable("ann\u{202e}moc@acme.com");
        let literal = printable(r"ann\u{202e}moc@acme.com");
        assert_eq!(real, r"ann\u{202e}moc@acme.com");
        assert_eq!(literal, r"ann\\u{202e}moc@acme.com");
        assert_ne!(real, literal);
        // In CSV a backslash stays: a metadata cell is JSON.
        assert_eq!(csv_cell(r#"{"a":"\"x\""}"#, false), r#"{"a":"\"x\""}"#);
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
