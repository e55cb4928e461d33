//! Typed views of the resource's values: the configuration the user wrote and the computed
//! attributes the provider fills, with conversions to and from the framework's values.

use std::collections::BTreeMap;

use crate::aws::codebuild::{ProjectSpec, WebhookSpec};
use crate::aws::connections::HostVpc;
use crate::runner::settings;
use crate::runner::tag::runner_tag;
use crate::value::Value;

/// AWS's placeholder for projects whose webhook is scoped to a whole GitLab group.
pub const DEFAULT_SOURCE_LOCATION: &str = "CODEBUILD_DEFAULT_WEBHOOK_SOURCE_LOCATION";

/// Limits AWS puts on generated names.
const HOST_NAME_MAX: usize = 64;
const CONNECTION_NAME_MAX: usize = 32;

/// The user's configuration, with defaults already applied by the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct RunnerConfig {
    /// CodeBuild project name (also the resource id).
    pub name: String,
    /// GitLab base URL.
    pub gitlab_url: String,
    /// Host name (defaults to the project name, shortened to AWS's limit).
    pub host_name: String,
    /// Connection name (defaults to the project name, shortened to AWS's limit).
    pub connection_name: String,
    /// An existing connection to use instead of managing a host and connection.
    pub shared_connection_arn: Option<String>,
    /// Host VPC settings.
    pub vpc: Option<HostVpc>,
    /// Whether create waits for the handshake.
    pub wait_for_connection: bool,
    /// Tags for every piece (`tags_all`: provider defaults merged with `tags`).
    pub tags: BTreeMap<String, String>,
    /// Project settings (connection filled by `project_spec`).
    pub project: ProjectSpec,
    /// Webhook settings.
    pub webhook: WebhookSpec,
}

/// A string attribute, `None` when null or unknown.
pub(crate) fn opt_string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// The string elements of a list or set attribute.
pub(crate) fn strings(v: &Value) -> Vec<String> {
    v.elements()
        .iter()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect()
}

fn shorten(name: &str, max: usize) -> String {
    name.chars().take(max).collect()
}

