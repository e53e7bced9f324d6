//! [`Api`] as text: parsed from and written as its name, in the control API and in
//! error messages.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::vendors::Api;

/// A name that is not one of the sandbox's APIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownApi(pub String);

impl fmt::Display for UnknownApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no API named `{}`; one of: {}", self.0, Api::names())
    }
}

impl std::error::Error for UnknownApi {}

impl Api {
    /// The API named `name` (its path prefix).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|api| api.name() == name)
    }

    /// Every API's name, comma-separated, for messages.
    pub fn names() -> String {
        Self::ALL
            .iter()
            .map(|api| api.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Its position in [`Api::ALL`], for tables with one entry per API.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|api| *api == self).unwrap_or(0)
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Api {
    type Err = UnknownApi;

    fn from_str(name: &str) -> Result<Self, UnknownApi> {
        Self::from_name(name).ok_or_else(|| UnknownApi(name.to_string()))
    }
}

impl Serialize for Api {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Api {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_a_misspelling_lists_the_names() {
        for api in Api::ALL {
            assert_eq!(api.name().parse::<Api>(), Ok(*api));
            assert_eq!(Api::ALL[api.index()], *api);
        }
        let error = "idnow".parse::<Api>().unwrap_err().to_string();
        assert!(error.contains("`idnow`"), "{error}");
        assert!(error.contains("idnow-platform"), "{error}");
    }
}
