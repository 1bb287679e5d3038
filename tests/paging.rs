//! Pagination against scripted sequences of pages: the total reached, a short
//! page, an empty page, endless pages, a failing page, throttling, the
//! number of pages in flight, and pages that overlap (a service's reading
//! counts a resource once).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::executor::block_on;
use tenantscope::domain::paging::{read_all, Outcome, PageFailure, PagePlan, Paged, Progress, Stop, IN_FLIGHT};
use tenantscope::services::hss::PAGES as HSS;

#[derive(Clone, Debug, PartialEq)]
struct Page {
    offset: u64,
    items: usize,
    total: Option<u64>,
}

thread_local! {
    /// What happened, in order: each page asked (`ask`) and settled (`settle`).
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// The offset whose page fails to settle.
    static UNREADABLE: Cell<Option<u64>> = const { Cell::new(None) };
}

impl Paged<Failure> for Page {
    fn items(&self) -> usize {
        self.items
    }
    fn total(&self) -> Option<u64> {
        self.total
    }
    fn settle(&mut self) -> Result<(), Failure> {
        LOG.with(|l| l.borrow_mut().push(format!("settle {}", self.offset)));
        match UNREADABLE.get() {
            Some(offset) if offset == self.offset => Err(Failure::Unreadable),
            _ => Ok(()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Failure {
    Throttled,
    Broken,
    /// An error that retrying cannot fix (a refused token).
    Denied,
    /// A page whose items could not be read.
    Unreadable,
}

/// A tenant of `total` items served `page_size` at a time, with scripted
/// answers for some offsets (consumed one per call).
struct Script {
    total: Option<u64>,
    page_size: usize,
    /// When the total is unknown, how many items there really are.
    actual: u64,
    scripted: RefCell<HashMap<u64, Vec<Result<usize, Failure>>>>,
    /// Offsets whose answers take this many more polls to come.
    slow: HashMap<u64, u32>,
    calls: RefCell<Vec<u64>>,
    in_flight: Cell<usize>,
    max_in_flight: Cell<usize>,
    sleeps: RefCell<Vec<u32>>,
}

impl Script {
    fn new(total: Option<u64>, page_size: usize) -> Script {
        Script {
            total,
            page_size,
            actual: total.unwrap_or(u64::MAX),
            scripted: RefCell::default(),
            slow: HashMap::new(),
            calls: RefCell::default(),
            in_flight: Cell::new(0),
            max_in_flight: Cell::new(0),
            sleeps: RefCell::default(),
        }
    }

    fn at(self, offset: u64, answers: Vec<Result<usize, Failure>>) -> Script {
        self.scripted.borrow_mut().insert(offset, answers);
        self
    }

    fn slow(mut self, offset: u64, polls: u32) -> Script {
        self.slow.insert(offset, polls);
        self
    }

    async fn fetch(&self, offset: u64) -> Result<Page, Failure> {
        self.calls.borrow_mut().push(offset);
        LOG.with(|l| l.borrow_mut().push(format!("ask {offset}")));
        self.in_flight.set(self.in_flight.get() + 1);
        self.max_in_flight.set(self.max_in_flight.get().max(self.in_flight.get()));
        YieldOnce(false).await;
        for _ in 0..self.slow.get(&offset).copied().unwrap_or(0) {
            YieldOnce(false).await;
        }
        self.in_flight.set(self.in_flight.get() - 1);
        let scripted = self.scripted.borrow_mut().get_mut(&offset).and_then(|answers| if answers.is_empty() { None } else { Some(answers.remove(0)) });
        let items = match scripted {
            Some(answer) => answer?,
            None => (self.actual.saturating_sub(offset)).min(self.page_size as u64) as usize,
        };
        Ok(Page { offset, items, total: self.total })
    }

    fn run(&self, plan: PagePlan) -> (Result<Outcome<Page, Failure>, Failure>, Vec<Progress>) {
        let mut seen = Vec::new();
        let outcome = block_on(read_all(
            plan,
            |offset| self.fetch(offset),
            |e: &Failure| match e {
                Failure::Throttled => Some(2000),
                Failure::Broken => Some(250),
                Failure::Denied | Failure::Unreadable => None,
            },
            |ms| {
                self.sleeps.borrow_mut().push(ms);
                async {}
            },
            |p| seen.push(p),
        ));
        (outcome, seen)
    }

    fn calls_at(&self, offset: u64) -> usize {
        self.calls.borrow().iter().filter(|&&o| o == offset).count()
    }
}

/// Pending once, so that the reader must poll several pages at a time.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn offsets(outcome: &Outcome<Page, Failure>) -> Vec<u64> {
    outcome.pages.iter().map(|p| p.offset).collect()
}

#[test]
fn reads_to_the_total() {
    let script = Script::new(Some(420), 200);
    let (outcome, progress) = script.run(HSS);
    let outcome = outcome.unwrap();
    assert_eq!(offsets(&outcome), [0, 200, 400]);
    assert_eq!(outcome.pages.iter().map(|p| p.items).sum::<usize>(), 420);
    assert_eq!(outcome.stop, Stop::Total);
    assert!(outcome.failures.is_empty());
    let expected = Some(3);
    assert_eq!(progress, [1, 2, 3].map(|read| Progress { read, expected }));
    assert_eq!(*script.calls.borrow(), [0, 200, 400]);
}

#[test]
fn the_next_pages_are_asked_before_the_first_is_read() {
    LOG.with(|l| l.borrow_mut().clear());
    let script = Script::new(Some(420), 200);
    script.run(HSS).0.unwrap();
    let log = LOG.with(|l| l.borrow().clone());
    assert_eq!(log, ["ask 0", "ask 200", "ask 400", "settle 0", "settle 200", "settle 400"]);
}

#[test]
fn each_page_is_read_as_it_arrives_and_kept_in_offset_order() {
    LOG.with(|l| l.borrow_mut().clear());
    let script = Script::new(Some(620), 200).slow(200, 3);
    let outcome = script.run(HSS).0.unwrap();
    let log = LOG.with(|l| l.borrow().clone());
    // The pages after a slow one are read while it is awaited, not after it.
    assert_eq!(log, ["ask 0", "ask 200", "ask 400", "ask 600", "settle 0", "settle 400", "settle 600", "settle 200"]);
    assert_eq!(offsets(&outcome), [0, 200, 400, 600]);
}

#[test]
fn a_page_that_cannot_be_read_fails_as_its_call_would() {
    // A later page: a failed page, the others kept.
    UNREADABLE.set(Some(200));
    let outcome = Script::new(Some(420), 200).run(HSS).0.unwrap();
    assert_eq!(offsets(&outcome), [0, 400]);
    assert_eq!(outcome.failures, [PageFailure { offset: 200, error: Failure::Unreadable }]);
    // The first: the whole reading.
    UNREADABLE.set(Some(0));
    assert_eq!(Script::new(Some(420), 200).run(HSS).0.unwrap_err(), Failure::Unreadable);
    assert_eq!(Script::new(None, 200).run(HSS).0.unwrap_err(), Failure::Unreadable);
    UNREADABLE.set(None);
}

#[test]
fn at_most_in_flight_pages_at_once() {
    let script = Script::new(Some(2000), 100);
    let (outcome, _) = script.run(PagePlan { limit: 100, max_pages: 100 });
    assert_eq!(outcome.unwrap().pages.len(), 20);
    assert_eq!(script.max_in_flight.get(), IN_FLIGHT);
    // Taken in offset order, whatever order they finish in.
    let calls = script.calls.borrow();
    assert_eq!(calls.len(), 20);
}

#[test]
fn a_total_that_fits_one_page_asks_once() {
    let script = Script::new(Some(37), 200);
    let (outcome, progress) = script.run(HSS);
    assert_eq!(offsets(&outcome.unwrap()), [0]);
    assert_eq!(progress, [Progress { read: 1, expected: Some(1) }]);
    let empty = Script::new(Some(0), 200);
    let outcome = empty.run(HSS).0.unwrap();
    assert_eq!((outcome.pages.len(), outcome.stop), (1, Stop::Total));
}

#[test]
fn a_short_page_ends_the_list() {
    let script = Script::new(Some(1000), 100).at(300, vec![Ok(50)]);
    let outcome = script.run(PagePlan { limit: 100, max_pages: 100 }).0.unwrap();
    assert_eq!(offsets(&outcome), [0, 100, 200, 300]);
    assert_eq!(outcome.stop, Stop::ShortPage);
}

#[test]
fn an_empty_page_ends_the_list() {
    let script = Script::new(Some(1000), 100).at(200, vec![Ok(0)]);
    let outcome = script.run(PagePlan { limit: 100, max_pages: 100 }).0.unwrap();
    assert_eq!(offsets(&outcome), [0, 100]);
    assert_eq!(outcome.stop, Stop::EmptyPage);
    // A first page that is empty although the total says otherwise.
    let script = Script::new(Some(1000), 100).at(0, vec![Ok(0)]);
    let outcome = script.run(PagePlan { limit: 100, max_pages: 100 }).0.unwrap();
    assert_eq!((outcome.pages.len(), outcome.stop), (1, Stop::EmptyPage));
    assert_eq!(*script.calls.borrow(), [0]);
}

#[test]
fn endless_pages_stop_at_the_cap() {
    // A total far beyond the cap.
    let script = Script::new(Some(u64::MAX), 200);
    let outcome = script.run(HSS).0.unwrap();
    assert_eq!((outcome.pages.len(), outcome.stop), (100, Stop::Cap));
    assert_eq!(outcome.progress, Progress { read: 100, expected: Some(100) });
    assert_eq!(script.calls.borrow().len(), 100);
    // No total, and every page full.
    let script = Script::new(None, 200);
    let outcome = script.run(HSS).0.unwrap();
    assert_eq!((outcome.pages.len(), outcome.stop), (100, Stop::Cap));
    assert_eq!(outcome.progress, Progress { read: 100, expected: None });
    assert_eq!(script.calls.borrow().len(), 100);
}

#[test]
fn without_a_total_pages_are_read_until_a_short_one() {
    let mut script = Script::new(None, 200);
    script.actual = 450;
    let (outcome, progress) = script.run(HSS);
    let outcome = outcome.unwrap();
    assert_eq!(offsets(&outcome), [0, 200, 400]);
    assert_eq!(outcome.stop, Stop::ShortPage);
    assert_eq!(progress.last(), Some(&Progress { read: 3, expected: None }));
    let script = Script::new(None, 200).at(200, vec![Err(Failure::Broken), Err(Failure::Broken)]);
    let outcome = script.run(HSS).0.unwrap();
    assert_eq!(outcome.stop, Stop::Failed);
    assert_eq!(outcome.failures, [PageFailure { offset: 200, error: Failure::Broken }]);
}

#[test]
fn a_failing_page_is_retried_once_then_reported() {
    let script = Script::new(Some(500), 100).at(200, vec![Err(Failure::Broken), Err(Failure::Broken)]);
    let outcome = script.run(PagePlan { limit: 100, max_pages: 100 }).0.unwrap();
    assert_eq!(offsets(&outcome), [0, 100, 300, 400], "the other pages are kept");
    assert_eq!(outcome.failures, [PageFailure { offset: 200, error: Failure::Broken }]);
    assert_eq!(outcome.stop, Stop::Total);
    assert_eq!(script.calls_at(200), 2);
    assert_eq!(*script.sleeps.borrow(), [250]);
    assert_eq!(outcome.progress, Progress { read: 5, expected: Some(5) });
}

#[test]
fn a_page_that_fails_once_is_not_lost() {
    let script = Script::new(Some(300), 100).at(100, vec![Err(Failure::Broken)]);
    let outcome = script.run(PagePlan { limit: 100, max_pages: 100 }).0.unwrap();
    assert_eq!(offsets(&outcome), [0, 100, 200]);
    assert!(outcome.failures.is_empty());
}

#[test]
fn throttling_backs_off_before_the_retry() {
    let script = Script::new(Some(300), 100).at(100, vec![Err(Failure::Throttled)]);
    let outcome = script.run(PagePlan { limit: 100, max_pages: 100 }).0.unwrap();
    assert_eq!(offsets(&outcome), [0, 100, 200]);
    assert_eq!(*script.sleeps.borrow(), [2000]);
}

#[test]
fn the_first_page_failing_twice_fails_the_read() {
    let script = Script::new(Some(300), 100).at(0, vec![Err(Failure::Throttled), Err(Failure::Broken)]);
    let (outcome, progress) = script.run(PagePlan { limit: 100, max_pages: 100 });
    assert_eq!(outcome.unwrap_err(), Failure::Broken);
    assert!(progress.is_empty());
    assert_eq!(*script.calls.borrow(), [0, 0]);
}

#[test]
fn a_service_with_smaller_pages_is_read_by_its_own_step() {
    // Asked for 200, the service gives 100 at a time (a silently lower limit).
    let script = Script::new(Some(420), 100);
    let outcome = script.run(HSS).0.unwrap();
    assert_eq!(offsets(&outcome), [0, 100, 200, 300, 400]);
    assert_eq!(outcome.pages.iter().map(|p| p.items).sum::<usize>(), 420);
    assert_eq!(outcome.stop, Stop::Total);
}

#[test]
fn an_error_that_retrying_cannot_fix_is_not_retried() {
    let script = Script::new(Some(300), 100).at(0, vec![Err(Failure::Denied)]);
    assert_eq!(script.run(PagePlan { limit: 100, max_pages: 100 }).0.unwrap_err(), Failure::Denied);
    assert_eq!(*script.calls.borrow(), [0]);
    assert!(script.sleeps.borrow().is_empty());
    let script = Script::new(Some(300), 100).at(100, vec![Err(Failure::Denied)]);
    let outcome = script.run(PagePlan { limit: 100, max_pages: 100 }).0.unwrap();
    assert_eq!(outcome.failures, [PageFailure { offset: 100, error: Failure::Denied }]);
    assert_eq!(script.calls_at(100), 1);
}

/// A session in one region and project, for the services' readers.
fn session() -> tenantscope::session::Session {
    use tenantscope::api::{Credentials, Gateway, Token};
    tenantscope::session::Session {
        gateway: Gateway::new("/api".into(), Credentials::IamToken(Token::parse("t").unwrap())),
        region: "cn-north-4".into(),
        project_id: "p".into(),
        codearts_project_id: None,
        codearts_name: None,
        user: None,
        domain: None,
        project: None,
        expires_at: None,
    }
}

/// A MetaStudio tenant of 150 resources, each page's resources made by
/// `page(offset)`; every page asked is recorded.
struct Metastudio<F> {
    page: F,
    asked: RefCell<Vec<usize>>,
}

impl<F: Fn(usize) -> Vec<serde_json::Value>> Metastudio<F> {
    const TOTAL: usize = 150;

    fn new(page: F) -> Self {
        Metastudio { page, asked: RefCell::new(Vec::new()) }
    }

    fn read(&self) -> Result<tenantscope::services::Loaded, tenantscope::api::ApiError> {
        block_on(tenantscope::session::load(self, tenantscope_catalog::Service::Metastudio, &session(), |_| {}))
    }
}

impl<F: Fn(usize) -> Vec<serde_json::Value>> tenantscope::session::Fetch for Metastudio<F> {
    async fn get(
        &self,
        _: tenantscope_catalog::Route,
        _: &str,
        _: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<tenantscope::api::ApiResponse, tenantscope::api::ApiError> {
        let offset: usize = query.iter().find(|(k, _)| *k == "offset").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
        self.asked.borrow_mut().push(offset);
        let body = serde_json::json!({ "count": Self::TOTAL, "resources": (self.page)(offset) });
        Ok(tenantscope::api::ApiResponse { text: body.to_string(), body, request_id: None })
    }
    async fn sleep(&self, _: u32) {}
    fn now(&self) -> tenantscope::domain::Instant {
        tenantscope::domain::Instant::from_millis(0)
    }
}

/// A service that pages unevenly: the first page holds 50 of the 100 asked
/// for, the others 100. The reader steps by the first page's 50, so the
/// pages at 50 and 100 overlap.
fn uneven(offset: usize) -> Vec<serde_json::Value> {
    let size = if offset == 0 { 50 } else { 100 };
    (offset..(offset + size).min(150))
        .map(|index| {
            // Two resources without an id of their own, at the same place on
            // two pages: the stand-in ids the reader makes of them are the same.
            let id = if index == 10 || index == 60 { serde_json::Value::Null } else { format!("r{index}").into() };
            // What the later page says of a resource differs: the first is kept.
            serde_json::json!({ "resource_id": id, "resource_type": "pack", "amount": 10, "usage": offset, "unit": "MIN" })
        })
        .collect()
}

#[test]
fn a_package_that_overlapping_pages_repeat_is_read_once() {
    let loaded = Metastudio::new(uneven).read().unwrap();
    // Pages at 0, 50 and 100: 200 items read, 150 resources.
    assert_eq!(loaded.answers.len(), 3);
    assert_eq!(loaded.packages.len(), 150);
    assert!(!loaded.is_incomplete(), "every resource the service counts");
    // In the order read, each as the first page that had it said.
    let first = |id: &str| loaded.packages.iter().position(|p| p.id == id).unwrap();
    assert!(first("r49") < first("r50") && first("r99") < first("r100"));
    let r120 = &loaded.packages[first("r120")];
    assert_eq!(r120.used, Some(50.0), "the page at 50 had it first");
    // Two resources without an id: their stand-ins are alike, both are kept.
    assert_eq!(loaded.packages.iter().filter(|p| p.id.starts_with("pack#")).count(), 2);
}

#[test]
fn metastudio_asks_its_next_pages_before_it_reads_the_first() {
    use tenantscope::api::ApiError;
    // The first page holds a resource that cannot be read.
    let tenant = Metastudio::new(|offset| {
        (offset..(offset + 100).min(150))
            .map(|i| match i {
                // A type that no variant has: its reading is a decode error.
                7 => serde_json::json!({ "resource_id": "r7", "resource_type": { "not": "text" } }),
                i => serde_json::json!({ "resource_id": format!("r{i}"), "resource_type": "pack" }),
            })
            .collect()
    });
    let read = tenant.read();
    // Counted at once, the first page sent the second on its way; read
    // after, its unreadable resource fails the reading as it always did.
    assert_eq!(*tenant.asked.borrow(), [0, 100]);
    match read {
        Err(ApiError::Decode { detail, .. }) => assert!(detail.contains("resources[7].resource_type"), "{detail}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}
