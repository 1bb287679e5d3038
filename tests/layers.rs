//! The layers point one way. In `core/src`: domain → api → load → services
//! → session → tenant → export; in the app's `src`: the core → i18n → settings →
//! deployment → format → render → download → net → components. A module
//! may use its own layer and those before it; a `crate::` path to a later
//! one (outside comments and test modules) fails here, naming the file.

use std::path::Path;

/// Every `crate::{module}` that `source` names outside comments and its
/// `#[cfg(test)]` modules, with the line.
fn uses(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let module: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            out.push((n + 1, module));
        }
    }
    out
}

/// The upward uses under `root`: (file, line, its layer, the layer used).
fn upward(root: &Path, layers: &[&[&str]]) -> Vec<String> {
    let layer_of = |module: &str| layers.iter().position(|l| l.contains(&module));
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).unwrap();
            let top = relative.components().next().unwrap().as_os_str().to_string_lossy();
            let module = top.trim_end_matches(".rs");
            if module == "lib" || module == "main" {
                continue;
            }
            let own = layer_of(module).unwrap_or_else(|| panic!("{}: a module no layer names: add it to tests/layers.rs", path.display()));
            for (line, used) in uses(&std::fs::read_to_string(&path).unwrap()) {
                if layer_of(&used).is_some_and(|l| l > own) {
                    found.push(format!("{}:{line}: {module} uses crate::{used}, a later layer", path.display()));
                }
            }
        }
    }
    found.sort();
    found
}

const CORE: &[&[&str]] = &[&["domain"], &["api"], &["load"], &["services"], &["session"], &["tenant"], &["history"], &["export"]];

const APP: &[&[&str]] = &[
    // The core, re-exported under its own names.
    &["api", "domain", "load", "services", "session", "tenant", "history", "export", "tx"],
    &["i18n"],
    &["settings"],
    &["deployment"],
    &["format"],
    &["render"],
    &["download"],
    &["net"],
    &["store"],
    &["components"],
];

#[test]
fn the_cores_layers_point_one_way() {
    let found = upward(&Path::new(env!("CARGO_MANIFEST_DIR")).join("core/src"), CORE);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_apps_layers_point_one_way() {
    let found = upward(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), APP);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn an_upward_use_is_found() {
    let source = "//! uses crate::components in a comment\nuse crate::domain::Package;\nfn f() { crate::net::now(); }\n#[cfg(test)]\nmod tests { use crate::components::App; }\n";
    assert_eq!(uses(source), vec![(2, "domain".to_string()), (3, "net".to_string())]);
}
