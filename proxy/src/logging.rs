//! Where log lines go and how they are written: stderr, through
//! `tracing-appender`'s non-blocking writer, so a request does not pay a
//! `write` system call for its access line, nor wait when stderr is slow (a
//! full pipe, a stalled journal): the line goes to a channel that one writer
//! thread empties.
//!
//! The channel holds 128,000 lines; past that, lines are dropped and counted
//! rather than requests slowed (the crate's "lossy" mode, its default). The
//! [`WorkerGuard`] that [`init`] returns writes what is left when it drops,
//! at the end of `main`; on a crash, what the thread had not written yet is lost.
//!
//! When stderr is not a terminal (a service, a container, the benchmark),
//! the lines are the same text as tracing-subscriber's default format
//! without colours, made more cheaply ([`PlainLines`], [`PlainFields`],
//! [`UtcMicros`]), and the writer thread writes them in batches
//! ([`Paced`]). On a terminal, the stock formatter with colours.

use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::io::{self, BufWriter, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::{DefaultVisitor, Format, Full, Writer};
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Installs the global subscriber: level from `RUST_LOG` (default `info`),
/// colours only on a terminal. Keep the guard until the process ends.
pub fn init() -> WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if io::IsTerminal::is_terminal(&io::stderr()) {
        let (writer, guard) = tracing_appender::non_blocking(io::stderr());
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(true).with_writer(writer).init();
        return guard;
    }
    let (writer, guard) = tracing_appender::non_blocking(Paced::new(io::stderr()));
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).fmt_fields(PlainFields).event_format(PlainLines::default()).with_writer(writer).init();
    guard
}

/// How long the writer thread waits after writing a batch. The thread
/// writes everything queued, then sleeps, so under load it makes one
/// `write` per pause, and the requests' threads do not wake it once per
/// line (with `tracing-appender`'s plain worker, each line was a futex wake
/// by the request's thread, a `write` and a few `sched_yield`s by the
/// writer, all on the request's CPU: about a system call and a context
/// switch per request). A line waits at most this long before it is written.
const PACE: Duration = Duration::from_millis(10);

/// The writer thread's sink: lines collect in a buffer, and the flush that
/// the worker calls when it has emptied the channel writes them out and
/// then waits [`PACE`].
pub struct Paced<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> Paced<W> {
    pub fn new(out: W) -> Paced<W> {
        Paced { out: BufWriter::with_capacity(64 << 10, out) }
    }
}

impl<W: Write> Write for Paced<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.out.flush();
        std::thread::sleep(PACE);
        flushed
    }
}

/// tracing-subscriber's default line (`Format<Full>`, no colours), written
/// directly when the event has no span around it and is not a `log` record,
/// which is every line the proxy itself writes; anything else goes to the
/// stock formatter. Same text either way: timestamp, level, target, fields.
pub struct PlainLines {
    full: Format<Full, UtcMicros>,
}

impl Default for PlainLines {
    fn default() -> PlainLines {
        PlainLines { full: Format::default().with_timer(UtcMicros).with_ansi(false) }
    }
}

impl<S, N> FormatEvent<S, N> for PlainLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let meta = event.metadata();
        // A `log` record's target and level are in its fields (the stock
        // formatter normalises them); a span's name and fields go first.
        if meta.target() == "log" || writer.has_ansi_escapes() || ctx.event_scope().is_some() {
            return self.full.format_event(ctx, writer, event);
        }
        UtcMicros.format_time(&mut writer)?;
        writer.write_str(match *meta.level() {
            Level::TRACE => " TRACE ",
            Level::DEBUG => " DEBUG ",
            Level::INFO => "  INFO ",
            Level::WARN => "  WARN ",
            Level::ERROR => " ERROR ",
        })?;
        writer.write_str(meta.target())?;
        writer.write_str(": ")?;
        ctx.format_fields(writer.by_ref(), event)?;
        writer.write_char('\n')
    }
}

