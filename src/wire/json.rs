//! A JSON value as the readers see it: just enough to take fields by name and tell the types
//! apart. In the browser it is a `JsValue` (the browser's `JSON.parse` does the parsing, so no
//! parser is in the WASM); in the tests a `serde_json::Value`, so the readers can be run natively
//! on what the server writes. Generic, but the WASM holds one instance only (`JsValue`'s).

/// The value, or the name of the field (or the JSON) that is not as it should be. (No formatted
/// messages: they cost code for every field.)
pub type Read<T> = Result<T, &'static str>;

pub trait Json: Sized {
    /// The text as JSON.
    fn parse(text: &str) -> Read<Self>;
    /// An object (not a list).
    fn is_object(&self) -> bool;
    /// An object's field, `None` when missing or `null`.
    fn field(&self, key: &str) -> Option<Self>;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    /// A list, each item read with `read`.
    fn items<T>(self, read: fn(Self) -> Read<T>) -> Read<Vec<T>>;
}

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Array, Reflect, JSON};
    use wasm_bindgen::JsValue;

    use super::{Json, Read};

    impl Json for JsValue {
        fn parse(text: &str) -> Read<Self> {
            JSON::parse(text).map_err(|_| "not JSON")
        }

        fn is_object(&self) -> bool {
            JsValue::is_object(self) && !Array::is_array(self)
        }

        fn field(&self, key: &str) -> Option<Self> {
            Reflect::get(self, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
        }

        fn string(&self) -> Option<String> {
            self.as_string()
        }

        fn number(&self) -> Option<f64> {
            self.as_f64()
        }

        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }

        fn items<T>(self, read: fn(Self) -> Read<T>) -> Read<Vec<T>> {
            if !Array::is_array(&self) {
                return Err("a list");
            }
            Array::from(&self).iter().map(read).collect()
        }
    }
}

/// The tests' JSON: what the server's serde writes, read back as the browser would.
#[cfg(test)]
mod native {
    use serde_json::Value;

    use super::{Json, Read};

    impl Json for Value {
        fn parse(text: &str) -> Read<Self> {
            serde_json::from_str(text).map_err(|_| "not JSON")
        }

        fn is_object(&self) -> bool {
            Value::is_object(self)
        }

        fn field(&self, key: &str) -> Option<Self> {
            self.get(key).filter(|v| !v.is_null()).cloned()
        }

        fn string(&self) -> Option<String> {
            self.as_str().map(str::to_string)
        }

        fn number(&self) -> Option<f64> {
            self.as_f64()
        }

        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }

        fn items<T>(self, read: fn(Self) -> Read<T>) -> Read<Vec<T>> {
            match self {
                Value::Array(items) => items.into_iter().map(read).collect(),
                _ => Err("a list"),
            }
        }
    }
}
