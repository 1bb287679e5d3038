//! Mounts the console, once the deployer's `config.json` (if any) is read.
//! Everything else is in the library.

fn main() {
    // wasm-bindgen's executor: Leptos's own is set up by the mount below.
    wasm_bindgen_futures::spawn_local(async {
        let deployment = tenantscope::deployment::load().await;
        leptos::mount::mount_to_body(move || leptos::view! { <tenantscope::components::App deployment /> });
    });
}
