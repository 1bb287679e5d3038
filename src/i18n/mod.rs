//! The page's language: English, 简体中文 or Português (Brasil). The source
//! documents are Chinese and Portuguese, so are the people who read them.
//!
//! Every visible string is written in English in the code, inside [`t`] (a
//! fixed text) or [`tf`] (a pattern with `{0}`, `{1}`… for the figures). The
//! other languages are files beside the page, `site/lang/zh-CN.json` and
//! `site/lang/pt-BR.json` (copied to `dist/lang/`): one JSON object each, the
//! English text as key. They are not compiled in: the first-load wasm would
//! carry both (wasm-split moves code, not data), so the page fetches only the
//! one it is about to speak, before it is drawn ([`load`]). Each language is
//! two files, as the code is two parts: `{lang}.json` holds the texts of the
//! page before a connection opens (the [`PAGE_SOURCES`]), and
//! `{lang}.console.json` every other text, fetched with the console's code
//! ([`load_console`]): the first load carries only the texts it shows. A
//! native test reads the sources and checks that every such text has both
//! translations with the same placeholders, in the file of its part, and
//! that the files hold nothing else. Dates and numbers follow the language
//! too ([`date`], [`number`]).
//!
//! The terms follow Huawei Cloud's own consoles: 套餐, 配额, 区域, 项目ID… in
//! Chinese, pacote, cota, região, ID do projeto… in Portuguese. The Chinese
//! file also names regions, keyed by region id (`"cn-north-4": "华北-北京四"`),
//! only where an official document pairs the two (the IAM endpoint table,
//! huaweicloudDocs/iam `cn.zh-cn/API参考/终端节点.md`; the ECS, CCE and VPCEP
//! user guides for cn-north-9, cn-south-4, ap-southeast-4, la-north-2,
//! me-east-1, sa-brazil-1, na-mexico-1 and eu-west-0); [`region_name`] reads
//! them, and the other regions keep their English names.
//!
//! The language in force is a plain thread-local, read by the formatting
//! functions; views that show text also track the settings' language signal
//! so that they redraw when it changes. A language whose file is not (yet)
//! loaded reads as English.

mod load;

pub use load::{load, load_console, TextsError};

use std::cell::{Cell, RefCell};
use std::fmt::{Display, Write};

/// A language the console speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
    PtBr,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::ZhCn, Lang::PtBr];

    /// The BCP 47 tag: the setting's stored value and `<html lang>`.
    pub const fn key(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
            Lang::PtBr => "pt-BR",
        }
    }

    /// The language's own name for itself, as the picker shows it.
    pub const fn label(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
            Lang::PtBr => "Português (Brasil)",
        }
    }

    /// The stored setting, or the browser's preferred language (`zh-TW`
    /// reads Chinese, `pt-PT` Portuguese); English otherwise.
    pub fn from_key(key: &str) -> Option<Lang> {
        let key = key.to_ascii_lowercase();
        if key == "en" || key.starts_with("en-") {
            Some(Lang::En)
        } else if key == "zh" || key.starts_with("zh-") {
            Some(Lang::ZhCn)
        } else if key == "pt" || key.starts_with("pt-") {
            Some(Lang::PtBr)
        } else {
            None
        }
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
    /// The tables loaded so far, each sorted by its English key.
    static TABLES: RefCell<Vec<(Lang, Table)>> = const { RefCell::new(Vec::new()) };
}

type Table = Vec<(&'static str, &'static str)>;

/// The sources (under `src/`; `core/src/`'s names of codes, marked with
/// `tx`, are the console's) whose texts the page shows before the
/// console's code is fetched: their texts are in `lang/{lang}.json`, with
/// the region names; every other text is in `lang/{lang}.console.json`. A
/// directory counts with everything in it.
pub const PAGE_SOURCES: &[&str] = &[
    "components/app.rs",
    "components/session_form.rs",
    "components/settings_panel.rs",
    "components/welcome.rs",
    "components/mod.rs",
    "deployment.rs",
    "format/mod.rs",
    "i18n/",
    "settings.rs",
];

/// The language in force.
pub fn lang() -> Lang {
    CURRENT.with(Cell::get)
}

/// Sets the language in force (the settings do, before they change), or
/// English when `lang`'s texts are not loaded; returns the one set.
pub fn set_lang(lang: Lang) -> Lang {
    #[cfg(test)]
    tests::bundle(lang);
    let lang = if is_loaded(lang) { lang } else { Lang::En };
    CURRENT.with(|c| c.set(lang));
    lang
}

