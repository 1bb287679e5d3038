//! The views. One public component per file (static markup comes from
//! [`crate::render`]); [`ServiceLoad`] is one service's load.

mod app;
pub mod console;
mod error_card;
mod export_bar;
mod overview;
mod service_panel;
mod session_form;

pub use app::App;
pub use error_card::ErrorCard;
pub use export_bar::ExportBar;
pub use overview::Overview;
pub use service_panel::ServicePanel;
pub use session_form::SessionForm;

use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::api::ApiError;
use crate::domain::paging::Progress;
use crate::domain::{Instant, Package};
use crate::session::ServiceState;

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
