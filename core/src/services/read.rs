//! A tolerant reader over the JSON tree of an answer (`serde_json::Value`),
//! accepting every variant the services are seen to send
//! (docs/huawei-apis.md §2): numbers as JSON numbers or numeric strings,
//! text as strings or numbers, one object or an array of them, `null` and
//! missing keys alike, either spelling of a key. A value of a type that no
//! variant has is an [`ApiError::Decode`] naming the service and the field's
//! path (`data_list[3].expire_time`).
//!
//! Why not `#[derive(Deserialize)]` models: derive generates a visitor per
//! struct and per deserializer; for these models it added 27 KiB (brotli) to
//! the wasm bundle, a fifth of the first-load budget. Every answer is parsed
//! into a `Value` once anyway (the Raw JSON drawer shows it), and this reader
//! walks that tree with a handful of functions that all models share.

use serde_json::{Map, Value};
use tenantscope_catalog::Service;

use crate::api::ApiError;

/// An object in an answer, with the path that leads to it.
pub struct Obj<'a> {
    service: Service,
    map: &'a Map<String, Value>,
    path: String,
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn decode_error(service: Service, path: &str, expected: &str, found: &Value) -> ApiError {
    let place = if path.is_empty() { "the response body".to_string() } else { format!("field `{path}`") };
    ApiError::Decode { service, detail: format!("{place}: expected {expected}, found {}", kind(found)) }
}

/// The objects of a list sent as an array, a single object, or `null`.
fn objects<'a>(service: Service, value: &'a Value, path: &str) -> Result<Vec<Obj<'a>>, ApiError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Object(map) => Ok(vec![Obj { service, map, path: path.to_string() }]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let path = format!("{path}[{i}]");
                match item {
                    Value::Object(map) => Ok(Obj { service, map, path }),
                    other => Err(decode_error(service, &path, "an object", other)),
                }
            })
            .collect(),
        other => Err(decode_error(service, path, "an array or an object", other)),
    }
}

/// The answer's top level, which must be an object.
pub fn root(service: Service, body: &Value) -> Result<Obj<'_>, ApiError> {
    match body {
        Value::Object(map) => Ok(Obj { service, map, path: String::new() }),
        other => Err(decode_error(service, "", "an object", other)),
    }
}

/// The items of a top-level array (TestPlan's older shape).
pub fn root_list(service: Service, body: &Value) -> Result<Vec<Obj<'_>>, ApiError> {
    objects(service, body, "")
}