/// Whether `lang` can be shown now (English always can).
pub fn is_loaded(lang: Lang) -> bool {
    lang == Lang::En || TABLES.with(|t| t.borrow().iter().any(|(l, _)| *l == lang))
}

/// Adds `pairs` (English, translation) to `lang`'s texts for the life of
/// the page (a part's file each time): they are read as `&'static str`,
/// like the English.
pub fn install(lang: Lang, pairs: Vec<(String, String)>) {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    TABLES.with(|t| {
        let mut t = t.borrow_mut();
        let at = match t.iter().position(|(l, _)| *l == lang) {
            Some(at) => at,
            None => {
                t.push((lang, Vec::new()));
                t.len() - 1
            }
        };
        let table = &mut t[at].1;
        table.extend(pairs.into_iter().map(|(en, tr)| (leak(en), leak(tr))));
        table.sort_unstable_by_key(|p| p.0);
        table.dedup_by_key(|p| p.0);
    });
}

/// `key` in the language in force, if its file gives it.
fn find(key: &str) -> Option<&'static str> {
    let lang = lang();
    if lang == Lang::En {
        return None;
    }
    TABLES.with(|t| {
        let t = t.borrow();
        let (_, table) = t.iter().find(|(l, _)| *l == lang)?;
        table.binary_search_by_key(&key, |p| p.0).ok().map(|i| table[i].1)
    })
}

/// `en` in the language in force.
pub fn t(en: &'static str) -> &'static str {
    find(en).unwrap_or(en)
}

/// The region's name in the language in force, where its file gives one
/// (keyed by the region id).
pub fn region_name(id: &str) -> Option<&'static str> {
    find(id)
}

pub use tenantscope_core::tx;

/// The pattern `en` in the language in force, with `{0}`, `{1}`… replaced
/// by `args`.
pub fn tf(en: &'static str, args: &[&dyn Display]) -> String {
    fill(t(en), args)
}

