//! The views. One public component per file (static markup comes from
//! [`crate::render`]); [`ServiceLoad`] is one service's load and
//! [`Tenant`] one open connection (a tab) with its loads.

mod app;
mod error_card;
mod export_bar;
mod filters;
mod overview;
mod service_panel;
mod session_form;
mod settings_panel;
mod tab_bar;

pub use app::App;
pub use error_card::ErrorCard;
pub use export_bar::ExportBar;
pub use filters::Filters;
pub use overview::Overview;
pub use service_panel::ServicePanel;
pub use session_form::SessionForm;
pub use settings_panel::SettingsPanel;
pub use tab_bar::TabBar;

use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::api::ApiError;
use crate::domain::paging::Progress;
use crate::domain::{Instant, Package};
use crate::session::{resolve, service_state, Connection, Context, ServiceState};

/// One service's load, shared by the views that read it: its state, and
/// while a paged service is being read, how far along it is.
#[derive(Clone, Copy)]
pub struct ServiceLoad {
    pub service: Service,
    pub data: LocalResource<Result<ServiceState, ApiError>>,
    /// `Some` while pages are being read; `None` once done.
    pub progress: RwSignal<Option<Progress>>,
}

impl ServiceLoad {
    /// Reads the loaded packages (none while loading or after a failure)
    /// and when they were received, without copying them.
    pub fn with_packages<R>(&self, f: impl FnOnce(&[Package], Instant) -> R) -> Option<R> {
        self.data.with(|d| match d {
            Some(Ok(ServiceState::Loaded(l))) => Some(f(&l.packages, l.received_at)),
            _ => None,
        })
    }
}

/// One open connection: a token, region and project, shown as a tab. It
/// resolves, loads, refreshes and fails on its own; closing it drops its
/// token and everything it loaded.
#[derive(Clone)]
pub struct Tenant {
    /// Unique while the page lives: tabs are keyed by it.
    pub id: u32,
    pub connection: Connection,
    pub context: LocalResource<Result<Context, ApiError>>,
    pub loads: [ServiceLoad; 5],
    /// Bumped to load every service again.
    pub refresh: RwSignal<u32>,
}

impl Tenant {
    /// Opens `connection` under `parent` (the app's owner: event handlers
    /// run outside any). The returned owner owns the tab's resources and
    /// its token: dropping it disposes of them, so it is dropped only once
    /// the views that read them are gone.
    pub fn open(parent: &Owner, id: u32, connection: Connection) -> (Tenant, Owner) {
        let owner = parent.with(Owner::new);
        let tenant = owner.with(|| {
            let refresh = RwSignal::new(0u32);
            let start = connection.clone();
            let context = LocalResource::new(move || resolve(start.clone()));
            let loads = Service::PACKAGES.map(|service| {
                let progress = RwSignal::new(None);
                let data = LocalResource::new(move || {
                    refresh.track();
                    let ctx = context.get().and_then(Result::ok);
                    async move {
                        // Nothing to load until the connection resolved.
                        let Some(ctx) = ctx else { return Ok(ServiceState::Idle) };
                        let state = service_state(service, Some(ctx), move |p| progress.set(Some(p))).await;
                        progress.set(None);
                        state
                    }
                });
                ServiceLoad { service, data, progress }
            });
            Tenant { id, connection, context, loads, refresh }
        });
        (tenant, owner)
    }

    /// Loads everything again: the connection too if it had failed.
    pub fn reload(&self) {
        if matches!(self.context.get_untracked(), Some(Err(_))) {
            self.context.refetch();
        } else {
            self.refresh.update(|n| *n += 1);
        }
    }

    /// The resolved connection, once known.
    pub fn ready(&self) -> Option<Context> {
        self.context.get().and_then(Result::ok)
    }

    /// What the tab is called: region and who, once known.
    pub fn label(&self) -> String {
        match self.ready() {
            Some(ctx) => {
                let region = tenantscope_catalog::region_by_id(&ctx.region).map_or(ctx.region.clone(), |r| r.id.to_string());
                match ctx.domain.or(ctx.user) {
                    Some(who) => format!("{who} · {region}"),
                    None => region,
                }
            }
            None => format!("Tenant {} · {}", self.id, self.connection.region),
        }
    }

    /// When the oldest of the loaded answers was received.
    pub fn updated_at(&self) -> Option<Instant> {
        self.loads.iter().filter_map(|l| l.with_packages(|_, at| at)).min()
    }
}