impl<'a> Obj<'a> {
    /// The first of `keys` present with a non-null value.
    fn find(&self, keys: &[&'static str]) -> Option<(&'static str, &'a Value)> {
        keys.iter().find_map(|k| self.map.get(*k).filter(|v| !v.is_null()).map(|v| (*k, v)))
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn fail(&self, key: &str, expected: &str, found: &Value) -> ApiError {
        decode_error(self.service, &self.child_path(key), expected, found)
    }

    /// A number, sent as a number or a numeric string. A string that is no
    /// number (the ae-ad-1 DSC docs show `"resourceSize": "xx"`) and `""`
    /// are absent values rather than a failure of the whole answer.
    pub fn num(&self, keys: &[&'static str]) -> Result<Option<f64>, ApiError> {
        match self.find(keys) {
            None => Ok(None),
            Some((_, Value::Number(n))) => Ok(n.as_f64().filter(|f| f.is_finite())),
            Some((_, Value::String(s))) => Ok(decimal(s.trim()).filter(|f| f.is_finite())),
            Some((key, other)) => Err(self.fail(key, "a number", other)),
        }
    }

    /// A whole number (see [`Obj::num`]).
    pub fn int(&self, keys: &[&'static str]) -> Result<Option<i64>, ApiError> {
        Ok(self.num(keys)?.filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15).map(|n| n as i64))
    }

    /// Text, sent as a string or a number; blank text is absent.
    pub fn text(&self, keys: &[&'static str]) -> Result<Option<String>, ApiError> {
        match self.find(keys) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string)),
            Some((_, Value::Number(n))) => Ok(Some(n.to_string())),
            Some((_, Value::Bool(b))) => Ok(Some(b.to_string())),
            Some((key, other)) => Err(self.fail(key, "text", other)),
        }
    }

    /// A boolean; `"true"` / `"false"` strings are accepted too.
    pub fn flag(&self, keys: &[&'static str]) -> Result<Option<bool>, ApiError> {
        match self.find(keys) {
            None => Ok(None),
            Some((_, Value::Bool(b))) => Ok(Some(*b)),
            Some((_, Value::String(s))) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some((_, Value::String(s))) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some((key, other)) => Err(self.fail(key, "a boolean", other)),
        }
    }

    /// The value as it came, for fields with several documented types.
    pub fn raw(&self, keys: &[&'static str]) -> Option<&'a Value> {
        self.find(keys).map(|(_, v)| v)
    }

    /// A list of objects, sent as an array, a single object, or `null`.
    pub fn list(&self, keys: &[&'static str]) -> Result<Vec<Obj<'a>>, ApiError> {
        match self.find(keys) {
            None => Ok(Vec::new()),
            Some((key, value)) => objects(self.service, value, &self.child_path(key)),
        }
    }

    /// How many objects a list holds, counted without reading them: an
    /// array's length, else as [`Obj::list`] reads it (one object, `null`,
    /// or the error a value of another type is).
    pub fn count(&self, keys: &[&'static str]) -> Result<usize, ApiError> {
        match self.find(keys) {
            Some((_, Value::Array(items))) => Ok(items.len()),
            _ => Ok(self.list(keys)?.len()),
        }
    }

    /// A nested object; an array (DSC `product_info` in the ae-ad-1 docs)
    /// gives its first object.
    pub fn obj(&self, keys: &[&'static str]) -> Result<Option<Obj<'a>>, ApiError> {
        Ok(self.list(keys)?.into_iter().next())
    }

    /// A list of texts (strings or numbers).
    pub fn texts(&self, keys: &[&'static str]) -> Result<Vec<String>, ApiError> {
        match self.find(keys) {
            None => Ok(Vec::new()),
            Some((key, Value::Array(items))) => items
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_null())
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(self.fail(&format!("{key}[{i}]"), "text", other)),
                })
                .collect(),
            Some((key, other)) => Err(self.fail(key, "an array", other)),
        }
    }
}

/// A decimal number written as text (`12`, `-0.5`, `1e3`, `.5`), or `None`.
/// Read by hand rather than with Rust's float parser, which would add
/// several KiB to the wasm bundle: exactly (as `str::parse` reads it) for
/// up to 15 significant digits and a scale within 10^±22, the figures
/// quotas carry (Clinger's fast path: both factors are exact doubles);
/// beyond that within a few units in the last place.
pub fn decimal(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let negative = b.first() == Some(&b'-');
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    // Significant digits (at most 19 fit a u64; later ones only scale).
    let (mut mantissa, mut scale, mut digits) = (0u64, 0i64, 0usize);
    let mut take = |i: &mut usize, fraction: bool| {
        let start = *i;
        while let Some(d) = b.get(*i).filter(|c| c.is_ascii_digit()) {
            if mantissa < 1_000_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(d - b'0');
                scale -= i64::from(fraction);
            } else {
                scale += i64::from(!fraction);
            }
            *i += 1;
        }
        *i - start
    };
    digits += take(&mut i, false);
    if b.get(i) == Some(&b'.') {
        i += 1;
        digits += take(&mut i, true);
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let minus = b.get(i) == Some(&b'-');
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let (start, mut exponent) = (i, 0i64);
        while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
            exponent = (exponent * 10 + i64::from(d - b'0')).min(100_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        scale += if minus { -exponent } else { exponent };
    }
    if i != b.len() {
        return None;
    }
    let value = scaled(mantissa as f64, scale);
    Some(if negative { -value } else { value })
}

/// `m` × 10^`scale`: exact powers of ten up to 10^22 divide or multiply
/// once; larger scales step by 10^22.
fn scaled(mut m: f64, mut scale: i64) -> f64 {
    const POW10: [f64; 23] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
    while scale != 0 && m != 0.0 && m.is_finite() {
        let step = scale.clamp(-22, 22);
        m = if step < 0 { m / POW10[(-step) as usize] } else { m * POW10[step as usize] };
        scale -= step;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals_in_text() {
        assert_eq!(decimal("12"), Some(12.0));
        assert_eq!(decimal("-0.5"), Some(-0.5));
        assert_eq!(decimal("+1e3"), Some(1000.0));
        assert_eq!(decimal(".5"), Some(0.5));
        assert_eq!(decimal("5."), Some(5.0));
        assert_eq!(decimal("2E-2"), Some(0.02));
        for bad in ["", "-", ".", "e5", "1e", "1e+", "xx", "0x10", "1.2.3", "inf", "NaN", "1 2", "12abc"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
        assert_eq!(decimal("1e400"), Some(f64::INFINITY));
        assert_eq!(decimal("-1e-400"), Some(-0.0));
        assert_eq!(decimal("0e99999999999"), Some(0.0));
        let long = "1234567890123456789012345";
        let read = decimal(long).unwrap();
        assert!((read - 1.234_567_890_123_456_8e24).abs() / read < 1e-15, "{read}");
    }

    proptest::proptest! {
        /// Read as Rust's own parser reads it, for the figures quotas
        /// carry: up to 15 significant digits, scaled within 10^±22.
        #[test]
        fn decimals_read_exactly(whole in 0u64..1_000_000_000_000_000, point in 0usize..16, exponent in -7i32..8) {
            let digits = whole.to_string();
            let point = point.min(digits.len());
            let text = format!("{}.{}e{exponent}", &digits[..digits.len() - point], &digits[digits.len() - point..]);
            proptest::prop_assert_eq!(decimal(&text), text.parse::<f64>().ok(), "{}", text);
        }
    }

    fn with<T>(v: Value, f: impl FnOnce(Obj) -> Result<T, ApiError>) -> Result<T, ApiError> {
        f(root(Service::Dsc, &v)?)
    }

    #[test]
    fn numbers_in_every_form() {
        let n = |v: Value| with(json!({ "n": v }), |o| o.num(&["n"])).unwrap();
        assert_eq!(n(json!(3)), Some(3.0));
        assert_eq!(n(json!("2.5")), Some(2.5));
        assert_eq!(n(json!(" 7 ")), Some(7.0));
        assert_eq!(n(json!("")), None);
        assert_eq!(n(json!("xx")), None);
        assert_eq!(n(json!("NaN")), None);
        assert_eq!(n(Value::Null), None);
        assert_eq!(with(json!({}), |o| o.num(&["n"])).unwrap(), None);
        assert_eq!(with(json!({"n": 2.5}), |o| o.int(&["n"])).unwrap(), None);
        assert_eq!(with(json!({"n": "-1"}), |o| o.int(&["n"])).unwrap(), Some(-1));
    }

    #[test]
    fn first_present_spelling_wins() {
        let v = json!({"period_type": null, "periodType": "3"});
        assert_eq!(with(v, |o| o.int(&["period_type", "periodType"])).unwrap(), Some(3));
    }

    #[test]
    fn text_and_flags() {
        assert_eq!(with(json!({"t": 2}), |o| o.text(&["t"])).unwrap().as_deref(), Some("2"));
        assert_eq!(with(json!({"t": "  "}), |o| o.text(&["t"])).unwrap(), None);
        assert_eq!(with(json!({"f": "TRUE"}), |o| o.flag(&["f"])).unwrap(), Some(true));
        assert_eq!(with(json!({"l": ["a", 1, null]}), |o| o.texts(&["l"])).unwrap(), ["a", "1"]);
    }

    #[test]
    fn lists_from_arrays_objects_and_null() {
        assert_eq!(with(json!({"l": [{"a": 1}, {"a": 2}]}), |o| Ok(o.list(&["l"])?.len())).unwrap(), 2);
        assert_eq!(with(json!({"l": {"a": 1}}), |o| Ok(o.list(&["l"])?.len())).unwrap(), 1);
        assert_eq!(with(json!({"l": null}), |o| Ok(o.list(&["l"])?.len())).unwrap(), 0);
    }

    #[test]
    fn lists_are_counted_without_reading_them() {
        // An item that could not be read is counted all the same.
        assert_eq!(with(json!({"l": [{"a": {}}, 1]}), |o| o.count(&["l"])).unwrap(), 2);
        assert_eq!(with(json!({"l": {"a": 1}}), |o| o.count(&["l"])).unwrap(), 1);
        assert_eq!(with(json!({"l": null}), |o| o.count(&["l"])).unwrap(), 0);
        assert_eq!(with(json!({}), |o| o.count(&["l"])).unwrap(), 0);
        assert!(with(json!({"l": "x"}), |o| o.count(&["l"])).is_err(), "a list of another type is an error");
    }

    #[test]
    fn errors_name_service_and_path() {
        let err = with(json!({"l": [{"a": 1}, {"b": [{"c": {"x": 1}}]}]}), |o| {
            for item in o.list(&["l"])? {
                for inner in item.list(&["b"])? {
                    inner.num(&["c"])?;
                }
            }
            Ok(())
        })
        .unwrap_err();
        let detail = |e: ApiError| match e {
            ApiError::Decode { service, detail } => format!("{} {detail}", service.key()),
            other => panic!("{other:?}"),
        };
        let err = detail(err);
        assert!(err.starts_with("dsc "), "{err}");
        assert!(err.contains("field `l[1].b[0].c`: expected a number, found an object"), "{err}");
        let err = detail(with(json!({"l": [1]}), |o| o.list(&["l"]).map(|_| ())).unwrap_err());
        assert!(err.contains("`l[0]`"), "{err}");
        let err = detail(root(Service::Hss, &json!([1, 2])).err().unwrap());
        assert!(err.contains("the response body: expected an object, found an array"), "{err}");
    }
}
