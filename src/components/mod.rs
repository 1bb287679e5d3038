//! The views. One public component per file.

mod app;
mod error_card;
mod service_panel;
mod session_form;

pub use app::App;
pub use error_card::ErrorCard;
pub use service_panel::ServicePanel;
pub use session_form::SessionForm;
