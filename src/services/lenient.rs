//! Field types that accept every variant the services are seen to send
//! (docs/huawei-apis.md §2): numbers as JSON numbers or numeric strings,
//! strings as strings or numbers, one object or an array of them, `null`
//! anywhere. A value of a type no variant has is an error, which
//! [`decode`] reports with the path of the field.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use tenantscope_catalog::Service;

use crate::api::ApiError;

/// Deserializes a service's answer, which must be a JSON object, or says
/// which field could not be read. (Checked here because serde would read a
/// struct from an array, field by position.)
pub fn decode<T: DeserializeOwned>(service: Service, body: &Value) -> Result<T, ApiError> {
    if !body.is_object() {
        return Err(ApiError::Decode { service, detail: "the response body: expected a JSON object".into() });
    }
    decode_any(service, body)
}

/// [`decode`] for an answer that may be any JSON value.
pub fn decode_any<T: DeserializeOwned>(service: Service, body: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "the response body".to_string() } else { format!("field `{path}`") };
        ApiError::Decode { service, detail: format!("{field}: {}", e.into_inner()) }
    })
}

/// A number sent as a number or as a numeric string; `null` and `""` are
/// absent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Num(pub Option<f64>);

impl Num {
    pub fn get(self) -> Option<f64> {
        self.0.filter(|n| n.is_finite())
    }

    /// As a whole number, when it is one.
    pub fn int(self) -> Option<i64> {
        self.get().filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15).map(|n| n as i64)
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a numeric string")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
                Ok(Num(Some(v as f64)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Some(v as f64)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
                Ok(Num(Some(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Num, E> {
                let v = v.trim();
                if v.is_empty() {
                    return Ok(Num(None));
                }
                // A string that is no number (the ae-ad-1 DSC docs show
                // `"resourceSize": "xx"`) is an absent value, not a failure of
                // the whole answer.
                Ok(Num(v.parse::<f64>().ok()))
            }
            fn visit_unit<E>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_none<E>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Text sent as a string or as a number (ids, `period_type`...); `null` is
/// absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text(pub Option<String>);

impl Text {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    pub fn owned(&self) -> Option<String> {
        self.get().map(str::to_string)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A list sent as an array, as a single object, or as `null` (empty).
#[derive(Clone, Debug, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> List<T> {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array or an object")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<List<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|one| List(vec![one]))
            }
            fn visit_unit<E>(self) -> Result<List<T>, E> {
                Ok(List(Vec::new()))
            }
            fn visit_none<E>(self) -> Result<List<T>, E> {
                Ok(List(Vec::new()))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A boolean, `null` being absent.
pub type Flag = Option<bool>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default)]
        n: Num,
        #[serde(default)]
        t: Text,
        #[serde(default)]
        l: List<Probe2>,
    }
    #[derive(Deserialize, Debug, PartialEq)]
    struct Probe2 {
        a: Num,
    }

    fn probe(v: Value) -> Result<Probe, ApiError> {
        decode(Service::Dsc, &v)
    }

    #[test]
    fn numbers_in_every_form() {
        assert_eq!(probe(json!({"n": 3})).unwrap().n.get(), Some(3.0));
        assert_eq!(probe(json!({"n": "2.5"})).unwrap().n.get(), Some(2.5));
        assert_eq!(probe(json!({"n": " 7 "})).unwrap().n.int(), Some(7));
        assert_eq!(probe(json!({"n": ""})).unwrap().n.get(), None);
        assert_eq!(probe(json!({"n": null})).unwrap().n.get(), None);
        assert_eq!(probe(json!({})).unwrap().n.get(), None);
        assert_eq!(probe(json!({"n": 2.5})).unwrap().n.int(), None);
        assert_eq!(probe(json!({"n": "NaN"})).unwrap().n.get(), None);
    }

    #[test]
    fn text_in_every_form() {
        assert_eq!(probe(json!({"t": 2})).unwrap().t.get(), Some("2"));
        assert_eq!(probe(json!({"t": "x"})).unwrap().t.get(), Some("x"));
        assert_eq!(probe(json!({"t": "  "})).unwrap().t.get(), None);
        assert_eq!(probe(json!({"t": null})).unwrap().t.get(), None);
    }

    #[test]
    fn lists_from_arrays_objects_and_null() {
        assert_eq!(probe(json!({"l": [{"a": 1}, {"a": "2"}]})).unwrap().l.0.len(), 2);
        assert_eq!(probe(json!({"l": {"a": 1}})).unwrap().l.0, vec![Probe2 { a: Num(Some(1.0)) }]);
        assert!(probe(json!({"l": null})).unwrap().l.0.is_empty());
    }

    #[test]
    fn errors_name_the_field() {
        let err = probe(json!({"l": [{"a": 1}, {"a": {"x": 1}}]})).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("Data Security Center"), "{text}");
        assert!(text.contains("`l[1].a`"), "{text}");
        let err = probe(json!({"n": {"twelve": 12}})).unwrap_err().to_string();
        assert!(err.contains("`n`"), "{err}");
        assert_eq!(probe(json!({"n": "xx"})).unwrap().n.get(), None);
        let err = probe(json!([1, 2])).unwrap_err().to_string();
        assert!(err.contains("the response body"), "{err}");
    }
}