/// A `map(string)` value as a map; anything else is empty.
pub fn string_map(v: &Value) -> BTreeMap<String, String> {
    match v {
        Value::Map(m) => m
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// The tags every piece carries: the provider's defaults, overridden by the resource's own.
pub fn merge_tags(
    defaults: &BTreeMap<String, String>,
    own: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut all = defaults.clone();
    all.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

impl RunnerConfig {
    /// Reads a wholly known planned (or state) value. Missing optional values become their
    /// defaults, so a state written before a default existed still reads.
    pub fn from_value(v: &Value) -> Self {
        let name = v.attr("name").as_str().unwrap_or_default().to_string();
        let vpc = v.attr("vpc_configuration");
        let vpc = (!vpc.is_null()).then(|| HostVpc {
            vpc_id: vpc.attr("vpc_id").as_str().unwrap_or_default().to_string(),
            subnet_ids: strings(vpc.attr("subnet_ids")),
            security_group_ids: strings(vpc.attr("security_group_ids")),
            tls_certificate: opt_string(vpc.attr("tls_certificate")),
        });
        // States written before `tags_all` existed carry only `tags`.
        let tags = match v.attr("tags_all") {
            all @ Value::Map(_) => string_map(all),
            _ => string_map(v.attr("tags")),
        };
        let mut project = settings::project_from_value(v);
        project.name = name.clone();
        project.tags = tags.clone();
        Self {
            host_name: opt_string(v.attr("host_name"))
                .unwrap_or_else(|| shorten(&name, HOST_NAME_MAX)),
            connection_name: opt_string(v.attr("connection_name"))
                .unwrap_or_else(|| shorten(&name, CONNECTION_NAME_MAX)),
            gitlab_url: v
                .attr("gitlab_url")
                .as_str()
                .unwrap_or_default()
                .to_string(),
            shared_connection_arn: None,
            vpc,
            wait_for_connection: v.attr("wait_for_connection").as_bool().unwrap_or(true),
            tags,
            project,
            webhook: settings::webhook_from_value(v),
            name,
        }
    }

    /// Reads the configuration, also learning whether the connection is the user's own.
    /// `default_tags` fill `tags_all` when the plan could not know it.
    pub fn from_values(
        planned: &Value,
        config: &Value,
        default_tags: &BTreeMap<String, String>,
    ) -> Self {
        let mut parsed = Self::from_value(planned);
        parsed.shared_connection_arn = opt_string(config.attr("connection_arn"));
        if !matches!(planned.attr("tags_all"), Value::Map(_)) {
            parsed.tags = merge_tags(default_tags, &string_map(planned.attr("tags")));
            parsed.project.tags = parsed.tags.clone();
        }
        parsed
    }

    /// True when the provider manages the host and connection itself.
    pub fn manages_connection(&self) -> bool {
        self.shared_connection_arn.is_none()
    }

    /// The project as it should be on AWS.
    pub fn project_spec(&self, connection_arn: &str) -> ProjectSpec {
        ProjectSpec {
            connection_arn: connection_arn.to_string(),
            ..self.project.clone()
        }
    }
}

/// The attributes only the provider sets. `None` is null in state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Computed {
    /// Host ARN (managed hosts only).
    pub host_arn: Option<String>,
    /// Host status.
    pub host_status: Option<String>,
    /// Connection ARN.
    pub connection_arn: Option<String>,
    /// Connection status.
    pub connection_status: Option<String>,
    /// Console page where a person completes the handshake.
    pub authorization_url: Option<String>,
    /// Project ARN.
    pub project_arn: Option<String>,
    /// The connection the project's source uses, as AWS reports it.
    pub source_connection_arn: Option<String>,
    /// Webhook URL on the GitLab side.
    pub webhook_url: Option<String>,
    /// CodeBuild's payload URL.
    pub webhook_payload_url: Option<String>,
    /// Webhook secret (only known when this provider created the webhook).
    pub webhook_secret: Option<String>,
}

/// Names of the computed attributes above, in schema order.
pub const COMPUTED_NAMES: [&str; 10] = [
    "host_arn",
    "host_status",
    "connection_arn",
    "connection_status",
    "authorization_url",
    "project_arn",
    "source_connection_arn",
    "webhook_url",
    "webhook_payload_url",
    "webhook_secret",
];

impl Computed {
    /// Reads the computed attributes from a state; unknowns read as absent.
    pub fn from_value(v: &Value) -> Self {
        let get = |n: &str| opt_string(v.attr(n));
        Self {
            host_arn: get("host_arn"),
            host_status: get("host_status"),
            connection_arn: get("connection_arn"),
            connection_status: get("connection_status"),
            authorization_url: get("authorization_url"),
            project_arn: get("project_arn"),
            source_connection_arn: get("source_connection_arn"),
            webhook_url: get("webhook_url"),
            webhook_payload_url: get("webhook_payload_url"),
            webhook_secret: get("webhook_secret"),
        }
    }

    /// True when the webhook exists (as far as state knows).
    pub fn has_webhook(&self) -> bool {
        self.webhook_url.is_some() || self.webhook_payload_url.is_some()
    }

    fn get(&self, name: &str) -> &Option<String> {
        match name {
            "host_arn" => &self.host_arn,
            "host_status" => &self.host_status,
            "connection_arn" => &self.connection_arn,
            "connection_status" => &self.connection_status,
            "authorization_url" => &self.authorization_url,
            "project_arn" => &self.project_arn,
            "source_connection_arn" => &self.source_connection_arn,
            "webhook_url" => &self.webhook_url,
            "webhook_payload_url" => &self.webhook_payload_url,
            _ => &self.webhook_secret,
        }
    }

    /// Forgets the webhook (it is gone or about to be replaced).
    pub fn clear_webhook(&mut self) {
        self.webhook_url = None;
        self.webhook_payload_url = None;
        self.webhook_secret = None;
    }

    /// Forgets the connection and everything that hangs off it.
    pub fn clear_connection(&mut self) {
        self.connection_arn = None;
        self.connection_status = None;
        self.authorization_url = None;
    }

    /// The full state: the planned configuration with every computed attribute filled.
    /// Nothing unknown survives: what was not reached is null.
    pub fn into_state(&self, planned: &Value, config: &RunnerConfig) -> Value {
        let Value::Object(mut attrs) = planned.clone() else {
            return planned.clone();
        };
        // Names the plan could not know yet (the project name was unknown) are decided now.
        let names = [
            ("host_name", &config.host_name),
            ("connection_name", &config.connection_name),
        ];
        for (key, name) in names {
            if attrs.get(key).is_some_and(Value::is_unknown) {
                let value = if config.manages_connection() {
                    Value::string(name)
                } else {
                    Value::Null
                };
                attrs.insert(key.into(), value);
            }
        }
        let name = planned
            .attr("name")
            .as_str()
            .unwrap_or_default()
            .to_string();
        attrs.insert("id".into(), Value::string(name.clone()));
        attrs.insert("runner_tag".into(), Value::string(runner_tag(&name)));
        // A refreshed `tags_all` (what AWS reports) is kept; otherwise it is what was applied.
        if !attrs
            .get("tags_all")
            .is_some_and(|t| matches!(t, Value::Map(_)))
        {
            let all = config
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), Value::string(v)))
                .collect();
            attrs.insert("tags_all".into(), Value::Map(all));
        }
        for attr in COMPUTED_NAMES {
            let value = self
                .get(attr)
                .clone()
                .map(Value::string)
                .unwrap_or(Value::Null);
            attrs.insert(attr.to_string(), value);
        }
        Value::Object(attrs)
    }
}

