//! Mounts the console with the deployer's `config.json` (if any), as the
//! page's script fetched it. Everything else is in the library.

fn main() {
    let deployment = tenantscope::deployment::from_page();
    leptos::mount::mount_to_body(move || leptos::view! { <tenantscope::components::App deployment /> });
}
