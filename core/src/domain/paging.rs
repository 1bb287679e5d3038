//! Reading a paged list to the end: which offsets to ask for, how many pages
//! at once, when to stop, and what to do when a page fails. Generic over how
//! a page is fetched and how the reader sleeps, so that it runs in the
//! browser (gloo-net, `setTimeout`) and in native tests (scripted pages) alike.
//!
//! The first page comes alone, because it says how many items there are. The
//! rest are requested with at most [`IN_FLIGHT`] in flight and taken in
//! offset order. Reading stops at the total, at an empty page, at a short
//! page, or at the plan's page cap, which is reported and never looped on.
//! A page that fails is retried once (after a longer pause when the service
//! throttles; not at all when retrying cannot help), then reported beside the
//! pages already read.

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

/// Pages requested at the same time per service: every remaining page at
/// once under a cap, so that a tenant of 2,000 HSS quotas (10 pages of 200)
/// is read in two round trips after the first page.
/// Ten per service, five services: at most 50 calls in flight per tab, well
/// inside the proxy's default burst of 200 per client (`--rate-burst`);
/// a throttled page (429) is retried after [`crate::api::THROTTLE_BACKOFF_MS`]
/// as before.
pub const IN_FLIGHT: usize = 10;

/// How a service is paged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PagePlan {
    /// Items asked for per page.
    pub limit: u32,
    /// The most pages read, the first included.
    pub max_pages: u32,
}

/// What the reader needs to know of a page.
pub trait Paged<E> {
    /// Items on this page.
    fn items(&self) -> usize;
    /// The total the service reports, if it does.
    fn total(&self) -> Option<u64>;
    /// Reads what can wait until the next pages are asked (its items); an
    /// error fails the page as its call failing would.
    fn settle(&mut self) -> Result<(), E> {
        Ok(())
    }
}

/// Pages read so far, of how many (`None` while the total is unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub read: u32,
    pub expected: Option<u32>,
}

/// Why reading stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every item the service counted was asked for.
    Total,
    /// A page came back empty before the total was reached.
    EmptyPage,
    /// A page came back with fewer items than asked for: the end.
    ShortPage,
    /// The plan's page cap was reached with more to read.
    Cap,
    /// With no total to go by, a page failed: what follows is unknown.
    Failed,
}

/// A page that failed twice.
#[derive(Clone, Debug, PartialEq)]
pub struct PageFailure<E> {
    pub offset: u64,
    pub error: E,
}

/// Everything read.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome<P, E> {
    /// The pages read, in offset order.
    pub pages: Vec<P>,
    /// The pages that could not be read, in offset order.
    pub failures: Vec<PageFailure<E>>,
    /// The total the first page reported.
    pub total: Option<u64>,
    pub progress: Progress,
    pub stop: Stop,
}

/// The offsets after the first page when the service reports `total` and the
/// first page held `first` items, and whether the cap cuts the list short.
///
/// When the first page is shorter than asked for but the total says there is
/// more, the service has a smaller page size than documented: the step is
/// the first page's length, so that nothing is skipped.
pub fn plan_offsets(plan: PagePlan, first: usize, total: u64) -> (Vec<u64>, bool) {
    let first = first as u64;
    if first == 0 || first >= total {
        return (Vec::new(), false);
    }
    let step = first.min(u64::from(plan.limit.max(1)));
    let more = plan.max_pages.saturating_sub(1) as u64;
    let offsets: Vec<u64> = (1..=more).map(|i| i * step).take_while(|&o| o < total).collect();
    let capped = step.saturating_mul(u64::from(plan.max_pages)) < total;
    (offsets, capped)
}

/// Pages needed for `total` items, the cap applied.
pub fn expected_pages(plan: PagePlan, step: u64, total: u64) -> u32 {
    let pages = total.div_ceil(step.max(1)).max(1);
    pages.min(u64::from(plan.max_pages)) as u32
}

/// One call, made once more after `retry_delay(error)` milliseconds when
/// that says the failure may pass (a throttle, a busy network, a dropped
/// connection); otherwise its first result.
pub async fn retried<T, E, F, Fut, S, SFut>(call: F, retry_delay: impl Fn(&E) -> Option<u32>, sleep: S) -> Result<T, E>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    S: Fn(u32) -> SFut,
    SFut: Future<Output = ()>,
{
    match call().await {
        Ok(value) => Ok(value),
        Err(error) => match retry_delay(&error) {
            Some(ms) => {
                sleep(ms).await;
                call().await
            }
            None => Err(error),
        },
    }
}

