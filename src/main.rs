//! Mounts the console with the deployer's `config.json` (if any), as the
//! page's script fetched it, once its language's texts are in. Everything
//! else is in the library.

fn main() {
    tenantscope::components::mount(tenantscope::deployment::from_page());
}
