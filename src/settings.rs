//! Settings that persist in localStorage. Never the token: it stays in
//! memory unless the person opts in (a later issue adds that, to
//! sessionStorage only).

/// Where the proxy's API lives when nothing else is set: the page's own
/// origin, as served by `tenantscope-proxy --static`.
pub const DEFAULT_PROXY: &str = "/api";

const PROXY_KEY: &str = "tenantscope.proxy";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The proxy URL last saved, or the default.
pub fn load_proxy() -> String {
    storage()
        .and_then(|s| s.get_item(PROXY_KEY).ok().flatten())
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PROXY.to_string())
}

pub fn save_proxy(proxy: &str) {
    if let Some(s) = storage() {
        // Storage may be full or disabled (private mode): the setting then
        // lasts for this page only, which is all that is lost.
        let _ = s.set_item(PROXY_KEY, proxy);
    }
}