/// The fields as tracing-subscriber's `DefaultFields` writes them without
/// colours (`name=value`, separated by spaces, strings quoted as `Debug`
/// quotes them), with the common cases written directly: integers, booleans
/// and strings that `Debug` would not escape. The rest (the message, errors,
/// anything else) is the default visitor's.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlainFields;

impl<'a> MakeVisitor<Writer<'a>> for PlainFields {
    type Visitor = PlainVisitor<'a>;

    fn make_visitor(&self, writer: Writer<'a>) -> PlainVisitor<'a> {
        PlainVisitor { writer, is_empty: true, result: Ok(()), text: SCRATCH.take() }
    }
}

thread_local! {
    /// The fields' text while a visitor writes them, kept between events.
    static SCRATCH: Cell<String> = const { Cell::new(String::new()) };
}

pub struct PlainVisitor<'a> {
    writer: Writer<'a>,
    is_empty: bool,
    result: fmt::Result,
    /// What the fast paths wrote and the writer has not had yet: each write
    /// to the writer goes through a `dyn Write`, and a line has a dozen
    /// pieces, so they are put together here and written at once.
    text: String,
}

impl PlainVisitor<'_> {
    /// The name the default visitor writes before `=`, for a field it
    /// writes as `name=value`; `None` for the message and `log.` fields.
    fn plain_name<'f>(&self, field: &'f Field) -> Option<&'f str> {
        let name = field.name();
        if name == "message" || name.starts_with("log.") {
            return None;
        }
        Some(name.strip_prefix("r#").unwrap_or(name))
    }

    /// The separator and `name=`.
    fn push_name(&mut self, name: &str) {
        if !self.is_empty {
            self.text.push(' ');
        }
        self.is_empty = false;
        self.text.push_str(name);
        self.text.push('=');
    }

    fn push_decimal(&mut self, n: u64) {
        self.text.push_str(Decimal::new(n).as_str());
    }

    /// Hands what was put together to the writer.
    fn flush(&mut self) {
        if !self.text.is_empty() {
            if self.result.is_ok() {
                self.result = self.writer.write_str(&self.text);
            }
            self.text.clear();
        }
    }

    fn default_visitor(&mut self, visit: impl FnOnce(&mut DefaultVisitor<'_>)) {
        self.flush();
        if self.result.is_err() {
            return;
        }
        let mut default = DefaultVisitor::new(self.writer.by_ref(), self.is_empty);
        visit(&mut default);
        self.result = default.finish();
        // Only `log.` fields are skipped (written nothing); those never get here.
        self.is_empty = false;
    }
}

/// What `<str as Debug>` writes unchanged between its quotes: printable
/// ASCII but `"` and `\`. Eight bytes at a time (a request id is 32, a
/// route template 30 to 50), then the rest one by one.
fn debug_verbatim(value: &str) -> bool {
    const VERBATIM: [bool; 256] = {
        let mut set = [false; 256];
        let mut b = 0x20;
        while b < 0x7f {
            set[b] = b != b'"' as usize && b != b'\\' as usize;
            b += 1;
        }
        set
    };
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte of the result is set where that byte of
    // `x` is zero (exact when no byte of `x` has its high bit set).
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let (chunks, rest) = value.as_bytes().split_at(value.len() & !7);
    let chunks_ok = chunks.chunks_exact(8).all(|chunk| {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(eight);
        // ASCII, then not below 0x20 (x + 0x60 would not reach 0x80), not
        // 0x7f (x + 1 would reach it), and neither `"` nor `\`.
        let below_space = x.wrapping_add(ONES * 0x60) & HIGH != HIGH;
        let delete = x.wrapping_add(ONES) & HIGH != 0;
        x & HIGH == 0 && !below_space && !delete && zero_bytes(x ^ (ONES * 0x22)) == 0 && zero_bytes(x ^ (ONES * 0x5c)) == 0
    });
    chunks_ok && rest.iter().all(|&b| VERBATIM[b as usize])
}

