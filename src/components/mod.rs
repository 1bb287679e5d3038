//! The views. One public component per file (static markup comes from
//! [`crate::render`]). [`Tab`] is one open connection as the page keeps it,
//! [`Shared`] what the page hands the console, [`TabLoad`] a tab's loads and
//! [`ServiceLoad`] one service's load.

mod access_key_form;
mod all_tenants_panel;
mod app;
pub mod console;
mod drawn;
mod error_card;
mod export_bar;
mod filters;
pub mod history_view;
mod jump_links;
mod overview;
mod package_table;
mod service_panel;
mod session_form;
mod settings_panel;
mod tab_bar;
mod tab_view;
mod welcome;

pub(crate) use access_key_form::hint;
pub use access_key_form::AccessKeyForm;
pub use all_tenants_panel::AllTenantsPanel;
pub use app::{mount, App};
pub(crate) use drawn::drawn;
pub use error_card::ErrorCard;
pub use export_bar::ExportBar;
pub use filters::Filters;
pub use jump_links::JumpLinks;
pub use overview::Overview;
pub use package_table::PackageTable;
pub use service_panel::ServicePanel;
pub use session_form::SessionForm;
pub use settings_panel::SettingsPanel;
pub use tab_bar::TabBar;
pub use tab_view::{SessionBar, TabView};
pub use welcome::Welcome;

use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::api::ApiError;
use crate::domain::paging::Progress;
use crate::domain::query::View;
use crate::domain::{Instant, Package, Thresholds};
use crate::i18n::{t, Lang};
use crate::services::ServiceState;
use crate::session::{Connection, Session};

/// One open connection (token, region, projects), shown as a tab.
#[derive(Clone, Debug, PartialEq)]
pub struct Tab {
    /// Unique while the page lives: the tab's views and loads are keyed by
    /// it, so inspecting again in a tab makes a new one.
    pub id: u32,
    pub connection: Connection,
    /// Bumped by Refresh, and by Inspect with the tab's own connection.
    pub refresh: RwSignal<u32>,
}

/// What the page (first load) shares with the console (loaded on demand):
/// the open tabs and the view, which the form, the URL hash and
/// "Remember in this tab" also read, and the clocks and settings.
#[derive(Clone, Copy)]
pub struct Shared {
    pub tabs: RwSignal<Vec<Tab>>,
    /// Open tab, search, filters and sort: kept in the URL hash.
    pub view: RwSignal<View>,
    /// The page's clock, by the second (token countdown).
    pub clock: Signal<Instant>,
    /// The same clock by the minute (urgency, "updated N min ago").
    pub minute: Signal<Instant>,
    pub thresholds: Signal<Thresholds>,
    /// Bumped by auto-refresh: every tab loads again.
    pub auto_refresh: Signal<u32>,
    /// When auto-refresh runs next (`None`: off).
    pub next_refresh: Signal<Option<Instant>>,
    /// The language: views that show text track it to redraw.
    pub lang: Signal<Lang>,
    /// The sign-in opened again (Edit) while tabs are open: it folds into
    /// the open tab's session line once a tab opens, on every screen.
    pub sign_in: RwSignal<bool>,
}

impl Shared {
    /// The index of the open tab: the view's, within the tabs there are.
    /// Whether the "All tenants" tab is the one open (two tabs or more).
    pub fn all_tenants(&self) -> bool {
        self.view.with(|v| v.all_tenants) && self.tabs.with(|l| l.len() > 1)
    }

    pub fn active_index(&self) -> usize {
        let len = self.tabs.with(Vec::len);
        self.view.with(|v| v.tab).min(len.saturating_sub(1))
    }
}

/// `en` in the language in force, as a text that follows `lang`.
///
/// Views follow the language by reading it with `get()`, never `track()`:
/// `lang` is a memo, and a memo only tracked is not computed, so its first
/// computation, whenever some other view reads it, would look like a change
/// and redraw those views (a tab's panels, losing "Show more" and notices).
pub fn tr(lang: Signal<Lang>, en: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || {
        lang.get();
        t(en)
    }
}

/// One service's load, shared by the views that read it: its state (with
/// what billing says laid over its packages once billing is read), and
/// while a paged service is being read, how far along it is.
#[derive(Clone, Copy)]
pub struct ServiceLoad {
    pub service: Service,
    /// `None` while it loads.
    pub data: Memo<Option<Result<ServiceState, ApiError>>>,
    /// `Some` while pages are being read; `None` once done.
    pub progress: RwSignal<Option<Progress>>,
}

impl ServiceLoad {
    /// How much of the service the figures across services hold.
    pub fn coverage(&self) -> crate::session::Coverage {
        self.data.try_with(|d| crate::session::Coverage::of(d.as_ref())).unwrap_or(crate::session::Coverage::Loading)
    }

    /// Reads what was loaded (nothing while loading, after a failure, or
    /// once the tab is closed), without copying it.
    pub fn with_loaded<R>(&self, f: impl FnOnce(&crate::services::Loaded) -> R) -> Option<R> {
        // `try_`: a view's last update may come after its tab was closed.
        self.data
            .try_with(|d| match d {
                Some(Ok(ServiceState::Loaded(l))) => Some(f(l)),
                _ => None,
            })
            .flatten()
    }

    /// The loaded packages, shared.
    pub fn packages(&self) -> Option<std::sync::Arc<[Package]>> {
        self.with_loaded(|l| l.packages.clone())
    }

    /// Reads the loaded packages and when they were received.
    pub fn with_packages<R>(&self, f: impl FnOnce(&[Package], Instant) -> R) -> Option<R> {
        self.with_loaded(|l| f(&l.packages, l.received_at))
    }
}