/// Reads every page. `fetch(offset)` gets one page; `retry_delay(error)` says
/// how long to wait before the one retry of a failed page, in milliseconds,
/// or `None` when the error will not go away by retrying (a refused token);
/// `sleep(ms)` waits; `progress` hears after every page. Fails only when the
/// first page fails twice.
pub async fn read_all<P, E, F, Fut, S, SFut>(
    plan: PagePlan,
    fetch: F,
    retry_delay: impl Fn(&E) -> Option<u32>,
    sleep: S,
    mut progress: impl FnMut(Progress),
) -> Result<Outcome<P, E>, E>
where
    P: Paged<E>,
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<P, E>>,
    S: Fn(u32) -> SFut,
    SFut: Future<Output = ()>,
{
    let page = |offset: u64| {
        let (fetch, sleep, retry_delay) = (&fetch, &sleep, &retry_delay);
        retried(move || fetch(offset), retry_delay, sleep)
    };

    let first = page(0).await?;
    let n = first.items();
    let total = first.total();
    let limit = plan.limit.max(1) as usize;
    let mut out = Outcome { pages: Vec::new(), failures: Vec::new(), total, progress: Progress::default(), stop: Stop::Total };

    match total {
        Some(total) => {
            let (offsets, capped) = plan_offsets(plan, n, total);
            let step = offsets.first().copied().unwrap_or(limit as u64);
            out.progress = Progress { read: 1, expected: Some(expected_pages(plan, step, total).max(1 + offsets.len() as u32)) };
            out.stop = match () {
                _ if n == 0 && total > 0 => Stop::EmptyPage,
                _ if capped => Stop::Cap,
                _ => Stop::Total,
            };
            let last = offsets.last().copied();
            // Each page is read as it arrives, so a slow page does not hold
            // the reading of those after it until the last answer; they are
            // still taken in offset order.
            let mut pages =
                Window::new(offsets.into_iter().map(|offset| async move { (offset, page(offset).await.and_then(|mut p| p.settle().map(|()| p))) }), IN_FLIGHT);
            // The next pages are asked (their first poll sends them) before
            // the first page's items are read: those wait for nothing.
            let mut arrived = {
                let mut next = std::pin::pin!(pages.next());
                let early = poll_fn(|cx| Poll::Ready(next.as_mut().poll(cx))).await;
                let mut first = first;
                first.settle()?;
                out.pages.push(first);
                progress(out.progress);
                match early {
                    Poll::Ready(arrived) => arrived,
                    Poll::Pending => next.await,
                }
            };
            while let Some((offset, result)) = arrived {
                out.progress.read += 1;
                progress(out.progress);
                match result {
                    Ok(p) if p.items() == 0 => {
                        out.stop = Stop::EmptyPage;
                        break;
                    }
                    Ok(p) => {
                        let short = (p.items() as u64) < step && Some(offset) != last;
                        out.pages.push(p);
                        if short {
                            out.stop = Stop::ShortPage;
                            break;
                        }
                    }
                    Err(error) => out.failures.push(PageFailure { offset, error }),
                }
                arrived = pages.next().await;
            }
        }
        None => {
            // No total: one page after another until one is short or empty.
            out.progress = Progress { read: 1, expected: None };
            let mut first = first;
            first.settle()?;
            out.pages.push(first);
            progress(out.progress);
            out.stop = if n < limit {
                if n == 0 {
                    Stop::EmptyPage
                } else {
                    Stop::ShortPage
                }
            } else {
                Stop::Cap
            };
            let mut offset = n as u64;
            while n >= limit && out.progress.read < plan.max_pages {
                let result = page(offset).await.and_then(|mut p| p.settle().map(|()| p));
                out.progress.read += 1;
                progress(out.progress);
                match result {
                    Ok(p) => {
                        let got = p.items();
                        out.pages.push(p);
                        if got < limit {
                            out.stop = if got == 0 { Stop::EmptyPage } else { Stop::ShortPage };
                            break;
                        }
                        offset += got as u64;
                    }
                    Err(error) => {
                        out.failures.push(PageFailure { offset, error });
                        out.stop = Stop::Failed;
                        break;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Runs the futures of `pending` with at most `limit` of them started and
/// unfinished at once, and hands out their outputs in the order of
/// `pending`. A futures-crate `buffered` stream does the same; this one is
/// a few dozen lines and cost the wasm bundle a fraction of it (measured with
/// scripts/budget.mjs). Single-threaded: every unfinished future in the
/// window is polled on each wake, which is cheap for a window of ten.
struct Window<I: Iterator>
where
    I::Item: Future,
{
    pending: I,
    limit: usize,
    running: VecDeque<Slot<I::Item>>,
}

enum Slot<F: Future> {
    Running(Pin<Box<F>>),
    Done(F::Output),
}

impl<I: Iterator> Window<I>
where
    I::Item: Future,
{
    fn new(pending: I, limit: usize) -> Self {
        Window { pending, limit: limit.max(1), running: VecDeque::new() }
    }

    /// The next output in order, `None` when every future has finished.
    async fn next(&mut self) -> Option<<I::Item as Future>::Output> {
        while self.running.len() < self.limit {
            match self.pending.next() {
                Some(future) => self.running.push_back(Slot::Running(Box::pin(future))),
                None => break,
            }
        }
        if self.running.is_empty() {
            return None;
        }
        poll_fn(|cx| {
            for slot in self.running.iter_mut() {
                if let Slot::Running(future) = slot {
                    if let Poll::Ready(output) = future.as_mut().poll(cx) {
                        *slot = Slot::Done(output);
                    }
                }
            }
            if matches!(self.running.front(), Some(Slot::Done(_))) {
                if let Some(Slot::Done(output)) = self.running.pop_front() {
                    return Poll::Ready(Some(output));
                }
            }
            Poll::Pending
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_total_and_the_cap() {
        let plan = PagePlan { limit: 100, max_pages: 100 };
        assert_eq!(plan_offsets(plan, 100, 160), (vec![100], false));
        assert_eq!(plan_offsets(plan, 100, 100), (vec![], false));
        assert_eq!(plan_offsets(plan, 100, 101), (vec![100], false));
        // The service gave fewer than asked for: its own page size is the step.
        assert_eq!(plan_offsets(plan, 60, 160), (vec![60, 120], false));
        assert_eq!(plan_offsets(plan, 0, 500), (vec![], false));
        let (offsets, capped) = plan_offsets(plan, 100, u64::MAX);
        assert_eq!((offsets.len(), capped), (99, true));
        assert_eq!(offsets.last(), Some(&9900));
        assert_eq!(plan_offsets(plan, 100, 10_000), ((1..100).map(|i| i * 100).collect(), false));
        assert!(plan_offsets(plan, 100, 10_001).1);
        assert_eq!(expected_pages(plan, 100, 160), 2);
        assert_eq!(expected_pages(plan, 100, 0), 1);
        assert_eq!(expected_pages(plan, 100, u64::MAX), 100);
    }
}