fn fill(pattern: &str, args: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| Some((close, after[..close].parse::<usize>().ok()?))) {
            Some((close, i)) if i < args.len() => {
                let _ = write!(out, "{}", args[i]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `n` takes the singular in the language in force: 1, and in
/// Portuguese 0 too (Chinese has one form: its tables give both the same).
pub fn singular(n: u64) -> bool {
    n == 1 || (n == 0 && lang() == Lang::PtBr)
}

/// `one` for a [`singular`] `n`, `other` otherwise, with `n` as `{0}`. Both
/// are English keys.
pub fn plural(n: u64, one: &'static str, other: &'static str) -> String {
    plural_with(n, one, other, &[])
}

/// [`plural`] with more to fill in: `more` are `{1}`, `{2}`…
pub fn plural_with(n: u64, one: &'static str, other: &'static str, more: &[&dyn Display]) -> String {
    let mut args: Vec<&dyn Display> = Vec::with_capacity(1 + more.len());
    args.push(&n);
    args.extend_from_slice(more);
    tf(if singular(n) { one } else { other }, &args)
}

/// A whole number with the language's digit grouping: `12,345`, `12.345`.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = if lang() == Lang::PtBr { '.' } else { ',' };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The decimal separator: `.` or, in Portuguese, `,`.
pub fn decimal_point() -> char {
    if lang() == Lang::PtBr {
        ','
    } else {
        '.'
    }
}

/// A calendar date: `2026-01-02`, `2026年1月2日`, `02/01/2026`.
pub fn date(year: i32, month: u32, day: u32) -> String {
    match lang() {
        Lang::En => format!("{year:04}-{month:02}-{day:02}"),
        Lang::ZhCn => format!("{year}年{month}月{day}日"),
        Lang::PtBr => format!("{day:02}/{month:02}/{year:04}"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Both files of `lang` as the page would fetch them, parsed (keys in
    /// file order), the page's first.
    fn file(lang: Lang) -> Vec<(String, String)> {
        let (page, console) = files(lang);
        page.into_iter().chain(console).collect()
    }

    /// A file's (English, translation) pairs, in file order.
    type Pairs = Vec<(String, String)>;

    /// The page's file of `lang` and the console's, parsed.
    fn files(lang: Lang) -> (Pairs, Pairs) {
        let (page, console) = match lang {
            Lang::En => return (Vec::new(), Vec::new()),
            Lang::ZhCn => (include_str!("../../site/lang/zh-CN.json"), include_str!("../../site/lang/zh-CN.console.json")),
            Lang::PtBr => (include_str!("../../site/lang/pt-BR.json"), include_str!("../../site/lang/pt-BR.console.json")),
        };
        let parse = |text: &str| -> Pairs {
            let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).expect("a JSON object");
            // One entry a line (a duplicated key would silently replace the
            // first in JSON.parse).
            assert_eq!(map.len(), text.lines().filter(|l| l.starts_with("  \"")).count(), "{lang:?}: a key is given twice");
            map.into_iter().map(|(k, v)| (k, v.as_str().expect("every value a string").to_owned())).collect()
        };
        (parse(page), parse(console))
    }

    /// Tests read the files from the tree, as if fetched ([`set_lang`]).
    pub(super) fn bundle(lang: Lang) {
        if !is_loaded(lang) {
            install(lang, file(lang));
        }
    }

    #[test]
    fn patterns_are_filled() {
        assert_eq!(fill("{0} of {1}", &[&3, &"five"]), "3 of five");
        assert_eq!(fill("{1}/{0} {2} {x} {", &[&1, &2]), "2/1 {2} {x} {");
        set_lang(Lang::ZhCn);
        assert_eq!(plural(1, "{0} package", "{0} packages"), "1 个套餐");
        assert_eq!(plural(3, "{0} package", "{0} packages"), "3 个套餐");
        set_lang(Lang::PtBr);
        assert_eq!(plural(0, "{0} package", "{0} packages"), "0 pacote");
        assert_eq!(plural(2, "{0} package", "{0} packages"), "2 pacotes");
        set_lang(Lang::En);
        assert_eq!(plural(0, "{0} package", "{0} packages"), "0 packages");
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(number(1_234_567), "1,234,567");
        assert_eq!(number(-999), "-999");
        assert_eq!(date(2026, 1, 2), "2026-01-02");
        set_lang(Lang::PtBr);
        assert_eq!(number(12_345), "12.345");
        assert_eq!(date(2026, 1, 2), "02/01/2026");
        set_lang(Lang::ZhCn);
        assert_eq!(date(2026, 1, 2), "2026年1月2日");
        set_lang(Lang::En);
    }

    #[test]
    fn languages_are_read_from_tags() {
        assert_eq!(Lang::from_key("zh-TW"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_key("pt"), Some(Lang::PtBr));
        assert_eq!(Lang::from_key("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_key("de-DE"), None);
        for l in Lang::ALL {
            assert_eq!(Lang::from_key(l.key()), Some(l));
        }
    }

    /// Every `t("…")`, `tf("…"`, `tr(…, "…")` and `plural(…, "…", "…")`
    /// text in the sources, as written.
    fn texts_in_sources() -> Vec<String> {
        let (page, console) = texts_by_part();
        let mut out: Vec<String> = page.into_iter().chain(console).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The texts of the [`PAGE_SOURCES`], and the others (a text in both
    /// counts as the page's).
    fn texts_by_part() -> (Vec<String>, Vec<String>) {
        fn walk(dir: &std::path::Path, src: &str, out: &mut Vec<(String, Vec<String>)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, src, out);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.starts_with(concat!(env!("CARGO_MANIFEST_DIR"), "/src/i18n")) {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let name = path.to_string_lossy().trim_start_matches(src).to_string();
                    out.push((name, literals(&text)));
                }
            }
        }
        let mut found = Vec::new();
        walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")), concat!(env!("CARGO_MANIFEST_DIR"), "/src/"), &mut found);
        walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/core/src")), concat!(env!("CARGO_MANIFEST_DIR"), "/"), &mut found);
        let on_page = |name: &str| PAGE_SOURCES.iter().any(|p| name == *p || (p.ends_with('/') && name.starts_with(p)));
        let mut page: Vec<String> = found.iter().filter(|(n, _)| on_page(n)).flat_map(|(_, t)| t.clone()).collect();
        page.sort();
        page.dedup();
        let mut console: Vec<String> = found.iter().filter(|(n, _)| !on_page(n)).flat_map(|(_, t)| t.clone()).filter(|t| !page.contains(t)).collect();
        console.sort();
        console.dedup();
        (page, console)
    }

    /// The string literals that follow `t(`, `tf(`, `tx(`, `plural(` or
    /// `plural_with(` (after a first argument), unescaped.
    fn literals(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        let bytes = source.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let rest = &source[i..];
            // A call, not a method or the function's own definition.
            let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b'.' || source[..i].ends_with("fn "));
            let call = ["t(", "tf(", "tx("].iter().find(|p| rest.starts_with(**p));
            if let (Some(p), true) = (call, boundary) {
                // The first argument, when it is a literal (after any
                // line break and indent).
                let arg = rest[p.len()..].trim_start();
                let skipped = rest.len() - arg.len();
                if arg.starts_with('"') {
                    let (lit, len) = string_at(arg);
                    out.push(lit);
                    i += skipped + len;
                    continue;
                }
            }
            let after_first = [("plural(", 2), ("plural_with(", 2), ("tr(", 1)].into_iter().find(|(p, _)| rest.starts_with(*p));
            if let (Some((p, n)), true) = (after_first, boundary) {
                // plural(n, "one", "other"), plural_with(n, "one", "other", …), tr(lang, "text")
                let mut j = p.len();
                for _ in 0..n {
                    let Some(q) = rest[j..].find('"') else { break };
                    let (lit, len) = string_at(&rest[j + q..]);
                    out.push(lit);
                    j += q + len;
                }
                i += j;
                continue;
            }
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
        out
    }

    /// The string literal at the start of `s` (which begins with `"`),
    /// unescaped, and its length in the source.
    fn string_at(s: &str) -> (String, usize) {
        let mut out = String::new();
        let mut chars = s.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (out, i + 1),
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, '\n')) => {
                        // A line continuation skips the next line's indent.
                        while let Some((_, c)) = chars.clone().next() {
                            if c.is_whitespace() {
                                chars.next();
                            } else {
                                break;
                            }
                        }
                    }
                    Some((_, c)) => out.push(c),
                    None => break,
                },
                c => out.push(c),
            }
        }
        (out, s.len())
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .match_indices('{')
            .filter_map(|(i, _)| {
                let close = text[i..].find('}')?;
                Some(&text[i..i + close + 1])
            })
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_text_is_translated_with_its_placeholders() {
        let texts = texts_in_sources();
        assert!(texts.len() > 100, "the scan finds the texts: {}", texts.len());
        let mut missing = Vec::new();
        let regions: Vec<&str> = tenantscope_catalog::REGIONS.iter().map(|r| r.id).collect();
        let files = [("zh", file(Lang::ZhCn)), ("pt", file(Lang::PtBr))];
        for en in &texts {
            for (name, table) in &files {
                match table.iter().find(|(k, _)| k == en).map(|(_, v)| v) {
                    None => missing.push(format!("{name}: {en:?}")),
                    Some(tr) if placeholders(tr) != placeholders(en) => missing.push(format!("{name} placeholders differ: {en:?} -> {tr:?}")),
                    Some(_) => {}
                }
            }
        }
        assert!(missing.is_empty(), "{} texts lack a translation:\n{}", missing.len(), missing.join("\n"));
        // Nothing in the files that the code no longer says (region names
        // are keyed by the catalog's region ids).
        for (name, table) in &files {
            let stale: Vec<_> = table.iter().map(|(k, _)| k).filter(|k| !texts.contains(k) && !regions.contains(&k.as_str())).collect();
            assert!(stale.is_empty(), "{name} holds texts nobody uses: {stale:?}");
        }
    }

    #[test]
    fn each_text_is_in_the_file_of_its_part() {
        let (page, console) = texts_by_part();
        assert!(page.len() > 50 && console.len() > 50, "both parts have texts: {} and {}", page.len(), console.len());
        let regions: Vec<&str> = tenantscope_catalog::REGIONS.iter().map(|r| r.id).collect();
        let mut wrong = Vec::new();
        for lang in [Lang::ZhCn, Lang::PtBr] {
            let (page_file, console_file) = files(lang);
            for (k, _) in &page_file {
                if !page.contains(k) && !regions.contains(&k.as_str()) {
                    wrong.push(format!("{}.json holds {k:?}: move it to {0}.console.json (no page source says it)", lang.key()));
                }
            }
            for (k, _) in &console_file {
                if !console.contains(k) {
                    wrong.push(format!("{}.console.json holds {k:?}: move it to {0}.json (a page source says it, or nobody does)", lang.key()));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_language_not_loaded_reads_as_english() {
        std::thread::spawn(|| {
            // A fresh thread: nothing loaded, as on a page whose file failed.
            assert!(!is_loaded(Lang::PtBr));
            CURRENT.with(|c| c.set(Lang::PtBr));
            assert_eq!(t("Settings"), "Settings");
            assert_eq!(region_name("cn-north-4"), None);
            install(Lang::PtBr, vec![("Settings".into(), "Configurações".into())]);
            assert_eq!(t("Settings"), "Configurações");
            assert_eq!(t("Inspect"), "Inspect", "a text the file lacks stays English");
        })
        .join()
        .unwrap();
        assert_eq!(set_lang(Lang::ZhCn), Lang::ZhCn);
        assert_eq!(region_name("cn-north-4"), Some("华北-北京四"));
        assert_eq!(t("Settings"), "设置");
        set_lang(Lang::En);
    }
}