/// A tab's loads: the session it resolves to and each service's packages.
/// They belong to the tab's [`TabView`] and go with it when the tab is
/// closed, token and all.
#[derive(Clone, Copy)]
pub struct TabLoad {
    pub id: u32,
    pub session: AsyncDerived<Result<Session, ApiError>, LocalStorage>,
    /// Resolves the session anew (a session that could not start).
    pub again: Trigger,
    pub loads: [ServiceLoad; tenantscope_catalog::PACKAGE_COUNT],
    /// Bumped by Refresh (the tab's own, [`Tab::refresh`]).
    pub refresh: RwSignal<u32>,
    /// What billing says of the tab's packages, asked once the services
    /// have answered (a memo: it notifies only when the reading changes).
    pub billing: Memo<Option<crate::services::bss::BillingState>>,
    /// What changed since the last look, once the tab and its billing are
    /// read (`None` before, and with the history off or refused).
    pub since: Memo<Option<history_view::Since>>,
}

impl TabLoad {
    /// Loads everything again: the session too if it could not start.
    pub fn reload(&self) {
        if matches!(self.session.get_untracked(), Some(Err(_))) {
            self.again.notify();
        } else {
            self.refresh.update(|n| *n += 1);
        }
    }

    /// The session, once resolved (and while the tab is open).
    pub fn ready(&self) -> Option<Session> {
        self.session.try_get().flatten().and_then(Result::ok)
    }

    /// The session's region, once resolved (read in place: no copy of the
    /// session and its credentials).
    pub fn region(&self) -> Option<String> {
        self.session.try_with(|c| c.as_ref().and_then(|r| r.as_ref().ok()).map(|c| c.region.clone())).flatten()
    }

    /// Whether the tab's calls are signed with access keys (read in place).
    pub fn signs(&self) -> bool {
        self.session.try_with(|c| c.as_ref().and_then(|r| r.as_ref().ok()).is_some_and(|c| c.gateway.credentials.signs())).unwrap_or(false)
    }

    /// What the tab is called: who and where, once known.
    pub fn label(&self) -> Option<String> {
        self.ready().map(|session| session.label())
    }

    /// The tab's CodeArts project's id: given, or the one TestPlan found.
    pub fn codearts_id(&self) -> Option<String> {
        codearts_read(self.ready()?.codearts_project_id.as_deref(), &self.loads)
    }

    /// The tab's CodeArts project as it is named: its name where the form
    /// knew it, else its id.
    pub fn codearts(&self) -> Option<String> {
        self.ready()?.codearts_name.or_else(|| self.codearts_id())
    }

    /// How the tab's billing reading stands (waiting while the services or
    /// billing are still answering, and once the tab is closed).
    pub fn billing(&self) -> crate::services::bss::BillingState {
        self.billing.try_get().flatten().unwrap_or(crate::services::bss::BillingState::Waiting)
    }

    /// When the oldest of the loaded answers was received.
    pub fn updated_at(&self) -> Option<Instant> {
        self.loads.iter().filter_map(|l| l.with_packages(|_, at| at)).min()
    }
}

/// The CodeArts project a tab read: the one `given`, else the one TestPlan
/// found and read (it asks for the list itself, so that nothing else waits).
pub fn codearts_read(given: Option<&str>, loads: &[ServiceLoad]) -> Option<String> {
    given.map(str::to_string).or_else(|| {
        let testplan = loads.iter().find(|l| l.service == Service::Testplan)?;
        testplan.with_loaded(|l| l.facts.as_ref().and_then(crate::services::Facts::codearts_project).map(str::to_string)).flatten()
    })
}

/// Tab `i` as the tab bar, the overview and the views across tabs name it:
/// numbered, since two tabs may be the same account.
pub fn tab_label(i: usize, tenant: &TabLoad) -> String {
    format!("{}. {}", i + 1, tenant.label().unwrap_or_default())
}

/// Copies the ID of a "Copy ID" button in HTML text (cards and table rows
/// are text, so their buttons are handled by delegation).
pub(crate) fn copy_clicked(ev: leptos::ev::MouseEvent) {
    use wasm_bindgen::JsCast;
    let Some(button) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    if let Some(id) = button.get_attribute("data-copy") {
        clipboard(&id);
        button.set_text_content(Some(t("Copied")));
    }
}

/// Puts `text` on the clipboard.
pub(crate) fn clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// False until the next animation frame. A view drawn behind it lets what
/// started with it leave first (a tab's first requests wait for nothing
/// drawn, and drawing the console takes longer than their head start:
/// bench/network.mjs), and is still drawn before that frame is painted.
pub(crate) fn next_frame() -> Signal<bool> {
    let drawn = RwSignal::new(false);
    request_animation_frame(move || drawn.set(true));
    drawn.into()
}

/// A group folded behind its summary (`class`: its CSS class). Its body
/// is drawn only while it is open: the overview and the panels are drawn
/// anew as each service answers, and a few hundred folded lines held the
/// draw after the last answer up (bench/network.mjs). It stays as the
/// person left it when what holds it is drawn again.
#[component]
pub fn Fold(class: &'static str, summary: Signal<String>, body: Signal<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let toggled = move |ev: leptos::ev::Event| {
        let now = ev.target().and_then(|d| js_sys::Reflect::get(&d, &"open".into()).ok()).and_then(|o| o.as_bool());
        open.set(now.unwrap_or(false));
    };
    view! {
        <details class=class on:toggle=toggled>
            <summary>{summary}</summary>
            <div use:drawn=Signal::derive(move || if open.get() { body.get() } else { String::new() })></div>
        </details>
    }
}