impl Visit for PlainVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        // A message given as a string (`message = "api"`): the default
        // visitor writes it as it is, after the separator.
        if field.name() == "message" && debug_verbatim(value) {
            if !self.is_empty {
                self.text.push(' ');
            }
            self.is_empty = false;
            self.text.push_str(value);
            return;
        }
        match self.plain_name(field) {
            Some(name) if debug_verbatim(value) => {
                self.push_name(name);
                self.text.push('"');
                self.text.push_str(value);
                self.text.push('"');
            }
            _ => self.default_visitor(|d| d.record_str(field, value)),
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match self.plain_name(field) {
            Some(name) => {
                self.push_name(name);
                self.push_decimal(value);
            }
            None => self.default_visitor(|d| d.record_u64(field, value)),
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match self.plain_name(field) {
            Some(name) if value >= 0 => {
                self.push_name(name);
                self.push_decimal(value.unsigned_abs());
            }
            _ => self.default_visitor(|d| d.record_i64(field, value)),
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        match self.plain_name(field) {
            Some(name) => {
                self.push_name(name);
                self.text.push_str(if value { "true" } else { "false" });
            }
            None => self.default_visitor(|d| d.record_bool(field, value)),
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.default_visitor(|d| d.record_error(field, value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name().starts_with("log.") {
            return;
        }
        match self.plain_name(field) {
            // `name=` then the value's own `Debug`, as the default visitor
            // writes it without colours.
            Some(name) => {
                self.push_name(name);
                if write!(self.text, "{value:?}").is_err() {
                    self.result = Err(fmt::Error);
                }
            }
            None => self.default_visitor(|d| d.record_debug(field, value)),
        }
    }
}

impl VisitOutput<fmt::Result> for PlainVisitor<'_> {
    fn finish(mut self) -> fmt::Result {
        self.flush();
        // Kept for the next event, unless a large value made it grow.
        if self.text.capacity() <= 4096 {
            SCRATCH.set(std::mem::take(&mut self.text));
        }
        self.result
    }
}

impl VisitFmt for PlainVisitor<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        self.flush();
        &mut self.writer
    }
}

/// A `u64` in decimal, on the stack.
pub struct Decimal {
    digits: [u8; 20],
    start: usize,
}

impl Decimal {
    pub fn new(mut n: u64) -> Decimal {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Decimal { digits, start }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[self.start..]).expect("ASCII digits")
    }
}

/// The default timer's text (`2026-11-23T14:28:07.123456Z`, UTC, to the
/// microsecond), with the date and time up to the second made once per
/// second per thread rather than for every line.
#[derive(Clone, Copy, Debug, Default)]
pub struct UtcMicros;

thread_local! {
    /// The second last formatted, and `YYYY-MM-DDTHH:MM:SS.` for it.
    static SECOND: Cell<(u64, [u8; 20])> = const { Cell::new((u64::MAX, [0; 20])) };
}

impl FormatTime for UtcMicros {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        let Ok(since) = SystemTime::now().duration_since(UNIX_EPOCH) else {
            return tracing_subscriber::fmt::time::SystemTime.format_time(w);
        };
        let secs = since.as_secs();
        let (cached, mut prefix) = SECOND.get();
        if cached != secs {
            let Some(made) = second_prefix(secs) else {
                return tracing_subscriber::fmt::time::SystemTime.format_time(w);
            };
            prefix = made;
            SECOND.set((secs, prefix));
        }
        let mut text = [0u8; 27];
        text[..20].copy_from_slice(&prefix);
        let mut micros = since.subsec_micros();
        for slot in text[20..26].iter_mut().rev() {
            *slot = b'0' + (micros % 10) as u8;
            micros /= 10;
        }
        text[26] = b'Z';
        w.write_str(std::str::from_utf8(&text).expect("ASCII"))
    }
}

