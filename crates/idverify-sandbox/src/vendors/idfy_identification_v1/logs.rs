//! The identification log: one entry per session, kept 400 days, and its filters.

use super::*;

/// The log's name: "First Middle Last" (the session's `Name` is "Last, First Middle").
pub(super) fn log_name(result: &types::IdentificationResponse) -> Option<String> {
    let parts: Vec<&str> = [&result.first_name, &result.middle_name, &result.last_name]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// ISO 8601 in UTC with 7 fractional digits, like the vendor's log timestamps.
pub(super) fn timestamp(time: SystemTime) -> String {
    let base = rfc3339(time);
    let ticks = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos() / 100)
        .unwrap_or(0);
    format!("{}.{ticks:07}Z", base.trim_end_matches('Z'))
}

pub(super) struct LogEntry {
    pub(super) item: types::IdentificationLogItem,
}

/// The query parameters of the log filter, validated.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LogFilter {
    pub(super) year: i32,
    pub(super) month: Option<u32>,
    pub(super) day: Option<u32>,
    pub(super) status: Option<types::Status>,
    pub(super) identity_provider: Option<types::IdentityProvider>,
    pub(super) external_id: Option<String>,
    pub(super) name: Option<String>,
    pub(super) skip: usize,
    pub(super) page_size: usize,
}

impl LogFilter {
    pub(super) fn parse(year: &str, query: Option<&str>) -> Result<Self, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let mut bad = |field: &str, reason: &str| problems.push((field.to_string(), reason.into()));
        let year = year.parse::<i32>().ok().filter(|y| (1..=9999).contains(y));
        if year.is_none() {
            bad("year", "Must be a year (e.g. 2024).");
        }
        let mut filter = LogFilter {
            year: year.unwrap_or(0),
            month: None,
            day: None,
            status: None,
            identity_provider: None,
            external_id: None,
            name: None,
            skip: 0,
            page_size: MAX_PAGE_SIZE,
        };
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let key = key.to_ascii_lowercase();
            let value = value.into_owned();
            match key.as_str() {
                // 0 means "every month / day", as in the vendor's own links.
                "month" => match value.parse::<u32>() {
                    Ok(0) => {}
                    Ok(m @ 1..=12) => filter.month = Some(m),
                    _ => bad("month", "Must be a month, 1 to 12."),
                },
                "day" => match value.parse::<u32>() {
                    Ok(0) => {}
                    Ok(d @ 1..=31) => filter.day = Some(d),
                    _ => bad("day", "Must be a day of the month, 1 to 31."),
                },
                "status" => {
                    let status = types::Status::from(value.as_str());
                    if status.is_unknown() {
                        bad("status", "Unknown status.");
                    } else {
                        filter.status = Some(status);
                    }
                }
                "identityprovidertype" => {
                    let provider = types::IdentityProvider::from(value.as_str());
                    if provider.is_unknown() {
                        bad("identityProviderType", "Unknown identity provider.");
                    } else {
                        filter.identity_provider = Some(provider);
                    }
                }
                "externalid" => filter.external_id = Some(value),
                "name" => filter.name = Some(value),
                // The spec's `skip` is an int32, which also keeps `skip + 1` in range.
                "skip" => match value.parse::<usize>() {
                    Ok(skip) if skip <= i32::MAX as usize => filter.skip = skip,
                    _ => bad("skip", "Must be a number of pages, 0 to 2147483647."),
                },
                "pagesize" => match value.parse::<usize>() {
                    Ok(size @ 1..=MAX_PAGE_SIZE) => filter.page_size = size,
                    _ => bad("pageSize", "Must be 1 to 1000."),
                },
                _ => {}
            }
        }
        if problems.is_empty() {
            Ok(filter)
        } else {
            Err(problems)
        }
    }

    pub(super) fn matches(&self, item: &types::IdentificationLogItem) -> bool {
        // Active sessions are not listed, as at the vendor.
        if is_open(item.status.as_ref()) {
            return false;
        }
        let date = item.timestamp.as_deref().unwrap_or("");
        let part =
            |range: std::ops::Range<usize>| date.get(range).and_then(|s| s.parse::<i64>().ok());
        if part(0..4) != Some(i64::from(self.year)) {
            return false;
        }
        if self.month.is_some_and(|m| part(5..7) != Some(i64::from(m))) {
            return false;
        }
        if self.day.is_some_and(|d| part(8..10) != Some(i64::from(d))) {
            return false;
        }
        if self
            .status
            .as_ref()
            .is_some_and(|s| item.status.as_ref() != Some(s))
        {
            return false;
        }
        if self
            .identity_provider
            .as_ref()
            .is_some_and(|p| item.identity_provider_type.as_ref() != Some(p))
        {
            return false;
        }
        if self
            .external_id
            .as_ref()
            .is_some_and(|x| item.externalid.as_ref() != Some(x))
        {
            return false;
        }
        if let Some(name) = &self.name {
            let wanted = name.to_lowercase();
            if !item
                .name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains(&wanted))
            {
                return false;
            }
        }
        true
    }

    /// The query of the page `skip` with the same filters.
    pub(super) fn query(&self, skip: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(month) = self.month {
            query.append_pair("month", &month.to_string());
        }
        if let Some(day) = self.day {
            query.append_pair("day", &day.to_string());
        }
        if let Some(status) = &self.status {
            query.append_pair("status", status.as_str());
        }
        if let Some(provider) = &self.identity_provider {
            query.append_pair("identityProviderType", provider.as_str());
        }
        if let Some(external_id) = &self.external_id {
            query.append_pair("externalId", external_id);
        }
        if let Some(name) = &self.name {
            query.append_pair("name", name);
        }
        query.append_pair("skip", &skip.to_string());
        query.append_pair("pageSize", &self.page_size.to_string());
        query.finish()
    }
}
