//! Fuzzes `parse_api_call`, the proxy's path and route builder: whatever the
//! path and query, it must not panic, and anything it accepts must be a
//! documented route of a catalogue host with a path and query that cannot
//! change the URL's authority or climb out of the route.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenantscope_catalog::{decode_segment, is_plain_query, is_valid_segment, parse_api_call, Route};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (rest, query) = match text.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (text, None),
    };
    let _ = decode_segment(rest);
    let Ok(call) = parse_api_call(rest, query) else { return };

    // The destination comes from the catalogue only.
    let host = call.host().expect("an accepted call has a catalogue host");
    assert!(host.ends_with(".myhuaweicloud.com") || host.ends_with(".myhuaweicloud.eu"), "{host}");
    assert_eq!(call.route.service(), call.service);

    // The path is the route's template with a plain parameter, nothing else.
    assert!(call.path.starts_with('/') && !call.path.contains("//"));
    let segments: Vec<&str> = call.path[1..].split('/').collect();
    assert!(segments.iter().all(|s| is_valid_segment(s) && *s != "." && *s != ".."), "{}", call.path);
    assert_eq!(Route::recognize(call.service, &call.path), Some((call.route, call.param.as_deref())));
    assert_eq!(call.route.path(call.param.as_deref()).as_deref(), Some(call.path.as_str()));

    // The query cannot end the URL's query or smuggle a fragment, space or control.
    if let Some(q) = &call.query {
        assert!(is_plain_query(q));
        assert!(!q.bytes().any(|b| b == b'#' || b == b'/' || b == b'?' || b == b'@' || b == b'\\' || b <= b' ' || b >= 0x7f));
    }
    let url = match &call.query {
        Some(q) => format!("https://{host}{}?{q}", call.path),
        None => format!("https://{host}{}", call.path),
    };
    let authority = &url["https://".len()..];
    assert_eq!(authority.split(['/', '?']).next(), Some(host.as_str()));
});