/// `YYYY-MM-DDTHH:MM:SS.` for `secs` since the epoch; `None` past year
/// 9999 (the default timer's own text then).
fn second_prefix(secs: u64) -> Option<[u8; 20]> {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).ok()?).ok()?;
    if t.year() > 9999 {
        return None;
    }
    let mut text = String::with_capacity(20);
    write!(text, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second()).ok()?;
    text.as_bytes().try_into().ok()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn lines(plain: bool, log: impl FnOnce()) -> String {
        let capture = Capture::default();
        let writer = capture.clone();
        let builder = tracing_subscriber::fmt().with_ansi(false).with_max_level(Level::TRACE).with_writer(move || writer.clone());
        if plain {
            tracing::subscriber::with_default(builder.fmt_fields(PlainFields).event_format(PlainLines::default()).finish(), log);
        } else {
            tracing::subscriber::with_default(builder.finish(), log);
        }
        let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        text
    }

    /// Each line without its timestamp, which differs between the runs.
    fn untimed(text: &str) -> Vec<String> {
        text.lines().map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest).to_string()).collect()
    }

    #[test]
    fn plain_lines_are_the_default_format() {
        let log = || {
            let err = io::Error::other("broken");
            tracing::info!(service = "hss", route = "/v5/{project_id}/billing/quotas-detail", status = 200u16, bytes = 1024u64, "api");
            tracing::info!(message = "api", service = "hss", bytes = 0u64);
            tracing::info!(n = 1u64, message = "after a field");
            tracing::info!(message = "not \"plain\"\u{1b}[31m", n = 2u64);
            tracing::info!(r#type = "x", quote = "a\"b\\c", ctrl = "a\nb", uni = "é", neg = -3i64, pos = 7i64, yes = true, ms = 1.5f64, "m {}", 1);
            tracing::warn!(error = %err, dbg = ?Some(3), "refused");
            tracing::error!(e = &err as &(dyn std::error::Error + 'static));
            tracing::debug!("only a message");
            let span = tracing::info_span!("conn", id = 7);
            let _in = span.enter();
            tracing::trace!(inner = 1, "in a span");
        };
        let (plain, stock) = (lines(true, log), lines(false, log));
        assert_eq!(untimed(&plain), untimed(&stock), "\n{plain}\n{stock}");
        assert_eq!(plain.lines().count(), 9);
        for (p, s) in plain.lines().zip(stock.lines()) {
            let (pt, st) = (p.split(' ').next().unwrap(), s.split(' ').next().unwrap());
            assert_eq!(pt.len(), st.len(), "{pt} {st}");
            assert_eq!(pt[..16], st[..16], "same minute");
        }
    }

    #[test]
    fn verbatim_is_printable_ascii_but_quote_and_backslash() {
        let one_by_one = |v: &str| v.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
        let mut values = vec![String::new(), "0123456789abcdef0123456789abcdef".into(), "/v5/{project_id}/billing/quotas-detail".into()];
        // Each byte value at each place of a 17-byte value (two chunks and a rest).
        for at in 0..17 {
            for b in 0..=255u8 {
                let mut v = vec![b'a'; 17];
                v[at] = b;
                if let Ok(v) = String::from_utf8(v) {
                    values.push(v);
                }
            }
        }
        values.push("aaaaaaaé".into());
        values.push("\u{7f}aaaaaaa".into());
        for v in &values {
            assert_eq!(debug_verbatim(v), one_by_one(v), "{v:?}");
        }
    }

    #[test]
    fn timestamps_are_rfc3339_utc_micros() {
        assert_eq!(second_prefix(0).as_ref().map(|p| std::str::from_utf8(p).unwrap()), Some("1970-01-01T00:00:00."));
        assert_eq!(second_prefix(1_795_962_487).as_ref().map(|p| std::str::from_utf8(p).unwrap()), Some("2026-11-29T14:28:07."));
        assert_eq!(Decimal::new(0).as_str(), "0");
        assert_eq!(Decimal::new(u64::MAX).as_str(), u64::MAX.to_string());
    }

    #[test]
    fn paced_writes_everything_on_flush() {
        let capture = Capture::default();
        let mut paced = Paced::new(capture.clone());
        paced.write_all(b"one\n").unwrap();
        paced.write_all(b"two\n").unwrap();
        assert!(capture.0.lock().unwrap().is_empty(), "buffered until the flush");
        paced.flush().unwrap();
        assert_eq!(&*capture.0.lock().unwrap(), b"one\ntwo\n");
    }
}
