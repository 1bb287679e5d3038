//! Where log lines go: stderr, through a buffer that a background thread
//! empties every 100 ms (or the writer itself past 64 KiB), so that a request
//! does not pay a `write` system call for its access line. The cost: on a
//! crash, the last 100 ms of lines can be lost; [`flush`] empties the buffer
//! at shutdown.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

const FLUSH_AT: usize = 64 << 10;

static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static FLUSHER: OnceLock<()> = OnceLock::new();

/// Writes the buffered lines to stderr now.
pub fn flush() {
    let pending = match BUFFER.lock() {
        Ok(mut buffer) => std::mem::take(&mut *buffer),
        Err(_) => return,
    };
    if !pending.is_empty() {
        let _ = std::io::stderr().write_all(&pending);
    }
}

/// The `MakeWriter` for `tracing_subscriber::fmt().with_writer(...)`.
#[derive(Clone, Copy, Default)]
pub struct BufferedStderr;

impl BufferedStderr {
    pub fn new() -> BufferedStderr {
        FLUSHER.get_or_init(|| {
            let _ = std::thread::Builder::new().name("log-flush".into()).spawn(|| loop {
                std::thread::sleep(Duration::from_millis(100));
                flush();
            });
        });
        BufferedStderr
    }
}

impl<'a> MakeWriter<'a> for BufferedStderr {
    type Writer = BufferedStderr;
    fn make_writer(&'a self) -> BufferedStderr {
        *self
    }
}

impl Write for BufferedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let full = match BUFFER.lock() {
            Ok(mut buffer) => {
                buffer.extend_from_slice(buf);
                buffer.len() >= FLUSH_AT
            }
            // A poisoned buffer: write through rather than lose the line.
            Err(_) => return std::io::stderr().write(buf),
        };
        if full {
            flush();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