/// The console page where a pending connection is completed, from its ARN
/// (`arn:aws:codeconnections:<region>:<account>:connection/<id>`).
pub fn authorization_url(connection_arn: &str) -> Option<String> {
    let parts: Vec<&str> = connection_arn.splitn(6, ':').collect();
    let [_, _, _, region, account, resource] = parts.as_slice() else {
        return None;
    };
    let id = resource.strip_prefix("connection/")?;
    Some(format!(
        "https://{region}.console.aws.amazon.com/codesuite/settings/{account}/{region}/\
         codeconnections/connections/{id}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_url_comes_from_the_arn() {
        let arn = "arn:aws:codeconnections:eu-west-1:123456789012:connection/abc-123";
        assert_eq!(
            authorization_url(arn).unwrap(),
            "https://eu-west-1.console.aws.amazon.com/codesuite/settings/123456789012/eu-west-1/\
             codeconnections/connections/abc-123"
        );
        assert_eq!(authorization_url("not-an-arn"), None);
    }

    #[test]
    fn generated_names_respect_aws_limits() {
        let long = "r".repeat(150);
        let v = Value::object([("name", Value::string(long))]);
        let c = RunnerConfig::from_value(&v);
        assert_eq!(c.host_name.len(), 64);
        assert_eq!(c.connection_name.len(), 32);
    }

    #[test]
    fn state_has_no_unknowns_and_fills_id_and_tag() {
        let planned = Value::object([
            ("name", Value::string("p")),
            ("id", Value::Unknown),
            ("runner_tag", Value::Unknown),
            ("project_arn", Value::Unknown),
        ]);
        let computed = Computed {
            host_arn: Some("h".into()),
            ..Default::default()
        };
        let state = computed.into_state(&planned, &RunnerConfig::from_value(&planned));
        assert!(state.is_wholly_known());
        assert_eq!(state.attr("id").as_str(), Some("p"));
        assert_eq!(state.attr("host_arn").as_str(), Some("h"));
        assert!(state.attr("project_arn").is_null());
    }
}
