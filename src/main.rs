//! Mounts the console. Everything else is in the library.

fn main() {
    leptos::mount::mount_to_body(tenantscope::components::App);
}
